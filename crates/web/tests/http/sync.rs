//! The offline app's sync over HTTP, on every engine: a device is enrolled with the password,
//! downloads only what changed, sends gzip-compressed changes that are carried out like the
//! pages' (and answered the same the second time), sends a photo in pieces that resume, is
//! refused once revoked; signing out tells the browser to wipe what it keeps.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;

pub(crate) struct Device {
    pub c: reqwest::Client,
    pub csrf: String,
    pub id: String,
    /// The device's own secret, which proves it is the device.
    pub secret: String,
}

impl Device {
    pub async fn call(&self, app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut r = self
            .c
            .request(method, app.url(&format!("/api/v1/sync{path}")))
            .header("x-krousar-device", &self.id)
            .header("x-krousar-device-secret", &self.secret)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            // As the app sends it: gzip-compressed JSON.
            let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(b.to_string().as_bytes()).unwrap();
            r = r.header("content-type", "application/json").header("content-encoding", "gzip").body(gz.finish().unwrap());
        }
        r.send().await.unwrap()
    }

    pub async fn post(&self, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
        let res = self.call(app, reqwest::Method::POST, path, Some(body)).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }
}

fn v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// A device secret for tests that enrol through the store.
pub(crate) const TEST_SECRET: &str = "a-device-secret-of-forty-three-characters-x";

/// A device secret, as the app makes one.
pub(crate) fn device_secret() -> String {
    format!("{}{}", uuid::Uuid::now_v7().simple(), uuid::Uuid::now_v7().simple())
}

pub(crate) async fn enrol(app: &TestApp, user: &str) -> Device {
    let (c, csrf) = app.login(user).await;
    let hello: Value = c.get(app.url("/api/v1/sync/hello")).send().await.unwrap().json().await.unwrap();
    assert_eq!(hello["signed_in"], true);
    assert_eq!(hello["csrf"], csrf.as_str());
    assert!(hello["texts"]["app-home-title"].as_str().is_some_and(|t| !t.starts_with("app-")));
    assert!(hello["texts"]["app-waiting"].as_str().unwrap().contains("{n}"), "arguments are left for the script to fill");
    let secret = device_secret();
    let res = c
        .post(app.url("/api/v1/sync/devices"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "phone", "password": PASSWORD, "secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert!(body["key"].as_str().unwrap().len() >= 32);
    Device { c, csrf, id: body["device"]["id"].as_str().unwrap().to_string(), secret }
}

#[tokio::test]
async fn a_device_downloads_what_changed_sends_changes_once_and_photos_in_pieces() {
    each_db(|app| async move {
        let token = app.token(&app.worker).await;
        let child: Value = app.api_post(&token, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let child_id = child["id"].as_str().unwrap().to_string();
        let today = krousar_domain::today().to_string();
        let res = app.api_post(&token, &format!("/api/v1/children/{child_id}/case/open"), json!({"route": "rci", "opened_on": today})).await;
        assert_eq!(res.status(), 201);
        let res = app
            .api_post(&token, &format!("/api/v1/children/{child_id}/case/task"), json!({"title": "Call school", "owner_id": app.worker.id, "due_on": today}))
            .await;
        assert_eq!(res.status(), 200);

        // Enrolment asks for the password again, and needs the session's token.
        let (c, csrf) = app.login("worker").await;
        let enrol_body = |password: &str| json!({"name": "x", "password": password, "secret": device_secret()});
        let wrong = c.post(app.url("/api/v1/sync/devices")).header("x-csrf-token", &csrf).json(&enrol_body("nope")).send().await.unwrap();
        assert_eq!(wrong.status(), 422);
        let no_token = c.post(app.url("/api/v1/sync/devices")).json(&enrol_body(PASSWORD)).send().await.unwrap();
        assert_eq!(no_token.status(), 400);
        let d = enrol(&app, "worker").await;

        // First download: the caseload and the forms.
        let (status, first) = d.post(&app, "/pull", json!({"have": {}})).await;
        assert_eq!(status, 200);
        let kids = first["children"].as_array().unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0]["values"]["given_name_latin"], "Sreypov");
        assert_eq!(kids[0]["tasks"][0]["title"], "Call school");
        let task = kids[0]["tasks"][0]["id"].as_str().unwrap().to_string();
        // A CSI filled in from the form definition the device was given.
        let mut csi = json!({"assessed_on": today});
        for g in first["forms"]["csi"]["groups"].as_array().unwrap() {
            for f in g["fields"].as_array().unwrap().iter().filter(|f| f["type"] == "radio") {
                csi[f["name"].as_str().unwrap()] = json!("3");
            }
        }
        for form in ["visit", "note", "csi", "tracing-attempt", "register", "child-edit"] {
            assert!(first["forms"][form]["groups"].as_array().is_some_and(|g| !g.is_empty()), "{form}");
        }
        // The villages of the province the child lives in, to pick places offline.
        assert_eq!(first["places"].as_array().unwrap().len(), 1);
        assert_eq!(first["places"][0][0], "02");
        let villages: Vec<&str> = first["places"][0][2]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d[2].as_array().unwrap())
            .flat_map(|c| c[2].as_array().unwrap())
            .map(|v| v[0].as_str().unwrap())
            .collect();
        assert!(villages.contains(&"02020101") && villages.iter().all(|v| v.starts_with("02") && v.len() == 8));
        // Nothing changed: nothing but the envelope comes back.
        let have = json!({ child_id.clone(): kids[0]["stamp"] });
        let (_, again) = d.post(&app, "/pull", json!({"have": have, "forms": first["forms_hash"], "places": first["places_hash"]})).await;
        assert_eq!(again["children"].as_array().unwrap().len(), 0);
        assert!(again.get("forms").is_none() && again.get("places").is_none());

        // A day's work, sent at once.
        let (note, trace, edit, reg, bad, done, assessed) = (v7(), v7(), v7(), v7(), v7(), v7(), v7());
        let changes = json!({"changes": [
            {"id": note, "kind": "note", "child": child_id, "recorded_at": "2026-12-01T02:00:00Z",
             "fields": {"kind": "home_visit", "noted_on": today, "text": "ជួបម្តាយនៅផ្ទះ"}},
            {"id": trace, "kind": "tracing-attempt", "child": child_id, "recorded_at": now(),
             "fields": {"attempted_on": today, "method": "visit", "outcome": "ongoing", "people_met": "មេភូមិ"}},
            {"id": edit, "kind": "child-edit", "child": child_id, "recorded_at": now(),
             "fields": {"nickname": "Pov"}, "base": {"nickname": ""}},
            {"id": reg, "kind": "register", "recorded_at": now(),
             "fields": {"given_name_km": "សុភា", "family_name_km": "កែវ", "sex": "female", "estimated_age": "8",
                        "birth_registration": "unknown", "id_poor": "unknown", "disability": "none", "living_arrangement": "with_family"}},
            {"id": bad, "kind": "note", "child": child_id, "recorded_at": now(), "fields": {"kind": "home_visit", "noted_on": "2999-01-01"}},
            {"id": done, "kind": "task-done", "child": child_id, "recorded_at": now(), "fields": {"task": task, "done_on": today}},
            {"id": assessed, "kind": "csi", "child": child_id, "recorded_at": now(), "fields": csi},
        ]});
        let (status, sent) = d.post(&app, "/push", changes.clone()).await;
        assert_eq!(status, 200);
        let outcomes: Vec<&str> = sent["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["accepted", "accepted", "accepted", "accepted", "invalid", "accepted", "accepted"], "{sent}");
        let errors = sent["results"][4]["errors"].as_array().unwrap();
        assert!(errors.iter().any(|e| e["field"] == "noted_on") && errors.iter().any(|e| e["field"] == "text"), "the form's own checks: {errors:?}");
        // Each with its code, as the API's errors carry it (a program matches on the code).
        assert!(errors.iter().all(|e| e["code"].as_str().is_some_and(|c| c.starts_with("err-")) && e["message"].is_string()), "{errors:?}");
        // The same batch again (its answer was lost): nothing is made twice.
        let (_, twice) = d.post(&app, "/push", changes).await;
        let outcomes: Vec<&str> = twice["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["already", "already", "already", "already", "invalid", "already", "already"]);
        // A registration whose id another organisation's child has: told so, never "retry" (the
        // device's queue would never clear), and nothing of that child said.
        let stranger = app.token(&app.other_worker).await;
        let theirs: serde_json::Value =
            app.api_post(&stranger, "/api/v1/children", child_json("សុខា", "Sokha")).await.json().await.unwrap();
        let taken = json!({"changes": [{"id": theirs["id"], "kind": "register", "recorded_at": now(),
            "fields": {"given_name_km": "សុភា", "family_name_km": "កែវ", "sex": "female", "estimated_age": "8",
                       "birth_registration": "unknown", "id_poor": "unknown", "disability": "none", "living_arrangement": "with_family"}}]});
        let (_, told) = d.post(&app, "/push", taken).await;
        let r = &told["results"][0];
        assert_eq!((r["outcome"].as_str(), r["errors"][0]["code"].as_str()), (Some("invalid"), Some("err-sync-id")), "{told}");
        assert!(!told.to_string().contains("Sokha"));
        let open_tasks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_tasks WHERE done_on IS NULL").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(open_tasks, 0, "the task is done");
        let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_entries WHERE kind = 'note'").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(notes, 1);
        let registered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM children WHERE id = $1").bind(&reg).fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(registered, 1, "the new child has the id made on the device");
        // Audited like the page, with the time on the device and the time received.
        let detail: String = sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'case.note'").fetch_one(app.store.pool()).await.unwrap();
        let detail: Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(detail["device"]["recorded_at"], "2026-12-01T02:00:00.000000Z");
        assert_eq!(detail["device"]["id"], d.id.as_str());
        assert!(detail["device"]["received_at"].as_str().is_some());

        // Next download: the child changed (note, tracing attempt, nickname) and the new one is carried.
        let (_, after) = d.post(&app, "/pull", json!({"have": have, "forms": first["forms_hash"]})).await;
        let ids: Vec<&str> = after["children"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&child_id.as_str()) && ids.contains(&reg.as_str()), "{ids:?}");

        // A photo with the tracing attempt, in two pieces; a piece sent at the wrong place is not taken.
        let mut photo = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
        photo.resize(100_000, 7);
        let sha = hex::encode(Sha256::digest(&photo));
        let put = |off: usize, bytes: Vec<u8>| {
            d.c.put(app.url(&format!("/api/v1/sync/photos/{trace}?offset={off}"))).header("x-krousar-device", &d.id)
                .header("x-krousar-device-secret", &d.secret)
                .header("x-csrf-token", &d.csrf)
                .body(bytes)
                .send()
        };
        let r: Value = put(0, photo[..65536].to_vec()).await.unwrap().json().await.unwrap();
        assert_eq!(r["received"], 65536);
        let r: Value = put(10, photo[10..20].to_vec()).await.unwrap().json().await.unwrap();
        assert_eq!(r["received"], 65536, "resume from where the server says");
        let state: Value = d.call(&app, reqwest::Method::GET, &format!("/photos/{trace}"), None).await.json().await.unwrap();
        assert_eq!(state["received"], 65536);
        // A photo that would pass the size limit is refused at the piece that crosses it, and
        // what had come is removed rather than left to fill the disk (issue 19, item 13).
        let piece = vec![7u8; 200 * 1024];
        let mut off = 65536;
        let refused = loop {
            let res = put(off, piece.clone()).await.unwrap();
            if res.status() != 200 {
                break res.status();
            }
            off += piece.len();
        };
        assert_eq!(refused, 422);
        let state: Value = d.call(&app, reqwest::Method::GET, &format!("/photos/{trace}"), None).await.json().await.unwrap();
        assert_eq!(state["received"], 0, "the partial photo is gone");
        let r: Value = put(0, photo[..65536].to_vec()).await.unwrap().json().await.unwrap();
        assert_eq!(r["received"], 65536, "and the photo starts again");
        put(65536, photo[65536..].to_vec()).await.unwrap();
        let (status, done) = d.post(&app, &format!("/photos/{trace}/done"), json!({"name": "photo.jpg", "sha256": sha})).await;
        assert_eq!(status, 200, "{done}");
        let (_, done_again) = d.post(&app, &format!("/photos/{trace}/done"), json!({"name": "photo.jpg", "sha256": sha})).await;
        assert_eq!(done["attachment"], done_again["attachment"]);
        let entry: Option<String> = sqlx::query_scalar("SELECT entry_id FROM attachments").fetch_one(app.store.pool()).await.unwrap();
        assert_eq!(entry.as_deref(), Some(trace.as_str()));
        // A note's id from another kind of change takes no photo; a task-done never does.
        let (status, _) = d.post(&app, &format!("/photos/{reg}/done"), json!({"name": "x.jpg", "sha256": sha})).await;
        assert_eq!(status, 422);

        // No device, or a device that is not this user's: refused, and the copy is only locked.
        let res = d.c.post(app.url("/api/v1/sync/pull")).header("x-csrf-token", &d.csrf).json(&json!({})).send().await.unwrap();
        assert_eq!(res.status(), 403);
        let other = enrol(&app, "supervisor").await;
        let stolen = Device { c: other.c, csrf: other.csrf, id: d.id.clone(), secret: d.secret.clone() };
        let (status, body) = stolen.post(&app, "/pull", json!({})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("device_not_yours")));
    })
    .await;
}

#[tokio::test]
async fn a_revoked_device_is_refused_and_sign_out_wipes_the_browser() {
    each_db(|app| async move {
        let d = enrol(&app, "worker").await;
        assert_eq!(d.post(&app, "/pull", json!({})).await.0, 200);

        // The worker cannot see the organisation's devices; the administrator can, and revokes.
        assert_eq!(d.c.get(app.url("/admin/devices")).send().await.unwrap().status(), 403);
        let mine = d.c.get(app.url("/account/devices")).send().await.unwrap().text().await.unwrap();
        assert!(mine.contains("phone"));
        let (admin, csrf) = app.login("admin").await;
        let page = admin.get(app.url("/admin/devices")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("phone") && page.contains("worker"));
        let res = admin.post(app.url(&format!("/devices/{}/revoke", d.id))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 303);

        let (status, body) = d.post(&app, "/pull", json!({})).await;
        assert_eq!(status, 410);
        assert_eq!(body["error"]["code"], "device_revoked");
        let push = json!({"changes": [{"id": v7(), "kind": "note", "child": v7(), "recorded_at": now(), "fields": {}}]});
        assert_eq!(d.post(&app, "/push", push).await.0, 410, "nothing it sends is taken");
        assert_eq!(d.post(&app, "/unlock", json!({"password": PASSWORD})).await.0, 410, "nor is its key released");

        // The shell, its worker and the manifest are served; signing out clears the site's data.
        for (path, kind) in [
            ("/app", "text/html"),
            ("/sw.js", "javascript"),
            ("/manifest.webmanifest", "manifest+json"),
            ("/static/offline.js", "javascript"),
        ] {
            let res = d.c.get(app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            assert!(res.headers()["content-type"].to_str().unwrap().contains(kind), "{path}");
        }
        let sw = d.c.get(app.url("/sw.js")).send().await.unwrap().text().await.unwrap();
        assert!(!sw.contains("__VERSION__"));
        // The phone's session ended with the revocation (issue 20); signing out clears the site's data.
        let (c, csrf) = app.login("worker").await;
        let res = c.post(app.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.headers()["clear-site-data"], "\"cache\", \"storage\"");
    })
    .await;
}

#[tokio::test]
async fn conflicting_offline_edits_wait_on_the_conflicts_page_for_a_decision() {
    each_db(|app| async move {
        let token = app.token(&app.worker).await;
        let child: Value = app.api_post(&token, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();
        let worker = enrol(&app, "worker").await;
        let boss = enrol(&app, "supervisor").await;
        let edit = |nick: &str| json!({"changes": [{"id": v7(), "kind": "child-edit", "child": id, "recorded_at": now(), "fields": {"nickname": nick}, "base": {"nickname": ""}}]});
        let (_, a) = worker.post(&app, "/push", edit("Pov")).await;
        assert_eq!(a["results"][0]["outcome"], "accepted");
        let (_, b) = boss.post(&app, "/push", edit("Srey")).await;
        assert_eq!(b["results"][0]["outcome"], "conflict");
        assert_eq!(b["results"][0]["conflicts"][0]["server"], "Pov");
        assert_eq!(b["results"][0]["conflicts"][0]["device"], "Srey");
        // The field is named by its code (as the change sent it), its label kept for display.
        assert_eq!(b["results"][0]["conflicts"][0]["field"], "nickname");
        assert_eq!(b["results"][0]["conflicts"][0]["field_label"], "Nickname");
        // The supervisor's device is told at its next download too.
        let (_, pulled) = boss.post(&app, "/pull", json!({})).await;
        assert_eq!(pulled["conflicts"].as_array().unwrap().len(), 1);
        assert_eq!(pulled["conflicts"][0]["field"], "nickname");

        let page = worker.c.get(app.url("/conflicts")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Pov") && page.contains("Srey"), "both values are shown");
        let home = boss.c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("href=\"/conflicts\""), "the supervisor is told on her home page");
        let conflict = pulled["conflicts"][0]["id"].as_str().unwrap();
        let res = worker.c.post(app.url(&format!("/conflicts/{conflict}"))).form(&[("_csrf", worker.csrf.as_str()), ("keep", "device")]).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let now: Value = app.api_get(&token, &format!("/api/v1/children/{id}")).await.json().await.unwrap();
        assert_eq!(now["nickname"], "Srey");
        let page = worker.c.get(app.url("/conflicts")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Srey"));
    })
    .await;
}
