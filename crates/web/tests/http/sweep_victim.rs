//! The sweep's victim: one organisation's child with everything a case holds, recorded as its
//! own people record it, each part carrying a marker a leak would show.

use super::*;

/// The victim organisation's child and everything around it, as its own people record it.
pub(super) async fn victim(app: &TestApp, w: &str) -> (Victim, String) {
    let today = krousar_domain::today().to_string();
    let mut body = child_json("ស្រីពេជ្រ", "Xsreypech");
    body["family_name_latin"] = json!("Qvandara");
    let child: Value = app.api_post(w, "/api/v1/children", body).await.json().await.unwrap();
    let id = child["id"].as_str().unwrap().to_string();
    let case_number = child["case_number"].as_str().unwrap().to_string();
    let second: Value = app.api_post(w, "/api/v1/children", child_json("វណ្ណៈ", SECOND)).await.json().await.unwrap();
    let second = second["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/children/{id}/case");
    let ok = |res: reqwest::Response, what: &str| {
        assert!(res.status().is_success(), "{what}: {}", res.status());
        res
    };
    ok(
        app.api_post(
            w,
            &format!("{base}/open"),
            json!({"route": "emergency", "opened_on": today, "immediate_safety": format!("Moved to aunt {SAFETY}")}),
        )
        .await,
        "open",
    );
    ok(app.api_post(w, &format!("{base}/note"), json!({"kind": "phone", "noted_on": today, "text": NOTE})).await, "note");
    ok(app.api_post(w, &format!("{base}/risk"), json!({"level": "high", "reasons": RISK, "assessed_on": today})).await, "risk");
    ok(app.api_post(w, &format!("{base}/task"), json!({"title": TASK, "owner_id": app.worker.id, "due_on": today})).await, "task");
    ok(app.api_post(w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await, "approval");
    let home: Value = ok(
        app.api_post(
            w,
            "/api/v1/households",
            json!({"name": HOUSEHOLD, "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}),
        )
        .await,
        "household",
    )
    .json()
    .await
    .unwrap();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(png()).file_name(FILE_NAME));
    let file: Value =
        client().post(app.url(&format!("{base}/attachments"))).bearer_auth(w).multipart(form).send().await.unwrap().json().await.unwrap();
    let sensitive = json!({"version": 0, "hiv_status": "positive", "health": HEALTH});
    let res = client().put(app.url(&format!("/api/v1/children/{id}/sensitive"))).bearer_auth(w).json(&sensitive).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let case: Value = app.api_get(w, &base).await.json().await.unwrap();

    // A stay in an institution, a referral to a third organisation, one to an outside partner
    // (for the second child), an archive of the organisation and a saved search.
    let (s, scsrf) = app.login("supervisor").await;
    let form = [
        ("_csrf", scsrf.as_str()),
        ("name", "Hope Centre"),
        ("rci_type", "ngo"),
        ("registration_status", "registered"),
        ("village_pick", "12010101"),
    ];
    let res = s.post(app.url("/rcis")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let rci = res.headers()["location"].to_str().unwrap().trim_start_matches("/rcis/").to_string();
    let (c, csrf) = app.login("worker").await;
    let stay = [("_csrf", csrf.as_str()), ("rci_id", rci.as_str()), ("entered", "2020-01-10")];
    assert_eq!(c.post(app.url(&format!("/children/{id}/residences"))).form(&stay).send().await.unwrap().status(), 303);
    let third = app.store.create_org(Who::system(), "Third NGO", OrgKind::Ngo).await.unwrap();
    let referral = json!({"to_org": third.id, "services": "Health care", "reason": "Clinic nearby", "consent_by": "child", "consent_on": today, "shares": ["identity"]});
    ok(app.api_post(w, &format!("/api/v1/children/{id}/referrals"), referral).await, "referral");
    let ours: Value = app.api_get(w, "/api/v1/referrals").await.json().await.unwrap();
    let referral = ours["items"][0]["id"].as_str().unwrap().to_string();
    let outside = [
        ("_csrf", csrf.as_str()),
        ("to_org", ""),
        ("partner", "Friends of the Village"),
        ("kind", "referral"),
        ("services", "Vocational training"),
        ("reason", "Family moved"),
        ("urgency", "normal"),
        ("consent_by", "parent"),
        ("consent_on", today.as_str()),
        ("shares", "identity"),
    ];
    assert_eq!(c.post(app.url(&format!("/children/{second}/referral"))).form(&outside).send().await.unwrap().status(), 303);
    let inbox = c.get(app.url("/referrals")).send().await.unwrap().text().await.unwrap();
    let at = inbox.find("/referrals/external/").expect("the outside referral is listed") + "/referrals/external/".len();
    let external = inbox[at..at + 36].to_string();
    let (a, acsrf) = app.login("admin").await;
    let res = a.post(app.url("/admin/archive")).form(&[("_csrf", acsrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let export = res.headers()["location"].to_str().unwrap().trim_start_matches("/exports/").to_string();
    let saved = app.store.save_search(&app.worker.actor(), "Xsreypech search", "q=xsreypech").await.unwrap().to_string();

    let stay = app.store.residences_of_child(id.parse().unwrap()).await.unwrap()[0].id.to_string();
    let flag = krousar_domain::flag::NewFlag { kind: krousar_domain::flag::FlagKind::NoContact, reason: super::FLAG.into(), until: None };
    let flag = app.store.raise_flag(&app.worker.actor(), id.parse().unwrap(), flag).await.unwrap().to_string();
    // The organisation's own form, published and answered on the child's case.
    let admin = app.admin.actor();
    let def = krousar_domain::forms::FormDef::named(Some("ទម្រង់"), Some("Own form")).unwrap();
    let form = app.store.create_custom_form(&admin, def).await.unwrap();
    let text =
        krousar_domain::forms::definition::FieldInput {
            kind: Some("text".into()), label_km: Some("ចំណាំ".into()), ..Default::default()
        };
    app.store.edit_custom_form(&admin, form, "add", |d| d.add_field(&text).map(|_| ())).await.unwrap();
    app.store.publish_custom_form(&admin, form).await.unwrap();
    let answer = json!({"answered_on": today, "answers": {"f1": super::FORM_ANSWER}});
    ok(app.api_post(w, &format!("/api/v1/children/{id}/case/custom/{form}"), answer).await, "form answer");
    // And one filled in on the child's own record.
    let def = krousar_domain::forms::FormDef::named(Some("កំណត់ត្រា"), Some("Record form")).unwrap();
    let on_record = app.store.create_custom_form_for(&admin, def, krousar_domain::forms::FormTarget::Child).await.unwrap();
    app.store.edit_custom_form(&admin, on_record, "add", |d| d.add_field(&text).map(|_| ())).await.unwrap();
    app.store.publish_custom_form(&admin, on_record).await.unwrap();
    let answer = json!({"answered_on": today, "answers": {"f1": super::RECORD_ANSWER}});
    ok(app.api_post(w, &format!("/api/v1/children/{id}/forms/{on_record}"), answer).await, "record form answer");
    let v = Victim {
        child: id,
        second,
        household: home["id"].as_str().unwrap().to_string(),
        file: file["id"].as_str().unwrap().to_string(),
        approval: case["approvals"][0]["id"].as_str().expect("an approval").to_string(),
        task: case["tasks"][0]["id"].as_str().expect("a task").to_string(),
        referral,
        external,
        stay,
        rci,
        export,
        saved,
        worker: app.worker.id.to_string(),
        flag,
        form: form.to_string(),
        version: 0,
        sensitive_version: 0,
    };
    let mut v = v;
    let child: Value = app.api_get(w, &format!("/api/v1/children/{}", v.child)).await.json().await.unwrap();
    v.version = child["version"].as_i64().expect("a version");
    let sensitive: Value = app.api_get(w, &format!("/api/v1/children/{}/sensitive", v.child)).await.json().await.unwrap();
    v.sensitive_version = sensitive["version"].as_i64().expect("a version");
    (v, case_number)
}
