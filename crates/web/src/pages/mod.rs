//! Server-rendered pages. Each works without JavaScript; `static/app.js` only adds type-ahead.

mod account;
mod admin;
mod audit;
mod audit_words;
mod carer_campaigns;
mod carer_match;
mod carers;
pub(crate) mod case;
mod case_settings;
pub(crate) mod cash;
mod check;
mod child_form;
mod children;
pub(crate) mod conflicts;
mod dashboard;
mod devices;
pub(crate) mod distributions;
mod duplicate_scan;
pub(crate) mod groups;
pub use duplicate_scan::SHOWN as DUPLICATE_PAIRS_SHOWN;
mod duplicates;
mod export;
mod export_jobs;
mod figures;
pub(crate) mod flags;
pub(crate) mod form;
mod forms;
mod home;
mod households;
mod imports;
pub(crate) mod indicator_view;
mod indicators;
mod inquiries;
mod notices;
pub use notices::line as notice_line;
mod offline;
pub(crate) mod photos;
mod place;
mod quality;
mod rci_partner;
pub(crate) mod rci_pick;
pub(crate) mod rci_transition;
mod rcis;
mod referrals;
mod reports;
mod residences;
mod sensitive;
pub(crate) mod session;
mod team_tree;
mod teams;
pub(crate) mod training;

use crate::route_table::{get, post, RouteTable};
use crate::AppState;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

pub fn routes() -> RouteTable<AppState> {
    RouteTable::new()
        .route("/", get(home::home))
        .route("/todo", get(home::todo))
        .route("/login", get(session::login_page).post(session::login))
        .route("/readyz", get(crate::ops::readyz))
        .route("/metrics", get(crate::metrics_page::page))
        .route("/login/totp", get(session::totp_page).post(session::totp))
        .route("/logout", post(session::logout))
        .route("/lang", post(session::switch_language))
        .route("/children", get(children::list).post(child_form::create))
        .route("/children/new", get(child_form::new))
        .route("/children/export", get(export::children))
        .route("/quality", get(quality::page))
        .route("/indicators", get(indicators::page))
        .route("/indicators/{code}", get(indicators::records))
        .route("/reports/quarterly", get(reports::quarterly))
        .route("/dashboard", get(dashboard::page))
        .route("/exports", get(export_jobs::list))
        .route("/exports/{id}", get(export_jobs::show))
        .route("/exports/{id}/file", get(export_jobs::file))
        .route("/children/saved", post(children::save_search))
        .route("/children/saved/{id}/delete", post(children::delete_search))
        .route("/children/{id}", get(children::show).post(child_form::update))
        .route("/children/{id}/edit", get(child_form::edit))
        .route("/children/{id}/sensitive", get(sensitive::show).post(sensitive::save))
        .route("/children/{id}/flags", get(flags::show).post(flags::raise))
        .route(
            "/children/{id}/photo",
            get(photos::child_photo)
                .post(photos::set_child_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route(
            "/carers/{id}/photo",
            get(photos::carer_photo)
                .post(photos::set_carer_photo)
                .layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/children/{id}/flags/{flag}/remove", post(flags::remove))
        .route("/children/{id}/duplicates", get(duplicates::of_child))
        .route("/children/{id}/duplicates/{other}/{what}", post(duplicates::resolve))
        .route("/children/{id}/match-requests", post(duplicates::ask))
        .route("/match-requests/{id}/answer", post(referrals::answer_match))
        .route("/children/{id}/assign", post(children::assign))
        .route("/children/{id}/co-worker", post(children::co_worker))
        .route("/children/{id}/residences", post(residences::add))
        .route("/children/{id}/residences/new", get(residences::new))
        .route("/children/{id}/residences/{stay}", post(residences::update))
        .route("/children/{id}/residences/{stay}/edit", get(residences::edit))
        .route("/children/{id}/households", post(children::link_household))
        .route("/children/{id}/case", get(case::show))
        .route("/children/{id}/case/request", post(case::request))
        .route("/children/{id}/case/approvals/{approval}", post(case::decide))
        .route("/children/{id}/case/tasks/{task}/done", post(case::task_done))
        .route(
            "/children/{id}/case/attachments",
            post(case::upload).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/children/{id}/case/attachments/{file}", get(case::attachment))
        .route("/children/{id}/case/{form}", get(case::form_page).post(case::form_post))
        .route("/children/{id}/case/forms/{n}", get(case::ministry::print))
        .route("/children/{id}/case/tool/{tool}", get(case::tool::form).post(case::tool::save))
        .route("/admin/case-settings", get(case_settings::show).post(case_settings::save))
        .route("/admin/tools", post(case_settings::create_tool))
        .route("/admin/forms", get(forms::builder::list).post(forms::builder::create))
        .route("/admin/forms/{id}", get(forms::builder::show))
        .route("/admin/forms/{id}/fields", post(forms::builder::add_field))
        .route("/admin/forms/{id}/fields/{code}", get(forms::builder::field).post(forms::builder::change_field))
        .route("/admin/forms/{id}/fields/{code}/{action}", post(forms::builder::field_action))
        .route("/admin/forms/{id}/publish", post(forms::builder::publish))
        .route("/admin/forms/{id}/active", post(forms::builder::set_active))
        .route("/admin/forms/{id}/report", get(forms::report::show))
        .route("/admin/forms/{id}/report/records", get(forms::report_records::show))
        .route("/admin/forms/{id}/answers", get(forms::report::export))
        .route("/admin/forms/{id}/answers/template", get(forms::answers_import::template))
        .route(
            "/admin/forms/{id}/answers/import",
            get(forms::answers_import::show)
                .post(forms::answers_import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/admin/forms/{id}/definition", get(forms::sharing::download))
        .route("/admin/forms/{id}/share", post(forms::sharing::share))
        .route("/admin/forms/{id}/registration", post(forms::sharing::registration))
        .route(
            "/admin/forms/import",
            post(forms::sharing::import).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/admin/shared-forms/{id}", get(forms::sharing::show))
        .route("/admin/shared-forms/{id}/adopt", post(forms::sharing::adopt))
        .route("/children/{id}/case/custom/{form}", get(forms::answer::show).post(forms::answer::save))
        .route(
            "/children/{id}/case/custom/{form}/files",
            post(forms::answer::save_with_files).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/children/{id}/forms/{form}", get(forms::answer::show).post(forms::answer::save))
        .route("/households/{id}/forms/{form}", get(forms::answer::household_show).post(forms::answer::household_save))
        .route("/carers/{id}/forms/{form}", get(forms::answer::carer_show).post(forms::answer::carer_save))
        .route("/admin/tools/{id}/active", post(case_settings::tool_active))
        .route("/admin/tools/{id}/form", post(case_settings::tool_to_form))
        .route("/team", get(case::team))
        .route("/duplicates", get(duplicate_scan::page))
        .route("/duplicates/scan", post(duplicate_scan::start))
        .route("/children/{id}/referral", get(referrals::new).post(referrals::send))
        .route("/referrals", get(referrals::inbox))
        .route("/figures", get(figures::page))
        .route("/referrals/{id}/{action}", post(referrals::decide))
        .route("/referrals/external/{id}/form", get(case::ministry::external_referral))
        .route("/referrals/external/{id}/outcome", post(referrals::external_outcome))
        .route("/carers", get(carers::list).post(carers::create))
        .route("/carers/new", get(carers::new))
        .route("/carers/campaigns", get(carer_campaigns::list).post(carer_campaigns::create))
        .route("/carers/{id}", get(carers::show))
        .route("/carers/{id}/steps", post(carers::step))
        .route("/carers/{id}/worker", post(carers::assign))
        .route("/children/{id}/carers", get(carer_match::show))
        .route("/children/{id}/carers/{carer}/place", post(carer_match::place))
        .route("/children/{id}/cash", get(cash::show).post(cash::save))
        .route("/cash", get(cash::report))
        .route("/training", get(training::show))
        .route("/training/courses", post(training::add_course))
        .route("/training/sessions", post(training::add_session))
        .route("/training/sessions/{id}", get(training::session))
        .route("/training/sessions/{id}/participants", post(training::participant))
        .route("/training/people", post(training::add_trainee))
        .route("/training/people/{id}", get(training::person))
        .route("/training/people/{id}/mentoring", post(training::mentoring))
        .route("/households", get(households::list).post(households::create))
        .route("/households/new", get(households::new))
        .route("/households/{id}", get(households::show).post(households::update))
        .route("/households/{id}/edit", get(households::edit))
        .route("/rcis", get(rcis::list).post(rcis::create))
        .route("/rcis/new", get(rcis::new))
        .route("/rcis/{id}", get(rcis::show).post(rcis::update))
        .route("/rcis/{id}/edit", get(rcis::edit))
        .route("/rcis/{id}/close", post(rcis::close))
        .route(
            "/rcis/{id}/documents",
            post(rci_transition::add_document).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_UPLOAD_BODY)),
        )
        .route("/rcis/{id}/{what}", post(rci_transition::post))
        .route("/rcis/{id}/documents/{doc}", get(rci_transition::document))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}", get(admin::user).post(admin::update_user))
        .route("/admin/users/{id}/tokens/{token}/revoke", post(admin::revoke_user_token))
        .route("/admin/users/{id}/sessions/end", post(admin::end_user_sessions))
        .route("/admin/organisation", post(admin::organisation))
        .route("/admin/teams", post(teams::create))
        .route("/admin/teams/{id}/parent", post(teams::set_parent))
        .route("/admin/audit", get(audit::page))
        .route("/admin/check", get(check::show).post(check::run))
        .route(
            "/admin/import",
            get(imports::list).post(imports::upload).layer(axum::extract::DefaultBodyLimit::max(crate::auth::MAX_IMPORT_BODY)),
        )
        .route("/admin/import/template.xlsx", get(imports::template))
        .route("/admin/archive", post(export_jobs::start_archive))
        .route("/admin/import/{id}", get(imports::show))
        .route("/admin/import/{id}/report.csv", get(imports::report))
        .route("/admin/import/{id}/apply", post(imports::start_apply))
        .route("/account", get(account::page))
        .route("/account/notifications", get(notices::choices::show).post(notices::choices::save))
        .route("/account/calendar", post(notices::choices::feed))
        .route("/calendar/{secret}", get(notices::inbox::feed))
        .route("/distributions", get(distributions::list).post(distributions::create))
        .route("/distributions/new", get(distributions::new))
        .route("/distributions/{id}", get(distributions::show::show))
        .route("/distributions/{id}/households", post(distributions::show::add))
        .route("/distributions/{id}/receipts", post(distributions::show::receipts))
        .route("/distributions/{id}/print", get(distributions::show::print))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/new", get(groups::new))
        .route("/groups/{id}", get(groups::show::show))
        .route("/groups/{id}/edit", get(groups::edit).post(groups::update))
        .route("/groups/{id}/members", post(groups::show::add_member))
        .route("/groups/{id}/members/{member}/leave", post(groups::show::leave))
        .route("/groups/{id}/sessions", post(groups::show::create_session))
        .route("/groups/{id}/sessions/new", get(groups::show::new_session))
        .route("/groups/{id}/sessions/{session}", get(groups::show::edit_session).post(groups::show::update_session))
        .route("/inquiries", get(inquiries::office::list).post(inquiries::office::create))
        .route("/inquiries/new", get(inquiries::office::new))
        .route("/inquiries/incoming", get(inquiries::incoming::list))
        .route("/inquiries/incoming/{id}", post(inquiries::incoming::answer))
        .route("/inquiries/{id}", get(inquiries::office::show))
        .route("/inquiries/{id}/close", post(inquiries::office::close))
        .route("/notifications", get(notices::inbox::list))
        .route("/notifications/read", post(notices::inbox::read_all))
        .route("/notifications/{id}", get(notices::inbox::open))
        .route("/admin/notifications", get(notices::admin::org).post(notices::admin::save_org))
        .route("/admin/mail", get(notices::admin::mail_settings).post(notices::admin::save_mail))
        .route("/admin/mail/test", post(notices::admin::test_mail))
        .route("/account/totp", post(account::totp))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/sessions/end", post(account::end_sessions))
        .route("/account/devices", get(devices::mine))
        .route("/admin/devices", get(devices::org))
        .route("/devices/{id}/revoke", post(devices::revoke))
        .route("/conflicts", get(conflicts::list))
        .route("/conflicts/{id}", post(conflicts::resolve))
        .route("/children/{id}/offline", post(offline::toggle))
}

/// Render a template, or a plain 500 if rendering itself fails (a bug, logged).
pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "error").into_response()
        }
    }
}

/// The translated messages of a refusal by the rules, in one line (for a notice at the top).
pub fn notice_of(cur: &crate::auth::Current, e: &krousar_domain::Invalid) -> String {
    e.errors.iter().map(|x| cur.tr.t(x.code)).collect::<Vec<_>>().join(" ")
}

/// A page shown again because what was sent was refused: 422, nothing changed.
pub fn unprocessable(page: Response) -> Response {
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// A page shown again because the actor may not do what they asked (`StoreError::Refused`):
/// 403 with why, the same status the API gives, nothing changed.
pub fn refused(page: Response) -> Response {
    (axum::http::StatusCode::FORBIDDEN, page).into_response()
}

/// Parse a path id; a malformed one is simply "not found".
pub fn parse_id(raw: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(raw).ok()
}
