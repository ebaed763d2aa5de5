//! Case pages: the case of one child, its forms, approvals and tasks, and the supervisor's team.

pub(crate) mod fields;
pub mod ministry;
pub mod scores;
pub(crate) mod show;
pub mod tool;

use super::form::FormData;
use super::render;
use crate::auth::{Current, PageUser};
use crate::commands::case::{apply, CaseForm, Fields};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::Layout;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use fields::{Choices, Group, Input};
use krousar_domain::case::ApprovalKind;
use krousar_domain::Invalid;
use krousar_store::StoreError;
use show::CaseView;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "case_show.html")]
struct CasePage {
    l: Layout,
    id: String,
    child_name: String,
    case_number: String,
    c: Option<CaseView>,
    can_open: bool,
    tools: Vec<(String, String)>,
    /// The organisation's own forms: (id, name).
    custom_forms: Vec<(String, String)>,
    notice: String,
    /// What the policy cut from this reader's view of the case, in words (empty: nothing).
    withheld: String,
    flags: Option<super::flags::FlagsBox>,
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    show_case(&state, &cur, id, String::new()).await
}

async fn show_case(state: &AppState, cur: &Current, id: Uuid, notice: String) -> Result<Response, PageError> {
    let tr = cur.tr;
    let (child, file) = state.store.case_file(&cur.actor, id, "page").await?;
    let owner = child.owner(&cur.actor);
    let can_open = file.is_none()
        && krousar_domain::policy::decide(&cur.actor, krousar_domain::Action::OpenCase, krousar_domain::policy::Target::Record(&owner))
            .allowed();
    let child_name = child.display_name(tr.is_km());
    let supervisor = match file.as_ref().and_then(|f| f.case.supervisor_id) {
        Some(id) => state.store.user(id).await.ok().map(|u| u.display_name),
        None => None,
    };
    let tools = state
        .store
        .tools(child.org_id, true)
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), if tr.is_km() { t.definition.name_km } else { t.definition.name_en }))
        .collect();
    // The organisation's own forms, published and in use (only its own people work the case).
    let custom_forms = if child.org_id == cur.actor.org_id {
        state
            .store
            .custom_forms(child.org_id, true)
            .await?
            .into_iter()
            .filter(|f| f.target == krousar_domain::forms::FormTarget::Case)
            .filter_map(|f| f.current.as_ref().map(|d| (f.id.to_string(), d.name(tr.is_km()).to_string())))
            .collect()
    } else {
        Vec::new()
    };
    let all_flags = state.store.flags_of(&cur.actor, &child).await?;
    let flags = all_flags.as_deref().map(|fs| super::flags::FlagsBox::new(cur, &child, fs));
    let flag_events = all_flags.unwrap_or_default();
    Ok(render(CasePage {
        flags,
        custom_forms,
        tools,
        l: Layout::new(cur, tr.t1("page-case-of", "name", &child_name), "/children"),
        id: id.to_string(),
        case_number: child.case_number.clone(),
        child_name,
        c: file.as_ref().map(|f| show::build(tr, &cur.actor, &child, f, supervisor, &flag_events)),
        can_open,
        notice,
        withheld: match file.as_ref().map(|f| &f.withheld) {
            Some(parts) if !parts.is_empty() => {
                let parts: Vec<String> = parts.iter().map(|p| tr.t(&format!("withheld-{p}"))).collect();
                tr.t1("msg-case-withheld", "parts", parts.join(", "))
            }
            _ => String::new(),
        },
    }))
}

#[derive(Template)]
#[template(path = "case_form.html")]
struct FormPage {
    l: Layout,
    id: String,
    form: &'static str,
    child_name: String,
    groups: Vec<Group>,
    place: Option<super::place::PlacePicker>,
    notice: String,
}

fn form_of(raw: &str) -> Result<CaseForm, PageError> {
    CaseForm::parse(raw).ok_or(PageError(AppError::NotFound))
}

async fn render_form(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    form: CaseForm,
    values: &Fields,
    errors: &Invalid,
    read: Option<(krousar_store::children::Child, Option<krousar_store::cases::CaseFile>)>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    // Reading the case file checks permission and audits the read, as the case page does
    // (once per page: a caller that has read it already passes it in).
    let (child, file) = match read {
        Some(r) => r,
        None => state.store.case_file(&cur.actor, id, "form").await?,
    };
    // A form is for whoever may record it (its choices name the organisation's people and the
    // child's households): a reader of the case is refused the form as the write would be.
    let needs = match form {
        CaseForm::Service => krousar_domain::Action::RecordService,
        CaseForm::Open => krousar_domain::Action::OpenCase,
        _ => krousar_domain::Action::WorkCase,
    };
    if !krousar_domain::policy::decide(&cur.actor, needs, krousar_domain::policy::Target::Record(&child.owner(&cur.actor))).allowed() {
        return Err(PageError(AppError::Forbidden));
    }
    let mut choices = Choices::default();
    if matches!(form, CaseForm::Open | CaseForm::Placement) {
        choices.rcis = rci_list(state, cur.tr, &child).await?;
    }
    match form {
        // The child's households are its own organisation's people's to see (policy's disclosure).
        CaseForm::Placement | CaseForm::FamilyAssessment
            if krousar_domain::policy::disclosure(&cur.actor, &child.owner(&cur.actor)).is_some_and(|d| d.is_full()) =>
        {
            choices.households = state.store.households_of_child(id).await?.into_iter().map(|(h, n)| (h.to_string(), n)).collect();
        }
        CaseForm::Task => {
            let users = state.store.people_of(child.org_id).await?;
            choices.owners = users
                .into_iter()
                .filter(|u| !u.disabled && krousar_domain::policy::holds_tasks(u.role))
                .map(|u| (u.id.to_string(), u.display_name))
                .collect();
            if let Some(pos) = choices.owners.iter().position(|(u, _)| *u == cur.actor.user_id.to_string()) {
                choices.owners.swap(0, pos);
            }
        }
        CaseForm::Plan => {
            if let Some((_, a)) = file.as_ref().and_then(|f| f.latest_of(krousar_domain::entry_of!(Csi))) {
                choices.weakest = a.scores.weakest_domains();
            }
        }
        _ => {}
    }
    let child_name = child.display_name(tr.is_km());
    let notice = if errors.errors.is_empty() { String::new() } else { tr.t("msg-fix-errors") };
    let place = if form.has_place() {
        let posted = FormData(values.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        let error = errors.for_field("village_code").map(|c| tr.t(c)).unwrap_or_default();
        Some(super::place::build(&state.store, tr, &posted, values.get("village_code").map(String::as_str), error).await?)
    } else {
        None
    };
    let response = render(FormPage {
        l: Layout::new(cur, tr.t(&form.title_key()), "/children"),
        id: id.to_string(),
        form: form.code(),
        child_name,
        groups: fields::groups(form, tr, values, errors, &choices),
        place,
        notice,
    });
    if errors.errors.is_empty() {
        Ok(response)
    } else {
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
    }
}

pub async fn form_page(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(uuid::Uuid, String)>,
) -> Result<Response, PageError> {
    let form = form_of(&form)?;
    let mut values = fields::defaults(form, cur.actor.today());
    // A new care plan version or tracing sheet starts from the current one.
    let kind = match form {
        CaseForm::Plan => Some("care_plan"),
        CaseForm::Tracing => Some("tracing_info"),
        _ => None,
    };
    let read = state.store.case_file(&cur.actor, id, "form").await?;
    if let Some(latest) = kind.and_then(|k| read.1.as_ref().and_then(|f| f.entries_of(k).next_back())) {
        values.extend(fields::from_entry(&latest.entry));
    }
    // A case opened from an RCI is from hers unless the worker says otherwise (issue 21): the
    // choice shows the institution the store would take for an empty one.
    if let (CaseForm::Open, Some(rci)) = (form, read.0.fields.rci_id) {
        values.entry("rci_id".into()).or_insert_with(|| rci.to_string());
    }
    render_form(&state, &cur, id, form, &values, &Invalid::default(), Some(read)).await
}

fn fields_of(pairs: Vec<(String, String)>) -> Fields {
    let mut out = Fields::new();
    for (k, v) in pairs {
        if k != "_csrf" {
            out.entry(k).or_insert(v);
        }
    }
    out
}

pub async fn form_post(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, form)): Ids<(uuid::Uuid, String)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let form = form_of(&form)?;
    let posted = FormData(pairs.clone());
    let mut values = fields_of(pairs);
    if form.has_place() {
        // The picker posts a search result or the cascading selects; the record keeps the village.
        match super::place::chosen_village(&posted) {
            Some(v) => values.insert("village_code".into(), v),
            None => values.remove("village_code"),
        };
        if super::place::is_lookup(&posted) {
            return render_form(&state, &cur, id, form, &values, &Invalid::default(), None).await;
        }
    }
    match apply(&state.store, &cur.actor, id, form, &values).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/case")).into_response()),
        Err(StoreError::Invalid(e)) => render_form(&state, &cur, id, form, &values, &e, None).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// A refusal of the rules (not of the policy) is shown on the case page as a notice.
async fn after(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    r: Result<krousar_store::cases::Case, StoreError>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}/case")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let msg = crate::pages::notice_of(cur, &e);
            let page = show_case(state, cur, id, msg).await?;
            Ok(crate::pages::unprocessable(page))
        }
        // Refused for who the actor is (approving their own request): the case with why, 403.
        Err(StoreError::Refused(key)) => {
            let page = show_case(state, cur, id, cur.tr.t(key)).await?;
            Ok(crate::pages::refused(page))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn request(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let Some(kind) = f.get("kind").as_deref().and_then(ApprovalKind::parse).filter(|k| *k != ApprovalKind::Closure) else {
        return Err(PageError(AppError::BadRequest("err-invalid-choice")));
    };
    let r = state.store.request_approval(&cur.actor, id, kind, None).await;
    after(&state, &cur, id, r).await
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, approval)): Ids<(uuid::Uuid, uuid::Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let approve = match f.get("decision").as_deref() {
        Some("approve") => true,
        Some("return") => false,
        _ => return Err(PageError(AppError::BadRequest("err-invalid-choice"))),
    };
    let r = state.store.decide_approval(&cur.actor, id, approval, approve, f.get("comment").as_deref()).await;
    after(&state, &cur, id, r).await
}

pub async fn task_done(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, task)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, PageError> {
    let r = state.store.complete_task(&cur.actor, id, task, cur.actor.today()).await;
    after(&state, &cur, id, r).await
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    l: Layout,
    rows: Vec<krousar_store::cases::TeamRow>,
}

pub async fn team(State(state): State<AppState>, PageUser(cur): PageUser) -> Result<Response, PageError> {
    let rows = state.store.team_view(&cur.actor).await?;
    Ok(render(TeamPage { l: Layout::new(&cur, cur.tr.t("page-team"), "/team"), rows }))
}

pub async fn upload(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let r = match crate::files::read_upload(mp).await {
        Ok(up) => state.store.add_attachment(&cur.actor, id, up.entry, &up.file_name, &up.bytes).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/children/{id}/case#files")).into_response()),
        Err(StoreError::Invalid(e)) => {
            let msg = crate::pages::notice_of(&cur, &e);
            let page = show_case(&state, &cur, id, msg).await?;
            Ok(crate::pages::unprocessable(page))
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn attachment(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, file)): Ids<(uuid::Uuid, uuid::Uuid)>,
) -> Result<Response, PageError> {
    let (a, bytes) = state.store.read_attachment(&cur.actor, id, file).await?;
    Ok(crate::files::download(&a.file_name, &a.content_type, bytes))
}

/// Every institution as one list for a case form, the child's own RCI first, then her
/// province's (`rci_pick::rci_groups`), each named with its province.
async fn rci_list(
    state: &AppState,
    tr: crate::i18n::Tr,
    child: &krousar_store::children::Child,
) -> Result<Vec<(String, String)>, krousar_store::StoreError> {
    let own = child.fields.rci_id.map(|r| r.to_string());
    let province = child.fields.village_code.as_deref().and_then(|v| v.get(..2));
    let groups = crate::pages::rci_pick::rci_groups(&state.store, tr, own.as_deref(), province).await?;
    let mut out: Vec<(String, String)> =
        groups.into_iter().flat_map(|g| g.opts.into_iter().map(move |o| (o.value, format!("{} — {}", o.label, g.label)))).collect();
    if let Some(pos) = own.and_then(|o| out.iter().position(|(v, _)| *v == o)) {
        let first = out.remove(pos);
        out.insert(0, first);
    }
    Ok(out)
}
