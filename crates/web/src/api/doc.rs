//! The API's description (OpenAPI 3.1), generated from the handlers' `#[utoipa::path]`
//! annotations and the request and response types they read and answer with, so that it
//! cannot drift from the code as the hand-kept one did. Built once, served at
//! `GET /api/v1/openapi.json`; `tests/http/api_contract.rs` checks it against the routes.

use super::schema::{BadRequest, Conflict, Forbidden, Gone, Invalid, NotFound, TooMany, Unauthorized};
use super::{
    admin, carers, cases, children, custom_forms, distributions, duplicate_scans, flags, form_sharing, groups, households, indicators,
    inquiries, notifications, photos, places, rcis, record_forms, referrals, registers, sensitive, sync, sync_device, sync_web_push,
};
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Krousar API",
        version = "1",
        description = "Case management for child protection and family-based care in Cambodia.\n\n\
            Sign in with `Authorization: Bearer TOKEN` (`krousar token create`), or with the page session \
            (cookie `krousar_session`) plus its `X-CSRF-Token` header on every write. Errors share one shape \
            (`ErrorBody`); messages follow the caller's language (Khmer or English). Lists answer \
            `{\"items\": [...], \"next\": CURSOR|null}`. Hidden small counts are `null` with why (`*_hidden`), never 0.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    paths(
        serve,
        children::list, children::create, children::get, children::patch, children::duplicates, children::duplicate_check,
        sensitive::get, sensitive::put,
        flags::list, flags::raise, flags::remove,
        notifications::list, notifications::read, notifications::read_all, notifications::choices, notifications::set_choices,
        distributions::list, distributions::create, distributions::get, distributions::add, distributions::receipts, distributions::household_support,
        groups::list, groups::create, groups::get, groups::update, groups::add_member, groups::leave, groups::create_session, groups::update_session,
        inquiries::create, inquiries::list, inquiries::get, inquiries::close, inquiries::incoming, inquiries::answer,
        custom_forms::list, custom_forms::answer, record_forms::child_answers, record_forms::child_answer, record_forms::household_answers, record_forms::household_answer, record_forms::carer_answers, record_forms::carer_answer, form_sharing::definition, form_sharing::import, form_sharing::share,
        form_sharing::shared, form_sharing::adopt, form_sharing::answers,
        photos::child_photo, photos::set_child_photo, photos::carer_photo, photos::set_carer_photo,
        duplicate_scans::start, duplicate_scans::latest,
        cases::get, cases::record, cases::request, cases::decide, cases::task_done, cases::worklist, cases::upload, cases::attachment,
        referrals::send, referrals::list, referrals::decide,
        carers::list, carers::create, carers::get, carers::step, carers::matches,
        registers::cash, registers::cash_change, registers::training_report, registers::training_add, registers::training_for,
        registers::rci_transition, registers::rci_record,
        indicators::list, indicators::records,
        households::list, households::create, households::get, households::rcis,
        rcis::create, rcis::get, rcis::patch, rcis::stays, rcis::add_stay, rcis::put_stay,
        admin::organisations, admin::teams, admin::users, admin::set_team, admin::devices, admin::revoke_device,
        places::search, places::children,
        crate::offline_app::hello, sync_device::enrol, sync_device::unlock, sync_device::rekeyed,
        sync::pull, sync::push, sync::photo_state, sync::photo_part, sync::photo_done,
        sync_web_push::state_of, sync_web_push::subscribe, sync_web_push::unsubscribe,
    ),
    components(
        schemas(crate::error::ErrorBody),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Gone, Invalid, TooMany)
    ),
    modifiers(&SignIn),
    security(("bearer" = []), ("session" = [], "csrf" = []), ("session" = [])),
    tags(
        (name = "children", description = "Children's records, sensitive information and duplicates"),
        (name = "cases", description = "Case files, case records, approvals, tasks and attachments"),
        (name = "referrals", description = "Referrals and transfers between organisations"),
        (name = "forms", description = "The organisation's own forms: definitions as files, sharing and adopting, answers"),
        (name = "carers", description = "Foster and kinship carers"),
        (name = "registers", description = "Cash support and the training register"),
        (name = "rcis", description = "Residential care institutions, their transition, and children's stays"),
        (name = "households", description = "Households (families)"),
        (name = "indicators", description = "Indicators, with small counts hidden"),
        (name = "notifications", description = "The caller's own notices"),
        (name = "distributions", description = "Support given to many households at once: lists, receipts, each household's support"),
        (name = "groups", description = "Community groups (parenting clubs, youth groups, awareness events…): members and sessions"),
        (name = "inquiries", description = "Families searching for a child: the office's searches, and those that may concern the caller's children"),
        (name = "administration", description = "Organisations, teams, accounts and devices"),
        (name = "places", description = "The gazetteer"),
        (name = "sync", description = "The offline app: devices, keys, download, upload, photos"),
        (name = "description", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The ways to sign in: a bearer token, or the page session (its cookie, and its CSRF token
/// header on writes).
struct SignIn;

impl Modify for SignIn {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("An API token (`krousar token create`).")).build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(crate::auth::SESSION_COOKIE, "The page session."))),
        );
        c.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "The session's form token (`csrf` of `GET /sync/hello`), on every write made with the session.",
            ))),
        );
    }
}

/// A flattened `Option` of a struct (`#[serde(flatten)] x: Option<T>`) puts T's fields in the
/// object when present and none when absent; utoipa describes it as "T or null" inside `allOf`,
/// which no object can satisfy when the fields are absent. Each such part becomes T's fields,
/// all optional.
fn flattened_options(doc: &mut serde_json::Value) {
    let snapshot = doc["components"]["schemas"].clone();
    for schema in doc["components"]["schemas"].as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
        for part in schema.get_mut("allOf").and_then(|a| a.as_array_mut()).into_iter().flatten() {
            let Some(target) = optional_ref(part) else { continue };
            let mut fields = snapshot[target.as_str()].clone();
            if let Some(o) = fields.as_object_mut() {
                o.remove("required");
                o.remove("description");
            }
            *part = fields;
        }
    }
}

/// A body that flattens a closed type (`deny_unknown_fields`, `additionalProperties: false`)
/// beside fields of its own is described as `allOf` of the two, which no object satisfies: each
/// part refuses the other's fields. JSON Schema 2020-12 closes such a union with
/// `unevaluatedProperties: false` on the whole (it sees through `allOf`), so the parts are opened
/// (a closed reference replaced by an open copy) and the whole is closed.
fn closed_unions(doc: &mut serde_json::Value) {
    let snapshot = doc["components"]["schemas"].clone();
    for schema in doc["components"]["schemas"].as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
        let Some(parts) = schema.get_mut("allOf").and_then(|a| a.as_array_mut()) else { continue };
        let mut closed = false;
        for part in parts.iter_mut() {
            closed |= open_up(part, &snapshot);
        }
        if closed {
            schema["unevaluatedProperties"] = serde_json::Value::Bool(false);
        }
    }
}

/// Open one part of an `allOf` (and the parts of a nested one); whether any was closed.
fn open_up(part: &mut serde_json::Value, schemas: &serde_json::Value) -> bool {
    if let Some(target) = part.get("$ref").and_then(|r| r.as_str()).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        if schemas[target].get("additionalProperties") == Some(&serde_json::Value::Bool(false)) {
            *part = schemas[target].clone();
        }
    }
    let mut closed = part.as_object_mut().and_then(|o| o.remove("additionalProperties")).is_some_and(|v| v == false);
    for inner in part.get_mut("allOf").and_then(|a| a.as_array_mut()).into_iter().flatten() {
        closed |= open_up(inner, schemas);
    }
    closed
}

/// `{"oneOf": [{"$ref": ".../T"}, {"type": "null"}]}` → `T`.
fn optional_ref(part: &serde_json::Value) -> Option<String> {
    let one = part.get("oneOf")?.as_array()?;
    let [r, null] = one.as_slice() else { return None };
    (null.get("type")? == "null").then_some(())?;
    r.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/").map(str::to_string)
}

/// The description as JSON, built on first use.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the description serialises");
        flattened_options(&mut doc);
        closed_unions(&mut doc);
        serde_json::to_string_pretty(&doc).expect("the description serialises")
    })
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "description", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 description of this API", content_type = "application/json", body = Object)))]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}
