//! Registering and editing a child.

use super::form::{values_of, FormData, FormView};
use super::place::{self, PlacePicker};
use super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::i18n::Tr;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::child::ChildInput;
use krousar_domain::choices::*;
use krousar_domain::forms::FormTarget;
use krousar_domain::Invalid;
use krousar_store::children::Registration;
use krousar_store::StoreError;

#[derive(Template)]
#[template(path = "child_form.html")]
struct ChildFormPage {
    l: Layout,
    action: String,
    version: String,
    notice: String,
    f: FormView,
    sex: Vec<Opt>,
    birth_reg: Vec<Opt>,
    id_poor: Vec<Opt>,
    disability: Vec<Opt>,
    living: Vec<Opt>,
    protection: Vec<Opt>,
    rcis: Vec<super::rci_pick::OptGroup>,
    place: PlacePicker,
    /// Children who may be this one; registering anyway needs a tick.
    dups: Vec<super::duplicates::DupView>,
    /// The organisation's own fields on this form (its registration form's name and questions).
    extra_name: String,
    fields: Vec<super::forms::fields::FieldView>,
    disabled: bool,
}

pub fn child_input(f: &FormData) -> ChildInput {
    ChildInput {
        given_name_km: f.get("given_name_km"),
        family_name_km: f.get("family_name_km"),
        given_name_latin: f.get("given_name_latin"),
        family_name_latin: f.get("family_name_latin"),
        nickname: f.get("nickname"),
        sex: f.get("sex"),
        date_of_birth: f.get("date_of_birth"),
        estimated_birth_year: None,
        estimated_age: f.get("estimated_age"),
        birth_registration: f.get("birth_registration"),
        birth_certificate_number: f.get("birth_certificate_number"),
        id_poor: f.get("id_poor"),
        disability: f.get("disability"),
        protection: f.all("protection"),
        protection_note: f.get("protection_note"),
        village_code: place::chosen_village(f),
        living_arrangement: f.get("living_arrangement"),
        rci_id: f.get("rci_id"),
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    cur: &crate::auth::Current,
    title: String,
    action: String,
    version: String,
    input: &ChildInput,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
    dups: Vec<super::duplicates::DupView>,
) -> Result<Response, PageError> {
    let tr: Tr = cur.tr;
    let mut values = values_of(input);
    if let Some(age) = &input.estimated_age {
        values.push(("estimated_age".into(), age.clone()));
    } else if let Some(y) = input.estimated_birth_year.as_deref().and_then(|y| y.parse::<i32>().ok()) {
        values.push(("estimated_age".into(), (chrono::Datelike::year(&cur.actor.today()) - y).to_string()));
    }
    let place_err = crate::views::field_error(tr, errors, "village_code");
    let place = place::build(&state.store, tr, raw, input.village_code.as_deref(), place_err).await?;
    let province = input.village_code.as_deref().and_then(|v| v.get(..2));
    let rcis = super::rci_pick::rci_groups(&state.store, tr, input.rci_id.as_deref(), province).await?;
    let sel = |o: &Option<String>| o.clone();
    let (extra_name, fields) = super::forms::registration::extra_fields(state, cur, FormTarget::Child, raw, errors).await?;
    let page = ChildFormPage {
        extra_name,
        fields,
        disabled: false,
        l: Layout::new(cur, title, "/children"),
        action,
        version,
        notice,
        f: FormView::new(values, errors, tr),
        sex: options(tr, Sex::ALL, Sex::code, Sex::label_key, sel(&input.sex).as_deref(), Some("opt-choose")),
        birth_reg: options(
            tr,
            BirthRegistration::ALL,
            BirthRegistration::code,
            BirthRegistration::label_key,
            input.birth_registration.as_deref().or(Some("unknown")),
            None,
        ),
        id_poor: options(tr, IdPoor::ALL, IdPoor::code, IdPoor::label_key, input.id_poor.as_deref().or(Some("unknown")), None),
        disability: options(
            tr,
            Disability::ALL,
            Disability::code,
            Disability::label_key,
            input.disability.as_deref().or(Some("none")),
            None,
        ),
        living: options(
            tr,
            LivingArrangement::ALL,
            LivingArrangement::code,
            LivingArrangement::label_key,
            input.living_arrangement.as_deref().or(Some("with_family")),
            None,
        ),
        protection: Protection::ALL
            .iter()
            .map(|p| Opt { value: p.code().into(), label: tr.t(&p.label_key()), selected: input.protection.iter().any(|c| c == p.code()) })
            .collect(),
        rcis,
        place,
        dups,
    };
    Ok(render(page))
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let title = cur.tr.t("page-register-child");
    form_page(
        &state,
        &cur,
        title,
        "/children".into(),
        String::new(),
        &ChildInput::default(),
        &FormData::default(),
        &Invalid::default(),
        String::new(),
        Vec::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = child_input(&raw);
    let title = cur.tr.t("page-register-child");
    // The registration form again with what was typed, a notice and any candidates.
    let no_errors = Invalid::default();
    let again = |notice: String, dups| {
        form_page(&state, &cur, title.clone(), "/children".into(), String::new(), &input, &raw, &no_errors, notice, dups)
    };
    if place::is_lookup(&raw) || super::forms::answer::is_place_lookup(&raw) {
        return again(String::new(), Vec::new()).await;
    }
    let extra = crate::commands::registration_fields::extra_answers(
        &state.store,
        &cur.actor,
        FormTarget::Child,
        &super::forms::answer::posted_values(&raw),
        None,
    )
    .await?;
    let fields = match (input.validate(cur.actor.today()), extra) {
        (Ok(f), Ok(x)) => (f, x),
        (a, b) => {
            let e = crate::commands::registration_fields::merged(a.err(), b.err());
            return invalid(&state, &cur, title, "/children".into(), String::new(), &input, &raw, e).await;
        }
    };
    let (fields, extra) = fields;
    // A new record with nothing in its own fields keeps no answer.
    let extra = extra.filter(|x| !x.answers.is_empty());
    // Before a new record: is this child known already? Registering anyway needs a tick.
    let confirmed_new = raw.get("confirm_new").as_deref() == Some("1");
    match state.store.register_new_child_with(&cur.actor, fields, confirmed_new, extra.as_ref()).await {
        Ok(Registration::Registered(child)) => Ok(Redirect::to(&format!("/children/{}", child.id)).into_response()),
        Ok(Registration::PossibleDuplicates(found)) => {
            let dups = super::duplicates::views(cur.tr, &found);
            again(cur.tr.t("msg-possible-duplicates"), dups).await
        }
        // Checked too often this hour: the form again, with what was typed and why.
        Err(StoreError::TooMany(key)) => {
            let mut res = again(cur.tr.t(key), Vec::new()).await?;
            *res.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(res)
        }
        Err(StoreError::Invalid(e)) => invalid(&state, &cur, title, "/children".into(), String::new(), &input, &raw, e).await,
        Err(e) => Err(PageError::from(e)),
    }
}

#[allow(clippy::too_many_arguments)]
async fn invalid(
    state: &AppState,
    cur: &crate::auth::Current,
    title: String,
    action: String,
    version: String,
    input: &ChildInput,
    raw: &FormData,
    e: Invalid,
) -> Result<Response, PageError> {
    let notice = cur.tr.t("err-invalid");
    let mut res = form_page(state, cur, title, action, version, input, raw, &e, notice, Vec::new()).await?;
    *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

pub async fn edit(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let child = state.store.view_child(&cur.actor, id, "page-edit").await?;
    let title = cur.tr.t1("page-edit-child", "case", &child.case_number);
    let input = child.fields.to_input();
    // The organisation's own fields start from what the record says now.
    let held = state.store.child_form_answers(&cur.actor, &child).await?;
    let raw = super::forms::registration::current_values(&state, &cur, FormTarget::Child, held).await?;
    form_page(
        &state,
        &cur,
        title,
        format!("/children/{id}"),
        child.version.to_string(),
        &input,
        &raw,
        &Invalid::default(),
        String::new(),
        Vec::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = child_input(&raw);
    let version = raw.get("version").unwrap_or_default();
    let title = cur.tr.t("page-edit");
    let action = format!("/children/{id}");
    if place::is_lookup(&raw) || super::forms::answer::is_place_lookup(&raw) {
        return form_page(&state, &cur, title, action, version, &input, &raw, &Invalid::default(), String::new(), Vec::new()).await;
    }
    let Ok(expected) = version.parse::<i64>() else { return Err(PageError(AppError::BadRequest("err-invalid"))) };
    let extra = crate::commands::registration_fields::extra_answers(
        &state.store,
        &cur.actor,
        FormTarget::Child,
        &super::forms::answer::posted_values(&raw),
        Some(id),
    )
    .await?;
    let (fields, extra) = match (input.validate(cur.actor.today()), extra) {
        (Ok(f), Ok(x)) => (f, x),
        (a, b) => {
            let e = crate::commands::registration_fields::merged(a.err(), b.err());
            return invalid(&state, &cur, title, action, version, &input, &raw, e).await;
        }
    };
    match state.store.update_child_with(&cur.actor, id, expected, fields, extra.as_ref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(e)) => invalid(&state, &cur, title, action, version, &input, &raw, e).await,
        Err(StoreError::Conflict { current }) => {
            // Someone saved in between: keep what this user typed, tell them, let them retry.
            let notice = cur.tr.t("err-conflict");
            let mut res =
                form_page(&state, &cur, title, action, current.to_string(), &input, &raw, &Invalid::default(), notice, Vec::new()).await?;
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(PageError::from(e)),
    }
}
