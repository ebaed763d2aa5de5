//! Web push through a push service the test runs on 127.0.0.1: the device's subscription goes
//! only to a known service, a notice is pushed encrypted for the browser alone (decrypted here
//! with the browser's key, RFC 8291) with a VAPID signature by Krousar's own key, and says no
//! name, case number or child id; a service that answers "gone" ends the subscription, and so
//! does revoking the device.

use crate::app::{child_json, each_db};
use crate::sync::enrol;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use web_push_native::jwt_simple::prelude::{ECDSAP256PublicKeyLike, ES256PublicKey, NoCustomClaims};
use web_push_native::p256;

/// What a push service was sent: each request's headers and body.
type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A push service: keeps what it is sent and answers with `status`.
#[derive(Clone, Default)]
struct Service {
    got: Received,
    status: Arc<Mutex<u16>>,
}

async fn receive(State(s): State<Service>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    s.got.lock().unwrap().push((headers, body.to_vec()));
    StatusCode::from_u16(*s.status.lock().unwrap()).unwrap()
}

async fn push_service() -> (String, Service) {
    let service = Service { status: Arc::new(Mutex::new(201)), ..Service::default() };
    let app = axum::Router::new().route("/push/{id}", axum::routing::post(receive)).with_state(service.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}/", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, service)
}

/// A browser's key pair and secret, as `PushSubscription.toJSON()` gives the public half.
fn browser() -> (p256::SecretKey, String, String) {
    let mut seed = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut seed);
    let secret = p256::SecretKey::from_slice(&seed).unwrap();
    let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false);
    (secret, URL_SAFE_NO_PAD.encode(point.as_bytes()), URL_SAFE_NO_PAD.encode([9u8; 16]))
}

#[tokio::test]
async fn a_notice_is_pushed_encrypted_to_the_phone_and_says_no_name() {
    each_db(|app| async move {
        let d = enrol(&app, "supervisor").await;
        let state: Value = d.call(&app, reqwest::Method::GET, "/web-push", None).await.json().await.unwrap();
        let public = state["public_key"].as_str().unwrap().to_string();
        assert_eq!(URL_SAFE_NO_PAD.decode(&public).unwrap().len(), 65, "{state}");
        assert_eq!(state["on"], false);
        let again: Value = d.call(&app, reqwest::Method::GET, "/web-push", None).await.json().await.unwrap();
        assert_eq!(again["public_key"], public.as_str(), "one key pair for the installation");

        // Only a known push service, and keys that are a browser's.
        let (secret, p256dh, auth) = browser();
        let sub =
            |endpoint: &str, p256dh: &str| json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}, "expirationTime": null});
        for endpoint in
            ["https://169.254.169.254/latest/meta-data", "http://127.0.0.1:9/push/x", "https://fcm.googleapis.com.evil.example/x"]
        {
            let res = d.call(&app, reqwest::Method::PUT, "/web-push", Some(sub(endpoint, &p256dh))).await;
            assert_eq!(res.status(), 422, "{endpoint}");
        }
        let res = d.call(&app, reqwest::Method::PUT, "/web-push", Some(sub("https://fcm.googleapis.com/fcm/send/x", "AAAA"))).await;
        assert_eq!(res.status(), 422, "not a point on the curve");
        let res = d.call(&app, reqwest::Method::PUT, "/web-push", Some(sub("https://fcm.googleapis.com/fcm/send/abc", &p256dh))).await;
        assert_eq!(res.status(), 204);
        let state: Value = d.call(&app, reqwest::Method::GET, "/web-push", None).await.json().await.unwrap();
        assert_eq!(state["on"], true);
        let mine = d.c.get(app.url("/account/devices")).send().await.unwrap().text().await.unwrap();
        assert!(mine.contains("notices pushed to it") || mine.contains("ទទួលការជូនដំណឹង"), "the devices page says so");
        // Without the device's secret, nothing is turned on or off.
        let stranger = app.api_get(&app.token(&app.supervisor).await, "/api/v1/sync/web-push").await;
        assert_eq!(stranger.status(), 403);

        // The test's own push service takes the place of the browser's (an operator may name one).
        let (base, service) = push_service().await;
        let device = uuid::Uuid::parse_str(&d.id).unwrap();
        let actor = app.supervisor.actor();
        app.store.subscribe_push(&actor, device, &format!("{base}push/one"), &p256dh, &auth, "127.0.0.1").await.unwrap();

        // An approval asked of the supervisor: pushed once.
        let w = app.token(&app.worker).await;
        let (id, number) = ask_approval(&app, &w, "Sreypov").await;
        let senders = krousar_web::notify::Senders::new(vec![base.clone()]);
        let now = chrono::Utc::now();
        let sent = krousar_web::notify::deliver_due_with(&app.store, now, &senders).await.unwrap();
        assert_eq!(sent, 1, "the push (the supervisor has no e-mail address)");
        let got = service.got.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        let (headers, sealed) = &got[0];
        assert_eq!(headers["content-encoding"], "aes128gcm");
        assert!(headers["ttl"].to_str().unwrap().parse::<u64>().unwrap() > 0);
        // Signed by Krousar's key, for this push service.
        let vapid = headers["authorization"].to_str().unwrap().to_string();
        let (t, k) = vapid.strip_prefix("vapid t=").and_then(|r| r.split_once(", k=")).expect(&vapid);
        assert_eq!(k, public);
        let key = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
        let claims = key.verify_token::<NoCustomClaims>(t, None).unwrap();
        // The push service's origin (the signing library leaves out the port, which real push
        // services never have: they are on 443).
        let audience: std::collections::HashSet<String> = ["http://127.0.0.1".to_string()].into();
        let aud = claims.audiences.unwrap();
        assert!(aud.contains(&audience), "signed for this push service: {aud:?} {audience:?}");
        // Readable by the browser's key alone: what and how many, and the notice's address.
        let plain = web_push_native::decrypt(sealed.clone(), &secret, &auth_bytes()).unwrap();
        let text = String::from_utf8(plain).unwrap();
        let said: Value = serde_json::from_str(&text).unwrap();
        assert!(said["link"].as_str().unwrap().starts_with("/notifications/"), "{said}");
        for secret in ["Sreypov", "សុខា", id.as_str()] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(number.is_empty() || !text.contains(&number), "case number in {text}");
        assert_eq!(krousar_web::notify::deliver_due_with(&app.store, now, &senders).await.unwrap(), 0, "nothing is pushed twice");

        // A service that says the subscription is gone: forgotten.
        *service.status.lock().unwrap() = 410;
        ask_approval(&app, &w, "Dara").await;
        krousar_web::notify::deliver_due_with(&app.store, now + chrono::Duration::seconds(1), &senders).await.unwrap();
        assert!(app.store.push_targets(app.supervisor.id).await.unwrap().is_empty());

        // Signing out on the phone ends it (a shared phone tells the next person nothing).
        app.store.subscribe_push(&actor, device, &format!("{base}push/three"), &p256dh, &auth, "127.0.0.1").await.unwrap();
        let res = d.c.post(app.url("/logout")).form(&[("_csrf", d.csrf.as_str())]).send().await.unwrap();
        assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
        assert!(app.store.push_targets(app.supervisor.id).await.unwrap().is_empty(), "signed out");

        // Turned on again, then the phone is revoked: its subscription ends with it.
        app.store.subscribe_push(&actor, device, &format!("{base}push/two"), &p256dh, &auth, "127.0.0.1").await.unwrap();
        assert_eq!(app.store.push_targets(app.supervisor.id).await.unwrap().len(), 1);
        let root = app.token(&app.admin).await;
        let res = app.api_post(&root, &format!("/api/v1/devices/{}/revoke", d.id), json!({})).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        assert!(app.store.push_targets(app.supervisor.id).await.unwrap().is_empty());
    })
    .await;
}

/// A worker's child with an assessment whose approval she asks of her supervisor: (id, case number).
async fn ask_approval(app: &crate::app::TestApp, w: &str, latin: &str) -> (String, String) {
    let mut body = child_json("សុខា", latin);
    body["confirmed_new"] = json!(true);
    let child: Value = app.api_post(w, "/api/v1/children", body).await.json().await.unwrap();
    let (id, number) = (child["id"].as_str().unwrap().to_string(), child["case_number"].as_str().unwrap_or_default().to_string());
    let today = krousar_domain::today().to_string();
    app.api_post(w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
    let risk = json!({"level": "high", "reasons": "Violence at home", "assessed_on": today});
    app.api_post(w, &format!("/api/v1/children/{id}/case/risk"), risk).await;
    let res = app.api_post(w, &format!("/api/v1/children/{id}/case/approvals"), json!({"kind": "assessment"})).await;
    assert_eq!(res.status(), 200);
    (id, number)
}

fn auth_bytes() -> web_push_native::Auth {
    web_push_native::Auth::from([9u8; 16])
}
