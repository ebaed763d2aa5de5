//! The children list (filters, name search, keyset pages) and a child's record.

use super::form::FormData;
use super::{parse_id, render};
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::views::{age_text, options, ChildRow, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::age::AgeBand;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::Stage;
use krousar_domain::choices::{LivingArrangement, Sex};
use krousar_domain::flag::FlagKind;
use krousar_domain::policy::{self, decide, Target};
use krousar_domain::Action;
use krousar_store::children::ChildFilter;
use krousar_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    district: Option<String>,
    sex: Option<String>,
    age: Option<String>,
    worker: Option<String>,
    living: Option<String>,
    stage: Option<String>,
    risk: Option<String>,
    /// "any" or a flag kind: children with such a flag up.
    flag: Option<String>,
    /// "1": the cases the user works on as second worker.
    shared: Option<String>,
    after: Option<String>,
}

impl ListQuery {
    /// Only the cases the user works on as second worker.
    pub fn shared_only(&self) -> bool {
        self.shared.as_deref() == Some("1")
    }

    pub fn filter(&self) -> ChildFilter {
        let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.trim().is_empty());
        ChildFilter {
            q: nonempty(&self.q),
            province: nonempty(&self.province),
            district: nonempty(&self.district),
            org: None,
            sex: self.sex.as_deref().and_then(Sex::parse),
            age_band: self.age.as_deref().and_then(AgeBand::parse),
            worker: self.worker.as_deref().and_then(parse_id),
            co_worker: None,
            living: self.living.as_deref().and_then(LivingArrangement::parse),
            stage: self.stage.as_deref().and_then(Stage::parse),
            risk: self.risk.as_deref().and_then(RiskLevel::parse),
            flag: match self.flag.as_deref() {
                Some("any") => Some(None),
                Some(code) => FlagKind::parse(code).map(Some),
                None => None,
            },
        }
    }

    /// The same query for the next page.
    fn next_link(&self, cursor: &str) -> String {
        let mut pairs = self.pairs();
        pairs.push(("after".into(), cursor.into()));
        format!("/children?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    /// How many filters beyond the name search are set (shown on the folded filter form).
    fn filters_set(&self) -> usize {
        self.pairs().iter().filter(|(k, _)| k != "q").count()
    }
}

#[derive(Template)]
#[template(path = "children_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    provinces: Vec<Opt>,
    districts: Vec<Opt>,
    sexes: Vec<Opt>,
    ages: Vec<Opt>,
    living: Vec<Opt>,
    stages: Vec<Opt>,
    risks: Vec<Opt>,
    flag_kinds: Vec<Opt>,
    /// Filters set beyond the name: the filter form opens when there are any.
    filters_set: usize,
    workers: Vec<Opt>,
    rows: Vec<ChildRow>,
    count: String,
    next: String,
    can_register: bool,
    notice: String,
    /// The list's filters, carried into the export form.
    export_filters: Vec<(String, String)>,
    /// The user's saved searches: (id, name, link).
    saved: Vec<(String, String, String)>,
    /// The current filters as a query string, to save (empty: nothing to save).
    save_query: String,
    export_columns: Vec<Opt>,
}

impl ListQuery {
    /// The filters as (name, value) pairs, for a form that repeats this list.
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("province", &self.province),
            ("district", &self.district),
            ("sex", &self.sex),
            ("age", &self.age),
            ("worker", &self.worker),
            ("living", &self.living),
            ("stage", &self.stage),
            ("risk", &self.risk),
            ("flag", &self.flag),
            ("shared", &self.shared),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
        .collect()
    }
}

/// The flag filter: all children, those with any flag up, or with a flag of one kind.
fn flag_opts(tr: crate::i18n::Tr, selected: Option<&str>) -> Vec<Opt> {
    let mut out = options(tr, FlagKind::ALL, FlagKind::code, FlagKind::label_key, selected, Some("opt-all"));
    out.insert(1, Opt { value: "any".into(), label: tr.t("opt-flag-any"), selected: selected == Some("any") });
    out
}

fn export_columns(tr: crate::i18n::Tr) -> Vec<Opt> {
    use krousar_domain::export::{ExportColumn, DEFAULT_COLUMNS};
    ExportColumn::ALL
        .iter()
        .map(|c| Opt { value: c.code().into(), label: tr.t(&c.label_key()), selected: DEFAULT_COLUMNS.contains(c) })
        .collect()
}

pub(super) fn place_opts(tr: crate::i18n::Tr, places: Vec<krousar_store::locations::Location>, selected: Option<&str>) -> Vec<Opt> {
    let mut out = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: selected.is_none_or(str::is_empty) }];
    out.extend(places.into_iter().map(|p| Opt {
        selected: Some(p.code.as_str()) == selected,
        label: if tr.is_km() { p.name_km } else { p.name_latin },
        value: p.code,
    }));
    out
}

pub async fn list(State(state): State<AppState>, PageUser(cur): PageUser, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let tr = cur.tr;
    let a = &cur.actor;
    let mut filter = q.filter();
    if q.shared.as_deref() == Some("1") {
        filter.co_worker = Some(a.user_id);
    }
    // A search of single letters only finds nothing useful: say so rather than list everyone.
    if filter.unusable_search() {
        let page = ListPage {
            l: Layout::new(&cur, tr.t("page-children"), "/children"),
            q: q.q.clone().unwrap_or_default(),
            provinces: place_opts(tr, state.store.child_locations(None).await?, filter.province.as_deref()),
            districts: Vec::new(),
            sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, q.sex.as_deref(), Some("opt-all")),
            ages: Vec::new(),
            living: options(
                tr,
                LivingArrangement::ALL,
                LivingArrangement::code,
                LivingArrangement::label_key,
                q.living.as_deref(),
                Some("opt-all"),
            ),
            stages: options(tr, Stage::ALL, Stage::code, Stage::label_key, q.stage.as_deref(), Some("opt-all")),
            risks: options(tr, RiskLevel::ALL, RiskLevel::code, RiskLevel::label_key, q.risk.as_deref(), Some("opt-all")),
            flag_kinds: flag_opts(tr, q.flag.as_deref()),
            filters_set: q.filters_set(),
            workers: Vec::new(),
            rows: Vec::new(),
            count: String::new(),
            next: String::new(),
            can_register: decide(a, Action::CreateChild, Target::Nothing).allowed(),
            notice: tr.t("msg-search-too-short"),
            export_filters: Vec::new(),
            export_columns: Vec::new(),
            saved: Vec::new(),
            save_query: String::new(),
        };
        return Ok(render(page));
    }
    let cursor = q.after.as_deref().and_then(|c| c.parse().ok());
    let (page, count) = state.store.children_page(a, &filter, cursor, 50).await?;
    let codes: Vec<String> = page.items.iter().filter_map(|c| c.fields.village_code.clone()).collect();
    let paths = state.store.location_paths(&codes).await?;
    let flags = state.store.active_flags(a, &page.items).await?;
    // Everyone who lists a child reads it in full: each listed photo is theirs to see.
    let ids: Vec<uuid::Uuid> = page.items.iter().map(|c| c.id).collect();
    let photos = state.store.with_photos("child", &ids).await?;
    let provinces = place_opts(tr, state.store.child_locations(None).await?, filter.province.as_deref());
    let districts = match filter.province.as_deref() {
        Some(p) if p.len() == 2 => place_opts(tr, state.store.child_locations(Some(p)).await?, filter.district.as_deref()),
        _ => Vec::new(),
    };
    let mut workers = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: filter.worker.is_none() }];
    // Filtering by worker: for whoever oversees the workers (a supervisor's team, a manager).
    if decide(a, Action::ViewTeam, Target::Organisation(a.org_id)).allowed() {
        let users = state.store.people_of(a.org_id).await?;
        workers.extend(users.into_iter().filter(|u| u.role.has_caseload()).map(|u| Opt {
            selected: Some(u.id) == filter.worker,
            value: u.id.to_string(),
            label: u.display_name,
        }));
    }
    let age_codes: Vec<&'static str> = AgeBand::ALL.iter().map(|b| b.as_str()).collect();
    let mut ages = vec![Opt { value: String::new(), label: tr.t("opt-all"), selected: filter.age_band.is_none() }];
    ages.extend(age_codes.iter().map(|c| Opt { value: c.to_string(), label: tr.num(c), selected: q.age.as_deref() == Some(c) }));
    let page_view = ListPage {
        l: Layout::new(&cur, tr.t("page-children"), "/children"),
        q: q.q.clone().unwrap_or_default(),
        provinces,
        districts,
        sexes: options(tr, Sex::ALL, Sex::code, Sex::label_key, q.sex.as_deref(), Some("opt-all")),
        ages,
        living: options(
            tr,
            LivingArrangement::ALL,
            LivingArrangement::code,
            LivingArrangement::label_key,
            q.living.as_deref(),
            Some("opt-all"),
        ),
        stages: options(tr, Stage::ALL, Stage::code, Stage::label_key, q.stage.as_deref(), Some("opt-all")),
        risks: options(tr, RiskLevel::ALL, RiskLevel::code, RiskLevel::label_key, q.risk.as_deref(), Some("opt-all")),
        flag_kinds: flag_opts(tr, q.flag.as_deref()),
        filters_set: q.filters_set(),
        workers,
        rows: ChildRow::with_flags(tr, &page.items, &flags, &photos, &paths, cur.actor.today()),
        count: crate::views::children_count(tr, count, krousar_store::children::count_cap(&filter)),
        next: page.next.as_deref().map(|c| q.next_link(c)).unwrap_or_default(),
        can_register: decide(a, Action::CreateChild, Target::Nothing).allowed(),
        notice: String::new(),
        export_filters: q.pairs(),
        export_columns: export_columns(tr),
        saved: state
            .store
            .saved_searches(a)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name, format!("/children?{}", s.query)))
            .collect(),
        save_query: serde_urlencoded::to_string(q.pairs()).unwrap_or_default(),
    };
    Ok(render(page_view))
}

#[derive(Template)]
#[template(path = "child_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    facts: Vec<(String, String)>,
    households: Vec<(String, String)>,
    residences: Vec<super::residences::StayRow>,
    can_edit: bool,
    /// The viewer may open the sensitive information (its page records the access).
    can_see_sensitive: bool,
    can_assign: bool,
    workers: Vec<Opt>,
    co_workers: Vec<Opt>,
    notice: String,
    merged_into: String,
    offline: super::offline::Offline,
    /// Who opened or changed the record, latest first (for its supervisors and managers).
    history: Option<Vec<super::audit_words::AuditLine>>,
    flags: Option<super::flags::FlagsBox>,
    photo: Option<super::photos::PhotoBox>,
    /// The organisation's own forms filled in on the record (for who reads it in full).
    own_forms: Option<Vec<super::forms::record::RecordForm>>,
    /// Support the child's households received (the reader's organisation's distributions).
    support: Vec<super::distributions::SupportRow>,
    /// The organisation's community groups the child is in: (group id, name, role, sessions attended).
    groups: Vec<(String, String, String, String)>,
}

pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<uuid::Uuid>) -> Result<Response, PageError> {
    show_child(&state, &cur, id, String::new()).await
}

pub(crate) async fn show_child(
    state: &AppState,
    cur: &crate::auth::Current,
    id: uuid::Uuid,
    notice: String,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let child = state.store.view_child(&cur.actor, id, "page").await?;
    let f = &child.fields;
    let place = match &f.village_code {
        Some(code) => state.store.location_path(code).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let dash = || "—".to_string();
    // A field the policy cut from this reader's record reads "not shared with you", never an
    // empty value that would read as "none".
    let shown = |field: &str, value: String| if child.withheld.contains(&field) { tr.t("msg-withheld") } else { value };
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(dash);
    let birth = match (f.date_of_birth, f.estimated_birth_year) {
        (Some(d), _) => tr.date(d),
        (None, Some(y)) => tr.t1("msg-born-about", "year", tr.num(y)),
        _ => dash(),
    };
    let mut facts = vec![
        (tr.t("field-case-number"), child.case_number.clone()),
        (tr.t("field-name-km"), child.display_name(true)),
        (tr.t("field-name-latin"), child.display_name(false)),
        (tr.t("field-nickname"), opt(&f.nickname)),
        (tr.t("field-sex"), tr.t(&f.sex.label_key())),
        (tr.t("field-date-of-birth"), birth),
        (tr.t("field-age"), age_text(tr, f, cur.actor.today())),
        (tr.t("field-birth-registration"), tr.t(&f.birth_registration.label_key())),
        (tr.t("field-birth-certificate"), opt(&f.birth_certificate_number)),
        (tr.t("field-id-poor"), tr.t(&f.id_poor.label_key())),
        (tr.t("field-disability"), tr.t(&f.disability.label_key())),
        (tr.t("field-protection"), shown("protection", f.protection.iter().map(|p| tr.t(&p.label_key())).collect::<Vec<_>>().join(", "))),
        (tr.t("field-address"), shown("village_code", if place.is_empty() { dash() } else { place })),
        (tr.t("field-living"), tr.t(&f.living_arrangement.label_key())),
        (tr.t("field-worker"), shown("assigned_worker", child.assigned_worker_name.clone().unwrap_or_else(dash))),
    ];
    if let Some(name) = &child.co_worker_name {
        facts.push((tr.t("field-co-worker"), name.clone()));
    }
    if let Some(note) = &f.protection_note {
        facts.push((tr.t("field-protection-note"), note.clone()));
    }
    if !child.withheld.is_empty() {
        facts.push((tr.t("field-withheld"), tr.t("msg-withheld-fields")));
    }
    let owner = child.owner(&cur.actor);
    // The child's households and stays in institutions are the case's own people's: a
    // referral's receiver or a transfer's sender reads the record as the policy cut it.
    let full = policy::disclosure(&cur.actor, &owner).is_some_and(|d| d.is_full());
    let households = if full {
        state.store.households_of_child(id).await?.into_iter().map(|(hid, name)| (hid.to_string(), name)).collect()
    } else {
        Vec::new()
    };
    let residences = super::residences::stays_of(state, cur, &child).await?;
    let can_edit = decide(&cur.actor, Action::EditChild, Target::Record(&owner)).allowed();
    let can_assign = decide(&cur.actor, Action::AssignChild, Target::Record(&owner)).allowed();
    let can_see_sensitive = decide(&cur.actor, Action::ViewSensitive, Target::Record(&owner)).allowed();
    let (mut workers, mut co_workers) = (Vec::new(), Vec::new());
    if can_assign {
        let users: Vec<_> =
            state.store.people_of(child.org_id).await?.into_iter().filter(|u| u.role.has_caseload() && !u.disabled).collect();
        workers = users
            .iter()
            .map(|u| Opt { selected: Some(u.id) == child.assigned_worker_id, value: u.id.to_string(), label: u.display_name.clone() })
            .collect();
        co_workers.push(Opt { selected: child.co_worker_id.is_none(), value: String::new(), label: "—".into() });
        co_workers.extend(users.iter().filter(|u| Some(u.id) != child.assigned_worker_id).map(|u| Opt {
            selected: Some(u.id) == child.co_worker_id,
            value: u.id.to_string(),
            label: u.display_name.clone(),
        }));
    }
    let title = child.display_name(tr.is_km());
    let offline = super::offline::state_for(state, cur, &child).await?;
    let history = if decide(&cur.actor, Action::ViewAccessHistory, Target::Record(&owner)).allowed() {
        let filter = krousar_store::audit::AuditFilter { record_id: Some(id.to_string()), limit: 20, ..Default::default() };
        Some(super::audit::lines(state, cur, &filter, Some(cur.actor.org_id)).await?)
    } else {
        None
    };
    let flags = super::flags::flags_box(state, cur, &child).await?;
    let photo = if state.store.may_see_child_photo(&cur.actor, &child) {
        Some(super::photos::PhotoBox {
            base: format!("/children/{id}"),
            has_photo: !state.store.with_photos("child", &[id]).await?.is_empty(),
            can_change: can_edit,
            alt: tr.t1("msg-photo-of", "name", child.display_name(tr.is_km())),
        })
    } else {
        None
    };
    let own_forms = super::forms::record::child_forms(state, cur, &child).await?;
    let support = super::distributions::support_rows(tr, state.store.child_support(&cur.actor, id).await?);
    let groups = super::groups::rows_of(tr, state.store.child_groups(&cur.actor, id).await?);
    Ok(render(ShowPage {
        support,
        groups,
        own_forms,
        flags,
        photo,
        offline,
        l: Layout::new(cur, title, "/children"),
        id: id.to_string(),
        facts,
        households,
        residences,
        can_edit,
        can_see_sensitive,
        can_assign,
        workers,
        co_workers,
        notice,
        merged_into: child.merged_into.map(|m| m.to_string()).unwrap_or_default(),
        history,
    }))
}

pub async fn assign(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let Some(worker) = f.get("worker").as_deref().and_then(parse_id) else {
        return show_child(&state, &cur, id, cur.tr.t("err-invalid-choice")).await;
    };
    match state.store.assign_child(&cur.actor, id, worker).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(_)) => show_child(&state, &cur, id, cur.tr.t("err-invalid-choice")).await,
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn link_household(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let Some(household) = f.get("household").as_deref().and_then(parse_id) else {
        return Err(PageError(AppError::NotFound));
    };
    state.store.link_child_to_household(&cur.actor, household, id).await?;
    Ok(Redirect::to(&format!("/children/{id}")).into_response())
}

pub async fn co_worker(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let worker = f.get("co_worker").as_deref().and_then(parse_id);
    match state.store.set_co_worker(&cur.actor, id, worker).await {
        Ok(_) => Ok(Redirect::to(&format!("/children/{id}")).into_response()),
        Err(StoreError::Invalid(_)) => show_child(&state, &cur, id, cur.tr.t("err-invalid-choice")).await,
        Err(e) => Err(PageError::from(e)),
    }
}

/// Save the list's current filters under a name. The query is re-read as the list's filters, so
/// only known filters are kept.
pub async fn save_search(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = super::form::FormData(pairs);
    let q: ListQuery = serde_urlencoded::from_str(&f.get("query").unwrap_or_default()).unwrap_or_default();
    let query = serde_urlencoded::to_string(q.pairs()).unwrap_or_default();
    state.store.save_search(&cur.actor, &f.get("name").unwrap_or_default(), &query).await?;
    Ok(Redirect::to(&format!("/children?{query}")).into_response())
}

pub async fn delete_search(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
) -> Result<Response, PageError> {
    state.store.delete_saved_search(&cur.actor, id).await?;
    Ok(Redirect::to("/children").into_response())
}
