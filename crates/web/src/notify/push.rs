//! Web push to the installed offline app (RFC 8030, VAPID RFC 8292, encryption RFC 8291, with
//! `web-push-native`). A push says what an e-mail says — the kind of thing and how many, in the
//! recipient's language — and the notice's address in Krousar, which needs sign-in: made from
//! `Notice::outside_text` and nothing else. It goes only to a push service Krousar knows (or
//! one the operator named), over HTTPS, without following redirects: an endpoint is a URL the
//! browser hands in, and the server must not be made to call anything else.

use crate::i18n::{Lang, Tr};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use krousar_domain::notify::Notice;
use krousar_store::notifications::push::PushTarget;
use std::time::Duration;
use uuid::Uuid;
use web_push_native::jwt_simple::algorithms::{ECDSAP256KeyPairLike, ES256KeyPair};
use web_push_native::{p256, Auth, WebPushBuilder};

/// The push services of the browsers Krousar's app runs in: Chrome and Android (FCM), Firefox,
/// Safari, Edge. A host equal to one of these or under one ending with ".": its subdomains.
const SERVICES: &[&str] = &["fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"];

/// How long a push service keeps a message for a phone that is off (then it is dropped: the
/// inbox still holds the notice); the VAPID signature lasts as long, well within RFC 8292's day.
const TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// Whether `endpoint` is a push service Krousar may call: HTTPS to a known service, or under
/// one of the operator's `extra` services (a private push service, or a test's on 127.0.0.1),
/// compared as parsed URLs — the same scheme, host and port, and a path below the service's,
/// segment by segment — so that no way of writing an address leads anywhere else.
pub fn allowed_endpoint(endpoint: &str, extra: &[String]) -> bool {
    if endpoint.len() > 2000 {
        return false;
    }
    let Ok(url) = reqwest::Url::parse(endpoint) else { return false };
    let Some(host) = url.host_str() else { return false };
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    if extra.iter().any(|p| under(&url, p)) {
        return true;
    }
    url.scheme() == "https"
        && url.port().is_none()
        && SERVICES.iter().any(|s| match s.strip_prefix('.') {
            Some(parent) => host.ends_with(s) && host.len() > s.len() && !parent.is_empty(),
            None => host == *s,
        })
}

/// `url` is at or below the service `base` (a URL the operator wrote).
fn under(url: &reqwest::Url, base: &str) -> bool {
    let Ok(base) = reqwest::Url::parse(base) else { return false };
    if base.scheme() != url.scheme() || base.host_str() != url.host_str() || base.port_or_known_default() != url.port_or_known_default() {
        return false;
    }
    let segments = |u: &reqwest::Url| u.path_segments().map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>());
    match (segments(&base), segments(url)) {
        (Some(b), Some(u)) => u.len() > b.len() && u.starts_with(&b) && !u.iter().any(|p| p == ".." || p.contains('%')),
        _ => false,
    }
}

/// Whether the operator's push services are all ones `allowed_endpoint` can use (checked when
/// the server starts).
pub fn services_readable(extra: &[String]) -> Result<(), String> {
    for e in extra {
        match reqwest::Url::parse(e) {
            Ok(u) if u.host_str().is_some() && u.username().is_empty() && u.password().is_none() => {}
            _ => return Err(format!("push_services: {e:?} is not a push service's address (scheme, host and path)")),
        }
    }
    Ok(())
}

/// A browser's keys for a subscription, checked: its P-256 public key and 16-byte secret.
pub fn browser_keys(p256dh: &str, auth: &str) -> Option<(p256::PublicKey, Auth)> {
    let key = p256::PublicKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(p256dh.trim_end_matches('=')).ok()?).ok()?;
    let secret = URL_SAFE_NO_PAD.decode(auth.trim_end_matches('=')).ok()?;
    let secret: [u8; 16] = secret.try_into().ok()?;
    Some((key, Auth::from(secret)))
}

/// A new VAPID key pair: (public key as the browser takes it — base64url of the uncompressed
/// point —, private key bytes).
pub fn new_key() -> (String, Vec<u8>) {
    let kp = ES256KeyPair::generate();
    (URL_SAFE_NO_PAD.encode(kp.key_pair().public_key().to_bytes_uncompressed()), kp.to_bytes())
}

/// What the app's service worker shows: a title, a line, and where a tap leads.
pub fn payload(lang: Lang, notice: &Notice, id: Uuid) -> Vec<u8> {
    let tr = Tr::new(lang);
    let (subject, line, count) = notice.outside_text();
    serde_json::json!({
        "title": tr.t(&subject),
        "body": tr.tn(&line, count),
        "link": format!("/notifications/{id}"),
        "tag": id.to_string(),
    })
    .to_string()
    .into_bytes()
}

/// How a push service answered.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Taken,
    /// The subscription no longer exists (the app was removed, the permission taken back).
    Gone,
    Failed(String),
}

/// Send one push. `contact` is the VAPID subject (a mailto: or https: address).
pub async fn send(client: &reqwest::Client, key: &[u8], contact: &str, target: &PushTarget, body: Vec<u8>, extra: &[String]) -> Answer {
    if !allowed_endpoint(&target.endpoint, extra) {
        return Answer::Gone;
    }
    let Some((public, auth)) = browser_keys(&target.p256dh, &target.auth) else { return Answer::Gone };
    let Ok(uri) = target.endpoint.parse::<axum::http::Uri>() else { return Answer::Gone };
    let kp = match ES256KeyPair::from_bytes(key) {
        Ok(k) => k,
        Err(e) => return Answer::Failed(format!("the push key does not open: {e}")),
    };
    let request = match WebPushBuilder::new(uri, public, auth).with_valid_duration(TTL).with_vapid(&kp, contact).build(body) {
        Ok(r) => r,
        Err(e) => return Answer::Failed(e.to_string()),
    };
    let (parts, body) = request.into_parts();
    let mut req = client.post(target.endpoint.as_str()).body(body);
    for (name, value) in &parts.headers {
        req = req.header(name.as_str(), value.as_bytes());
    }
    match req.send().await {
        Ok(res) if res.status().is_success() => Answer::Taken,
        // 403: the subscription was made for another key (an installation moved, a key made
        // again); like 404 and 410, it will never take a message.
        Ok(res) if matches!(res.status().as_u16(), 403 | 404 | 410) => Answer::Gone,
        Ok(res) => Answer::Failed(format!("the push service answered {}", res.status())),
        // Never the endpoint in a message that is logged and kept: it is the phone's secret address.
        Err(e) => Answer::Failed(format!("the push service could not be reached: {}", e.without_url())),
    }
}

/// The client pushes go through: HTTPS (rustls), no redirects, a short time limit.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use krousar_domain::notify::Event;

    #[test]
    fn only_known_push_services_over_https() {
        let none: Vec<String> = Vec::new();
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAA",
            "https://web.push.apple.com/QGr",
            "https://wns2-by3p.notify.windows.com/w/?token=x",
        ] {
            assert!(allowed_endpoint(ok, &none), "{ok}");
        }
        for bad in [
            "http://fcm.googleapis.com/fcm/send/x",
            "https://fcm.googleapis.com:8443/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://evil.example/?fcm.googleapis.com",
            "https://user@fcm.googleapis.com/x",
            "https://push.apple.com/x",
            "https://127.0.0.1/x",
            "https://169.254.169.254/latest/meta-data",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(!allowed_endpoint(bad, &none), "{bad}");
        }
        let test = vec!["http://127.0.0.1:9999/push/".to_string()];
        assert!(allowed_endpoint("http://127.0.0.1:9999/push/abc", &test));
        assert!(!allowed_endpoint("http://127.0.0.1:9998/push/abc", &test));
        // An operator's service is compared as a URL, not as text.
        let bare = vec!["http://127.0.0.1:9999".to_string()];
        assert!(!allowed_endpoint("http://127.0.0.1:9999@169.254.169.254/latest/meta-data", &bare), "user-info");
        assert!(allowed_endpoint("http://127.0.0.1:9999/x", &bare));
        for sneaky in [
            "http://127.0.0.1:9999/push/../admin",
            "http://127.0.0.1:9999/push/%2e%2e/admin",
            "http://127.0.0.1:9999/pushy/x",
            "http://127.0.0.1:9999/push",
        ] {
            assert!(!allowed_endpoint(sneaky, &test), "{sneaky}");
        }
        assert!(services_readable(&test).is_ok() && services_readable(&["127.0.0.1:9999".to_string()]).is_err());
    }

    #[test]
    fn a_push_says_only_what_and_how_many() {
        let n = Notice { event: Event::Overdue, count: 3, link: "/children/0190-secret/case".into() };
        let body = String::from_utf8(payload(Lang::En, &n, Uuid::nil())).unwrap();
        assert!(!body.contains("0190-secret"), "the notice's own link stays in Krousar: {body}");
        assert!(body.contains("/notifications/00000000-0000-0000-0000-000000000000") && body.contains('3'), "{body}");
    }

    #[test]
    fn a_push_is_encrypted_for_the_browser_alone() {
        let (public, private) = new_key();
        assert_eq!(URL_SAFE_NO_PAD.decode(&public).unwrap().len(), 65, "an uncompressed P-256 point");
        assert!(ES256KeyPair::from_bytes(&private).is_ok());
        let mut seed = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut seed);
        let browser = p256::SecretKey::from_slice(&seed).unwrap();
        let p256dh = URL_SAFE_NO_PAD.encode(p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&browser.public_key(), false));
        let auth = URL_SAFE_NO_PAD.encode([7u8; 16]);
        let (key, secret) = browser_keys(&p256dh, &auth).unwrap();
        let sealed = web_push_native::encrypt(b"hello".to_vec(), &key, &secret).unwrap();
        assert_eq!(web_push_native::decrypt(sealed, &browser, &secret).unwrap(), b"hello");
        assert!(browser_keys(&p256dh, &URL_SAFE_NO_PAD.encode([7u8; 15])).is_none(), "a secret of 16 bytes");
        assert!(browser_keys("AAAA", &auth).is_none(), "a point on the curve");
    }
}
