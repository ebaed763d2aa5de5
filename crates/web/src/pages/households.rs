//! Households: list (with search, and linking to a child), registration with members, record.

use super::form::{FormData, FormView};
use super::place::{self, PlacePicker};
use super::{parse_id, render};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::choices::{IdPoor, IncomeBand, Relationship, Sex};
use krousar_domain::forms::FormTarget;
use krousar_domain::household::{HouseholdInput, MemberInput};
use krousar_domain::Invalid;
use krousar_store::StoreError;
use serde::Deserialize;

/// Rows of members shown on the form (blank rows are ignored on save).
const MEMBER_ROWS: usize = 6;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    after: Option<String>,
    link_child: Option<String>,
}

#[derive(Template)]
#[template(path = "households_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    provinces: Vec<Opt>,
    rows: Vec<(String, String, String)>,
    next: String,
    link_child: String,
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let page = state
        .store
        .list_households(&cur.actor, q.q.as_deref(), q.province.as_deref(), None, q.after.as_deref().and_then(|c| c.parse().ok()), 50)
        .await?;
    let codes: Vec<String> = page.items.iter().filter_map(|h| h.fields.village_code.clone()).collect();
    let paths = state.store.location_paths(&codes).await?;
    let rows = page
        .items
        .iter()
        .map(|h| {
            let place = h
                .fields
                .village_code
                .as_ref()
                .and_then(|v| paths.iter().find(|p| &p.code == v))
                .map(|p| p.label(tr.is_km()))
                .unwrap_or_default();
            (h.id.to_string(), h.fields.name.clone(), place)
        })
        .collect();
    let link_child = q.link_child.as_deref().and_then(parse_id).map(|u| u.to_string()).unwrap_or_default();
    let next = page
        .next
        .map(|c| {
            format!(
                "/households?{}",
                serde_urlencoded::to_string([
                    ("q", q.q.clone().unwrap_or_default()),
                    ("province", q.province.clone().unwrap_or_default()),
                    ("after", c),
                    ("link_child", link_child.clone())
                ])
                .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let provinces = super::children::place_opts(tr, state.store.child_locations(None).await?, q.province.as_deref());
    Ok(render(ListPage {
        l: Layout::new(&cur, tr.t("page-households"), "/households"),
        q: q.q.unwrap_or_default(),
        provinces,
        rows,
        next,
        link_child,
    }))
}

pub struct MemberRow {
    pub i: usize,
    pub name_km: String,
    pub name_latin: String,
    pub relationships: Vec<Opt>,
    pub sexes: Vec<Opt>,
    pub birth_year: String,
    pub phone: String,
    pub is_head: bool,
}

#[derive(Template)]
#[template(path = "household_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    version: String,
    child: String,
    notice: String,
    f: FormView,
    income: Vec<Opt>,
    id_poor: Vec<Opt>,
    members: Vec<MemberRow>,
    place: PlacePicker,
    /// The organisation's own fields on this form.
    extra_name: String,
    fields: Vec<super::forms::fields::FieldView>,
    disabled: bool,
}

fn household_input(f: &FormData) -> HouseholdInput {
    let head = f.get("head").and_then(|h| h.parse::<usize>().ok());
    let members = (0..MEMBER_ROWS.max(f.all("m_relationship").len()))
        .map(|i| {
            let at = |k: &str| f.all(k).get(i).cloned().filter(|s| !s.is_empty());
            MemberInput {
                name_km: at("m_name_km"),
                name_latin: at("m_name_latin"),
                relationship: at("m_relationship"),
                sex: at("m_sex"),
                birth_year: at("m_birth_year"),
                is_head: head == Some(i),
                phone: at("m_phone"),
            }
        })
        .collect();
    HouseholdInput {
        name: f.get("name"),
        phone: f.get("phone"),
        village_code: place::chosen_village(f),
        address_detail: f.get("address_detail"),
        income_band: f.get("income_band"),
        id_poor: f.get("id_poor"),
        id_poor_number: f.get("id_poor_number"),
        members,
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    cur: &Current,
    action: String,
    version: String,
    child: String,
    input: &HouseholdInput,
    raw: &FormData,
    errors: &Invalid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let place_err = crate::views::field_error(tr, errors, "village_code");
    let place = place::build(&state.store, tr, raw, input.village_code.as_deref(), place_err).await?;
    let mut members: Vec<MemberRow> = input
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| MemberRow {
            i,
            name_km: m.name_km.clone().unwrap_or_default(),
            name_latin: m.name_latin.clone().unwrap_or_default(),
            relationships: options(
                tr,
                Relationship::ALL,
                Relationship::code,
                Relationship::label_key,
                m.relationship.as_deref(),
                Some("opt-choose"),
            ),
            sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, m.sex.as_deref(), Some("opt-unknown")),
            birth_year: m.birth_year.clone().unwrap_or_default(),
            phone: m.phone.clone().unwrap_or_default(),
            is_head: m.is_head,
        })
        .collect();
    while members.len() < MEMBER_ROWS {
        let i = members.len();
        members.push(MemberRow {
            i,
            name_km: String::new(),
            name_latin: String::new(),
            relationships: options(tr, Relationship::ALL, Relationship::code, Relationship::label_key, None, Some("opt-choose")),
            sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, None, Some("opt-unknown")),
            birth_year: String::new(),
            phone: String::new(),
            is_head: false,
        });
    }
    let values = [
        ("name", &input.name),
        ("phone", &input.phone),
        ("address_detail", &input.address_detail),
        ("id_poor_number", &input.id_poor_number),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone().unwrap_or_default()));
    let (extra_name, fields) = super::forms::registration::extra_fields(state, cur, FormTarget::Household, raw, errors).await?;
    let page = FormPage {
        extra_name,
        fields,
        disabled: false,
        l: Layout::new(cur, tr.t("page-household"), "/households"),
        action,
        version,
        child,
        notice,
        f: FormView::new(values, errors, tr),
        income: options(
            tr,
            IncomeBand::ALL,
            IncomeBand::code,
            IncomeBand::label_key,
            input.income_band.as_deref().or(Some("unknown")),
            None,
        ),
        id_poor: options(tr, IdPoor::ALL, IdPoor::code, IdPoor::label_key, input.id_poor.as_deref().or(Some("unknown")), None),
        members,
        place,
    };
    let mut res = render(page);
    if !errors.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct NewQuery {
    child: Option<String>,
}

pub async fn new(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    let child = q.child.as_deref().and_then(parse_id).map(|u| u.to_string()).unwrap_or_default();
    form_page(
        &state,
        &cur,
        "/households".into(),
        String::new(),
        child,
        &HouseholdInput::default(),
        &FormData::default(),
        &Invalid::default(),
        String::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let raw = FormData(pairs);
    let input = household_input(&raw);
    let child_raw = raw.get("child").unwrap_or_default();
    let child = parse_id(&child_raw);
    if place::is_lookup(&raw) || super::forms::answer::is_place_lookup(&raw) {
        return form_page(&state, &cur, "/households".into(), String::new(), child_raw, &input, &raw, &Invalid::default(), String::new())
            .await;
    }
    let extra = crate::commands::registration_fields::extra_answers(
        &state.store,
        &cur.actor,
        FormTarget::Household,
        &super::forms::answer::posted_values(&raw),
        None,
    )
    .await?;
    let result = match (input.validate(cur.actor.today()), extra) {
        (Ok(f), Ok(x)) => {
            // A new household with nothing in the organisation's own fields keeps no answer.
            let x = x.filter(|x| !x.answers.is_empty());
            state.store.create_household_with(&cur.actor, f, child, x.as_ref()).await
        }
        (a, b) => Err(StoreError::Invalid(crate::commands::registration_fields::merged(a.err(), b.err()))),
    };
    match result {
        Ok(h) => Ok(Redirect::to(&match child {
            Some(c) => format!("/children/{c}"),
            None => format!("/households/{}", h.id),
        })
        .into_response()),
        Err(StoreError::Invalid(e)) => {
            form_page(&state, &cur, "/households".into(), String::new(), child_raw, &input, &raw, &e, cur.tr.t("err-invalid")).await
        }
        Err(e) => Err(PageError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "household_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    facts: Vec<(String, String)>,
    members: Vec<Vec<String>>,
    children: Vec<(String, String, String)>,
    can_edit: bool,
    own_forms: Option<Vec<super::forms::record::RecordForm>>,
    support: Vec<super::distributions::SupportRow>,
    /// Community groups the household's people are in: (group id, name, role, sessions attended).
    groups: Vec<(String, String, String, String)>,
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let h = state.store.view_household(&cur.actor, id, "page").await?;
    let f = &h.fields;
    let place = match &f.village_code {
        Some(c) => state.store.location_path(c).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let facts = vec![
        (tr.t("field-household-name"), f.name.clone()),
        (tr.t("field-phone"), f.phone.clone().unwrap_or_default()),
        (tr.t("field-address"), place),
        (tr.t("field-address-detail"), f.address_detail.clone().unwrap_or_default()),
        (tr.t("field-income"), tr.t(&f.income_band.label_key())),
        (tr.t("field-id-poor"), tr.t(&f.id_poor.label_key())),
        (tr.t("field-id-poor-number"), f.id_poor_number.clone().unwrap_or_default()),
    ];
    let members = f
        .members
        .iter()
        .map(|m| {
            vec![
                [m.name_km.clone(), m.name_latin.clone()].into_iter().flatten().collect::<Vec<_>>().join(" / "),
                tr.t(&m.relationship.label_key()),
                m.sex.map(|s| tr.t(&s.label_key())).unwrap_or_default(),
                m.birth_year.map(|y| tr.num(y)).unwrap_or_default(),
                if m.is_head { tr.t("msg-head") } else { String::new() },
                m.phone.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let children = state
        .store
        .children_of_household(&cur.actor, id)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.case_number, if tr.is_km() { c.name_km } else { c.name_latin }))
        .collect();
    let can_edit = krousar_domain::policy::decide(
        &cur.actor,
        krousar_domain::Action::EditHousehold,
        krousar_domain::policy::Target::Record(&h.owner()),
    )
    .allowed();
    let answers = state.store.household_form_answers(&cur.actor, &h).await?;
    let holder = krousar_store::custom_form_records::Holder::Household(id);
    let own_forms = super::forms::record::record_forms(&state, &cur, holder, h.org_id, answers, can_edit).await?;
    let support = super::distributions::support_rows(tr, state.store.household_support(&cur.actor, id).await?);
    let groups = super::groups::rows_of(tr, state.store.household_groups(&cur.actor, id).await?);
    Ok(render(ShowPage {
        support,
        groups,
        l: Layout::new(&cur, f.name.clone(), "/households"),
        id: id.to_string(),
        facts,
        members,
        children,
        can_edit,
        own_forms,
    }))
}

pub async fn edit(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    let h = state.store.view_household(&cur.actor, id, "page-edit").await?;
    let f = &h.fields;
    let input = HouseholdInput {
        name: Some(f.name.clone()),
        phone: f.phone.clone(),
        village_code: f.village_code.clone(),
        address_detail: f.address_detail.clone(),
        income_band: Some(f.income_band.code().into()),
        id_poor: Some(f.id_poor.code().into()),
        id_poor_number: f.id_poor_number.clone(),
        members: f
            .members
            .iter()
            .map(|m| MemberInput {
                name_km: m.name_km.clone(),
                name_latin: m.name_latin.clone(),
                relationship: Some(m.relationship.code().into()),
                sex: m.sex.map(|s| s.code().into()),
                birth_year: m.birth_year.map(|y| y.to_string()),
                is_head: m.is_head,
                phone: m.phone.clone(),
            })
            .collect(),
    };
    let held = state.store.household_form_answers(&cur.actor, &h).await?;
    let raw = super::forms::registration::current_values(&state, &cur, FormTarget::Household, held).await?;
    form_page(
        &state,
        &cur,
        format!("/households/{id}"),
        h.version.to_string(),
        String::new(),
        &input,
        &raw,
        &Invalid::default(),
        String::new(),
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
    let input = household_input(&raw);
    let version = raw.get("version").unwrap_or_default();
    let action = format!("/households/{id}");
    if place::is_lookup(&raw) || super::forms::answer::is_place_lookup(&raw) {
        return form_page(&state, &cur, action, version, String::new(), &input, &raw, &Invalid::default(), String::new()).await;
    }
    let Ok(expected) = version.parse::<i64>() else { return Err(PageError(AppError::BadRequest("err-invalid"))) };
    let extra = crate::commands::registration_fields::extra_answers(
        &state.store,
        &cur.actor,
        FormTarget::Household,
        &super::forms::answer::posted_values(&raw),
        Some(id),
    )
    .await?;
    let result = match (input.validate(cur.actor.today()), extra) {
        (Ok(f), Ok(x)) => state.store.update_household_with(&cur.actor, id, expected, f, x.as_ref()).await,
        (a, b) => Err(StoreError::Invalid(crate::commands::registration_fields::merged(a.err(), b.err()))),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&action).into_response()),
        Err(StoreError::Invalid(e)) => {
            form_page(&state, &cur, action, version, String::new(), &input, &raw, &e, cur.tr.t("err-invalid")).await
        }
        Err(StoreError::Conflict { current }) => {
            form_page(&state, &cur, action, current.to_string(), String::new(), &input, &raw, &Invalid::default(), cur.tr.t("err-conflict"))
                .await
        }
        Err(e) => Err(PageError::from(e)),
    }
}
