//! A child's flags on the pages: the ones still up at the top of the child's record and case,
//! badges on lists, and the flags page where they are raised and removed (with a reason).

use super::form::{FormData, FormView};
use super::{notice_of, render};
use crate::auth::{Current, PageUser};
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::i18n::Tr;
use crate::views::{options, Layout, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use krousar_domain::flag::{removal_reason, FlagInput, FlagKind};
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Invalid};
use krousar_store::children::Child;
use krousar_store::flags::Flag;
use krousar_store::StoreError;
use uuid::Uuid;

/// One flag as a page shows it.
pub struct FlagView {
    pub id: String,
    pub kind: String,
    pub reason: String,
    /// "Raised by Dara on 3 December 2026", with its last day if it has one.
    pub raised: String,
    /// Empty while it is up; otherwise who removed it, when and why (or that it ended).
    pub ended: String,
}

impl FlagView {
    pub fn new(tr: Tr, f: &Flag) -> FlagView {
        let mut raised = tr.t2("msg-flag-raised", ("who", f.raised_by.clone().unwrap_or_default()), ("date", tr.date(f.raised_on)));
        if let Some(u) = f.until {
            raised = format!("{raised} · {}", tr.t1("msg-flag-until", "date", tr.date(u)));
        }
        let ended = match (&f.removed_on, &f.removed_reason) {
            (Some(on), reason) => format!(
                "{}: {}",
                tr.t2("msg-flag-removed", ("who", f.removed_by.clone().unwrap_or_default()), ("date", tr.date(*on))),
                reason.clone().unwrap_or_default()
            ),
            (None, _) if !f.active => tr.t("msg-flag-ended"),
            _ => String::new(),
        };
        FlagView { id: f.id.to_string(), kind: tr.t(&f.kind.label_key()), reason: f.reason.clone(), raised, ended }
    }
}

/// The flags still up, for the top of the child's record and case page; `None` when the reader
/// may not see flags at all.
pub struct FlagsBox {
    pub active: Vec<FlagView>,
    pub can_flag: bool,
}

impl FlagsBox {
    pub fn new(cur: &Current, child: &Child, flags: &[Flag]) -> FlagsBox {
        let can_flag = decide(&cur.actor, Action::FlagChild, Target::Record(&child.owner(&cur.actor))).allowed();
        FlagsBox { active: flags.iter().filter(|f| f.active).map(|f| FlagView::new(cur.tr, f)).collect(), can_flag }
    }
}

pub async fn flags_box(state: &AppState, cur: &Current, child: &Child) -> Result<Option<FlagsBox>, StoreError> {
    Ok(state.store.flags_of(&cur.actor, child).await?.map(|flags| FlagsBox::new(cur, child, &flags)))
}

/// A flag's raising and removal as events of the case's timeline: (day, what, who, lines).
pub fn timeline_events(tr: Tr, f: &Flag) -> Vec<(chrono::NaiveDate, String, String, Vec<String>)> {
    let mut out = vec![(
        f.raised_on,
        tr.t("kind-flag"),
        f.raised_by.clone().unwrap_or_default(),
        vec![format!("{}: {}", tr.t(&f.kind.label_key()), f.reason)],
    )];
    if let Some(on) = f.removed_on {
        out.push((
            on,
            tr.t("kind-flag-removed"),
            f.removed_by.clone().unwrap_or_default(),
            vec![format!("{}: {}", tr.t(&f.kind.label_key()), f.reason), f.removed_reason.clone().unwrap_or_default()],
        ));
    }
    out
}

#[derive(Template)]
#[template(path = "flags.html")]
struct FlagsPage {
    l: Layout,
    id: String,
    active: Vec<FlagView>,
    past: Vec<FlagView>,
    can_flag: bool,
    kinds: Vec<Opt>,
    f: FormView,
    /// The flag whose removal was refused, and why.
    removing: String,
    remove_error: String,
    notice: String,
}

async fn page(
    state: &AppState,
    cur: &Current,
    id: Uuid,
    values: &FormData,
    e: &Invalid,
    removing: Option<Uuid>,
) -> Result<Response, PageError> {
    let tr = cur.tr;
    let child = state.store.view_child(&cur.actor, id, "page").await?;
    let Some(flags) = state.store.flags_of(&cur.actor, &child).await? else { return Err(PageError(AppError::Forbidden)) };
    let can_flag = decide(&cur.actor, Action::FlagChild, Target::Record(&child.owner(&cur.actor))).allowed();
    let child_name = child.display_name(tr.is_km());
    let (removing, remove_error, f) = match removing {
        Some(flag) => (flag.to_string(), notice_of(cur, e), FormView::default()),
        None => (String::new(), String::new(), FormView::new(values.0.iter().cloned(), e, tr)),
    };
    let body = render(FlagsPage {
        l: Layout::new(cur, tr.t1("page-flags-of", "name", &child_name), "/children"),
        id: id.to_string(),
        active: flags.iter().filter(|f| f.active).map(|f| FlagView::new(tr, f)).collect(),
        past: flags.iter().filter(|f| !f.active).map(|f| FlagView::new(tr, f)).collect(),
        can_flag,
        kinds: options(tr, FlagKind::ALL, FlagKind::code, FlagKind::label_key, values.get("kind").as_deref(), Some("opt-choose")),
        f,
        removing,
        remove_error,
        notice: if e.errors.is_empty() { String::new() } else { notice_of(cur, e) },
    });
    Ok(if e.errors.is_empty() { body } else { (StatusCode::UNPROCESSABLE_ENTITY, body).into_response() })
}

/// `GET /children/{id}/flags`
pub async fn show(State(state): State<AppState>, PageUser(cur): PageUser, Ids(id): Ids<Uuid>) -> Result<Response, PageError> {
    page(&state, &cur, id, &FormData::default(), &Invalid::default(), None).await
}

/// `POST /children/{id}/flags`: raise one.
pub async fn raise(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<Uuid>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    let input = FlagInput { kind: f.get("kind"), reason: f.get("reason"), until: f.get("until") };
    match input.validate(cur.actor.today()) {
        Ok(flag) => {
            state.store.raise_flag(&cur.actor, id, flag).await?;
            Ok(Redirect::to(&format!("/children/{id}/flags")).into_response())
        }
        Err(e) => page(&state, &cur, id, &f, &e, None).await,
    }
}

/// `POST /children/{id}/flags/{flag}/remove`: take one down, saying why.
pub async fn remove(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, flag)): Ids<(Uuid, Uuid)>,
    crate::extract::Posted(pairs): crate::extract::Posted,
) -> Result<Response, PageError> {
    let f = FormData(pairs);
    match removal_reason(f.get("reason").as_deref()) {
        Ok(reason) => {
            state.store.remove_flag(&cur.actor, id, flag, &reason).await?;
            Ok(Redirect::to(&format!("/children/{id}/flags")).into_response())
        }
        Err(e) => page(&state, &cur, id, &FormData::default(), &e, Some(flag)).await,
    }
}
