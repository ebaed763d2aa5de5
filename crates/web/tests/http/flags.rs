//! Flags (issue 25): raised and removed by the people working on the child, with a reason;
//! shown on the record, the case (and its timeline), the lists and the offline copy; a list
//! filter; never seen by another organisation or an administrator; bad input changes nothing;
//! every change audited without the reason.

use crate::app::{child_json, csrf_of, each_db, TestApp};
use serde_json::{json, Value};
use sqlx::Row;

async fn flags(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.api_get(token, &format!("/api/v1/children/{id}/flags")).await
}

#[tokio::test]
async fn a_flag_is_raised_shown_filtered_and_removed_with_a_reason() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let c2: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id2 = c2["id"].as_str().unwrap().to_string();
        let base = format!("/api/v1/children/{id}/flags");

        // Bad input: a clear message per field, nothing written.
        for (body, field) in [
            (json!({"kind": "gossip", "reason": "x"}), "kind"),
            (json!({"kind": "court", "reason": "   "}), "reason"),
            (json!({"kind": "court", "reason": "Hearing", "until": "2001-01-01"}), "until"),
        ] {
            let res = app.api_post(&w, &base, body).await;
            assert_eq!(res.status(), 422);
            assert!(res.text().await.unwrap().contains(field), "{field}");
        }
        assert_eq!(
            app.api_post(&w, &base, json!({"kind": "court", "reason": "x", "colour": "red"})).await.status(),
            201,
            "extra fields are ignored"
        );
        let list: Value = flags(&app, &w, &id).await.json().await.unwrap();
        let first = list["items"][0]["id"].as_str().unwrap().to_string();
        let res = app.api_post(&w, &format!("{base}/{first}/remove"), json!({"reason": "Raised by mistake"})).await;
        assert_eq!(res.status(), 204);

        let res = app.api_post(&w, &base, json!({"kind": "no_contact", "reason": "FATHER-NO-CONTACT: court order"})).await;
        assert_eq!(res.status(), 201);
        let flag = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

        // Shown to the worker: API, record, case (with the timeline), list, home.
        let list: Value = flags(&app, &w, &id).await.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        assert_eq!((items[0]["kind"].as_str(), items[0]["active"].as_bool()), (Some("no_contact"), Some(true)));
        assert_eq!((items[1]["active"].as_bool(), items[1]["removed_reason"].as_str()), (Some(false), Some("Raised by mistake")));
        let (web, _) = app.login("worker").await;
        let get = |path: String| {
            let web = web.clone();
            let url = app.url(&path);
            async move { web.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let record = get(format!("/children/{id}")).await;
        assert!(record.contains("FATHER-NO-CONTACT") && record.contains("Do not contact"), "{record}");
        let today = krousar_domain::today().to_string();
        let open = json!({"route": "report", "referral_source": "police", "opened_on": today});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), open).await.status(), 201);
        let case = get(format!("/children/{id}/case")).await;
        assert!(case.contains("FATHER-NO-CONTACT") && case.contains("Flag raised") && case.contains("Flag removed"), "{case}");
        let list_page = get("/children".into()).await;
        assert!(list_page.contains("⚑ Do not contact"), "{list_page}");
        assert!(get("/".into()).await.contains("⚑ Do not contact"));
        // The filter: any flag, or one kind; the other child has none.
        for (q, want) in [("any", true), ("no_contact", true), ("court", false)] {
            let found: Value = app.api_get(&w, &format!("/api/v1/children?flag={q}")).await.json().await.unwrap();
            let ids: Vec<&str> = found["items"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
            assert_eq!(ids.contains(&id.as_str()), want, "flag={q}: {found}");
            assert!(!ids.contains(&id2.as_str()), "flag={q}");
        }
        assert_eq!(app.api_get(&w, "/api/v1/children?flag=gossip").await.status(), 400);
        let filtered = get("/children?flag=any".into()).await;
        assert!(filtered.contains("Sreyneang") && !filtered.contains("Sreypov"), "{filtered}");

        // Nobody else: another organisation's worker, and the organisation's administrator,
        // learn nothing of it, whatever the path; their tries change nothing.
        let stranger = app.token(&app.other_worker).await;
        let admin = app.token(&app.admin).await;
        for t in [&stranger, &admin] {
            let res = flags(&app, t, &id).await;
            assert!(res.status() == 403 || res.status() == 404, "{}", res.status());
            assert!(!res.text().await.unwrap().contains("FATHER"));
            assert!(matches!(app.api_post(t, &base, json!({"kind": "safety", "reason": "INTRUDER"})).await.status().as_u16(), 403 | 404));
            let res = app.api_post(t, &format!("{base}/{flag}/remove"), json!({"reason": "INTRUDER"})).await;
            assert!(matches!(res.status().as_u16(), 403 | 404));
        }
        let (web_admin, _) = app.login("admin").await;
        let page = web_admin.get(app.url(&format!("/children/{id}/flags"))).send().await.unwrap();
        assert!(matches!(page.status().as_u16(), 403 | 404));
        // A flag is removed only from its own child: named under another child, not found.
        let res = app.api_post(&w, &format!("/api/v1/children/{id2}/flags/{flag}/remove"), json!({"reason": "wrong child"})).await;
        assert_eq!(res.status(), 404);

        // Removal needs a reason, on the page too; then it is history, once.
        let (web2, csrf) = app.login("worker").await;
        let page = web2.get(app.url(&format!("/children/{id}/flags"))).send().await.unwrap().text().await.unwrap();
        let csrf = if page.contains("_csrf") { csrf_of(&page) } else { csrf };
        let res = web2
            .post(app.url(&format!("/children/{id}/flags/{flag}/remove")))
            .form(&[("_csrf", csrf.as_str()), ("reason", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("aria-invalid"));
        let res = web2
            .post(app.url(&format!("/children/{id}/flags/{flag}/remove")))
            .form(&[("_csrf", csrf.as_str()), ("reason", "Order lifted")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let again = app.api_post(&w, &format!("{base}/{flag}/remove"), json!({"reason": "twice"})).await;
        assert_eq!(again.status(), 404, "removed once");
        let found: Value = app.api_get(&w, "/api/v1/children?flag=any").await.json().await.unwrap();
        assert!(found["items"].as_array().unwrap().is_empty(), "{found}");
        // A raise on the page, in Khmer digits for its last day.
        let res = web2
            .post(app.url(&format!("/children/{id}/flags")))
            .form(&[("_csrf", csrf.as_str()), ("kind", "court"), ("reason", "Custody hearing"), ("until", "២០៩៩-០១-១២")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let page = web2.get(app.url(&format!("/children/{id}/flags"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Custody hearing") && page.contains("until 12 January 2099") && page.contains("Order lifted"), "{page}");

        // Every change audited, the reason never in the audit.
        let rows = sqlx::query("SELECT action, detail FROM audit_log WHERE record_id = $1 AND action IN ('child.flag', 'child.unflag')")
            .bind(&id)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
        assert_eq!(actions.iter().filter(|a| *a == "child.flag").count(), 3, "{actions:?}");
        assert_eq!(actions.iter().filter(|a| *a == "child.unflag").count(), 2, "{actions:?}");
        assert!(rows.iter().all(|r| !r.get::<String, _>("detail").contains("FATHER")));
    })
    .await;
}
