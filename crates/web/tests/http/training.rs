//! The training register through its pages: a course, a session, a person, results checked
//! against the session (nothing before it, no certificate without attendance), the report of
//! people trained with the pre- to post-test improvement, mentoring, and who may see it.

use crate::app::each_db;

#[tokio::test]
async fn people_are_trained_and_counted_by_course_and_sex() {
    each_db(|app| async move {
        let (c, csrf) = app.login("supervisor").await;
        let today = krousar_domain::today();
        let d = |days: i64| (today + chrono::Duration::days(days)).to_string();
        let post = |path: &str, form: Vec<(&str, String)>| {
            let mut f = vec![("_csrf", csrf.clone())];
            f.extend(form);
            let req = c.post(app.url(path)).form(&f);
            async move { req.send().await.unwrap() }
        };
        assert_eq!(post("/training/courses", vec![("title", "Reintegration basics".into())]).await.status(), 422, "modules needed");
        let res = post(
            "/training/courses",
            vec![("title", "Reintegration basics".into()), ("modules", "reintegration".into()), ("modules", "case_management".into())],
        )
        .await;
        assert_eq!(res.status(), 303);
        let actor = app.supervisor.actor();
        let course = app.store.courses(&actor).await.unwrap()[0].id;
        let session = |from: i64, to: i64| {
            vec![
                ("course_id", course.to_string()),
                ("starts_on", d(from)),
                ("ends_on", d(to)),
                ("place", "Battambang".into()),
                ("trainer", "MoSVY".into()),
            ]
        };
        let past = post("/training/sessions", session(-10, -8)).await;
        assert_eq!(past.status(), 303);
        let past_url = past.headers()["location"].to_str().unwrap().to_string();
        let future_url = post("/training/sessions", session(5, 6)).await.headers()["location"].to_str().unwrap().to_string();
        let person = vec![
            ("name", "Keo Sophea".to_string()),
            ("sex", "female".into()),
            ("role", "para_social_worker".into()),
            ("province", "02".into()),
        ];
        assert_eq!(post("/training/people", person).await.status(), 303);
        let who = app.store.trainees(&actor).await.unwrap()[0].id.to_string();

        let result = |attended: bool, pre: &str, post_: &str, cert: bool| {
            let mut f = vec![("trainee_id", who.clone()), ("pre_score", pre.to_string()), ("post_score", post_.to_string())];
            if attended {
                f.push(("attended", "1".into()));
            }
            if cert {
                f.push(("certificate", "1".into()));
            }
            f
        };
        let res = post(&format!("{future_url}/participants"), result(true, "40", "", false)).await;
        assert_eq!(res.status(), 422, "the session has not happened");
        assert!(res.text().await.unwrap().contains("has not started"));
        assert_eq!(
            post(&format!("{past_url}/participants"), result(false, "40", "70", true)).await.status(),
            422,
            "no certificate without attendance"
        );
        assert_eq!(post(&format!("{past_url}/participants"), result(true, "40", "170", true)).await.status(), 422);
        assert_eq!(post(&format!("{past_url}/participants"), result(true, "40", "70", true)).await.status(), 303);

        let report = c.get(app.url("/training?by=course")).send().await.unwrap().text().await.unwrap();
        assert!(report.contains("Reintegration basics") && report.contains("1 (1F)") && report.contains("+30.0 points"), "{report}");
        let by_province = c.get(app.url("/training?by=province")).send().await.unwrap().text().await.unwrap();
        assert!(by_province.contains("Battambang"));

        assert_eq!(
            post(&format!("/training/people/{who}/mentoring"), vec![("on", d(0)), ("mentor", "Sreymom".into())]).await.status(),
            422
        );
        assert_eq!(
            post(
                &format!("/training/people/{who}/mentoring"),
                vec![("on", d(0)), ("mentor", "Sreymom".into()), ("topic", "First home visits".into())]
            )
            .await
            .status(),
            303
        );
        let page = c.get(app.url(&format!("/training/people/{who}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("First home visits"));

        // The same through the API, with the same checks.
        let t = app.token(&app.supervisor).await;
        let res =
            app.api_post(&t, "/api/v1/training/course", serde_json::json!({"title": "Foster care", "modules": ["foster_care"]})).await;
        assert_eq!(res.status(), 201);
        let future = future_url.rsplit('/').next().unwrap();
        let res = app
            .api_post(&t, &format!("/api/v1/training/participant/{future}"), serde_json::json!({"trainee_id": who, "attended": true}))
            .await;
        assert_eq!(res.status(), 422, "the session has not happened");
        let report: serde_json::Value = app.api_get(&t, "/api/v1/training/report?by=sex").await.json().await.unwrap();
        assert_eq!(report["items"][0]["key"], "female");
        let wt = app.token(&app.worker).await;
        assert_eq!(
            app.api_post(&wt, "/api/v1/training/course", serde_json::json!({"title": "x", "modules": ["foster_care"]})).await.status(),
            403
        );

        let (w, _) = app.login("worker").await;
        assert_eq!(w.get(app.url("/training")).send().await.unwrap().status(), 403);
        assert_eq!(w.get(app.url(&past_url)).send().await.unwrap().status(), 403);
    })
    .await;
}
