//! Issue 19, item 17: the database, its WAL and backups owner-only; HSTS with secure cookies.

use crate::app::each_db;

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn the_sqlite_database_its_wal_and_its_backups_are_owner_only() {
    // Whatever the umask of whoever starts the server (the usual 022 made them 0644).
    let dir = std::env::temp_dir().join(format!("krousar-modes-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("k.db");
    let url = format!("sqlite://{}", db.display());
    let store = krousar_store::Store::open(&url).await.unwrap();
    // A write, so that the WAL and shared-memory files exist.
    store.create_org(krousar_store::Who::system(), "Mode NGO", krousar_domain::choices::OrgKind::Ngo).await.unwrap();
    for name in ["k.db", "k.db-wal", "k.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    let out = dir.join("backup.krousar");
    krousar_store::backup::create(&store, &url, &out, None).await.unwrap();
    assert_eq!(mode(&out), 0o600, "an unencrypted backup");
    store.close().await;
    // A database left world-readable by an older version is made owner-only when opened.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let again = krousar_store::Store::open(&url).await.unwrap();
    assert_eq!(mode(&db), 0o600);
    again.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn strict_transport_security_is_sent_when_cookies_are_secure() {
    each_db(|app| async move {
        let plain = reqwest::get(app.url("/login")).await.unwrap();
        assert!(plain.headers().get("strict-transport-security").is_none(), "not over plain HTTP");
        let config = krousar_web::Config { secure_cookies: true, ..Default::default() };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = krousar_web::router(app.store.clone(), config);
        tokio::spawn(crate::app::serve(listener, router));
        for path in ["/login", "/static/app.css", "/api/v1/children"] {
            let res = reqwest::get(format!("{base}{path}")).await.unwrap();
            assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains", "{path}");
        }
    })
    .await;
}

/// A client that trickles its request's head, stays idle after a request, or stops reading its
/// answers, is disconnected after the timeout; the server goes on answering others (and answers
/// a request that arrives in time on a kept-alive connection).
#[tokio::test]
async fn slow_and_idle_connections_are_closed_after_the_header_timeout() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    each_db(|app| async move {
        let timeout = Duration::from_millis(600);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = krousar_web::router(app.store.clone(), krousar_web::Config::default());
        let timeouts = krousar_web::connections::Timeouts { header: timeout, write: timeout, grace: timeout };
        tokio::spawn(krousar_web::connections::serve_connections(listener, router, timeouts, std::future::pending()));
        // Reads until the server closes the connection; what it said, and when.
        async fn until_closed(s: &mut tokio::net::TcpStream) -> (String, Instant) {
            let mut all = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                match tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&all).into_owned(), Instant::now()),
                    Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
                    Err(_) => panic!("the server kept the connection open for 10 s"),
                }
            }
        }

        // Half a head, then a byte now and then, each within the timeout but never finishing.
        let start = Instant::now();
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /login HTTP/1.1\r\nHost: krousar\r\n").await.unwrap();
        let trickle = async {
            for _ in 0..20 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if slow.write_all(b"X").await.is_err() {
                    break;
                }
            }
        };
        trickle.await;
        let (said, at) = until_closed(&mut slow).await;
        assert!(!said.contains("200 OK"), "no answer to an unfinished head: {said}");
        assert!(at - start < Duration::from_secs(5), "closed after {:?}", at - start);

        // A whole request is answered, kept alive, then closed once idle.
        let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: krousar\r\n\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: krousar\r\n\r\n").await.unwrap();
        let asked = Instant::now();
        let (said, at) = until_closed(&mut idle).await;
        assert_eq!(said.matches("HTTP/1.1 200 OK").count(), 2, "{said}");
        assert!(at - asked >= timeout / 2 && at - asked < Duration::from_secs(5), "idle for {:?}", at - asked);

        // Hundreds of answers asked for at once and none read: once the socket is full and a
        // write makes no progress for the timeout, the connection is closed (it held its place
        // for ever before), so reading later finds far fewer answers than were asked for.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut stalled = socket.connect(addr).await.unwrap();
        let asked = 3000;
        let one = b"GET /static/app.css HTTP/1.1\r\nHost: krousar\r\n\r\n";
        stalled.write_all(&one.repeat(asked)).await.unwrap();
        tokio::time::sleep(timeout * 4).await;
        let (said, _) = until_closed(&mut stalled).await;
        let answered = said.matches("HTTP/1.1 200 OK").count();
        assert!(answered < asked / 2, "{answered} of {asked} answers were still sent after the client stalled");

        // Meanwhile others are served as usual.
        let res = reqwest::get(format!("http://{addr}/login")).await.unwrap();
        assert_eq!(res.status(), 200);
    })
    .await;
}

/// A stop (SIGTERM) closes connections between requests, or that never sent one, at once; one
/// whose answers are still being sent (to a client that stopped reading) has the grace period at
/// most, not the minute its write timeout would allow; then nothing more is accepted.
#[tokio::test]
async fn a_stop_waits_for_a_stalled_answer_only_the_grace_period() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    each_db(|app| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = krousar_web::router(app.store.clone(), krousar_web::Config::default());
        let grace = Duration::from_millis(500);
        let timeouts = krousar_web::connections::Timeouts { header: Duration::from_secs(60), write: Duration::from_secs(60), grace };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(krousar_web::connections::serve_connections(listener, router, timeouts, async {
            let _ = stopped.await;
        }));
        // One connection answered and kept alive, one that never speaks.
        let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: krousar\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 1024];
        let n = kept.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        let _silent = tokio::net::TcpStream::connect(addr).await.unwrap();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut stalled = socket.connect(addr).await.unwrap();
        stalled.write_all(&b"GET /static/app.css HTTP/1.1\r\nHost: krousar\r\n\r\n".repeat(3000)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;

        let asked = Instant::now();
        stop.send(()).unwrap();
        let closed = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf)).await.expect("the kept-alive connection is closed");
        assert!(matches!(closed, Ok(0) | Err(_)), "nothing more is said on it: {closed:?}");
        tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stops within the grace period").unwrap();
        let took = asked.elapsed();
        assert!(took >= grace / 2 && took < Duration::from_secs(5), "stopped after {took:?}");
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "nothing is accepted after a stop");
    })
    .await;
}
