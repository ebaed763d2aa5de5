//! An RCI's transition through its page: stages move forward only (a dropped plan may go back),
//! inspections score every Minimum Standard, staff counts add up, the list filters by stage and
//! by children living there, and the children who left are shown only to whom may open them
//! (counted only for the partner organisation and the ministry: `rci_counts.rs`).

use crate::app::{child_json, each_db};
use krousar_domain::choices::{RciRegistration, RciType};
use krousar_domain::rci::{RciFields, ResidencePeriod};
use serde_json::Value;

#[tokio::test]
async fn an_rci_moves_through_its_transition() {
    each_db(|app| async move {
        let boss = app.supervisor.actor();
        let fields = RciFields {
            name: "Hope Centre".into(),
            rci_type: RciType::Ngo,
            village_code: Some("02020101".into()),
            capacity: Some(40),
            registration_status: RciRegistration::Registered,
            note: None,
        };
        let rci = app.store.create_rci(&boss, fields).await.unwrap().id;
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today();
        let d = |days: i64| today - chrono::Duration::days(days);
        let mut kids = Vec::new();
        for name in ["Dara", "Sokha"] {
            let c: Value = app.api_post(&w, "/api/v1/children", child_json("ដារា", name)).await.json().await.unwrap();
            kids.push(c["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
        }
        let stay =
            |left: Option<chrono::NaiveDate>| ResidencePeriod { entered: d(400), left, reason_left: left.map(|_| "Reunified".into()) };
        app.store.add_residence(&app.worker.actor(), kids[0], rci, stay(None)).await.unwrap();
        app.store.add_residence(&app.worker.actor(), kids[1], rci, stay(Some(d(10)))).await.unwrap();

        let (c, csrf) = app.login("supervisor").await;
        let post = |path: &str, form: Vec<(String, String)>| {
            let mut f = vec![("_csrf".to_string(), csrf.clone())];
            f.extend(form);
            let req = c.post(app.url(&format!("/rcis/{rci}/{path}"))).form(&f);
            async move { req.send().await.unwrap() }
        };
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let day = today.to_string();
        let stage = |s: &str| pairs(&[("stage", s), ("on", &day)]);
        assert_eq!(post("stage", stage("planning")).await.status(), 303);
        assert_eq!(post("stage", stage("operating")).await.status(), 303, "a dropped plan");
        assert_eq!(post("stage", stage("transitioning")).await.status(), 303);
        let res = post("stage", stage("planning")).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("does not go back"));

        // Inspection: every standard scored.
        let scores: Vec<(String, String)> =
            krousar_domain::rci_transition::STANDARDS.iter().map(|s| (format!("score_{s}"), "2".to_string())).collect();
        let form = |scored: &[(String, String)]| {
            let mut f = pairs(&[("on", &day), ("inspector", "DoSVY Battambang")]);
            f.extend(scored.iter().cloned());
            f
        };
        assert_eq!(post("inspections", form(&scores[1..])).await.status(), 422, "one standard not scored");
        assert_eq!(post("inspections", form(&scores)).await.status(), 303);
        assert_eq!(post("staff", pairs(&[("on", &day), ("total", "5"), ("female", "8")])).await.status(), 422);
        assert_eq!(
            post("staff", pairs(&[("on", &day), ("total", "12"), ("female", "8"), ("para_social_workers", "3")])).await.status(),
            303
        );
        let page = c.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("67% of the Minimum Standards") && page.contains("12 (8F) staff, 3 trained as para social workers"),
            "{page}"
        );
        assert!(page.contains("Transitioning"));

        // The list filters by stage and by children living there now (one).
        let list = |q: &str| {
            let url = app.url(&format!("/api/v1/rcis?{q}"));
            let w = w.clone();
            async move { crate::app::client().get(url).bearer_auth(w).send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let found = list("stage=transitioning").await;
        assert_eq!(found["items"][0]["residents"], 1);
        assert!(list("stage=closed").await["items"].as_array().unwrap().is_empty());
        assert!(list("min_children=2").await["items"].as_array().unwrap().is_empty());

        // Who left: named to its worker, only counted for another organisation.
        let (wc, _) = app.login("worker").await;
        let mine = wc.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap();
        assert!(mine.contains("Sokha") && mine.contains("No case"), "{mine}");
        let (oc, _) = app.login("stranger").await;
        let theirs = oc.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap();
        assert!(!theirs.contains("Sokha") && theirs.contains("Only the children you may open are listed"), "not counted either");
        let res =
            wc.post(app.url(&format!("/rcis/{rci}/stage"))).form(&[("_csrf", csrf.as_str()), ("stage", "closed")]).send().await.unwrap();
        assert!(res.status() == 403 || res.status() == 400, "a worker does not move an RCI: {}", res.status());

        // The transition plan, attached and read back; a worker may not attach.
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        let upload = |client: &reqwest::Client, token: &str, kind: &str| {
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token.to_string())
                .text("kind", kind.to_string())
                .part("file", reqwest::multipart::Part::bytes(pdf.clone()).file_name("plan.pdf"));
            client.post(app.url(&format!("/rcis/{rci}/documents"))).multipart(form).send()
        };
        assert_eq!(upload(&c, &csrf, "poem").await.unwrap().status(), 422);
        assert_eq!(upload(&c, &csrf, "plan").await.unwrap().status(), 303);
        let page = c.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap();
        let at = page.find(&format!("/rcis/{rci}/documents/")).expect("listed");
        let href: String = page[at..].chars().take_while(|ch| *ch != '"').collect();
        let got = c.get(app.url(&href)).send().await.unwrap();
        assert_eq!(got.headers()["content-type"], "application/pdf");
        assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
        let (wc2, wcsrf) = app.login("worker").await;
        assert_eq!(upload(&wc2, &wcsrf, "plan").await.unwrap().status(), 403);
        // The documents (which may name the institution's children) are its partner's and the
        // ministry's: another organisation's people neither see them listed nor open them.
        let (x, _) = app.login("stranger").await;
        assert!(!x.get(app.url(&format!("/rcis/{rci}"))).send().await.unwrap().text().await.unwrap().contains("/documents/"));
        assert_eq!(x.get(app.url(&href)).send().await.unwrap().status(), 404);

        // An inspection through the API: scores as an object, the same checks.
        let st = app.token(&app.supervisor).await;
        let mut score = serde_json::Map::new();
        for s in krousar_domain::rci_transition::STANDARDS {
            score.insert(s.to_string(), serde_json::json!(3));
        }
        let body = serde_json::json!({"kind": "inspection", "on": day, "inspector": "DoSVY", "score": score});
        let res = app.api_post(&st, &format!("/api/v1/rcis/{rci}/transition"), body).await;
        assert_eq!(res.status(), 200);
        let t: Value = res.json().await.unwrap();
        assert_eq!(t["events"][0]["body"]["percent"], 100);
        let bad = serde_json::json!({"kind": "staff", "on": day, "total": 2, "female": 5});
        assert_eq!(app.api_post(&st, &format!("/api/v1/rcis/{rci}/transition"), bad).await.status(), 422);

        assert_eq!(post("stage", stage("closed")).await.status(), 303);
        assert_eq!(post("stage", stage("community_centre")).await.status(), 422, "closed stays closed");
    })
    .await;
}
