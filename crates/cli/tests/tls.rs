//! `krousar serve` over HTTPS with certificate files: it serves with the certificate given,
//! marks cookies Secure and sends HSTS, takes a renewed certificate without a restart, keeps the
//! one it has while the files do not make a pair, and a client that opens a connection and says
//! nothing holds up no one. A key that does not go with its certificate is refused at start.

mod common;

use common::{krousar, Server};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// A self-signed certificate for localhost: (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (c.cert.pem(), c.key_pair.serialize_pem())
}

/// A client that trusts only `cert` and finds localhost at `port`.
fn client(cert: &str, port: u16) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).unwrap())
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn write(dir: &Path, cert: &str, key: &str) {
    // The key first, then the certificate, as a renewal might: between the two they do not match.
    std::fs::write(dir.join("key.pem"), key).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
}

/// Whether a new client trusting only `cert` is answered (new: no TLS session to resume,
/// so the certificate served now is the one checked).
async fn answers(cert: &str, port: u16) -> bool {
    client(cert, port).get(format!("https://localhost:{port}/healthz")).send().await.is_ok_and(|r| r.status() == 200)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_certificate_files_reloaded_when_they_change() {
    let dir = std::env::temp_dir().join(format!("krousar-tls-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("k.db").display());
    let (cert1, key1) = certificate();
    write(&dir, &cert1, &key1);
    let port = 30000 + (std::process::id() % 4000) as u16;
    let serve = |port: u16| {
        krousar(&db)
            .env("KROUSAR_LOG", "error")
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--tls-cert"])
            .arg(dir.join("cert.pem"))
            .arg("--tls-key")
            .arg(dir.join("key.pem"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let _server = Server(serve(port));
    let mut up = false;
    for _ in 0..200 {
        if answers(&cert1, port).await {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server answers over HTTPS with the certificate given");
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    assert!(plain.is_err(), "no plain HTTP on the HTTPS port");

    let login = client(&cert1, port).get(format!("https://localhost:{port}/login")).send().await.unwrap();
    assert_eq!(login.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");

    // A client that connects and never speaks does not hold up the next one.
    let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    assert!(answers(&cert1, port).await);

    // The certificate is renewed in place: the server takes it without a restart.
    let (cert2, key2) = certificate();
    write(&dir, &cert2, &key2);
    let mut renewed = false;
    for _ in 0..300 {
        if answers(&cert2, port).await {
            renewed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(renewed, "the renewed certificate is served");
    assert!(!answers(&cert1, port).await, "the old one is not");

    // Files that do not make a pair (a third certificate with the second's key) are not taken.
    let (cert3, _) = certificate();
    std::fs::write(dir.join("cert.pem"), &cert3).unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert!(answers(&cert2, port).await, "the certificate in use stays");

    // At start, a key that does not go with the certificate is an error that says so.
    let (_, other_key) = certificate();
    write(&dir, &cert2, &other_key);
    let out = serve(port + 1).wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not go with the certificate"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
