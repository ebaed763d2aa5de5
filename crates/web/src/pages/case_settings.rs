//! An organisation's case settings (deadlines and visit rhythm by risk, reassessment, length of
//! follow-up) and its own assessment tools, for its administrator or manager.

use super::form::FormData;
use super::render;
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::{tool, CaseSettings};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::StoreError;

pub struct NumberField {
    pub name: String,
    pub label: String,
    pub value: String,
}

/// One placement type's own visit rhythm: a cell per risk level, empty when it follows risk.
pub struct RhythmRow {
    pub label: String,
    pub cells: Vec<NumberField>,
}

pub struct ToolRow {
    pub id: String,
    pub name: String,
    pub questions: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "case_settings.html")]
struct SettingsPage {
    l: Layout,
    numbers: Vec<NumberField>,
    risk_names: Vec<String>,
    rhythm: Vec<RhythmRow>,
    tools: Vec<ToolRow>,
    tool_name_km: String,
    tool_name_en: String,
    tool_definition: String,
    notice: String,
}

fn allowed(cur: &Current) -> Result<(), PageError> {
    if decide(&cur.actor, Action::ManageCaseSettings, Target::Organisation(cur.actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(PageError(AppError::Forbidden))
    }
}

const RISKS: [RiskLevel; 4] = [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low, RiskLevel::NoAction];

async fn page(state: &AppState, cur: &Current, s: &CaseSettings, f: &FormData, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let mut numbers = Vec::new();
    for (i, r) in RISKS.iter().enumerate() {
        numbers.push(NumberField {
            name: format!("contact_{i}"),
            label: tr.t1("field-contact-days", "risk", tr.t(&r.label_key())),
            value: s.first_contact_days[i].to_string(),
        });
    }
    for (i, r) in RISKS.iter().enumerate() {
        numbers.push(NumberField {
            name: format!("visit_{i}"),
            label: tr.t1("field-visit-months", "risk", tr.t(&r.label_key())),
            value: s.visit_interval_months[i].to_string(),
        });
    }
    numbers.push(NumberField {
        name: "reassessment".into(),
        label: tr.t("field-reassessment-months"),
        value: s.reassessment_months.to_string(),
    });
    numbers.push(NumberField { name: "follow_up".into(), label: tr.t("field-follow-up-months"), value: s.follow_up_months.to_string() });
    numbers.push(NumberField { name: "offline_days".into(), label: tr.t("field-offline-days"), value: s.offline_days.to_string() });
    numbers.push(NumberField {
        name: "visit_window".into(),
        label: tr.t("field-visit-window-days"),
        value: s.visit_window_days.to_string(),
    });
    let rhythm = CaseSettings::rhythm_placements()
        .map(|p| {
            let own = s.placement_visit_months.get(p.code());
            let cells = RISKS
                .iter()
                .enumerate()
                .map(|(i, r)| NumberField {
                    name: format!("rhythm_{}_{i}", p.code()),
                    label: tr.t2("field-placement-visit-months", ("placement", tr.t(&p.label_key())), ("risk", tr.t(&r.label_key()))),
                    // A form sent back with a mistake shows what was typed.
                    value: f.get(&format!("rhythm_{}_{i}", p.code())).unwrap_or_else(|| own.map(|m| m[i].to_string()).unwrap_or_default()),
                })
                .collect();
            RhythmRow { label: tr.t(&p.label_key()), cells }
        })
        .collect();
    let tools = state
        .store
        .tools(cur.actor.org_id, false)
        .await?
        .into_iter()
        .map(|t| ToolRow {
            id: t.id.to_string(),
            name: if tr.is_km() { t.definition.name_km } else { t.definition.name_en },
            questions: tr.num(t.definition.questions.len()),
            active: t.active,
        })
        .collect();
    let body = render(SettingsPage {
        l: Layout::new(cur, tr.t("page-case-settings"), "/admin/case-settings"),
        numbers,
        risk_names: RISKS.iter().map(|r| tr.t(&r.label_key())).collect(),
        rhythm,
        tools,
        tool_name_km: f.get("name_km").unwrap_or_default(),
        tool_name_en: f.get("name_en").unwrap_or_default(),
        tool_definition: f.get("definition").unwrap_or_else(|| tr.t("help-tool-example")),
        notice: notice.clone(),
    });
    Ok(if notice.is_empty() { body } else { (axum::http::StatusCode::UNPROCESSABLE_ENTITY, body).into_response() })
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    allowed(&cur)?;
    let s = state.store.case_settings(cur.actor.org_id).await?;
    page(&state, &cur, &s, &FormData::default(), String::new()).await
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    let num = |k: &str| f.get(k).and_then(|v| krousar_domain::child::parse_number::<u32>(&v));
    let mut s = state.store.case_settings(cur.actor.org_id).await?;
    let mut bad = Invalid::default();
    for i in 0..4 {
        match (num(&format!("contact_{i}")), num(&format!("visit_{i}"))) {
            (Some(c), Some(v)) => {
                s.first_contact_days[i] = c;
                s.visit_interval_months[i] = v;
            }
            _ => bad.push("settings", "err-number"),
        }
    }
    match (num("reassessment"), num("follow_up")) {
        (Some(r), Some(fu)) => {
            s.reassessment_months = r;
            s.follow_up_months = fu;
        }
        _ => bad.push("settings", "err-number"),
    }
    // Days offline and the visit window came later: a form without them keeps the
    // organisation's value.
    for (field, value) in [("offline_days", &mut s.offline_days), ("visit_window", &mut s.visit_window_days)] {
        match f.get(field) {
            None => {}
            Some(_) => match num(field) {
                Some(days) => *value = days,
                None => bad.push("settings", "err-number"),
            },
        }
    }
    // Each placement type's own rhythm: four months, or none at all (it follows risk). A form
    // from before the rhythm by placement existed keeps the organisation's rhythms.
    if f.0.iter().any(|(k, _)| k.starts_with("rhythm_")) {
        s.placement_visit_months.clear();
        for p in CaseSettings::rhythm_placements() {
            let raw: Vec<String> = (0..4).map(|i| f.get(&format!("rhythm_{}_{i}", p.code())).unwrap_or_default()).collect();
            if raw.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let months: Vec<u32> = raw.iter().filter_map(|v| krousar_domain::child::parse_number::<u32>(v)).collect();
            match <[u32; 4]>::try_from(months) {
                Ok(m) => {
                    s.placement_visit_months.insert(p.code().to_string(), m);
                }
                Err(_) => bad.push("settings", "err-number"),
            }
        }
    }
    if !bad.errors.is_empty() {
        return page(&state, &cur, &s, &f, crate::pages::notice_of(&cur, &bad)).await;
    }
    match state.store.set_case_settings(&cur.actor, cur.actor.org_id, s.clone()).await {
        Ok(()) => Ok(Redirect::to("/admin/case-settings").into_response()),
        Err(StoreError::Invalid(e)) => page(&state, &cur, &s, &f, crate::pages::notice_of(&cur, &e)).await,
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn create_tool(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    let s = state.store.case_settings(cur.actor.org_id).await?;
    match tool::parse(f.get("name_km").as_deref(), f.get("name_en").as_deref(), &f.get("definition").unwrap_or_default()) {
        Ok(def) => {
            state.store.create_tool(&cur.actor, def).await?;
            Ok(Redirect::to("/admin/case-settings").into_response())
        }
        Err(e) => page(&state, &cur, &s, &f, crate::pages::notice_of(&cur, &e)).await,
    }
}

pub async fn tool_active(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    allowed(&cur)?;
    let f = FormData(pairs);
    state.store.set_tool_active(&cur.actor, id, f.get("active").as_deref() == Some("1")).await?;
    Ok(Redirect::to("/admin/case-settings").into_response())
}

/// `POST /admin/tools/{id}/form`: the tool moved onto the form builder (a scored form, the
/// tool retired); on to the new form's page.
pub async fn tool_to_form(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    allowed(&cur)?;
    match state.store.move_tool_to_form(&cur.actor, id).await {
        Ok(form) => Ok(Redirect::to(&format!("/admin/forms/{form}")).into_response()),
        Err(krousar_store::StoreError::Invalid(e)) => {
            let s = state.store.case_settings(cur.actor.org_id).await?;
            let notice = crate::pages::notice_of(&cur, &e);
            Ok(crate::pages::unprocessable(page(&state, &cur, &s, &FormData::default(), notice).await?))
        }
        Err(e) => Err(e.into()),
    }
}
