//! The import pages over HTTP: only an organisation's administrator has them, the form needs
//! its token, a hostile file is refused with its reason and writes nothing, and a workbook is
//! checked, imported once, and never twice.

use crate::app::{csrf_of, each_db, TestApp};

const CSV: &str = "Child ID,Family name (Latin),Given name (Latin),Sex,Date of birth,Province\nH-1,Sok,Dara,M,2014-03-25,Battambang\nH-2,Keo,Sophea,F,12/03/2015,Battambang\n";

fn form(csrf: Option<&str>, name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let mut f = reqwest::multipart::Form::new();
    if let Some(c) = csrf {
        f = f.text("_csrf", c.to_string());
    }
    f.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

/// The job page once its step has ended.
async fn settled(c: &reqwest::Client, app: &TestApp, job: &str) -> String {
    for _ in 0..100 {
        let page = c.get(app.url(job)).send().await.unwrap().text().await.unwrap();
        if !page.contains("http-equiv=\"refresh\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import job never ended");
}

async fn children(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM children").fetch_one(app.store.pool()).await.unwrap()
}

#[tokio::test]
async fn only_an_administrator_imports_and_only_once() {
    each_db(|app| async move {
        // A social worker has no import page, template or upload.
        let (w, wcsrf) = app.login("worker").await;
        for path in ["/admin/import", "/admin/import/template.xlsx"] {
            assert_eq!(w.get(app.url(path)).send().await.unwrap().status(), 403, "{path}");
        }
        let res = w.post(app.url("/admin/import")).multipart(form(Some(&wcsrf), "children.csv", CSV.into())).send().await.unwrap();
        assert_eq!(res.status(), 403);

        let (c, csrf) = app.login("admin").await;
        let page = c.get(app.url("/admin/import")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\"") && csrf_of(&page) == csrf);
        let res = c.get(app.url("/admin/import/template.xlsx")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        // Without the form's token: refused before anything is read.
        let res = c.post(app.url("/admin/import")).multipart(form(None, "children.csv", CSV.into())).send().await.unwrap();
        assert_eq!(res.status(), 403);

        // A file that is no workbook: the check fails with its reason, nothing is written.
        let before = children(&app).await;
        let res = c
            .post(app.url("/admin/import"))
            .multipart(form(Some(&csrf), "photo.csv", vec![0xff, 0xd8, 0xff, 0xe0, 0, 1]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let job = res.headers()["location"].to_str().unwrap().to_string();
        let page = settled(&c, &app, &job).await;
        assert!(page.contains("The check failed") && page.contains("CSV UTF-8"), "{page}");
        assert_eq!(children(&app).await, before);

        // A workbook: checked, its report downloadable, imported.
        let res = c.post(app.url("/admin/import")).multipart(form(Some(&csrf), "children.csv", CSV.into())).send().await.unwrap();
        let job = res.headers()["location"].to_str().unwrap().to_string();
        let page = settled(&c, &app, &job).await;
        assert!(page.contains("Checked.") && page.contains(&format!("action=\"{job}/apply\"")), "{page}");
        let report = c.get(app.url(&format!("{job}/report.csv"))).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("Kind,Sheet,Row"), "{report}");
        // Another user of the organisation cannot see the job.
        let (s, _) = app.login("supervisor").await;
        assert_eq!(s.get(app.url(&job)).send().await.unwrap().status(), 403);

        let res = c.post(app.url(&format!("{job}/apply"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let page = settled(&c, &app, &job).await;
        assert!(page.contains("Imported."), "{page}");
        assert_eq!(children(&app).await, before + 2);
        // The same job cannot be imported twice; the same file again finds both children there.
        let res = c.post(app.url(&format!("{job}/apply"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 422);
        let res = c.post(app.url("/admin/import")).multipart(form(Some(&csrf), "children.csv", CSV.into())).send().await.unwrap();
        let again = res.headers()["location"].to_str().unwrap().to_string();
        let page = settled(&c, &app, &again).await;
        assert!(!page.contains(&format!("action=\"{again}/apply\"")), "nothing left to import: {page}");
        assert_eq!(children(&app).await, before + 2);

        // A check left a day without being imported: its workbook is removed, the import refused.
        let more = CSV.replace("H-1,", "H-3,").replace("H-2,", "H-4,");
        let res = c.post(app.url("/admin/import")).multipart(form(Some(&csrf), "children.csv", more.into())).send().await.unwrap();
        let late = res.headers()["location"].to_str().unwrap().to_string();
        settled(&c, &app, &late).await;
        sqlx::query("UPDATE import_jobs SET created_at = '2000-01-01T00:00:00Z' WHERE id = $1")
            .bind(late.rsplit('/').next().unwrap())
            .execute(app.store.pool())
            .await
            .unwrap();
        c.get(app.url("/admin/import")).send().await.unwrap();
        let res = c.post(app.url(&format!("{late}/apply"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("upload it again"));
        assert_eq!(children(&app).await, before + 2);
    })
    .await;
}

#[tokio::test]
async fn the_administrator_takes_the_whole_archive_out() {
    each_db(|app| async move {
        let (w, wcsrf) = app.login("worker").await;
        let res = w.post(app.url("/admin/archive")).form(&[("_csrf", wcsrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let (c, csrf) = app.login("admin").await;
        let page = c.get(app.url("/admin/import")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("action=\"/admin/archive\""));
        let res = c.post(app.url("/admin/archive")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let job = res.headers()["location"].to_str().unwrap().to_string();
        let mut ready = false;
        for _ in 0..100 {
            let page = c.get(app.url(&job)).send().await.unwrap().text().await.unwrap();
            if page.contains(&format!("{job}/file")) {
                ready = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(ready, "the archive was made");
        let res = c.get(app.url(&format!("{job}/file"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/zip");
        let bytes = res.bytes().await.unwrap().to_vec();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut manifest = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("manifest.json").unwrap(), &mut manifest).unwrap();
        assert!(manifest.contains("krousar-organisation-archive") && manifest.contains("records/children.jsonl"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('org.archive_export', 'org.archive_download')")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 2, "made and fetched, both audited");
    })
    .await;
}

/// A workbook whose shared strings inflate far beyond its size (issue 19, item 11: 1.7 MB that
/// took the server to 2 GB). Written in pieces, so the test itself never holds it inflated.
fn zip_bomb(shared_strings_mb: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let plain = |zip: &mut zip::ZipWriter<_>, name: &str, text: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    plain(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
    );
    plain(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    plain(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>"#,
    );
    zip.start_file("xl/sharedStrings.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#).unwrap();
    let piece = "<si><t>Sok Dara, Battambang</t></si>".repeat(1024 * 1024 / 36);
    for _ in 0..shared_strings_mb {
        zip.write_all(piece.as_bytes()).unwrap();
    }
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zip_bomb_is_refused_before_it_is_read() {
    let bomb = zip_bomb(64);
    assert!(bomb.len() < 1024 * 1024, "64 MB of shared strings in {} bytes", bomb.len());
    each_db(|app| {
        let bomb = bomb.clone();
        async move {
            let (c, csrf) = app.login("admin").await;
            let before = children(&app).await;
            let res = c.post(app.url("/admin/import")).multipart(form(Some(&csrf), "bomb.xlsx", bomb)).send().await.unwrap();
            assert_eq!(res.status(), 303);
            let job = res.headers()["location"].to_str().unwrap().to_string();
            let page = settled(&c, &app, &job).await;
            assert!(page.contains("The check failed") && page.contains("unpacks to more than 24 MB"), "{page}");
            assert_eq!(children(&app).await, before);
        }
    })
    .await;
}
