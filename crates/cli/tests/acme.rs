//! `krousar serve --acme-domain`: certificates from an ACME authority, here Let's Encrypt's test
//! server Pebble (Debian package `pebble`) with its DNS stand-in answering 127.0.0.1 for every
//! name. Pebble really validates: it connects to Krousar's HTTPS port with the tls-alpn-01
//! challenge, which Krousar answers on that same port; then Krousar serves the certificate Pebble
//! issued. Skipped (saying so) where Pebble is not installed; `.ci/run` installs it.

mod common;

use common::{krousar, Server};
use std::process::{Command, Stdio};
use std::time::Duration;

const DOMAIN: &str = "krousar.example";

fn installed(program: &str) -> bool {
    Command::new(program).arg("-h").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// A client that trusts only `root` and finds DOMAIN (and localhost) at 127.0.0.1.
fn client(root: &[u8], port: u16) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(root).unwrap())
        .resolve(DOMAIN, ([127, 0, 0, 1], port).into())
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_an_acme_authority_validated_on_the_https_port() {
    if !installed("pebble") || !installed("pebble-challtestsrv") {
        eprintln!("pebble is not installed: the ACME test did not run (apt-get install pebble)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("krousar-acme-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = 34000 + (std::process::id() % 3000) as u16 * 4 % 3000;
    let (acme_port, mgmt_port, dns_port, https_port) = (base, base + 1, base + 2, base + 3);

    // Pebble's own HTTPS API needs a certificate: one for localhost, which Krousar is told to trust.
    let api = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(dir.join("api.pem"), api.cert.pem()).unwrap();
    std::fs::write(dir.join("api-key.pem"), api.key_pair.serialize_pem()).unwrap();
    let config = serde_json::json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{acme_port}"),
        "managementListenAddress": format!("127.0.0.1:{mgmt_port}"),
        "certificate": dir.join("api.pem"), "privateKey": dir.join("api-key.pem"),
        "httpPort": 1, "tlsPort": https_port, "ocspResponderURL": "", "externalAccountBindingRequired": false
    }});
    std::fs::write(dir.join("pebble.json"), config.to_string()).unwrap();
    let _dns = Server(
        Command::new("pebble-challtestsrv")
            .args(["-dns01", &format!("127.0.0.1:{dns_port}"), "-http01", "", "-https01", "", "-tlsalpn01", ""])
            .args(["-management", &format!("127.0.0.1:{}", base + 5), "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let _pebble = Server(
        Command::new("pebble")
            .arg("-config")
            .arg(dir.join("pebble.json"))
            .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
            // No deliberately refused nonces, no random waits before validating.
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .env("PEBBLE_VA_NOSLEEP", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let to_api = client(api.cert.pem().as_bytes(), acme_port);
    let directory = format!("https://localhost:{acme_port}/dir");
    let mut up = false;
    for _ in 0..100 {
        if to_api.get(&directory).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "pebble started");

    let db = format!("sqlite://{}", dir.join("k.db").display());
    let _krousar = Server(
        krousar(&db)
            .env("KROUSAR_LOG", "warn")
            .args(["serve", "--listen", &format!("127.0.0.1:{https_port}"), "--acme-domain", DOMAIN])
            .args(["--acme-contact", "it@krousar.example", "--acme-directory", &directory, "--acme-ca"])
            .arg(dir.join("api.pem"))
            .arg("--acme-cache")
            .arg(dir.join("acme"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Pebble's root for this run: whatever Krousar serves must chain to it.
    let mgmt = client(api.cert.pem().as_bytes(), mgmt_port);
    let mut root = None;
    for _ in 0..50 {
        if let Ok(r) = mgmt.get(format!("https://localhost:{mgmt_port}/roots/0")).send().await {
            root = Some(r.bytes().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let root = root.expect("pebble's root");
    let site = client(&root, https_port);
    let mut served = false;
    for _ in 0..300 {
        if site.get(format!("https://{DOMAIN}:{https_port}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "Krousar serves a certificate the ACME authority issued for {DOMAIN}");
    let cache: Vec<_> = std::fs::read_dir(dir.join("acme")).unwrap().flatten().collect();
    assert!(!cache.is_empty(), "the account and certificate are kept for the next start");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("acme")).unwrap().permissions().mode() & 0o777, 0o700);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
