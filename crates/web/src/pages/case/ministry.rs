//! The ministry's six case forms, filled from the case, in Khmer (English on request), as a PDF
//! rendered by headless Chromium, or as a print-ready page where no Chromium is installed.

use super::super::render;
use crate::auth::PageUser;
use crate::error::{AppError, PageError};
use crate::extract::Ids;
use crate::i18n::{Lang, Tr};
use crate::views::age_text;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use krousar_domain::case::csi;
use krousar_domain::case::entries::CsiAssessment;
use krousar_domain::entry_of;
use krousar_store::cases::CaseFile;
use krousar_store::children::Child;
use serde::Deserialize;

/// The six forms, numbered as the ministry numbers them.
pub const FORMS: [u8; 6] = [1, 2, 3, 4, 5, 6];

pub struct Section {
    pub heading: String,
    pub rows: Vec<(String, String)>,
    pub head: Vec<String>,
    pub table: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "print_form.html")]
pub(crate) struct PrintPage {
    pub lang: &'static str,
    pub tr: Tr,
    pub title: String,
    pub number: String,
    pub org: String,
    pub sections: Vec<Section>,
    pub signatures: Vec<String>,
    pub generated: String,
    pub css_inline: String,
    pub screen_links: bool,
    pub pdf_href: String,
    pub back_href: String,
    pub back_label: String,
    /// A spreadsheet of the same document, when there is one.
    pub xlsx_href: String,
    pub notice: String,
    /// A form that asks for another document of the same kind (the quarterly report: which
    /// report, which quarter, which language); none for a case's forms.
    pub chooser: Option<Chooser>,
}

/// A GET form of pick-lists over a document, shown on screen only.
pub(crate) struct Chooser {
    pub action: &'static str,
    /// Choices kept as they are (the reach, the province).
    pub hidden: Vec<(String, String)>,
    /// (name, label, options) of each pick-list.
    pub selects: Vec<(&'static str, String, Vec<crate::views::Opt>)>,
    pub button: String,
}

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    format: Option<String>,
    lang: Option<String>,
}

fn section(heading: String, rows: Vec<(String, String)>) -> Section {
    Section { heading, rows, head: Vec::new(), table: Vec::new() }
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn yes_no(tr: Tr, v: bool) -> String {
    tr.t(if v { "msg-yes" } else { "msg-no" })
}

fn day(tr: Tr, v: &str) -> String {
    crate::views::local_day(v).map(|d| tr.date(d)).unwrap_or_default()
}

fn child_section(tr: Tr, child: &Child, place: &str, today: chrono::NaiveDate) -> Section {
    let f = &child.fields;
    let birth = match (f.date_of_birth, f.estimated_birth_year) {
        (Some(d), _) => tr.date(d),
        (None, Some(y)) => tr.t1("msg-born-about", "year", tr.num(y)),
        _ => "—".into(),
    };
    section(
        tr.t("form-section-child"),
        vec![
            (tr.t("field-case-number"), child.case_number.clone()),
            (tr.t("field-name-km"), child.display_name(true)),
            (tr.t("field-name-latin"), child.display_name(false)),
            (tr.t("field-sex"), tr.t(&f.sex.label_key())),
            (tr.t("field-date-of-birth"), birth),
            (tr.t("field-age"), age_text(tr, f, today)),
            (tr.t("field-birth-registration"), tr.t(&f.birth_registration.label_key())),
            (tr.t("field-address"), place.to_string()),
            (tr.t("field-disability"), tr.t(&f.disability.label_key())),
            (tr.t("field-protection"), f.protection.iter().map(|p| tr.t(&p.label_key())).collect::<Vec<_>>().join(", ")),
            (tr.t("field-worker"), child.assigned_worker_name.clone().unwrap_or_default()),
        ],
    )
}

fn risk_section(tr: Tr, file: &CaseFile) -> Section {
    let r = file.latest_of(entry_of!(Risk));
    section(
        tr.t("field-risk"),
        vec![
            (tr.t("field-risk"), file.case.risk_level.map(|l| tr.t(&l.label_key())).unwrap_or_else(|| tr.t("msg-risk-not-assessed"))),
            (tr.t("field-risk-reasons"), r.map(|(_, r)| r.reasons.clone()).unwrap_or_default()),
            (tr.t("field-assessed-on"), r.map(|(e, _)| day(tr, &e.occurred_on)).unwrap_or_default()),
        ],
    )
}

fn approvals_of(tr: Tr, file: &CaseFile, kind: &str) -> Vec<(String, String)> {
    file.approvals
        .iter()
        .filter(|a| a.kind == kind && a.state == "approved")
        .map(|a| {
            (
                tr.t("msg-approved-by"),
                format!(
                    "{} · {}",
                    a.decided_by_name.clone().unwrap_or_default(),
                    a.decided_at.as_deref().map(|d| day(tr, d)).unwrap_or_default()
                ),
            )
        })
        .collect()
}

fn csi_total(a: &CsiAssessment) -> u64 {
    a.scores.scores.iter().map(|x| u64::from(x.score)).sum()
}

fn build(
    tr: Tr,
    n: u8,
    child: &Child,
    file: &CaseFile,
    place: &str,
    households: &[String],
    today: chrono::NaiveDate,
) -> (Vec<Section>, Vec<String>) {
    let case = &file.case;
    let mut out = vec![child_section(tr, child, place, today)];
    let worker = tr.t("sign-worker");
    let supervisor = tr.t("sign-supervisor");
    match n {
        1 => {
            out.push(section(
                tr.t("form-section-intake"),
                vec![
                    (tr.t("field-opened-on"), tr.date(case.opened_on)),
                    (tr.t("field-intake-route"), tr.t(&case.route.label_key())),
                    (tr.t("field-referral-source"), case.referral_source.map(|r| tr.t(&r.label_key())).unwrap_or_default()),
                    (tr.t("field-summary"), case.summary.clone().unwrap_or_default()),
                    (tr.t("field-immediate-safety"), case.immediate_safety.clone().unwrap_or_default()),
                ],
            ));
            let info = file.latest_of(entry_of!(TracingInfo)).map(|(_, i)| i);
            out.push(section(
                tr.t("form-section-family"),
                vec![
                    (tr.t("page-households"), households.join(", ")),
                    (tr.t("field-parents"), info.map(|i| s(&i.parents)).unwrap_or_default()),
                    (tr.t("field-relatives"), info.map(|i| s(&i.relatives)).unwrap_or_default()),
                    (tr.t("field-old-place"), info.map(|i| s(&i.old_place)).unwrap_or_default()),
                ],
            ));
            out.push(risk_section(tr, file));
            (out, vec![worker, supervisor])
        }
        2 => {
            let mut csi_part = section(tr.t("page-csi"), Vec::new());
            if let Some((e, a)) = file.latest_of(entry_of!(Csi)) {
                csi_part.rows.push((tr.t("field-assessed-on"), day(tr, &e.occurred_on)));
                csi_part.head = vec![tr.t("field-domain"), tr.t("field-factor"), tr.t("field-score"), tr.t("field-csi-note")];
                let total = csi_total(a);
                for d in csi::DOMAINS {
                    for f in d.factors {
                        let sc = a.scores.scores.iter().find(|x| x.factor == *f);
                        csi_part.table.push(vec![
                            tr.t(&format!("csi-domain-{}", d.code)),
                            tr.t(&format!("csi-{f}")),
                            sc.map(|x| tr.num(x.score)).unwrap_or_default(),
                            sc.map(|x| s(&x.note)).unwrap_or_default(),
                        ]);
                    }
                }
                csi_part.rows.push((tr.t("field-total"), tr.t1("msg-csi-total", "total", tr.num(total))));
            }
            out.push(csi_part);
            let fam = file.latest_of(entry_of!(FamilyAssessment)).map(|(_, f)| f);
            let mut rows = vec![(tr.t("field-family-outcome"), fam.map(|f| tr.t(&f.outcome.label_key())).unwrap_or_default())];
            for (area, finding) in fam.map(|f| f.findings.as_slice()).unwrap_or_default() {
                rows.push((tr.t(&format!("field-family-{}", area.replace('_', "-"))), finding.clone()));
            }
            out.push(section(tr.t("case-form-family-assessment"), rows));
            out.push(risk_section(tr, file));
            let mut approved = section(tr.t("page-approvals"), approvals_of(tr, file, "assessment"));
            approved.rows.retain(|r| !r.1.is_empty());
            out.push(approved);
            (out, vec![worker, supervisor])
        }
        3 => {
            let plan = file.latest_of(entry_of!(CarePlan)).map(|(_, p)| p);
            let mut rows = Vec::new();
            for g in plan.map(|p| p.goals.as_slice()).unwrap_or_default() {
                rows.push((tr.t(&format!("csi-domain-{}", g.domain)), g.goal.clone()));
            }
            rows.push((tr.t("field-child-view"), plan.map(|p| s(&p.child_view)).unwrap_or_default()));
            rows.push((tr.t("field-family-view"), plan.map(|p| s(&p.family_view)).unwrap_or_default()));
            rows.push((tr.t("field-review-on"), plan.map(|p| tr.date(p.review_on)).unwrap_or_default()));
            rows.extend(approvals_of(tr, file, "care_plan"));
            out.push(section(tr.t("case-form-plan"), rows));
            let mut tasks = section(tr.t("page-tasks"), Vec::new());
            tasks.head = vec![tr.t("field-task"), tr.t("field-owner"), tr.t("field-due-on"), tr.t("field-status")];
            tasks.table = file
                .tasks
                .iter()
                .map(|t| {
                    vec![
                        t.title.clone(),
                        t.owner_name.clone(),
                        day(tr, &t.due_on),
                        t.done_on.as_deref().map(|d| tr.t1("msg-done-on", "date", day(tr, d))).unwrap_or_else(|| tr.t("msg-open")),
                    ]
                })
                .collect();
            out.push(tasks);
            let mut services = section(tr.t("form-section-services"), Vec::new());
            services.head = vec![
                tr.t("field-service"),
                tr.t("field-provider"),
                tr.t("field-provided-on"),
                tr.t("field-value-riel"),
                tr.t("field-outcome"),
            ];
            services.table = file
                .all_of(entry_of!(Service))
                .map(|(e, b)| {
                    vec![
                        tr.t(&b.service.label_key()),
                        b.provider_name.clone().unwrap_or_else(|| tr.t(&b.provider.label_key())),
                        day(tr, &e.occurred_on),
                        b.value_riel.map(|v| tr.num(v)).unwrap_or_default(),
                        s(&b.outcome),
                    ]
                })
                .collect();
            out.push(services);
            (out, vec![worker, supervisor, tr.t("sign-family")])
        }
        4 => {
            let ready = file.latest_of(entry_of!(Readiness)).map(|(_, r)| r);
            out.push(section(
                tr.t("case-form-readiness"),
                vec![
                    (tr.t("field-child-ready"), ready.map(|r| tr.t(&r.child_ready.label_key())).unwrap_or_default()),
                    (tr.t("field-family-ready"), ready.map(|r| tr.t(&r.family_ready.label_key())).unwrap_or_default()),
                    (tr.t("field-child-view"), ready.map(|r| r.child_view.clone()).unwrap_or_default()),
                    (tr.t("field-family-view"), ready.map(|r| s(&r.family_view)).unwrap_or_default()),
                ],
            ));
            let p = file.latest_of(entry_of!(Placement));
            let mut rows = vec![
                (tr.t("field-placement-type"), p.map(|(_, p)| tr.t(&p.kind.label_key())).unwrap_or_default()),
                (tr.t("field-carer-household"), households.join(", ")),
                (tr.t("field-started-on"), p.map(|(e, _)| day(tr, &e.occurred_on)).unwrap_or_default()),
                (tr.t("field-justification"), p.map(|(_, p)| s(&p.justification)).unwrap_or_default()),
                (tr.t("field-follow-up-until"), case.follow_up_until.map(|d| tr.date(d)).unwrap_or_default()),
            ];
            rows.extend(approvals_of(tr, file, "placement"));
            out.push(section(tr.t("case-form-placement"), rows));
            if let Some((e, c)) = file.latest_of(entry_of!(Conference)) {
                out.push(section(
                    tr.t("case-form-conference"),
                    vec![
                        (tr.t("field-held-on"), day(tr, &e.occurred_on)),
                        (tr.t("field-decisions"), c.decisions.clone()),
                        (tr.t("field-commitments"), s(&c.commitments)),
                    ],
                ));
            }
            (out, vec![worker, supervisor, tr.t("sign-carer")])
        }
        5 => {
            out.push(section(
                tr.t("case-form-placement"),
                vec![
                    (tr.t("field-placement-type"), case.placement_kind.map(|k| tr.t(&k.label_key())).unwrap_or_default()),
                    (tr.t("field-started-on"), case.placement_started_on.map(|d| tr.date(d)).unwrap_or_default()),
                    (tr.t("field-follow-up-until"), case.follow_up_until.map(|d| tr.date(d)).unwrap_or_default()),
                    (tr.t("field-risk"), case.risk_level.map(|l| tr.t(&l.label_key())).unwrap_or_default()),
                ],
            ));
            let mut visits = section(tr.t("page-follow-up"), Vec::new());
            visits.head = vec![
                tr.t("field-visited-on"),
                tr.t("field-visited-by"),
                tr.t("field-child-seen"),
                tr.t("field-spoken-alone"),
                tr.t("field-school"),
                tr.t("field-safety-concern"),
            ];
            visits.table = file
                .all_of(entry_of!(Visit))
                .map(|(e, v)| {
                    vec![
                        day(tr, &e.occurred_on),
                        super::show::who_and_how(tr, v),
                        yes_no(tr, v.child_seen),
                        yes_no(tr, v.spoken_alone),
                        tr.t(&v.school.label_key()),
                        s(&v.safety_concern),
                    ]
                })
                .collect();
            out.push(visits);
            let mut schedule = section(tr.t("form-section-schedule"), Vec::new());
            schedule.head = vec![tr.t("field-due-on"), tr.t("field-status")];
            schedule.table = file
                .visits
                .iter()
                .map(|v| {
                    vec![
                        day(tr, &v.due_on),
                        v.done_on.as_deref().map(|d| tr.t1("msg-visited-on", "date", day(tr, d))).unwrap_or_else(|| tr.t("msg-due")),
                    ]
                })
                .collect();
            out.push(schedule);
            (out, vec![worker, supervisor])
        }
        _ => {
            let first = file.all_of(entry_of!(Csi)).next().map(|(_, a)| a);
            let last = file.latest_of(entry_of!(Csi)).map(|(_, a)| a);
            let total = |a: Option<&CsiAssessment>| a.map(|a| tr.num(csi_total(a))).unwrap_or_default();
            let mut rows = vec![
                (tr.t("field-closure-reason"), case.closure_reason.map(|r| tr.t(&r.label_key())).unwrap_or_else(|| tr.t("msg-not-closed"))),
                (tr.t("field-closed-on"), case.closed_on.map(|d| tr.date(d)).unwrap_or_default()),
                (tr.t("field-opened-on"), tr.date(case.opened_on)),
                (tr.t("form-first-csi"), total(first)),
                (tr.t("form-last-csi"), total(last)),
                (tr.t("form-services-count"), tr.num(file.all_of(entry_of!(Service)).count())),
                (tr.t("form-visits-count"), tr.num(file.all_of(entry_of!(Visit)).count())),
            ];
            let closing = file.all_of(entry_of!(ApprovalRequested)).rev().find_map(|(_, a)| a.closure.as_ref());
            if let Some(c) = closing {
                rows.push((tr.t("field-note"), s(&c.note)));
            }
            rows.extend(approvals_of(tr, file, "closure"));
            out.push(section(tr.t("form-section-closure"), rows));
            (out, vec![worker, supervisor, tr.t("sign-dosvy")])
        }
    }
}

pub async fn print(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids((id, n)): Ids<(uuid::Uuid, String)>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let n: u8 = n.parse().ok().filter(|n| FORMS.contains(n)).ok_or(PageError(AppError::NotFound))?;
    let (child, file) = state.store.case_file(&cur.actor, id, "print").await?;
    let Some(file) = file else { return Err(PageError(AppError::NotFound)) };
    // The ministry's forms are the case's own organisation's papers: a referral's receiver or a
    // transfer's sender reads the case as cut, and a form with its blanks would read as false.
    let full = krousar_domain::policy::disclosure(&cur.actor, &child.owner(&cur.actor)).is_some_and(|d| d.is_full());
    if !full {
        return Err(PageError(AppError::NotFound));
    }
    // The ministry's forms are Khmer documents; English only when asked for.
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Km };
    let tr = Tr::new(lang);
    let place = match &child.fields.village_code {
        Some(c) => state.store.location_path(c).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let households: Vec<String> = state.store.households_of_child(id).await?.into_iter().map(|(_, n)| n).collect();
    let org = state.store.org(child.org_id).await?.name;
    let (sections, signatures) = build(tr, n, &child, &file, &place, &households, cur.actor.today());
    let as_html = q.format.as_deref() == Some("html");
    let lang_q = if lang == Lang::En { "&lang=en" } else { "" };
    let page = PrintPage {
        lang: lang.code(),
        tr,
        title: tr.t(&format!("form-{n}-title")),
        number: tr.t1("form-number", "n", tr.num(n)),
        org,
        sections,
        signatures,
        generated: tr.t1("form-generated", "date", tr.date(cur.actor.today())),
        css_inline: String::new(),
        screen_links: as_html,
        pdf_href: format!("/children/{id}/case/forms/{n}?format=pdf{lang_q}"),
        back_href: format!("/children/{id}/case"),
        back_label: tr.t("btn-case"),
        xlsx_href: String::new(),
        notice: String::new(),
        chooser: None,
    };
    deliver(&cur, page, as_html, &format!("{}-form{n}.pdf", child.case_number)).await
}

/// The page as a PDF (Chromium), or as a print-ready page when asked for or when no PDF can be made.
pub(crate) async fn deliver(
    cur: &crate::auth::Current,
    mut page: PrintPage,
    as_html: bool,
    file_name: &str,
) -> Result<Response, PageError> {
    if !as_html {
        page.css_inline = crate::security::PRINT_CSS.to_string();
        let html = page.render().map_err(|e| PageError(AppError::Internal(e.to_string())))?;
        match crate::pdf::html_to_pdf(&html).await {
            Ok(pdf) => {
                return Ok((
                    [
                        (header::CONTENT_TYPE, "application/pdf".to_string()),
                        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\"")),
                        (header::CACHE_CONTROL, "private, no-store".to_string()),
                    ],
                    pdf,
                )
                    .into_response());
            }
            Err(e) => {
                // No PDF here: the same form as a page to print from the browser.
                tracing::warn!(error = %e, "pdf not available");
                page.css_inline = String::new();
                page.screen_links = true;
                page.notice = cur.tr.t("msg-pdf-unavailable");
            }
        }
    }
    Ok(render(page))
}

/// The printed referral for an organisation that does not use Krousar, in Khmer or English.
pub async fn external_referral(
    State(state): State<AppState>,
    PageUser(cur): PageUser,
    Ids(id): Ids<uuid::Uuid>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, PageError> {
    let (e, child) = state.store.external_referral(&cur.actor, id).await?;
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Km };
    let tr = Tr::new(lang);
    let place = match &child.fields.village_code {
        Some(c) => state.store.location_path(c).await.ok().map(|p| p.label(tr.is_km())).unwrap_or_default(),
        None => String::new(),
    };
    let r = &e.body;
    let mut sections = Vec::new();
    // The child's identity only if the consent covers it (or a supervisor overrode consent).
    if krousar_domain::referral::shared(r.consent.as_ref(), krousar_domain::referral::Share::Identity) {
        sections.push(child_section(tr, &child, &place, cur.actor.today()));
    } else {
        sections.push(section(
            tr.t("form-section-child"),
            vec![
                (tr.t("field-sex"), tr.t(&child.fields.sex.label_key())),
                (tr.t("field-age"), age_text(tr, &child.fields, cur.actor.today())),
            ],
        ));
    }
    sections.push(section(
        tr.t("page-refer"),
        vec![
            (tr.t("field-to-org"), e.partner.clone()),
            (tr.t("field-services-requested"), r.services.clone()),
            (tr.t("field-reason"), r.reason.clone()),
            (tr.t("field-urgency"), tr.t(&r.urgency.label_key())),
            (tr.t("field-risk"), String::new()),
        ],
    ));
    let consent = match &r.consent {
        Some(c) => vec![
            (tr.t("field-consent-by"), tr.t(&c.by.label_key())),
            (tr.t("field-consent-on"), tr.date(c.given_on)),
            (tr.t("field-shares"), c.shares.iter().map(|s| tr.t(&s.label_key())).collect::<Vec<_>>().join(", ")),
        ],
        None => vec![(tr.t("field-override-reason"), r.override_reason.clone().unwrap_or_default())],
    };
    sections.push(section(tr.t("field-consent"), consent));
    if let Some(s) = sections.get_mut(1) {
        s.rows.retain(|(_, v)| !v.is_empty());
    }
    let org = state.store.org(child.org_id).await?.name;
    let as_html = q.format.as_deref() == Some("html");
    let lang_q = if lang == Lang::En { "&lang=en" } else { "" };
    let page = PrintPage {
        lang: lang.code(),
        tr,
        title: tr.t("form-referral-title"),
        number: e.partner.clone(),
        org,
        sections,
        signatures: vec![tr.t("sign-worker"), tr.t("sign-receiver")],
        generated: tr.t1("form-generated", "date", tr.date(cur.actor.today())),
        css_inline: String::new(),
        screen_links: as_html,
        pdf_href: format!("/referrals/external/{id}/form?format=pdf{lang_q}"),
        back_href: "/referrals".into(),
        back_label: tr.t("nav-referrals"),
        xlsx_href: String::new(),
        notice: String::new(),
        chooser: None,
    };
    deliver(&cur, page, as_html, "referral.pdf").await
}
