//! Several app servers on one PostgreSQL database: a user signed in on one is signed in on the
//! other (sessions live in the database), a form opened on one is accepted by the other, a photo
//! kept by one is served by the other, and a background export started on one is followed and
//! fetched on the other (jobs and files in the database: the servers share nothing on disk, each
//! has a files directory of its own that stays empty). Runs when `KROUSAR_TEST_POSTGRES_URL` is set.

mod common;

use common::{add_photo, csrf_of, ok, postgres_database, register_child, serve};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_server_answers_any_request() {
    let Some(db) = postgres_database("krousar_two").await else { return };
    ok(&db, &["migrate"], "");
    ok(&db, &["org", "add", "--name", "Two NGO", "--kind", "ngo"], "");
    ok(
        &db,
        &["user", "add", "--org", "Two NGO", "--username", "twoworker", "--role", "social-worker", "--team", "T"],
        "a long enough password\n",
    );
    let files_a = std::env::temp_dir().join(format!("krousar-two-a-{}", uuid::Uuid::now_v7()));
    let files_b = std::env::temp_dir().join(format!("krousar-two-b-{}", uuid::Uuid::now_v7()));
    let port = 22000 + (std::process::id() % 4000) as u16;
    let (_a, a) = serve(&db, &files_a, port).await;
    let (_b, b) = serve(&db, &files_b, port + 1).await;

    // Signed in on A.
    let c = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{a}/login")).send().await.unwrap().text().await.unwrap();
    let res = c
        .post(format!("{a}/login"))
        .form(&[("_csrf", csrf_of(&page).as_str()), ("username", "twoworker"), ("password", "a long enough password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // …and on B, whose form it fills with the token A gave.
    let on_b = c.get(format!("{b}/children/new")).send().await.unwrap();
    assert_eq!(on_b.status(), 200, "the session is known to B");
    let csrf = csrf_of(&c.get(format!("{a}/account")).send().await.unwrap().text().await.unwrap());
    let child = register_child(&c, &b, &csrf, ["Sokha", "Chan", "សុខា", "ចាន់"], "female", "9").await;
    assert_eq!(c.get(format!("{a}{child}")).send().await.unwrap().status(), 200, "A reads what B wrote");

    // A photo kept by A is served by B.
    add_photo(&c, &a, &csrf, &child, [200, 120, 40]).await;
    for size in ["small", "full"] {
        let res = c.get(format!("{b}{child}/photo?size={size}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "B serves the photo A kept ({size})");
        assert!(image::load_from_memory(&res.bytes().await.unwrap()).is_ok());
    }

    // An export prepared in the background on A is followed and fetched on B.
    let res = c.get(format!("{a}/children/export?format=csv&background=1")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let job = res.headers()["location"].to_str().unwrap().to_string();
    let mut ready = false;
    for _ in 0..100 {
        if c.get(format!("{b}{job}")).send().await.unwrap().text().await.unwrap().contains("/file\"") {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "B shows the job A runs");
    let file = c.get(format!("{b}{job}/file")).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert!(String::from_utf8_lossy(&file.bytes().await.unwrap()).contains("Sokha"));
    for dir in [&files_a, &files_b] {
        let on_disk: Vec<_> = walk(dir);
        assert!(on_disk.is_empty(), "nothing kept on a server's disk: {on_disk:?}");
    }

    // Signing out on B ends the session on A too.
    let res = c.post(format!("{b}/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert!(res.status().is_redirection());
    assert!(c.get(format!("{a}/children")).send().await.unwrap().status().is_redirection(), "signed out everywhere");
    let _ = std::fs::remove_dir_all(&files_a);
    let _ = std::fs::remove_dir_all(&files_b);
}

/// Every file under `dir` (none when it does not exist). The key file is the server's own.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if !p.file_name().is_some_and(|n| n.to_string_lossy().contains("keys")) {
            out.push(p);
        }
    }
    out
}
