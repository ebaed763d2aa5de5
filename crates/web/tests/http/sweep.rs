//! The leak sweep, over every route the server answers (`krousar_web::routes()`, from the same
//! table that builds the router). One organisation's child has a case, a note, a risk
//! assessment, a task, an approval, a file, a household, sensitive health, a stay in an
//! institution, a referral, a referral to an outside partner, an export and a saved search.
//!
//! 1. Every role of another organisation, and the ministry, sends every route — reads and
//!    writes, each path parameter set to the victim's record — and sees nothing of the child; a
//!    path naming one of the victim's records never succeeds; the victim's data is unchanged and
//!    the audit shows refusals, no write.
//! 2. The child is referred to that organisation with consent to share identity only, and
//!    accepted: its people send every route again and see the child's name, never what the
//!    consent does not cover.
//!
//! A route with a parameter the sweep does not know fails the test until it is added to
//! `substitution` below: a new route cannot escape the sweep.

use crate::app::{child_json, client, each_db, TestApp, PASSWORD};
use krousar_domain::choices::OrgKind;
use krousar_domain::Role;
use krousar_store::audit::{list as audit_list, AuditFilter};
use krousar_store::Who;
use krousar_web::commands::case::CaseForm;
use krousar_web::route_table::Route;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[path = "sweep_victim.rs"]
mod victim_setup;
use victim_setup::victim;

/// A one-pixel PNG, with the file's own marker after its end (still a PNG to the sniffer).
fn png() -> Vec<u8> {
    let mut png = vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63,
        0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60,
        0x82,
    ];
    png.extend_from_slice(FILE_BYTES.as_bytes());
    png
}

const NOTE: &str = "SECRET-NOTE-42";
const SAFETY: &str = "SAFEHOUSE-77";
const HEALTH: &str = "SENSITIVE-HEALTH-9";
const HOUSEHOLD: &str = "Zetafamily";
const FILE_NAME: &str = "ATTNAME-58.png";
const FILE_BYTES: &str = "ATTBYTES-31";
const RISK: &str = "RISKREASON-63";
const TASK: &str = "TASKTITLE-27";
/// A flag's reason (read only by who reads the case summary).
pub const FLAG: &str = "FLAGREASON-81";
/// An answer to the victim organisation's own form.
const FORM_ANSWER: &str = "FORMANSWER-19";
/// An answer to a form on the child's own record.
const RECORD_ANSWER: &str = "RECORDANSWER-23";
/// The victim organisation's second child (the other side of a duplicate, referred outside).
const SECOND: &str = "Yvannakmarker";

/// Routes the sweep does not send, each with why. Reviewed with every change to this list.
const NOT_SWEPT: &[(&str, &str, &str)] = &[
    ("POST", "/logout", "ends the sweeper's own session; names no record and shows nothing"),
    ("POST", "/account/sessions/end", "ends every session of the sweeper's own account; names no record and shows nothing"),
];

/// Query strings a route is also requested with, where the answer depends on them.
const QUERIES: &[(&str, &[&str])] = &[
    ("/children", &["q=xsreypech", "q=qvandara"]),
    ("/children/export", &["format=csv", "format=csv&q=xsreypech"]),
    ("/households", &["q=zetafamily"]),
    ("/figures", &["by=org"]),
    ("/indicators", &["by=province"]),
    ("/indicators/{code}", &["reach=national"]),
    ("/reports/quarterly", &["format=html"]),
    ("/children/{id}/case/forms/{n}", &["format=html"]),
    ("/admin/forms/{id}/answers", &["format=csv"]),
    ("/referrals/external/{id}/form", &["format=html"]),
    ("/api/v1/children", &["q=xsreypech", "limit=200"]),
    ("/api/v1/households", &["q=zetafamily"]),
];

/// The victim organisation's records, by what a path parameter names.
#[derive(Clone)]
struct Victim {
    child: String,
    second: String,
    household: String,
    file: String,
    approval: String,
    task: String,
    referral: String,
    external: String,
    rci: String,
    /// The child's stay in that institution.
    stay: String,
    export: String,
    saved: String,
    worker: String,
    flag: String,
    /// The organisation's own form, answered on the child's case.
    form: String,
    /// The child's and its sensitive record's versions, so that a write is refused by the
    /// permission, not as stale.
    version: i64,
    sensitive_version: i64,
}

impl Victim {
    /// Ids whose records another organisation must never read or change.
    fn ids(&self) -> Vec<&str> {
        vec![
            &self.child,
            &self.second,
            &self.household,
            &self.file,
            &self.approval,
            &self.task,
            &self.referral,
            &self.external,
            &self.rci,
            &self.stay,
            &self.export,
            &self.saved,
            &self.worker,
            &self.flag,
            &self.form,
        ]
    }

    /// Ids no path may answer for: all of them but the institution, which is in the national
    /// register every organisation reads (what it shows is still checked for the markers, and
    /// that nothing of it changes).
    fn closed(&self) -> Vec<&str> {
        self.ids().into_iter().filter(|id| *id != self.rci).collect()
    }
}

enum Sub {
    /// The values the parameter is set to (the victim's record, or each meaningful word).
    Values(Vec<String>),
    /// Names nothing of a child: a fresh id, with the reason why that is enough.
    Unrelated(&'static str),
}

/// What each path parameter is set to, by the literal segment before it and its name.
/// A parameter missing here fails the sweep with the route's name.
fn substitution(key: &str, v: &Victim) -> Option<Sub> {
    let one = |s: &String| Some(Sub::Values(vec![s.clone()]));
    let words = |w: &[&str]| Some(Sub::Values(w.iter().map(|s| s.to_string()).collect()));
    match key {
        "children/{id}" => one(&v.child),
        "duplicates/{other}" => one(&v.second),
        "duplicates/{what}" => words(&["different", "merge"]),
        "approvals/{approval}" => one(&v.approval),
        "tasks/{task}" => one(&v.task),
        "flags/{flag}" => one(&v.flag),
        "attachments/{file}" => one(&v.file),
        "case/{form}" => Some(Sub::Values(CaseForm::ALL.iter().map(|f| f.code().to_string()).collect())),
        "forms/{n}" => words(&["1", "2", "3", "4", "5", "6"]),
        "households/{id}" => one(&v.household),
        "referrals/{id}" => one(&v.referral),
        "referrals/{action}" => words(&["accept", "decline", "withdraw"]),
        "external/{id}" => one(&v.external),
        "rcis/{id}" => one(&v.rci),
        "rcis/{what}" => words(&["stage", "inspections", "staff"]),
        "stays/{stay}" | "residences/{stay}" => one(&v.stay),
        "exports/{id}" => one(&v.export),
        "saved/{id}" => one(&v.saved),
        "users/{id}" => one(&v.worker),
        "indicators/{code}" => words(&["registered"]),
        "tool/{tool}" => Some(Sub::Unrelated("an organisation's assessment tool; the child in the same path is the victim's")),
        "tools/{id}" => Some(Sub::Unrelated("an organisation's assessment tool: no child data")),
        "forms/{id}" | "shared-forms/{id}" | "shared/{id}" => one(&v.form),
        "fields/{code}" => Some(Sub::Unrelated("a field of an organisation's own form: no child data")),
        "fields/{action}" => words(&["up", "down", "remove"]),
        "custom/{form}" | "forms/{form}" => one(&v.form),
        "match-requests/{id}" => Some(Sub::Unrelated("a match request is answered by the organisation asked (duplicates tests)")),
        "carers/{id}" | "carers/{carer}" => Some(Sub::Unrelated("a foster carer: no child is placed with one here")),
        "sessions/{id}" | "people/{id}" | "training/{what}" | "training/{id}" => Some(Sub::Unrelated("staff training: no child data")),
        "documents/{doc}" => Some(Sub::Unrelated("an institution's transition document: no child data")),
        "tokens/{token}" | "tokens/{id}" => Some(Sub::Unrelated("an API token: no child data")),
        "teams/{id}" => Some(Sub::Unrelated("a team: no child data")),
        "import/{id}" => Some(Sub::Unrelated("an import is read by its own organisation's administrators (imports tests)")),
        "devices/{id}" => Some(Sub::Unrelated("a user's device: no child data")),
        "conflicts/{id}" => Some(Sub::Unrelated("a sync conflict of the user's own device")),
        "photos/{change}" => Some(Sub::Unrelated("a photo upload of the user's own device")),
        "distributions/{id}" => Some(Sub::Unrelated("a distribution list of households, its organisation's only (distributions tests)")),
        "groups/{id}" | "members/{member}" | "sessions/{session}" => {
            Some(Sub::Unrelated("a community group belongs to its organisation; another's is not found (groups tests)"))
        }
        "inquiries/{id}" => Some(Sub::Unrelated("a family's search belongs to the office that recorded it (inquiries tests)")),
        "incoming/{id}" => Some(Sub::Unrelated("a match is answered only by the organisation it names (inquiries tests)")),
        "notifications/{id}" => Some(Sub::Unrelated("a notice is its recipient's alone and names no child (notifications tests)")),
        "calendar/{secret}" => Some(Sub::Unrelated("a calendar feed's secret address: a fresh one is not found (notifications tests)")),
        _ => None,
    }
}

/// Every concrete path of a route: each parameter substituted, then each extra query.
fn paths_of(route: &Route, v: &Victim) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut prev = "";
    for seg in route.path.split('/').skip(1) {
        let options = match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let key = format!("{prev}/{{{name}}}");
                match substitution(&key, v) {
                    Some(Sub::Values(values)) => values,
                    Some(Sub::Unrelated(why)) => {
                        assert!(!why.is_empty(), "{key}: say why a fresh id is enough");
                        vec![uuid::Uuid::now_v7().to_string()]
                    }
                    None => {
                        return Err(format!(
                            "route {} {} has a parameter the sweep does not cover ({key}): add it to `substitution` in sweep.rs",
                            route.method, route.path
                        ))
                    }
                }
            }
            None => {
                prev = seg;
                vec![seg.to_string()]
            }
        };
        out = out.iter().flat_map(|p| options.iter().map(move |o| format!("{p}/{o}"))).collect();
    }
    let extra: Vec<String> = QUERIES
        .iter()
        .filter(|(p, _)| *p == route.path && route.method == Method::GET)
        .flat_map(|(_, qs)| qs.iter())
        .flat_map(|q| out.iter().map(move |p| format!("{p}?{q}")))
        .collect();
    out.extend(extra);
    Ok(out)
}

/// A file upload route: sent a real file, so that a refusal is the permission's, not the body's.
fn is_upload(path: &str) -> bool {
    path.ends_with("/attachments") || path.ends_with("/documents") || path.ends_with("/photo") || path == "/admin/import"
}

fn upload_form(csrf: Option<&str>) -> reqwest::multipart::Form {
    let form = reqwest::multipart::Form::new();
    let form = match csrf {
        Some(c) => form.text("_csrf", c.to_string()),
        None => form,
    };
    form.part("file", reqwest::multipart::Part::bytes(png()).file_name("sweep.png"))
}

/// The body of a write: a valid one where the route's refusal must come from the permission
/// (the victim's data stays unchanged only if it does), else an empty one.
fn body_for(route: &str, s: &Sweeper, v: &Victim) -> Value {
    let today = krousar_domain::today().to_string();
    let route = route.trim_start_matches("/api/v1");
    match route {
        "/children/{id}/assign" => json!({"worker": s.id}),
        "/children/{id}/co-worker" => json!({"co_worker": s.id}),
        "/children/{id}/households" => json!({"household": v.household}),
        "/children/{id}/case/{form}" => json!({"kind": "phone", "noted_on": today, "text": "SWEEP-WRITE"}),
        "/children/{id}" => json!({"version": v.version, "nickname": "SWEEP-WRITE"}),
        "/children/{id}/sensitive" => json!({"version": v.sensitive_version, "health": "SWEEP-WRITE"}),
        "/children/{id}/flags" => json!({"kind": "safety", "reason": "SWEEP-WRITE"}),
        "/children/{id}/flags/{flag}/remove" => json!({"reason": "SWEEP-WRITE"}),
        "/children/{id}/case/approvals" | "/children/{id}/case/request" => json!({"kind": "assessment"}),
        "/children/{id}/case/approvals/{approval}" => json!({"decision": "approve"}),
        "/children/{id}/case/tasks/{task}/done" => json!({"done_on": today}),
        "/referrals/{id}/{action}" => json!({"reason": "SWEEP-WRITE"}),
        "/children/{id}/stays" | "/children/{id}/stays/{stay}" => json!({"rci_id": v.rci, "entered": "2019-05-01", "left": "2019-06-01"}),
        // The page's correction also names the stay as its form showed it; refused by the
        // permission before that is compared.
        "/children/{id}/residences/{stay}" => json!({"rci_id": v.rci, "entered": "2019-05-01", "left": "2019-06-01", "seen": "sweep"}),
        "/users/{id}/team" => json!({"team_id": null}),
        "/children/{id}/referrals" | "/children/{id}/referral" => json!({
            "to_org": s.org, "kind": "transfer", "services": "Health care", "reason": "SWEEP-WRITE", "urgency": "normal",
            "consent_by": "child", "consent_on": today, "shares": ["identity"]
        }),
        _ => json!({}),
    }
}

struct Sweeper {
    name: String,
    role: Role,
    page: reqwest::Client,
    csrf: String,
    api: reqwest::Client,
    token: String,
    id: String,
    org: String,
}

impl Sweeper {
    async fn new(app: &TestApp, user: &krousar_store::accounts::User) -> Sweeper {
        let (page, csrf) = app.login(&user.username).await;
        Sweeper {
            name: user.username.clone(),
            role: user.role,
            page,
            csrf,
            api: client(),
            token: app.token(user).await,
            id: user.id.to_string(),
            org: user.org_id.to_string(),
        }
    }

    /// Send one request as a browser (pages, with the session's CSRF token) or as an API
    /// client (bearer token); the answer's status and everything it shows, headers included.
    async fn send(&self, app: &TestApp, method: &Method, route: &str, path: &str, v: &Victim) -> (u16, String) {
        let body = body_for(route, self, v);
        let url = app.url(path);
        let write = *method != Method::GET;
        let req = if path.starts_with("/api/") {
            let r = self.api.request(method.clone(), url).bearer_auth(&self.token);
            match (write, is_upload(path)) {
                (false, _) => r,
                (true, true) => r.multipart(upload_form(None)),
                (true, false) => r.json(&body),
            }
        } else {
            let r = self.page.request(method.clone(), url);
            match (write, is_upload(path)) {
                (false, _) => r,
                (true, true) => r.multipart(upload_form(Some(&self.csrf))),
                (true, false) => {
                    let mut form = vec![("_csrf".to_string(), self.csrf.clone())];
                    for (k, val) in body.as_object().unwrap() {
                        match val {
                            Value::Array(items) => form.extend(items.iter().map(|i| (k.clone(), i.as_str().unwrap().to_string()))),
                            Value::String(t) => form.push((k.clone(), t.clone())),
                            other => form.push((k.clone(), other.to_string())),
                        }
                    }
                    r.form(&form)
                }
            }
        };
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let mut shown: String = res.headers().iter().map(|(k, v)| format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes()))).collect();
        shown.push_str(&String::from_utf8_lossy(&res.bytes().await.unwrap()));
        (status, shown)
    }
}

/// Every route of the server as concrete requests, checked against the allow-list.
fn requests(v: &Victim) -> Vec<(Method, String, String)> {
    let routes = krousar_web::routes();
    for (m, p, _) in NOT_SWEPT {
        assert!(routes.iter().any(|r| r.method.as_str() == *m && r.path == *p), "NOT_SWEPT lists {m} {p}, which is no route");
    }
    for (p, _) in QUERIES {
        assert!(routes.iter().any(|r| r.path == *p), "QUERIES lists {p}, which is no route");
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut uncovered = Vec::new();
    for r in &routes {
        assert!(seen.insert((r.method.to_string(), r.path.clone())), "route {} {} registered twice", r.method, r.path);
        if NOT_SWEPT.iter().any(|(m, p, _)| r.method.as_str() == *m && r.path == *p) {
            continue;
        }
        match paths_of(r, v) {
            Ok(paths) => out.extend(paths.into_iter().map(|p| (r.method.clone(), r.path.clone(), p))),
            Err(e) => uncovered.push(e),
        }
    }
    assert!(uncovered.is_empty(), "{}", uncovered.join("\n"));
    // Reads first: a write refused must not change what a later read shows, and reads should
    // run against the victim's data as it was set up.
    out.sort_by_key(|(m, _, _)| *m != Method::GET);
    out
}

/// One sweep: every sweeper sends every request; returns what was found, and how many answers
/// showed `shown` (what the sweepers may read: the sweep must reach the data to mean anything).
async fn sweep(
    app: &TestApp,
    sweepers: &[Sweeper],
    reqs: &[(Method, String, String)],
    markers: &[&str],
    closed: &[&str],
    shown_ok: &str,
    v: &Victim,
) -> (Vec<String>, usize) {
    let (mut found, mut reached) = (Vec::new(), 0);
    for s in sweepers {
        for (method, route, path) in reqs {
            let (status, shown) = s.send(app, method, route, path, v).await;
            reached += usize::from(shown.contains(shown_ok));
            for m in markers {
                if shown.contains(m) {
                    found.push(format!("{} ({:?}) sees {m} at {method} {path} (route {route}, status {status})", s.name, s.role));
                }
            }
            let names_closed = closed.iter().any(|id| path.contains(id));
            let succeeded = if *method == Method::GET { status == 200 } else { (200..400).contains(&status) };
            if names_closed && succeeded {
                found.push(format!("{} ({:?}) got {status} for {method} {path} (route {route})", s.name, s.role));
            }
            assert!(status < 500, "{} got {status} for {method} {path}", s.name);
            // The list is what the router serves: a listed method is never "not allowed".
            assert_ne!(status, 405, "{method} {path} is listed but not served");
        }
    }
    (found, reached)
}

/// The victim's data as its own worker reads it: compared before and after a sweep.
async fn snapshot(app: &TestApp, token: &str, v: &Victim) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/children/{}", v.child),
        format!("/api/v1/children/{}/case", v.child),
        format!("/api/v1/children/{}/sensitive", v.child),
        format!("/api/v1/children/{}/cash", v.child),
        format!("/api/v1/children/{}", v.second),
        format!("/api/v1/households/{}", v.household),
        format!("/api/v1/rcis/{}/transition", v.rci),
        format!("/api/v1/rcis/{}", v.rci),
        format!("/api/v1/children/{}/stays", v.child),
        "/api/v1/referrals".to_string(),
    ] {
        let res = app.api_get(token, &path).await;
        out.push(format!("{path} {} {}", res.status(), res.text().await.unwrap()));
    }
    out
}

/// The newest audit entry's number: what the sweepers did comes after it.
async fn audit_head(app: &TestApp) -> i64 {
    audit_list(&app.store, &AuditFilter { limit: 1, ..Default::default() }).await.unwrap()[0].seq
}

/// Audit entries by the sweepers about the victim's records since `since`: refusals and reads
/// only (a duplicate check is a read; its entry names the record it matched).
async fn writes_by(app: &TestApp, sweepers: &[Sweeper], v: &Victim, since: i64) -> (Vec<String>, usize) {
    let ids = v.ids();
    let (mut writes, mut denied) = (Vec::new(), 0);
    for s in sweepers {
        let f = AuditFilter { actor_id: Some(s.id.parse().unwrap()), limit: 100_000, ..Default::default() };
        for e in audit_list(&app.store, &f).await.unwrap() {
            if e.seq <= since || !e.record_id.as_deref().is_some_and(|r| ids.contains(&r)) {
                continue;
            }
            if e.action == "access.denied" {
                denied += 1;
            } else if !(e.action.ends_with("view") || e.action.ends_with("viewed") || e.action == "child.duplicate_check") {
                writes.push(format!("{} ({:?}) wrote {} on {} {:?}", s.name, s.role, e.action, e.record_type, e.record_id));
            }
        }
    }
    (writes, denied)
}

#[tokio::test]
async fn no_route_shows_another_organisations_child_or_more_than_its_consent() {
    each_db(|app| async move {
        let started = std::time::Instant::now();
        let w = app.token(&app.worker).await;
        let (mut v, case_number) = victim(&app, &w).await;

        // Every role of another organisation, and the ministry.
        let hash = krousar_web::auth::hash_password(PASSWORD).unwrap();
        let other = app.other_worker.org_id;
        let ministry = app.store.create_org(Who::system(), "MoSVY", OrgKind::Ministry).await.unwrap();
        let mut users = vec![app.other_worker.clone()];
        for (name, role, org) in [
            ("osup", Role::Supervisor, other),
            ("omgr", Role::Manager, other),
            ("oadmin", Role::OrgAdmin, other),
            ("ointake", Role::Intake, other),
            ("mosvy", Role::Ministry, ministry.id),
        ] {
            users.push(app.store.create_user(Who::system(), org, None, name, name, role, &hash, "en").await.unwrap());
        }
        let mut sweepers = Vec::new();
        for u in &users {
            sweepers.push(Sweeper::new(&app, u).await);
        }

        // 1. No relation to the child: nothing of it anywhere, nothing changed.
        let reqs = requests(&v);
        let markers =
            ["Xsreypech", "Qvandara", "ស្រីពេជ្រ", &case_number, SECOND, NOTE, SAFETY, HEALTH, HOUSEHOLD, FILE_NAME, FILE_BYTES, RISK, TASK, FLAG, FORM_ANSWER, RECORD_ANSWER];
        let before = snapshot(&app, &w, &v).await;
        let since = audit_head(&app).await;
        let (mut found, _) = sweep(&app, &sweepers, &reqs, &markers, &v.closed(), "", &v).await;
        // A duplicate check learns only where the child is known.
        for s in &sweepers {
            let probe =
                json!({"given_name_latin": "Xsreypech", "family_name_latin": "Qvandara", "sex": "female", "date_of_birth": "2015-03-02"});
            let res = app.api_post(&s.token, "/api/v1/children/duplicate-check", probe).await;
            let body = res.text().await.unwrap();
            for m in markers.iter().chain([&v.child.as_str()]) {
                if body.contains(m) {
                    found.push(format!("{} ({:?}) sees {m} through a duplicate check", s.name, s.role));
                }
            }
        }
        let after = snapshot(&app, &w, &v).await;
        for (b, a) in before.iter().zip(&after) {
            if b != a {
                found.push(format!("the victim's data changed during the sweep:\nbefore {b}\nafter  {a}"));
            }
        }
        let (writes, denied) = writes_by(&app, &sweepers, &v, since).await;
        found.extend(writes);
        assert!(denied > 0, "the refusals are audited");
        assert!(found.is_empty(), "{} leaks without any relation:\n{}", found.len(), found.join("\n"));
        eprintln!("sweep 1: {} requests by {} users in {:?}", reqs.len(), sweepers.len(), started.elapsed());

        // The owner does see all of it (the sweep can fail).
        let own = app.api_get(&w, &format!("/api/v1/children/{}/case", v.child)).await.text().await.unwrap();
        assert!(own.contains(NOTE) && own.contains(SAFETY) && own.contains(TASK) && own.contains(RISK), "{own}");
        let own_record = app.api_get(&w, &format!("/api/v1/children/{}/forms", v.child)).await.text().await.unwrap();
        assert!(own_record.contains(RECORD_ANSWER) && own.contains(FORM_ANSWER), "{own_record}");
        let bytes = app.api_get(&w, &format!("/api/v1/children/{}/case/attachments/{}", v.child, v.file)).await;
        assert!(bytes.headers()["content-disposition"].to_str().unwrap().contains(FILE_NAME));
        assert!(String::from_utf8_lossy(&bytes.bytes().await.unwrap()).contains(FILE_BYTES));
        assert!(snapshot(&app, &w, &v).await.join("").contains(HOUSEHOLD) && before.join("").contains(HEALTH));

        // 2. Referred with consent to share identity only, and accepted: the child's name, never
        //    what the consent leaves out.
        let (c, csrf) = app.login("worker").await;
        assert_eq!(c.post(app.url(&format!("/referrals/{}/withdraw", v.referral))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap().status(), 303);
        let today = krousar_domain::today().to_string();
        let body = json!({"to_org": other, "services": "Health care", "reason": "Clinic nearby", "consent_by": "child", "consent_on": today, "shares": ["identity"]});
        assert_eq!(app.api_post(&w, &format!("/api/v1/children/{}/referrals", v.child), body).await.status(), 201);
        let boss = &sweepers[1];
        let theirs: Value = app.api_get(&boss.token, "/api/v1/referrals").await.json().await.unwrap();
        let rid = theirs["items"].as_array().unwrap().iter().find(|r| r["child_id"] == v.child.as_str()).unwrap()["id"].as_str().unwrap().to_string();
        let res = app.api_post(&boss.token, &format!("/api/v1/referrals/{rid}/accept"), json!({})).await;
        assert!(res.status().is_success(), "accepted: {}", res.status());
        assert_eq!(app.api_get(&boss.token, &format!("/api/v1/children/{}", v.child)).await.status(), 200, "the receiver reads the child");
        v.referral = rid;
        let receivers: Vec<Sweeper> = sweepers.into_iter().filter(|s| s.role != Role::Ministry).collect();
        let reqs = requests(&v);
        let uncovered = [SECOND, NOTE, SAFETY, HEALTH, HOUSEHOLD, FILE_NAME, FILE_BYTES, RISK, TASK, FLAG, FORM_ANSWER, RECORD_ANSWER];
        let before = snapshot(&app, &w, &v).await;
        let closed =
            [v.household.as_str(), v.file.as_str(), v.external.as_str(), v.second.as_str(), v.export.as_str(), v.saved.as_str(), v.stay.as_str()];
        let since = audit_head(&app).await;
        let (mut found, reached) = sweep(&app, &receivers, &reqs, &uncovered, &closed, "Xsreypech", &v).await;
        assert!(reached > 0, "the receivers read the child's name somewhere");
        let after = snapshot(&app, &w, &v).await;
        for (b, a) in before.iter().zip(&after) {
            if b != a {
                found.push(format!("the victim's data changed during the receivers' sweep:\nbefore {b}\nafter  {a}"));
            }
        }
        found.extend(writes_by(&app, &receivers, &v, since).await.0);
        eprintln!("sweep 2: {} requests by {} users, {:?} in all", reqs.len(), receivers.len(), started.elapsed());
        assert!(found.is_empty(), "{} leaks beyond an identity-only consent:\n{}", found.len(), found.join("\n"));
    })
    .await;
}
