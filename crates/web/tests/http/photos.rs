//! Profile photos (issue 25): taken on the page, kept upright, small and without location;
//! shown on the record and lists; the full size audited when opened; never to another
//! organisation or to the organisation's administrator; a file that is not a photo changes
//! nothing.

use crate::app::{child_json, each_db};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder};
use serde_json::Value;
use sqlx::Row;

/// A 2000×1000 JPEG whose EXIF says where it was taken.
pub(crate) fn camera_photo() -> Vec<u8> {
    let (w, h) = (2000u32, 1000u32);
    let pixels: Vec<u8> = (0..w * h).flat_map(|i| [(i % 251) as u8, 90, 160]).collect();
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 85);
    let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS-11.5564-104.9282");
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(&pixels, w, h, ExtendedColorType::Rgb8).unwrap();
    out
}

fn upload(csrf: &str, bytes: Vec<u8>, name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

#[tokio::test]
async fn a_photo_is_kept_safe_shown_to_the_case_and_audited_when_opened() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let (web, csrf) = app.login("worker").await;
        let record = web.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains("Take or choose a photo") && !record.contains("class=\"profile-photo\""), "{record}");

        // Not a photo: refused with a message, nothing kept.
        let pdf = b"%PDF-1.4 a birth certificate".to_vec();
        let res = web.post(app.url(&format!("/children/{id}/photo"))).multipart(upload(&csrf, pdf, "x.jpg")).send().await.unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("Only a JPEG, PNG or WebP photo"));
        assert_eq!(web.get(app.url(&format!("/children/{id}/photo?size=small"))).send().await.unwrap().status(), 404);

        let res =
            web.post(app.url(&format!("/children/{id}/photo"))).multipart(upload(&csrf, camera_photo(), "IMG_1.jpg")).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let record = web.get(app.url(&format!("/children/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(record.contains(&format!("src=\"/children/{id}/photo?size=small\"")) && record.contains("alt=\"Photo of"), "{record}");
        let list = web.get(app.url("/children")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("class=\"list-photo\""), "{list}");
        for size in ["small", "full"] {
            let res = web.get(app.url(&format!("/children/{id}/photo?size={size}"))).send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], "image/jpeg");
            assert_eq!(res.headers()["cache-control"], "private, no-store");
            let bytes = res.bytes().await.unwrap();
            assert!(!bytes.windows(3).any(|w| w == b"GPS"), "no location kept ({size})");
            let img = image::load_from_memory(&bytes).unwrap();
            assert!(img.width() <= 1024 && img.height() <= 1024, "{size}: {}x{}", img.width(), img.height());
        }
        // The full size is audited; the small one is part of the audited page.
        let views: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'child.photo_view' AND record_id = $1")
            .bind(&id)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(views, 1);
        // A new photo replaces the old one, which is kept as history.
        let res = app
            .api_post_multipart(
                &w,
                &format!("/api/v1/children/{id}/photo"),
                reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(camera_photo()).file_name("b.jpg")),
            )
            .await;
        assert_eq!(res.status(), 201);
        let rows =
            sqlx::query("SELECT replaced_at FROM profile_photos WHERE owner_id = $1").bind(&id).fetch_all(app.store.pool()).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.iter().filter(|r| r.get::<Option<String>, _>("replaced_at").is_none()).count(), 1, "one current photo");

        // Another organisation's worker and the organisation's administrator: nothing.
        for user in [&app.other_worker, &app.admin] {
            let t = app.token(user).await;
            let res = app.api_get(&t, &format!("/api/v1/children/{id}/photo?size=small")).await;
            assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
            let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(camera_photo()).file_name("x.jpg"));
            let res = app.api_post_multipart(&t, &format!("/api/v1/children/{id}/photo"), form).await;
            assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
        }
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM profile_photos").fetch_one(app.store.pool()).await.unwrap().get("n");
        assert_eq!(n, 2, "their tries kept nothing");
    })
    .await;
}

/// A photo taken offline: the change says whose photo it is (and is refused for a child the
/// worker may not change); the photo follows in pieces and becomes the child's profile photo,
/// processed as one sent from the page, once however often its end is sent.
#[tokio::test]
async fn a_profile_photo_taken_offline_arrives_once() {
    each_db(|app| async move {
        use sha2::{Digest, Sha256};
        let w = app.token(&app.worker).await;
        let c: Value = app.api_post(&w, "/api/v1/children", child_json("ស្រីនាង", "Sreyneang")).await.json().await.unwrap();
        let id = c["id"].as_str().unwrap().to_string();
        let d = crate::sync::enrol(&app, "worker").await;
        let (_, first) = d.post(&app, "/pull", serde_json::json!({"have": {}})).await;
        assert!(first["forms"]["profile-photo"].is_object(), "the app offers it");
        let change = uuid::Uuid::now_v7().to_string();
        let push = |child: &str, change: &str| {
            serde_json::json!({"changes": [{"id": change, "kind": "profile-photo", "child": child,
                "recorded_at": chrono::Utc::now().to_rfc3339(), "fields": {}}]})
        };
        let (_, sent) = d.post(&app, "/push", push(&id, &change)).await;
        assert_eq!(sent["results"][0]["outcome"], "accepted", "{sent}");
        // Another organisation's child: refused before any byte is sent.
        let s = app.token(&app.other_worker).await;
        let theirs: Value = app.api_post(&s, "/api/v1/children", child_json("គ", "Sok")).await.json().await.unwrap();
        let (_, refused) = d.post(&app, "/push", push(theirs["id"].as_str().unwrap(), &uuid::Uuid::now_v7().to_string())).await;
        assert_ne!(refused["results"][0]["outcome"], "accepted", "{refused}");

        let photo = camera_photo();
        // In pieces, as the app sends it on a poor line.
        for (i, piece) in photo.chunks(65536).enumerate() {
            let url = app.url(&format!("/api/v1/sync/photos/{change}?offset={}", i * 65536));
            let req = d.c.put(url).header("x-krousar-device", &d.id).header("x-krousar-device-secret", &d.secret);
            let res = req.header("x-csrf-token", &d.csrf).body(piece.to_vec()).send().await.unwrap();
            assert_eq!(res.status(), 200);
        }
        let sha = hex::encode(Sha256::digest(&photo));
        let done = serde_json::json!({"name": "photo.jpg", "sha256": sha});
        let (status, kept) = d.post(&app, &format!("/photos/{change}/done"), done.clone()).await;
        assert_eq!(status, 200, "{kept}");
        assert_eq!(kept["attachment"], change.as_str(), "the photo keeps the change's id");
        let (_, again) = d.post(&app, &format!("/photos/{change}/done"), done).await;
        assert_eq!(again["attachment"], kept["attachment"]);
        let rows = sqlx::query("SELECT id, width, height FROM profile_photos WHERE owner_id = $1")
            .bind(&id)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "kept once");
        assert_eq!((rows[0].get::<i64, _>("width"), rows[0].get::<i64, _>("height")), (1024, 512), "shrunk as on the page");
        let (web, _) = app.login("worker").await;
        let small = web.get(app.url(&format!("/children/{id}/photo?size=small"))).send().await.unwrap();
        assert_eq!(small.status(), 200);
        assert!(!String::from_utf8_lossy(&small.bytes().await.unwrap()).contains("GPS"), "no location kept");

        // The next download carries the small photo (the child's stamp changed with it), and
        // only the small one.
        let before = first["children"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap().clone();
        assert!(before.get("photo").is_none_or(|p| p.is_null()), "no photo yet: {before}");
        let have = serde_json::json!({ id.clone(): before["stamp"] });
        let (_, after) = d.post(&app, "/pull", serde_json::json!({"have": have})).await;
        let carried = after["children"].as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).expect("sent again: a new photo");
        let data = carried["photo"].as_str().expect("a photo").strip_prefix("data:image/jpeg;base64,").expect("a JPEG");
        use base64::Engine;
        let jpeg = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.len() < 20_000, "the 160-pixel copy: {} bytes", jpeg.len());
    })
    .await;
}
