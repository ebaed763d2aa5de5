//! One distribution: what each household gets, its list (added by village or by name), the
//! receipts recorded after the day, and the list printed for signatures (Khmer by default).

use super::{may_manage, riel};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::extract::{Ids, Posted};
use crate::i18n::{Lang, Tr};
use crate::pages::case::ministry::{deliver, PrintPage, Section};
use crate::pages::form::FormData;
use crate::pages::render;
use crate::views::{Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::distribution::{Receipt, MAX_HOUSEHOLDS};
use krousar_store::distributions::{Adding, DistributionRecord, ListLine};
use krousar_store::StoreError;
use serde::Deserialize;
use uuid::Uuid;

pub struct Line {
    pub id: String,
    pub name: String,
    pub village: String,
    pub children: String,
    pub states: Vec<Opt>,
    pub signed: bool,
}

pub struct Found {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "distribution_show.html")]
struct ShowPage {
    l: Layout,
    id: String,
    facts: Vec<(String, String)>,
    items: Vec<(String, String, String)>,
    lines: Vec<Line>,
    villages: Vec<Opt>,
    /// The organisation's community groups (empty when the reader does not run groups).
    groups: Vec<Opt>,
    q: String,
    found: Vec<Found>,
    today: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    q: Option<String>,
    added: Option<usize>,
}

fn village_of(tr: Tr, l: &ListLine) -> String {
    match (&l.village_km, &l.village_latin) {
        (Some(k), _) if tr.is_km() => k.clone(),
        (_, Some(e)) => e.clone(),
        _ => String::new(),
    }
}

fn facts(cur_tr: Tr, d: &DistributionRecord, riel: &dyn Fn(i64) -> String) -> Vec<(String, String)> {
    let tr = cur_tr;
    let value = d.distribution.value_per_household();
    let mut f = vec![
        (tr.t("field-support-kind"), tr.t(&d.distribution.kind.label_key())),
        (tr.t("field-given-on"), tr.date(d.distribution.given_on)),
    ];
    if let Some(p) = &d.distribution.place {
        f.push((tr.t("field-place"), p.clone()));
    }
    if value > 0 {
        f.push((tr.t("field-value-per-household"), riel(value)));
        f.push((tr.t("field-value-total"), riel(value.saturating_mul(d.households))));
    }
    f.push((tr.t("field-households-listed"), tr.count(d.households)));
    f.push((tr.t("field-households-received"), tr.count(d.received)));
    f.push((tr.t("field-households-not-received"), tr.count(d.not_received)));
    if let Some(n) = &d.distribution.note {
        f.push((tr.t("field-note"), n.clone()));
    }
    f.push((tr.t("field-recorded-by"), format!("{} · {}", d.created_by, tr.day(&d.created_at))));
    f
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let tr = cur.tr;
    let (d, lines) = state.store.distribution(&cur.actor, id).await?;
    let money = |n| riel(&cur, n);
    let items = d
        .distribution
        .items
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                format!("{} {}", tr.num(i.quantity), i.unit.clone().unwrap_or_default()),
                i.value_riel.map(money).unwrap_or_default(),
            )
        })
        .collect();
    let lines = lines
        .iter()
        .map(|l| Line {
            id: l.household_id.to_string(),
            name: l.name.clone(),
            village: village_of(tr, l),
            children: tr.count(l.children),
            states: Receipt::ALL
                .iter()
                .map(|r| Opt { value: r.code().into(), label: tr.t(&r.label_key()), selected: *r == l.state })
                .collect(),
            signed: l.signed,
        })
        .collect();
    let mut villages = vec![Opt { value: String::new(), label: tr.t("opt-choose"), selected: true }];
    villages.extend(state.store.household_villages(&cur.actor).await?.into_iter().map(|(code, km, latin, n)| Opt {
        value: code,
        label: format!("{} ({})", if tr.is_km() { km } else { latin }, tr.num(n)),
        selected: false,
    }));
    let mut groups = Vec::new();
    if crate::pages::groups::may_manage(&cur).is_ok() {
        groups.push(Opt { value: String::new(), label: tr.t("opt-choose"), selected: true });
        groups.extend(state.store.community_groups(&cur.actor, None).await?.into_iter().map(|g| Opt {
            value: g.id.to_string(),
            label: format!("{} ({})", g.group.name, tr.num(g.members)),
            selected: false,
        }));
    }
    let search = q.q.clone().unwrap_or_default();
    let found = if search.trim().is_empty() {
        Vec::new()
    } else {
        state
            .store
            .list_households(&cur.actor, Some(&search), None, None, None, 30)
            .await?
            .items
            .into_iter()
            .map(|h| Found { id: h.id.to_string(), label: h.fields.name.clone() })
            .collect()
    };
    let notice = q.added.map(|n| tr.tn("msg-households-added", i64::try_from(n).unwrap_or(0))).unwrap_or_default();
    Ok(render(ShowPage {
        l: Layout::new(&cur, d.distribution.name.clone(), "/distributions"),
        id: id.to_string(),
        facts: facts(tr, &d, &money),
        items,
        lines,
        villages,
        groups,
        q: search,
        found,
        today: cur.actor.today().to_string(),
        notice,
    }))
}

/// Add households: a whole village, or those ticked after a search by name.
pub async fn add(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let f = FormData(pairs);
    let group = f.get("group").and_then(|g| Uuid::parse_str(&g).ok());
    let adding = match (f.get("village").filter(|v| !v.is_empty()), group) {
        (Some(_), Some(_)) => return Err(StoreError::invalid("households", "err-village-or-households").into()),
        (Some(v), None) => Adding::Village(v),
        (None, Some(g)) => Adding::Group(g),
        (None, None) => {
            Adding::Households(f.all("household").iter().filter_map(|h| Uuid::parse_str(h).ok()).take(MAX_HOUSEHOLDS).collect())
        }
    };
    let added = state.store.add_to_distribution(&cur.actor, id, adding).await?;
    Ok(Redirect::to(&format!("/distributions/{id}?added={added}")).into_response())
}

/// Record the receipts of the whole list at once.
pub async fn receipts(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Posted(pairs): Posted,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let f = FormData(pairs);
    let on = f
        .get("received_on")
        .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .ok_or_else(|| PageError::from(StoreError::invalid("received_on", "err-date")))?;
    let mut lines = Vec::new();
    for (k, v) in &f.0 {
        if let (Some(h), Some(r)) = (k.strip_prefix("state_").and_then(|h| Uuid::parse_str(h).ok()), Receipt::parse(v)) {
            lines.push((h, r, f.has(&format!("signed_{h}"))));
        }
    }
    state.store.record_receipts(&cur.actor, id, &lines, on).await?;
    Ok(Redirect::to(&format!("/distributions/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// The list to sign, in Khmer unless English is asked for: a PDF, or a page to print.
pub async fn print(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    may_manage(&cur)?;
    let (d, lines) = state.store.distribution(&cur.actor, id).await?;
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Km };
    let tr = Tr::new(lang);
    let money = |n: i64| tr.t1("msg-riel", "value", tr.count(n));
    let what: Vec<String> = d
        .distribution
        .items
        .iter()
        .map(|i| format!("{} {} {}", i.name, tr.num(i.quantity), i.unit.clone().unwrap_or_default()).trim().to_string())
        .collect();
    let mut details = facts(tr, &d, &money);
    details.insert(0, (tr.t("field-distribution-items"), what.join(", ")));
    details.retain(|(k, _)| *k != tr.t("field-recorded-by"));
    let table = lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let received = match l.state {
                Receipt::Received => tr.t("msg-yes"),
                Receipt::NotReceived => tr.t("msg-no"),
                Receipt::Planned => String::new(),
            };
            vec![tr.num(n + 1), l.name.clone(), village_of(tr, l), tr.num(l.children), received, String::new()]
        })
        .collect();
    let head = ["field-number", "field-household", "field-village", "field-children", "field-received", "field-signature"]
        .iter()
        .map(|k| tr.t(k))
        .collect();
    let sections = vec![
        Section { heading: tr.t("form-section-distribution"), rows: details, head: Vec::new(), table: Vec::new() },
        Section { heading: tr.t("form-section-distribution-list"), rows: Vec::new(), head, table },
    ];
    let as_html = q.format.as_deref() == Some("html");
    let lang_q = if lang == Lang::En { "&lang=en" } else { "" };
    let org = state.store.org(cur.actor.org_id).await?.name;
    let page = PrintPage {
        lang: lang.code(),
        tr,
        title: d.distribution.name.clone(),
        number: tr.t("form-distribution-list"),
        org,
        sections,
        signatures: vec![tr.t("sign-distributed-by"), tr.t("sign-village-chief"), tr.t("sign-organisation")],
        generated: tr.t1("form-generated", "date", tr.date(cur.actor.today())),
        css_inline: String::new(),
        screen_links: as_html,
        pdf_href: format!("/distributions/{id}/print?format=pdf{lang_q}"),
        back_href: format!("/distributions/{id}"),
        back_label: tr.t("btn-back"),
        xlsx_href: String::new(),
        notice: String::new(),
        chooser: None,
    };
    deliver(&cur, page, as_html, "distribution-list.pdf").await
}
