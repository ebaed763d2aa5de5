//! A request's time comes from its context, set once by the server's clock (`Config::clock`),
//! never read again by the operation: a server whose clock says it is forty days later accepts
//! a case opened on that day, which the same database's ordinary server refuses as in the
//! future.

use crate::app::{each_db, TestApp};
use krousar_store::audit::{self, AuditFilter};
use serde_json::{json, Value};

/// A second server on the same database whose clock reads `days` later.
async fn server_days_ahead(app: &TestApp, days: i64) -> String {
    let clock = krousar_web::Clock::starting_at(chrono::Utc::now() + chrono::Duration::days(days));
    let config = krousar_web::Config { clock, ..Default::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = krousar_web::router(app.store.clone(), config);
    tokio::spawn(crate::app::serve(listener, router));
    base
}

#[tokio::test]
async fn the_day_of_an_operation_is_the_requests() {
    each_db(|app| async move {
        let token = app.token(&app.worker).await;
        let body = json!({"given_name_latin": "Dara", "family_name_latin": "Keo", "sex": "male", "estimated_birth_year": 2015, "confirmed_new": true});
        let child: Value = app.api_post(&token, "/api/v1/children", body).await.json().await.unwrap();
        let id = child["id"].as_str().unwrap();
        let later = (krousar_domain::today() + chrono::Duration::days(40)).to_string();
        let open = json!({"route": "prevention", "opened_on": later});
        let path = format!("/api/v1/children/{id}/case/open");

        let res = app.api_post(&token, &path, open.clone()).await;
        assert_eq!(res.status(), 422, "forty days ahead is in the future for today's server");

        let ahead = server_days_ahead(&app, 40).await;
        let res = crate::app::client().post(format!("{ahead}{path}")).bearer_auth(&token).json(&open).send().await.unwrap();
        assert_eq!(res.status(), 201, "the same day is today for a server whose clock reads it");

        let f = AuditFilter { record_id: Some(id.to_string()), action: Some("case.open".into()), limit: 5, ..Default::default() };
        let rows = audit::list(&app.store, &f).await.unwrap();
        assert_eq!(rows.len(), 1, "one case opened, by the server ahead");
    })
    .await;
}
