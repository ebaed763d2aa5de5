//! Indicators on a small hand-built dataset whose answers are known: each figure "N (nF)" and
//! the list behind it agree, breakdowns add up, within the user's reach only; national figures
//! are counts with small numbers hidden; the quarterly report carries the same figures.

use crate::app::{child_json, each_db, TestApp, PASSWORD};
use krousar_domain::Role;
use krousar_store::Who;
use serde_json::{json, Value};

/// The text of a figure's cell on the indicators page (tags removed), by indicator code.
fn figure(page: &str, code: &str) -> String {
    let row = page.split(&format!("id=\"i-{code}\"")).nth(1).unwrap_or("");
    let cell = row.split("<td").nth(2).unwrap_or("");
    let cell = cell.split("</td>").next().unwrap_or("");
    let mut text = String::new();
    let mut in_tag = false;
    for ch in cell.split_once('>').map(|(_, rest)| rest).unwrap_or("").chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = c.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

fn csi_form(csrf: &str, score: &str, on: &str) -> Vec<(String, String)> {
    let mut f = vec![("_csrf".to_string(), csrf.to_string()), ("assessed_on".to_string(), on.to_string())];
    for factor in krousar_domain::case::csi::factors() {
        f.push((format!("score_{factor}"), score.to_string()));
        f.push((format!("note_{factor}"), String::new()));
    }
    f
}

#[tokio::test]
async fn indicators_count_what_their_lists_show() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today();
        let day = today.to_string();
        let earlier = (today - chrono::Duration::days(400)).to_string();
        let mut ids = Vec::new();
        // Two girls (one aged 11, one aged 3) and a boy of 11.
        for (km, latin, sex, born) in [
            ("ស្រីពៅ", "Sreypov", "female", "2015-03-02"),
            ("ស្រីនាង", "Sreyneang", "female", "2023-01-05"),
            ("ដារា", "Dara", "male", "2015-03-02"),
        ] {
            let mut body = child_json(km, latin);
            body["sex"] = json!(sex);
            body["date_of_birth"] = json!(born);
            let c: Value = app.api_post(&w, "/api/v1/children", body).await.json().await.unwrap();
            ids.push(c["id"].as_str().unwrap().to_string());
        }
        // Sreypov goes home to her mother; Dara to a group home (not a family).
        for (id, kind) in [(&ids[0], "mother"), (&ids[2], "group_home")] {
            app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": earlier})).await;
            let home: Value = app
                .api_post(
                    &w,
                    "/api/v1/households",
                    json!({"name": "Home", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}),
                )
                .await
                .json()
                .await
                .unwrap();
            let res = app
                .api_post(
                    &w,
                    &format!("/api/v1/children/{id}/case/placement"),
                    json!({"kind": kind, "household_id": home["id"], "started_on": day, "justification": "Only option for now"}),
                )
                .await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        // Sreypov gets school support and food; Dara food. Sreypov is assessed twice.
        for (id, service) in [(&ids[0], "school_enrolment"), (&ids[0], "emergency_food"), (&ids[2], "emergency_food")] {
            let s = json!({"service": service, "provider": "own", "provided_on": day});
            let res = app.api_post(&w, &format!("/api/v1/children/{id}/case/service"), s).await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        let (c, csrf) = app.login("worker").await;
        for (score, on) in [("2", earlier.as_str()), ("3", day.as_str())] {
            let res = c.post(app.url(&format!("/children/{}/case/csi", ids[0]))).form(&csi_form(&csrf, score, on)).send().await.unwrap();
            assert!(res.status().is_redirection() || res.status() == 200, "{}", res.text().await.unwrap());
        }

        let page = get(&c, &app, "/indicators").await;
        assert_eq!(figure(&page, "registered"), "3 (2F)", "{page}");
        assert_eq!(figure(&page, "reintegrated"), "1 (1F)");
        assert_eq!(figure(&page, "served"), "2 (1F)");
        assert_eq!(figure(&page, "assessed"), "1 (1F)");
        assert_eq!(figure(&page, "open_cases"), "2 (1F)");
        assert_eq!(figure(&page, "closed"), "0 (0F)");
        // One child compared, each factor a point higher: two points per domain.
        assert!(page.contains("+2.0"), "{page}");
        // Each figure's list holds exactly the records it counts.
        for (code, expected) in [("registered", 3), ("reintegrated", 1), ("served", 2), ("assessed", 1), ("closed", 0)] {
            let list = get(&c, &app, &format!("/indicators/{code}")).await;
            assert_eq!(list.matches("href=\"/children/").count(), expected, "{code}: {list}");
        }
        let reintegrated = get(&c, &app, "/indicators/reintegrated").await;
        assert!(reintegrated.contains("Sreypov") && !reintegrated.contains("Dara"));

        // Broken down: by age at the end of the period, by service; each value lists its own.
        let by_age = get(&c, &app, "/indicators?by=age_band").await;
        let registered = figure(&by_age, "registered");
        assert!(registered.contains("6-11: 2 (1F)") && registered.contains("0-5: 1 (1F)"), "{registered}");
        let young = get(&c, &app, "/indicators/registered?by=age_band&value=0-5").await;
        assert!(young.contains("Sreyneang") && !young.contains("Sreypov") && !young.contains("Dara"), "{young}");
        let in_province = get(&c, &app, "/indicators/registered?by=province&value=02").await;
        assert!(in_province.contains("Province: Battambang") && in_province.matches("href=\"/children/").count() == 3, "{in_province}");
        let by_service = get(&c, &app, "/indicators?by=service").await;
        let served = figure(&by_service, "served");
        assert!(served.contains("2 (1F)"), "food for two: {served}");
        let school = get(&c, &app, "/indicators/served?by=service&value=school_enrolment").await;
        assert!(school.contains("Sreypov") && !school.contains("Dara"));
        let by_placement = get(&c, &app, "/indicators?by=placement_type").await;
        assert!(figure(&by_placement, "reintegrated").contains("1 (1F)"));

        // The API gives the same figures, breakdowns and lists.
        let api: Value = app.api_get(&w, "/api/v1/indicators?by=age_band").await.json().await.unwrap();
        let reg = api["items"].as_array().unwrap().iter().find(|i| i["code"] == "registered").unwrap().clone();
        assert_eq!((reg["count"]["total"].as_i64(), reg["count"]["female"].as_i64()), (Some(3), Some(2)), "{reg}");
        let groups: i64 = reg["groups"].as_array().unwrap().iter().map(|g| g["count"]["total"].as_i64().unwrap()).sum();
        assert_eq!(groups, 3, "the age bands add up to the total");
        assert_eq!(api["reach"], "visible");
        let listed: Value = app.api_get(&w, "/api/v1/indicators/reintegrated/records").await.json().await.unwrap();
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(app.api_get(&w, "/api/v1/indicators/nonsense/records").await.status(), 404);

        // Last year: nothing; another organisation: nothing of these.
        let old = get(&c, &app, "/indicators?from=2020-01-01&to=2020-12-31").await;
        assert_eq!(figure(&old, "registered"), "0 (0F)");
        let (o, _) = app.login("stranger").await;
        let theirs = get(&o, &app, "/indicators").await;
        assert_eq!(figure(&theirs, "registered"), "0 (0F)");
        assert!(!get(&o, &app, "/indicators/registered").await.contains("Sreypov"));

        // The ministry: national figures, small counts hidden, nothing listed.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        app.store.create_user(Who::system(), app.worker.org_id, None, "minister", "Ministry", Role::Ministry, &hash, "en").await.unwrap();
        let (m, _) = app.login("minister").await;
        let national = get(&m, &app, "/indicators").await;
        // Hidden, and said the same way whatever the count ("<5" told which were the small ones).
        assert_eq!(figure(&national, "registered"), "hidden", "{national}");
        assert!(!national.contains("href=\"/indicators/registered"), "no list behind national figures");
        assert_eq!(m.get(app.url("/indicators/registered?reach=national")).send().await.unwrap().status(), 403);
        // A worker cannot ask for national figures: the reach falls back to their own.
        let asked = get(&c, &app, "/indicators?reach=national").await;
        assert_eq!(figure(&asked, "registered"), "3 (2F)");

        // The quarterly report: the same figures, as a page, a workbook; audited.
        let report = get(&c, &app, "/reports/quarterly?lang=en").await;
        assert!(report.contains("Quarterly report to donors") && report.contains("3 (2F)"), "{report}");
        assert!(report.contains("Definitions") && report.contains("Children whose record was created in the period"));
        let xlsx = c.get(app.url("/reports/quarterly?format=xlsx&lang=en")).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("Report").unwrap();
        let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let registered = rows.iter().find(|r| r[0] == "Children registered").unwrap();
        assert_eq!((registered[1].as_str(), registered[2].as_str()), ("3", "2"), "numbers, total and girls: {registered:?}");
        let ministry = get(&m, &app, "/reports/quarterly?kind=ministry&lang=en").await;
        assert!(
            ministry.contains("Ministry of Social Affairs") && !ministry.contains("3 (2F)") && ministry.contains(">hidden<"),
            "{ministry}"
        );
        let f = krousar_store::audit::AuditFilter { action: Some("indicators.report".into()), limit: 10, ..Default::default() };
        let reports = krousar_store::audit::list(&app.store, &f).await.unwrap();
        assert_eq!(reports.len(), 3, "every report is audited");

        // Dashboards: the worker's caseload with charts drawn on the server; the nation's.
        let dash = get(&c, &app, "/dashboard").await;
        assert!(dash.contains("Your caseload") && dash.matches("<svg").count() >= 3, "{dash}");
        assert!(dash.contains("Open cases") && dash.contains("2 (1F)"));
        let national = get(&m, &app, "/dashboard").await;
        assert!(national.contains("National figures") && !national.contains("Sreypov"));
    })
    .await;
}

/// How many a list of records behind a figure stands for: one each, or the number a record
/// says it counts for (a session for the people it reached).
fn weighed(listed: &Value) -> i64 {
    listed["items"].as_array().unwrap().iter().map(|r| r["count"].as_i64().unwrap_or(1)).sum()
}

/// For every indicator and every breakdown within a supervisor's and a worker's reach: the
/// records listed behind a figure are exactly as many as it counts, and breakdowns that split
/// records into groups add up to the figure.
#[tokio::test]
async fn every_figure_counts_the_records_it_lists() {
    each_db(|app| async move {
        let w = app.token(&app.worker).await;
        let today = krousar_domain::today();
        let d = |days: i64| (today + chrono::Duration::days(days)).to_string();
        let mut ids = Vec::new();
        for (name, sex) in [("Sreypov", "female"), ("Dara", "male")] {
            let mut body = child_json("ស្រីពៅ", name);
            body["sex"] = json!(sex);
            let c: Value = app.api_post(&w, "/api/v1/children", body).await.json().await.unwrap();
            ids.push(c["id"].as_str().unwrap().to_string());
        }
        let id = &ids[0];
        app.api_post(&w, &format!("/api/v1/children/{id}/case/open"), json!({"route": "rci", "opened_on": d(-20)})).await;
        let home: Value = app
            .api_post(&w, "/api/v1/households", json!({"name": "Home", "income_band": "unknown", "id_poor": "unknown", "members": [], "child_id": id}))
            .await
            .json()
            .await
            .unwrap();
        let placement = json!({"kind": "kinship", "household_id": home["id"], "started_on": d(-10), "justification": "Her aunt"});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/placement"), placement).await.status(), 200);
        let service = json!({"service": "health_care", "provider": "government", "provided_on": d(-3)});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{id}/case/service"), service).await.status(), 200);
        // A carer household enquires.
        let carer = json!({"name": "Sok Chenda household", "kind": "kinship", "village_code": "02020101", "enquired_on": d(-5), "languages": "Khmer", "disability_skills": "no"});
        assert_eq!(app.api_post(&w, "/api/v1/carers", carer).await.status(), 201);
        // Another organisation refers a child of its own here.
        let x = app.token(&app.other_worker).await;
        let theirs: Value = app.api_post(&x, "/api/v1/children", child_json("ដារា", "Kosal")).await.json().await.unwrap();
        let tid = theirs["id"].as_str().unwrap();
        app.api_post(&x, &format!("/api/v1/children/{tid}/case/open"), json!({"route": "prevention", "opened_on": d(-4)})).await;
        let referral = json!({"to_org": app.worker.org_id.to_string(), "services": "Health care", "reason": "Clinic nearby", "consent_by": "parent", "consent_on": d(-1), "shares": ["identity"]});
        assert_eq!(app.api_post(&x, &format!("/api/v1/children/{tid}/referrals"), referral).await.status(), 201);
        // The supervisor trains a para social worker.
        let (c, csrf) = app.login("supervisor").await;
        let post = |path: String, form: Vec<(&str, String)>| {
            let mut f = vec![("_csrf", csrf.clone())];
            f.extend(form);
            let req = c.post(app.url(&path)).form(&f);
            async move { req.send().await.unwrap() }
        };
        assert_eq!(post("/training/courses".into(), vec![("title", "Reintegration".into()), ("modules", "reintegration".into())]).await.status(), 303);
        let course = app.store.courses(&app.supervisor.actor()).await.unwrap()[0].id;
        let session = vec![("course_id", course.to_string()), ("starts_on", d(-3)), ("ends_on", d(-2)), ("place", "Pursat".into()), ("trainer", "MoSVY".into())];
        let session_url = post("/training/sessions".into(), session).await.headers()["location"].to_str().unwrap().to_string();
        let person = vec![("name", "Keo Sophea".to_string()), ("sex", "female".into()), ("role", "para_social_worker".into()), ("province", "02".into())];
        assert_eq!(post("/training/people".into(), person).await.status(), 303);
        let who = app.store.trainees(&app.supervisor.actor()).await.unwrap()[0].id.to_string();
        let attended = vec![("trainee_id", who), ("attended", "yes".into()), ("pre_score", "40".into()), ("post_score", "70".into())];
        assert_eq!(post(format!("{session_url}/participants"), attended).await.status(), 303);

        // A parenting club's session and an awareness event (people reached count as a sum).
        let s = app.token(&app.supervisor).await;
        let group = |kind: &str| json!({"name": kind, "kind": kind, "village_code": "02020101"});
        for kind in ["parenting_club", "awareness_campaign"] {
            let g: Value = app.api_post(&s, "/api/v1/groups", group(kind)).await.json().await.unwrap();
            let gid = g["id"].as_str().unwrap();
            let m: Value = app
                .api_post(&s, &format!("/api/v1/groups/{gid}/members"), json!({"name": "Sina", "sex": "female", "age_group": "25_59", "role": "caregiver"}))
                .await
                .json()
                .await
                .unwrap();
            let session = json!({"held_on": d(-2), "topic": "Play", "attended": [m["id"]], "reached_female": "3", "reached_male": "4"});
            assert_eq!(app.api_post(&s, &format!("/api/v1/groups/{gid}/sessions"), session).await.status(), 201);
        }

        let period = format!("from={}&to={}", d(-30), d(0));
        let mut seen = std::collections::BTreeSet::new();
        for token in [&s, &w] {
            let api: Value = app.api_get(token, &format!("/api/v1/indicators?{period}")).await.json().await.unwrap();
            for item in api["items"].as_array().unwrap() {
                let code = item["code"].as_str().unwrap();
                let total = item["count"]["total"].as_i64().unwrap();
                if total > 0 {
                    seen.insert(code.to_string());
                }
                let listed: Value = app.api_get(token, &format!("/api/v1/indicators/{code}/records?{period}")).await.json().await.unwrap();
                assert_eq!(weighed(&listed), total, "{code}: {listed}");
                for dim in krousar_domain::indicators::Dimension::ALL {
                    let i = krousar_domain::indicators::Indicator::parse(code).unwrap();
                    if !dim.applies_to(i) {
                        continue;
                    }
                    let by: Value = app.api_get(token, &format!("/api/v1/indicators?{period}&by={}", dim.code())).await.json().await.unwrap();
                    let it = by["items"].as_array().unwrap().iter().find(|x| x["code"] == code).unwrap().clone();
                    let groups = it["groups"].as_array().unwrap();
                    let sum: i64 = groups.iter().map(|g| g["count"]["total"].as_i64().unwrap()).sum();
                    // A child with two services (or a person on two courses) is in two groups.
                    if !matches!(dim, krousar_domain::indicators::Dimension::Service | krousar_domain::indicators::Dimension::Provider | krousar_domain::indicators::Dimension::Course) {
                        assert_eq!(sum, total, "{code} by {}: {it}", dim.code());
                    }
                    for g in groups {
                        let value = serde_urlencoded::to_string([("value", g["value"].as_str().unwrap())]).unwrap();
                        let url = format!("/api/v1/indicators/{code}/records?{period}&by={}&{value}", dim.code());
                        let listed: Value = app.api_get(token, &url).await.json().await.unwrap();
                        assert_eq!(weighed(&listed), g["count"]["total"].as_i64().unwrap(), "{url}");
                    }
                }
            }
        }
        for code in [
            "registered",
            "open_cases",
            "reintegrated",
            "served",
            "referrals_received",
            "carers_enquired",
            "people_trained",
            "caregivers_parenting",
            "group_sessions",
            "people_reached",
        ] {
            assert!(seen.contains(code), "{code} was counted: {seen:?}");
        }
    })
    .await;
}
