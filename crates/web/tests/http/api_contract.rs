//! The API as a product (issue 23): what a client author found by writing clients against it.
//! A likely duplicate is not registered silently, and registering is no way around the
//! duplicate check's limit; the same refusal gets the same status everywhere; asking for an
//! approval says which; hidden figures are null with a reason, never 0.

use crate::app::{client, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

fn sreypov() -> Value {
    json!({
        "given_name_km": "ស្រីពៅ", "family_name_km": "ចាន់", "given_name_latin": "Sreypov", "family_name_latin": "Chan",
        "sex": "female", "date_of_birth": "2015-03-02", "village_code": "02020101"
    })
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

async fn count_children(app: &TestApp, token: &str) -> usize {
    let list: Value = app.api_get(token, "/api/v1/children?limit=200").await.json().await.unwrap();
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_likely_duplicate_answers_409_with_the_matches_unless_the_child_is_said_to_be_new() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let res = app.api_post(&w, "/api/v1/children", sreypov()).await;
        assert_eq!(res.status(), 201, "nobody like her yet: registered");
        let first: Value = res.json().await.unwrap();

        let res = app.api_post(&w, "/api/v1/children", sreypov()).await;
        assert_eq!(res.status(), 409, "registered again without a word: not saved");
        let conflict: Value = res.json().await.unwrap();
        assert_eq!(conflict["error"]["code"], "possible_duplicates");
        assert!(conflict["error"]["message"].as_str().is_some_and(|m| m.contains("may already be registered")), "{conflict}");
        assert_eq!(conflict["items"][0]["child"]["id"], first["id"], "her own organisation's match, shown: {conflict}");
        let check: Value = app.api_post(&w, "/api/v1/children/duplicate-check", sreypov()).await.json().await.unwrap();
        assert_eq!(conflict["items"], check["items"], "the duplicate check's own answer");
        assert_eq!(count_children(&app, &w).await, 1);

        assert_eq!(app.api_post(&w, "/api/v1/children", with(sreypov(), "confirmed_new", json!("yes"))).await.status(), 400);
        assert_eq!(app.api_post(&w, "/api/v1/children", with(sreypov(), "confirmed_new", json!(false))).await.status(), 409);
        let res = app.api_post(&w, "/api/v1/children", with(sreypov(), "confirmed_new", json!(true))).await;
        assert_eq!(res.status(), 201, "a different child, the person registering says");
        assert_eq!(count_children(&app, &w).await, 2);
        // Someone nobody knows is registered at once, and invalid input is still 422.
        let dara = json!({"given_name_latin": "Dara", "family_name_latin": "Keo", "sex": "male", "estimated_birth_year": 2012});
        assert_eq!(app.api_post(&w, "/api/v1/children", dara).await.status(), 201);
        assert_eq!(app.api_post(&w, "/api/v1/children", json!({"sex": "female"})).await.status(), 422);
        // A name of punctuation asks the check (and the search) nothing, and is no server error
        // (it was an empty OR on PostgreSQL).
        let odd = json!({"given_name_latin": "Robert'); --", "family_name_latin": "--", "sex": "male", "estimated_birth_year": 2012});
        assert_eq!(app.api_post(&w, "/api/v1/children/duplicate-check", odd).await.status(), 200);
        assert_eq!(app.api_get(&w, "/api/v1/children?q=--%20%27%29%3B").await.status(), 200);

        // The asking is the duplicate check itself: audited as one (each 409 and the 201s that asked).
        let f = krousar_store::audit::AuditFilter { action: Some("child.duplicate_check".into()), limit: 100, ..Default::default() };
        let checks = krousar_store::audit::list(&app.store, &f).await.unwrap();
        assert_eq!(checks.len(), 6, "two 409s, two checks, two registrations that asked (not the confirmed one)");
    })
    .await;
}

#[tokio::test]
async fn registering_is_no_way_to_see_or_probe_another_organisations_children() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let first: Value = app.api_post(&w, "/api/v1/children", sreypov()).await.json().await.unwrap();
        let x = app.token(&app.other_worker).await;

        let res = app.api_post(&x, "/api/v1/children", sreypov()).await;
        assert_eq!(res.status(), 409);
        let text = res.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{body}");
        assert_eq!((items[0]["org_name"].as_str(), items[0]["same_org"].as_bool()), (Some("Test NGO"), Some(false)));
        assert!(items[0].get("child").is_none() && items[0].get("score").is_none() && items[0].get("name").is_none(), "{body}");
        for secret in [first["id"].as_str().unwrap(), first["case_number"].as_str().unwrap(), "Sreypov", "ស្រីពៅ"] {
            assert!(!text.contains(secret), "only where she is known: {text}");
        }
        assert_eq!(count_children(&app, &x).await, 0);

        // The check on registering counts against the same hourly limit as asking directly.
        for _ in 0..29 {
            assert_eq!(app.api_post(&x, "/api/v1/children/duplicate-check", sreypov()).await.status(), 200);
        }
        let res = app.api_post(&x, "/api/v1/children", sreypov()).await;
        assert_eq!(res.status(), 429, "the 31st question this hour, asked by registering");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "too_many_requests");
        assert!(body.get("items").is_none());
        assert_eq!(app.api_post(&x, "/api/v1/children/duplicate-check", sreypov()).await.status(), 429);
        assert_eq!(count_children(&app, &x).await, 0, "nothing saved either");
        // Saying the child is new asks nothing, learns nothing, and is not limited.
        let res = app.api_post(&x, "/api/v1/children", with(sreypov(), "confirmed_new", json!(true))).await;
        assert_eq!(res.status(), 201);
        assert!(!res.text().await.unwrap().contains(first["id"].as_str().unwrap()));
        assert_eq!(app.api_post(&w, "/api/v1/children/duplicate-check", sreypov()).await.status(), 200, "another user's own count");
    })
    .await;
}

async fn child_with_case(app: &TestApp, token: &str, latin: &str) -> String {
    let body = json!({"given_name_latin": latin, "family_name_latin": "Keo", "sex": "female", "estimated_birth_year": 2014, "confirmed_new": true});
    let c: Value = app.api_post(token, "/api/v1/children", body).await.json().await.unwrap();
    let id = c["id"].as_str().unwrap().to_string();
    let today = krousar_domain::today().to_string();
    let res = app.api_post(token, &format!("/api/v1/children/{id}/case/open"), json!({"route": "prevention", "opened_on": today})).await;
    assert_eq!(res.status(), 201);
    let risk = json!({"level": "high", "reasons": "Violence at home", "assessed_on": today});
    assert_eq!(app.api_post(token, &format!("/api/v1/children/{id}/case/risk"), risk).await.status(), 200);
    id
}

/// A refusal's status and machine code, and its message.
async fn refusal(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (status, body["error"]["code"].as_str().unwrap_or("").into(), body["error"]["message"].as_str().unwrap_or("").into())
}

#[tokio::test]
async fn asking_for_an_approval_answers_with_its_id_and_nobody_approves_their_own() {
    each_db(|app| async move {
        let (w, s) = (app.token(&app.worker).await, app.token(&app.supervisor).await);
        let child = child_with_case(&app, &w, "Sreyleak").await;
        let base = format!("/api/v1/children/{child}/case");
        let res = app.api_post(&w, &format!("{base}/approvals"), json!({"kind": "assessment"})).await;
        assert_eq!(res.status(), 200);
        let asked: Value = res.json().await.unwrap();
        let approval = asked["approval_id"].as_str().expect("the approval's id").to_string();
        assert_eq!(asked["stage"], "assessment", "the case as before, with the id: {asked}");
        let file: Value = app.api_get(&s, &base).await.json().await.unwrap();
        let pending: Vec<&str> = file["approvals"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(pending, [approval.as_str()], "the id is the approval's");
        let res = app.api_post(&s, &format!("{base}/approvals/{approval}"), json!({"decision": "approve"})).await;
        assert_eq!(res.status(), 200, "decided by the id the request answered with");

        // The supervisor asks on another case, then tries to approve it: refused for who she
        // is, 403, as a worker approving is — not 422.
        let other = child_with_case(&app, &w, "Sreymao").await;
        let base = format!("/api/v1/children/{other}/case");
        let asked: Value = app.api_post(&s, &format!("{base}/approvals"), json!({"kind": "assessment"})).await.json().await.unwrap();
        let own = asked["approval_id"].as_str().unwrap().to_string();
        let (status, code, message) =
            refusal(app.api_post(&s, &format!("{base}/approvals/{own}"), json!({"decision": "approve"})).await).await;
        assert_eq!((status, code.as_str(), message.as_str()), (403, "forbidden", "You cannot approve your own request."));
        let (status, code, _) = refusal(app.api_post(&w, &format!("{base}/approvals/{own}"), json!({"decision": "approve"})).await).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "a worker approving");
        let (c, csrf) = app.login("supervisor").await;
        let res = c
            .post(app.url(&format!("/children/{other}/case/approvals/{own}")))
            .form(&[("_csrf", csrf.as_str()), ("decision", "approve"), ("comment", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "the page too");
        assert!(res.text().await.unwrap().contains("You cannot approve your own request."), "and it says why");
        let file: Value = app.api_get(&s, &base).await.json().await.unwrap();
        assert_eq!(file["approvals"][0]["state"], "pending", "nothing decided: {file}");
        // A mistake in what was sent is still 422.
        let res = app.api_post(&s, &format!("{base}/approvals/{own}"), json!({"decision": "maybe"})).await;
        assert_eq!(res.status(), 422);
    })
    .await;
}

#[tokio::test]
async fn a_refusal_by_role_is_403_whether_approving_a_case_or_deciding_a_referral() {
    each_db(|app| async move {
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other = app.other_worker.org_id;
        let boss = app.store.create_user(Who::system(), other, None, "otherboss", "Other boss", Role::Supervisor, &hash, "en").await.unwrap();
        let third = app.store.create_org(Who::system(), "Third NGO", krousar_domain::choices::OrgKind::Ngo).await.unwrap();
        let outsider = app.store.create_user(Who::system(), third.id, None, "outsider", "Outsider", Role::Supervisor, &hash, "en").await.unwrap();
        let (w, s, x) = (app.token(&app.worker).await, app.token(&app.supervisor).await, app.token(&app.other_worker).await);
        let (b, o) = (app.token(&boss).await, app.token(&outsider).await);
        let child = child_with_case(&app, &w, "Sreyneang").await;
        let today = krousar_domain::today().to_string();
        let referral = |to: &uuid::Uuid| {
            json!({"to_org": to, "services": "Health care", "reason": "Clinic nearby", "consent_by": "parent", "consent_on": today, "shares": ["identity"]})
        };

        // A worker approving a case: 403 (as before).
        let asked: Value = app.api_post(&w, &format!("/api/v1/children/{child}/case/approvals"), json!({"kind": "assessment"})).await.json().await.unwrap();
        let approval = asked["approval_id"].as_str().unwrap();
        let res = app.api_post(&w, &format!("/api/v1/children/{child}/case/approvals/{approval}"), json!({"decision": "approve"})).await;
        assert_eq!(refusal(res).await.0, 403);

        // A worker accepting a referral: 403 too (it was 422), saying why.
        let sent: Value = app.api_post(&w, &format!("/api/v1/children/{child}/referrals"), referral(&other)).await.json().await.unwrap();
        let rid = sent["id"].as_str().unwrap().to_string();
        let (status, code, message) = refusal(app.api_post(&x, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await).await;
        assert_eq!((status, code.as_str(), message.as_str()), (403, "forbidden", "A supervisor or manager accepts or declines."));
        // The sender's own supervisor: not her organisation's to decide.
        let (status, code, message) = refusal(app.api_post(&s, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await).await;
        assert_eq!((status, code.as_str(), message.as_str()), (403, "forbidden", "This referral is not your organisation's to decide."));
        // The receiver may not withdraw what it did not send.
        assert_eq!(refusal(app.api_post(&b, &format!("/api/v1/referrals/{rid}/withdraw"), json!({})).await).await.0, 403);
        // No party to it: as if it did not exist.
        assert_eq!(refusal(app.api_post(&o, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await).await.0, 404);
        // The pages answer the same.
        let (page, csrf) = app.login("stranger").await;
        let res = page.post(app.url(&format!("/referrals/{rid}/accept"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("A supervisor or manager accepts or declines."), "the inbox says why");
        // Nothing was decided: the receiving supervisor still can; a missing reason is still 422.
        assert_eq!(app.api_post(&b, &format!("/api/v1/referrals/{rid}/decline"), json!({})).await.status(), 422);
        assert_eq!(app.api_post(&b, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await.status(), 204);

        // Sending without the family's consent is a supervisor's: a worker's override is 403
        // (it was 422), the supervisor's is sent.
        let mut urgent = referral(&third.id);
        for k in ["consent_by", "consent_on", "shares"] {
            urgent.as_object_mut().unwrap().remove(k);
        }
        urgent["override_reason"] = json!("The child is in danger tonight");
        let (status, code, message) =
            refusal(app.api_post(&w, &format!("/api/v1/children/{child}/referrals"), urgent.clone()).await).await;
        assert_eq!((status, code.as_str(), message.as_str()), (403, "forbidden", "Only a supervisor can send without consent."));
        let (page, csrf) = app.login("worker").await;
        let form = [
            ("_csrf", csrf.as_str()),
            ("to_org", &third.id.to_string()),
            ("kind", "referral"),
            ("services", "Health care"),
            ("reason", "Clinic nearby"),
            ("urgency", "normal"),
            ("override_reason", "The child is in danger tonight"),
        ];
        let res = page.post(app.url(&format!("/children/{child}/referral"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "the page too");
        assert!(res.text().await.unwrap().contains("Only a supervisor can send without consent."));
        let no_reason = with(urgent.clone(), "override_reason", Value::Null);
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{child}/referrals"), no_reason).await.status(), 422, "no consent, no reason: a mistake");
        assert_eq!(app.api_post(&s, &format!("/api/v1/children/{child}/referrals"), urgent).await.status(), 201, "the supervisor overrides");
        let sent = app.store.referrals(&app.supervisor.actor(), false).await.unwrap();
        assert_eq!(sent.iter().filter(|r| r.body.to_org == third.id).count(), 1, "once: the refused ones sent nothing");
    })
    .await;
}

/// Every hidden number in `v` is null and says why; returns how many there were.
fn hidden_are_null(v: &Value, at: &str, found: &mut Vec<String>) -> usize {
    let mut n = 0;
    match v {
        Value::Object(o) => {
            for (k, reason) in o {
                if let Some(base) = k.strip_suffix("_hidden") {
                    n += 1;
                    if reason != krousar_domain::figures::HIDDEN_REASON && reason != krousar_domain::figures::HIDDEN_OTHER_ORGANISATIONS {
                        found.push(format!("{at}.{k} = {reason}"));
                    }
                    if o.get(base).is_some_and(|x| !x.is_null()) {
                        found.push(format!("{at}.{base} is {} though hidden", o[base]));
                    }
                }
            }
            if o.get("suppressed") == Some(&Value::Bool(true)) {
                for k in ["total", "children", "amount_riel", "domains"] {
                    if o.get(k).is_some_and(|x| !x.is_null()) {
                        found.push(format!("{at}.{k} is {} though suppressed", o[k]));
                    }
                }
            }
            for (k, x) in o {
                n += hidden_are_null(x, &format!("{at}.{k}"), found);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                n += hidden_are_null(x, &format!("{at}[{i}]"), found);
            }
        }
        _ => {}
    }
    n
}

#[tokio::test]
async fn hidden_figures_are_null_with_a_reason_never_0() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today();
        let earlier = (today - chrono::Duration::days(400)).to_string();
        let body = json!({"given_name_latin": "Sreypov", "family_name_latin": "Chan", "sex": "female", "estimated_birth_year": 2014});
        let child: Value = app.api_post(&w, "/api/v1/children", body).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap();
        let res = app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": earlier})).await;
        assert_eq!(res.status(), 201);
        // Assessed twice: one child whose CSI change is counted.
        for (score, on) in [("2", earlier.clone()), ("3", today.to_string())] {
            let mut csi = json!({"assessed_on": on});
            for factor in krousar_domain::case::csi::factors() {
                csi[format!("score_{factor}")] = json!(score);
            }
            let res = app.api_post(&w, &format!("/api/v1/children/{id}/case/csi"), csi).await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        // Her own organisation: the number, shown.
        let own: Value = app.api_get(&w, "/api/v1/indicators").await.json().await.unwrap();
        assert_eq!(own["csi_change"]["children"], 1, "{}", own["csi_change"]);
        assert!(own["csi_change"]["domains"].as_array().is_some_and(|d| !d.is_empty()));
        assert!(own["csi_change"].get("children_hidden").is_none());

        // The ministry: one child is too few to show — null, with why, never 0.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let minister = app
            .store
            .create_user(Who::system(), app.worker.org_id, None, "minister", "Ministry", Role::Ministry, &hash, "en")
            .await
            .unwrap();
        let m = app.token(&minister).await;
        let mut hidden = 0;
        let mut found = Vec::new();
        for path in [
            "/api/v1/indicators",
            "/api/v1/indicators?by=province",
            "/api/v1/indicators?by=organisation",
            "/api/v1/training/report?by=organisation",
        ] {
            let res = app.api_get(&m, path).await;
            assert_eq!(res.status(), 200, "{path}");
            let v: Value = res.json().await.unwrap();
            hidden += hidden_are_null(&v, path, &mut found);
            if path == "/api/v1/indicators" {
                let csi = &v["csi_change"];
                assert!(csi["children"].is_null() && csi["domains"].is_null(), "{csi}");
                assert_eq!((csi["children_hidden"].as_str(), csi["suppressed"].as_bool()), (Some("small_counts"), Some(true)), "{csi}");
                let registered = v["items"].as_array().unwrap().iter().find(|i| i["code"] == "registered").unwrap();
                assert!(registered["count"]["total"].is_null() && registered["count"]["total_hidden"] == "small_counts", "{registered}");
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
        assert!(hidden > 0, "the ministry's answers did hide something");
        let anonymous = client().get(app.url("/api/v1/indicators")).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
    })
    .await;
}
