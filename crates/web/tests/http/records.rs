//! Households, institutions and residence periods, assignment — through the pages.

use crate::app::{child_json, each_db};
use krousar_domain::Role;
use krousar_store::Who;

async fn new_child(app: &crate::app::TestApp, given_km: &str, given_latin: &str) -> String {
    let t = app.token(&app.worker).await;
    let c: serde_json::Value = app.api_post(&t, "/api/v1/children", child_json(given_km, given_latin)).await.json().await.unwrap();
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_household_with_members_is_linked_to_a_child() {
    each_db(|app| async move {
        let child = new_child(&app, "សុខា", "Sokha").await;
        let (c, csrf) = app.login("worker").await;
        let form: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("child", &child),
            ("name", "Chan family"),
            ("phone", "012 345 678"),
            ("income_band", "under_300k"),
            ("id_poor", "level1"),
            ("village_pick", "02020101"),
            ("m_name_km", "ចាន់ ស្រីមុំ"),
            ("m_name_latin", "Chan Sreymom"),
            ("m_relationship", "mother"),
            ("m_sex", "female"),
            ("m_birth_year", "1985"),
            ("m_phone", ""),
            ("m_name_km", ""),
            ("m_name_latin", "Chan Dara"),
            ("m_relationship", "grandparent"),
            ("m_sex", ""),
            ("m_birth_year", ""),
            ("m_phone", ""),
            ("head", "0"),
        ];
        let res = c.post(app.url("/households")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/children/{child}"));
        let record = c.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains("Chan family"));
        let hid = record.split("/households/").nth(1).unwrap()[..36].to_string();
        let page = c.get(app.url(&format!("/households/{hid}"))).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("Chan Sreymom") && page.contains("Mother") && page.contains("Head of household") && page.contains("Grandparent")
        );
        assert!(page.contains(&format!("/children/{child}")));
        // Households are found by their members' names too.
        let found = c.get(app.url("/households?q=sreimom")).send().await.unwrap().text().await.unwrap();
        assert!(found.contains("Chan family"));
        // The list filters by province.
        let in_battambang = c.get(app.url("/households?province=02")).send().await.unwrap().text().await.unwrap();
        assert!(in_battambang.contains("Chan family"));
        let in_phnom_penh = c.get(app.url("/households?province=12")).send().await.unwrap().text().await.unwrap();
        assert!(!in_phnom_penh.contains("Chan family"));
        // Another organisation cannot open it, by page or API.
        let (s, _) = app.login("stranger").await;
        assert_eq!(s.get(app.url(&format!("/households/{hid}"))).send().await.unwrap().status(), 404);
        let st = app.token(&app.other_worker).await;
        assert_eq!(app.api_get(&st, &format!("/api/v1/households/{hid}")).await.status(), 404);
        let list: serde_json::Value = app.api_get(&st, "/api/v1/households").await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
        // Editing with a stale version is refused with the typed values kept.
        let edit = c.get(app.url(&format!("/households/{hid}/edit"))).send().await.unwrap().text().await.unwrap();
        assert!(edit.contains("name=\"version\" value=\"1\""));
        let stale = [
            ("_csrf", csrf.as_str()),
            ("version", "0"),
            ("name", "Renamed family"),
            ("m_name_latin", "Chan Sreymom"),
            ("m_relationship", "mother"),
        ];
        let res = c.post(app.url(&format!("/households/{hid}"))).form(&stale).send().await.unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("Someone else saved") && html.contains("Renamed family"));
    })
    .await;
}

#[tokio::test]
async fn institutions_and_children_resident_on_a_date() {
    each_db(|app| async move {
        let child = new_child(&app, "ដារា", "Dara").await;
        // Social workers read the register but do not add institutions.
        let (w, wcsrf) = app.login("worker").await;
        assert_eq!(w.get(app.url("/rcis/new")).send().await.unwrap().status(), 403);
        let (s, scsrf) = app.login("supervisor").await;
        let form = [
            ("_csrf", scsrf.as_str()),
            ("name", "Hope Centre"),
            ("rci_type", "ngo"),
            ("capacity", "40"),
            ("registration_status", "registered"),
            ("village_pick", "12010101"),
        ];
        let res = s.post(app.url("/rcis")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let rci = res.headers()["location"].to_str().unwrap().trim_start_matches("/rcis/").to_string();
        // The record page links to the stay form instead of carrying every institution; the
        // form groups them by province.
        let record = w.get(app.url(&format!("/children/{child}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains(&format!("/children/{child}/residences/new")) && !record.contains("Hope Centre"));
        let form = w.get(app.url(&format!("/children/{child}/residences/new"))).send().await.unwrap().text().await.unwrap();
        assert!(
            form.contains("<optgroup label=\"Phnom Penh Capital\">")
                && form.contains(&format!("<option value=\"{rci}\">Hope Centre</option>")),
            "{form}"
        );
        let (o, ocsrf) = app.login("stranger").await;
        assert_eq!(o.get(app.url(&format!("/children/{child}/residences/new"))).send().await.unwrap().status(), 404);
        // No institution chosen: told so, the dates kept, nothing written.
        let none = [("_csrf", wcsrf.as_str()), ("rci_id", ""), ("entered", "2020-01-10")];
        let html = w.post(app.url(&format!("/children/{child}/residences"))).form(&none).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Choose the institution where the child lives.") && html.contains("value=\"2020-01-10\""), "{html}");
        let stranger_stay = [("_csrf", ocsrf.as_str()), ("rci_id", rci.as_str()), ("entered", "2020-01-10")];
        assert_eq!(o.post(app.url(&format!("/children/{child}/residences"))).form(&stranger_stay).send().await.unwrap().status(), 404);
        // A stay, then an overlapping one which is refused.
        let stay = [
            ("_csrf", wcsrf.as_str()),
            ("rci_id", rci.as_str()),
            ("entered", "2020-01-10"),
            ("left", "2023-08-15"),
            ("reason_left", "reintegrated"),
        ];
        assert_eq!(w.post(app.url(&format!("/children/{child}/residences"))).form(&stay).send().await.unwrap().status(), 303);
        let overlap = [("_csrf", wcsrf.as_str()), ("rci_id", rci.as_str()), ("entered", "2021-01-01")];
        let html = w.post(app.url(&format!("/children/{child}/residences"))).form(&overlap).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("overlaps"));
        for (day, n) in [("2020-01-09", 0), ("2021-06-01", 1), ("2023-08-15", 0)] {
            let page = w.get(app.url(&format!("/rcis/{rci}?on={day}"))).send().await.unwrap().text().await.unwrap();
            let said = if n == 1 { "1 child resident on this date".to_string() } else { format!("{n} children resident on this date") };
            assert!(page.contains(&said), "{day}");
        }
        // The other organisation sees neither the child nor the count (`rci_counts.rs`).
        let page = o.get(app.url(&format!("/rcis/{rci}?on=2021-06-01"))).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("1 child resident") && page.contains("0 of the children you may open") && !page.contains("Dara"));
        let t = app.token(&app.worker).await;
        let list: serde_json::Value = app.api_get(&t, "/api/v1/rcis").await.json().await.unwrap();
        assert_eq!(list["items"][0]["name"], "Hope Centre");
        assert_eq!(list["items"][0]["capacity"], 40);
    })
    .await;
}

#[tokio::test]
async fn a_supervisor_assigns_a_child_to_another_caseload() {
    each_db(|app| async move {
        let child = new_child(&app, "សុខា", "Sokha").await;
        let hash = krousar_web::auth::hash_password(crate::app::PASSWORD).unwrap();
        let second = app
            .store
            .create_user(Who::system(), app.worker.org_id, app.worker.team_id, "worker2", "Second worker", Role::SocialWorker, &hash, "en")
            .await
            .unwrap();
        let (s, csrf) = app.login("supervisor").await;
        let res = s
            .post(app.url(&format!("/children/{child}/assign")))
            .form(&[("_csrf", csrf.as_str()), ("worker", &second.id.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        // Now in the second worker's caseload, and no longer the first's.
        let t2 = app.token(&second).await;
        assert_eq!(app.api_get(&t2, &format!("/api/v1/children/{child}")).await.status(), 200);
        let t1 = app.token(&app.worker).await;
        assert_eq!(app.api_get(&t1, &format!("/api/v1/children/{child}")).await.status(), 404);
        // A social worker cannot assign.
        let (w, wcsrf) = app.login("worker2").await;
        let res = w
            .post(app.url(&format!("/children/{child}/assign")))
            .form(&[("_csrf", wcsrf.as_str()), ("worker", &app.worker.id.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    })
    .await;
}
