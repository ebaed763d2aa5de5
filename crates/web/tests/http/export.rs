//! Exporting the child list: CSV with a byte-order mark and XLSX, the columns chosen, formulas
//! made inert, sensitive information never included, another organisation's children never
//! included, every export audited.

use crate::app::{child_json, client, each_db};
use serde_json::{json, Value};
use sqlx::Row;

#[tokio::test]
async fn a_list_is_exported_safely() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let mut evil = child_json("ស្រីពៅ", "Sreypov");
        evil["family_name_latin"] = json!("=HYPERLINK(\"http://evil\")");
        let c: Value = app.api_post(&w, "/api/v1/children", evil).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let s = json!({"version": 0, "health": "SECRET-HEALTH-NOTE"});
        assert_eq!(
            client().put(app.url(&format!("/api/v1/children/{id}/sensitive"))).bearer_auth(&w).json(&s).send().await.unwrap().status(),
            200
        );
        let x = app.token(&app.other_worker).await;
        app.api_post(&x, "/api/v1/children", child_json("ដារា", "Otherchild")).await;

        let (c, _) = app.login("worker").await;
        let list = c.get(app.url("/children")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("action=\"/children/export\""));
        let all_cols: String = krousar_domain::export::ExportColumn::ALL.iter().map(|c| format!("&col={}", c.code())).collect();
        let res = c.get(app.url(&format!("/children/export?format=csv{all_cols}&col=hiv_status"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let bytes = res.bytes().await.unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "a byte-order mark for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("Case number,Family name (Khmer)"), "{text}");
        assert!(text.contains("'=HYPERLINK") && !text.contains(",=HYPERLINK"), "formulas made inert: {text}");
        assert!(text.contains("ស្រីពៅ") && !text.contains("SECRET-HEALTH") && !text.contains("Otherchild"));

        // XLSX, the default columns, read back as a spreadsheet would.
        let res = c.get(app.url("/children/export?format=xlsx")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
        assert!(
            cells.contains(&"Case number".to_string())
                && cells.contains(&"ស្រីពៅ".to_string())
                && cells.contains(&"'=HYPERLINK(\"http://evil\")".to_string())
        );
        assert_eq!(sheet.height(), 2, "the header and the one child");

        // Another organisation's export holds none of these children; each export is audited.
        let (o, _) = app.login("stranger").await;
        let theirs = o.get(app.url("/children/export?format=csv")).send().await.unwrap().text().await.unwrap();
        assert!(!theirs.contains("Sreypov") && theirs.contains("Otherchild"));
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'children.export'")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 3);
    })
    .await;
}

/// The data-quality report lists what needs attention, within the user's own children only.
#[tokio::test]
async fn the_data_quality_report_shows_only_ones_own_children() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let mut vague = child_json("ស្រីមុំ", "Sreymomx");
        vague["village_code"] = Value::Null;
        vague["date_of_birth"] = Value::Null;
        vague["estimated_birth_year"] = json!(2014);
        assert_eq!(app.api_post(&w, "/api/v1/children", vague).await.status(), 201);
        app.api_post(&w, "/api/v1/children", child_json("ដារា", "Daraclear")).await;
        let (c, _) = app.login("worker").await;
        let page = c.get(app.url("/quality")).send().await.unwrap().text().await.unwrap();
        let section = |title: &str| page.split(title).nth(1).and_then(|s| s.split("</section>").next()).unwrap_or("").to_string();
        let no_address = section("No address (village) · ");
        assert!(no_address.starts_with('1') && no_address.contains("Sreymomx") && !no_address.contains("Daraclear"), "{page}");
        assert!(section("Date of birth only estimated · ").contains("Sreymomx"));
        let (o, _) = app.login("stranger").await;
        assert!(!o.get(app.url("/quality")).send().await.unwrap().text().await.unwrap().contains("Sreymomx"));
        let (a, _) = app.login("admin").await;
        assert_eq!(a.get(app.url("/quality")).send().await.unwrap().status(), 403);
    })
    .await;
}

/// A saved search is the user's own, keeps only the list's filters, and runs the list again.
#[tokio::test]
async fn a_search_is_saved_reused_and_deleted() {
    each_db(|app| async move {
        let (c, csrf) = app.login("worker").await;
        let res = c
            .post(app.url("/children/saved"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("name", "Girls in Battambang"),
                ("query", "province=02&sex=female&evil=javascript:alert(1)"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/children?province=02&sex=female");
        let list = c.get(app.url("/children")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Girls in Battambang"), "{list}");
        assert!(list.contains("href=\"/children?province=02&#38;sex=female\"") && !list.contains("javascript"), "{list}");
        let mine = app.store.saved_searches(&app.worker.actor()).await.unwrap();
        let (o, ocsrf) = app.login("stranger").await;
        assert!(!o.get(app.url("/children")).send().await.unwrap().text().await.unwrap().contains("Girls in Battambang"));
        let url = app.url(&format!("/children/saved/{}/delete", mine[0].id));
        assert_eq!(o.post(&url).form(&[("_csrf", ocsrf.as_str())]).send().await.unwrap().status(), 404, "not another's");
        assert_eq!(c.post(&url).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(), 303);
        assert!(app.store.saved_searches(&app.worker.actor()).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_large_export_is_prepared_in_the_background_and_only_its_owner_fetches_it() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        for name in ["Sreypov", "Dara", "Vanna"] {
            app.api_post(&w, "/api/v1/children", child_json("ស្រីពៅ", name)).await;
        }
        let (c, _) = app.login("worker").await;
        let res = c.get(app.url("/children/export?format=csv&background=1")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let job_url = res.headers()["location"].to_str().unwrap().to_string();
        assert!(job_url.starts_with("/exports/"), "{job_url}");
        // The page shows progress until the file is ready, then a download link.
        let mut page = String::new();
        for _ in 0..100 {
            page = c.get(app.url(&job_url)).send().await.unwrap().text().await.unwrap();
            if page.contains("/file\"") {
                break;
            }
            assert!(page.contains("<progress") && page.contains("http-equiv=\"refresh\""), "{page}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(page.contains("Ready") && page.contains("3 of 3 children"), "{page}");
        let file = c.get(app.url(&format!("{job_url}/file"))).send().await.unwrap();
        assert_eq!(file.status(), 200);
        let text = String::from_utf8(file.bytes().await.unwrap()[3..].to_vec()).unwrap();
        assert_eq!(text.lines().count(), 4, "a heading and three children: {text}");
        assert!(text.contains("Vanna"));
        // The exports page lists it; someone else gets nothing.
        assert!(c.get(app.url("/exports")).send().await.unwrap().text().await.unwrap().contains(&job_url));
        let (s, _) = app.login("supervisor").await;
        assert_eq!(s.get(app.url(&format!("{job_url}/file"))).send().await.unwrap().status(), 404);
        assert_eq!(s.get(app.url(&job_url)).send().await.unwrap().status(), 404);
        // Audited when made and when fetched.
        let rows = sqlx::query("SELECT action, detail FROM audit_log WHERE action LIKE 'children.export%' ORDER BY seq")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
        assert_eq!(actions, ["children.export", "children.export_download"]);
        assert!(rows[0].get::<String, _>("detail").contains("\"background\":true"));
    })
    .await;
}
