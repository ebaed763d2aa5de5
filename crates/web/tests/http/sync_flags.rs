//! Flags on the offline app (issue 25): the copy of a child carries its flags still up, a flag
//! raised on the device is carried out once like the page's, and a flag raised or removed on the
//! server makes the device download the child again.

use crate::app::{child_json, each_db};
use crate::sync::enrol;
use serde_json::{json, Value};

fn v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[tokio::test]
async fn a_device_carries_flags_and_raises_them_once() {
    each_db(|app| async move {
        let token = app.token(&app.worker).await;
        let child: Value = app.api_post(&token, "/api/v1/children", child_json("ស្រីពៅ", "Sreypov")).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap().to_string();
        let d = enrol(&app, "worker").await;
        let (status, first) = d.post(&app, "/pull", json!({"have": {}})).await;
        assert_eq!(status, 200);
        assert_eq!(first["children"][0]["flags"].as_array().map(Vec::len), Some(0), "{first}");
        let form = &first["forms"]["flag"]["groups"][0]["fields"];
        let names: Vec<&str> = form.as_array().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
        assert_eq!(names, ["kind", "reason", "until"]);
        let stamp = first["children"][0]["stamp"].clone();

        // Raised offline: carried out once; a bad one is answered with the field, nothing made.
        let (good, bad) = (v7(), v7());
        let now = chrono::Utc::now().to_rfc3339();
        let changes = json!({"changes": [
            {"id": good, "kind": "flag", "child": id, "recorded_at": now, "fields": {"kind": "runaway", "reason": "RAN-AWAY-TWICE"}},
            {"id": bad, "kind": "flag", "child": id, "recorded_at": now, "fields": {"kind": "runaway", "reason": ""}},
        ]});
        let (_, sent) = d.post(&app, "/push", changes.clone()).await;
        let outcomes: Vec<&str> = sent["results"].as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["accepted", "invalid"], "{sent}");
        assert_eq!(sent["results"][1]["errors"][0]["field"], "reason");
        let (_, twice) = d.post(&app, "/push", changes).await;
        assert_eq!(twice["results"][0]["outcome"], "already");
        let flags: Value = app.api_get(&token, &format!("/api/v1/children/{id}/flags")).await.json().await.unwrap();
        let items = flags["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "made once: {flags}");
        assert_eq!(items[0]["id"].as_str(), Some(good.as_str()), "the flag has the id made on the device");

        // The copy changed: downloaded again, with the flag.
        let have = json!({ id.clone(): stamp });
        let (_, after) = d.post(&app, "/pull", json!({"have": have})).await;
        let kid = &after["children"][0];
        assert_eq!(kid["flags"][0]["kind"], "Runaway risk", "{after}");
        assert_eq!(kid["flags"][0]["reason"], "RAN-AWAY-TWICE");
        // Removed on the server: downloaded again, without it.
        let have = json!({ id.clone(): kid["stamp"].clone() });
        let res = app.api_post(&token, &format!("/api/v1/children/{id}/flags/{good}/remove"), json!({"reason": "Came home"})).await;
        assert_eq!(res.status(), 204);
        let (_, last) = d.post(&app, "/pull", json!({"have": have})).await;
        assert_eq!(last["children"][0]["flags"].as_array().map(Vec::len), Some(0), "{last}");
    })
    .await;
}
