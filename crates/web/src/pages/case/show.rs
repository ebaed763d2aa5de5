//! One child's case page: stage, deadlines, what needs approval, the follow-up schedule, tasks,
//! the Child Status Index compared with the previous one, and every event in order.

use crate::i18n::Tr;
use chrono::NaiveDate;
use krousar_domain::case::approval::may_request;
use krousar_domain::case::entries::CsiAssessment;
use krousar_domain::case::{csi, ApprovalKind, ApprovalState, CaseEntry, Stage};
use krousar_domain::entry_of;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use krousar_store::cases::{CaseFile, TimelineEntry};
use krousar_store::children::Child;

pub struct StageStep {
    pub label: String,
    /// "done", "current" or "todo" (shown in words too, never by colour alone).
    pub state: &'static str,
}

pub struct ApprovalView {
    pub id: String,
    pub what: String,
    pub state: String,
    pub asked: String,
    pub decided: String,
    pub comment: String,
    pub can_decide: bool,
}

pub struct TaskView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub open: bool,
    pub overdue: bool,
}

pub struct VisitView {
    pub due: String,
    pub status: String,
    pub overdue: bool,
}

pub struct CsiRow {
    pub label: String,
    pub before: String,
    pub now: String,
    pub before_w: u32,
    pub now_w: u32,
}

pub struct FileView {
    pub href: String,
    pub name: String,
    pub about: String,
}

pub struct EventView {
    pub date: String,
    pub what: String,
    pub who: String,
    pub lines: Vec<String>,
}

pub struct CaseView {
    pub stages: Vec<StageStep>,
    pub facts: Vec<(String, String)>,
    pub closed: bool,
    pub can_work: bool,
    /// Not the case's worker, but the organisation it was referred to: it records services.
    pub can_serve: bool,
    pub requestable: Vec<(String, String)>,
    pub approvals: Vec<ApprovalView>,
    pub visits: Vec<VisitView>,
    pub tasks: Vec<TaskView>,
    pub csi_rows: Vec<CsiRow>,
    pub csi_totals: String,
    /// The organisation's scored forms answered on the case, over time.
    pub scores: Vec<super::scores::ScoredForm>,
    pub events: Vec<EventView>,
    pub has_placement: bool,
    pub files: Vec<FileView>,
    /// Where the child has lived since the case opened: type, from, to (or "now"), why it ended.
    pub placements: Vec<(String, String, String, String)>,
    /// Records a file can belong to (notes, visits, tracing, assessments), newest first.
    pub attach_to: Vec<(String, String)>,
}

impl CaseView {
    /// The approvals open on arrival when there is one to ask for or one not yet decided.
    pub fn approvals_open(&self) -> bool {
        !self.requestable.is_empty() || self.approvals.iter().any(|a| a.can_decide || a.decided.is_empty())
    }
}

fn opt(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|s| !s.is_empty()).cloned()
}

fn some(v: &str) -> Option<String> {
    Some(v.to_string()).filter(|s| !s.is_empty())
}

/// What an event says, in a few lines of the reader's language. Every kind of record is
/// matched: a new kind does not compile until it says how it reads.
pub(crate) fn describe(tr: Tr, e: &TimelineEntry) -> Vec<String> {
    let mut lines = Vec::new();
    let yes_no = |v: bool| tr.t(if v { "msg-yes" } else { "msg-no" });
    match &e.entry {
        CaseEntry::Intake(b) => {
            lines.push(tr.t(&b.route.label_key()));
            lines.extend(b.referral_source.map(|r| tr.t(&r.label_key())));
            lines.extend(opt(&b.summary));
            lines.extend(opt(&b.immediate_safety));
        }
        CaseEntry::Risk(b) => {
            lines.push(tr.t(&b.level.label_key()));
            lines.extend(some(&b.reasons));
        }
        CaseEntry::Csi(b) => lines.push(tr.t1("msg-csi-total", "total", tr.num(csi_total(b)))),
        CaseEntry::CarePlan(b) => {
            for g in &b.goals {
                lines.push(format!("{}: {}", tr.t(&format!("csi-domain-{}", g.domain)), g.goal));
            }
            if let Some(v) = opt(&b.child_view) {
                lines.push(format!("{}: {v}", tr.t("field-child-view")));
            }
            if let Some(v) = opt(&b.family_view) {
                lines.push(format!("{}: {v}", tr.t("field-family-view")));
            }
        }
        CaseEntry::Placement(b) => {
            lines.push(tr.t(&b.kind.label_key()));
            lines.extend(opt(&b.justification));
        }
        CaseEntry::PlacementEnd(b) => lines.extend(some(&b.reason)),
        CaseEntry::Reopen(b) => lines.extend(some(&b.reason)),
        CaseEntry::Visit(b) => {
            lines.push(who_and_how(tr, b));
            lines.push(format!("{}: {}", tr.t("field-child-seen"), yes_no(b.child_seen)));
            lines.push(format!("{}: {}", tr.t("field-spoken-alone"), yes_no(b.spoken_alone)));
            lines.push(format!("{}: {}", tr.t("field-school"), tr.t(&b.school.label_key())));
            for o in &b.observations {
                lines.push(format!("{}: {}", tr.t(&format!("csi-domain-{}", o.domain)), o.text));
            }
            if let Some(c) = opt(&b.safety_concern) {
                lines.push(format!("{}: {c}", tr.t("field-safety-concern")));
            }
            lines.extend(opt(&b.actions));
        }
        CaseEntry::Note(b) => {
            lines.push(tr.t(&b.kind.label_key()));
            lines.extend(some(&b.text));
        }
        CaseEntry::Task(b) => lines.extend(some(&b.title)),
        CaseEntry::TaskDone(_) => {}
        CaseEntry::Attachment(b) => lines.extend(some(&b.file_name)),
        CaseEntry::ReferralSent(b) => {
            lines.push(tr.t(&b.kind.label_key()));
            lines.extend(opt(&b.partner));
            lines.extend(some(&b.services));
        }
        CaseEntry::ReferralDecided(b) => {
            lines.push(tr.t(&b.state.label_key()));
            lines.extend(opt(&b.reason));
        }
        CaseEntry::CustomForm(b) => lines.extend(crate::pages::forms::record::answer_lines(tr, b)),
        CaseEntry::Assessment(b) => {
            let km = tr.is_km();
            lines.extend(some(if km { &b.name_km } else { &b.name_en }));
            lines.push(tr.t1("msg-tool-total", "total", tr.num(b.total)));
            for a in &b.answers {
                lines.push(format!("{}: {}", if km { &a.km } else { &a.en }, tr.num(a.value)));
            }
            lines.extend(opt(&b.note));
        }
        CaseEntry::TracingInfo(b) => {
            for (v, key) in [
                (&b.parents, "field-parents"),
                (&b.relatives, "field-relatives"),
                (&b.old_place, "field-old-place"),
                (&b.landmarks, "field-landmarks"),
            ] {
                if let Some(v) = opt(v) {
                    lines.push(format!("{}: {v}", tr.t(key)));
                }
            }
        }
        CaseEntry::TracingAttempt(b) => {
            let a = &b.attempt;
            lines.push(format!("{} · {}", tr.t(&a.method.label_key()), tr.t(&a.outcome.label_key())));
            lines.extend(opt(&a.people_met));
            lines.extend(opt(&a.learned));
            if let Some(r) = &a.relative {
                let name = opt(&r.name_km).or_else(|| opt(&r.name_latin)).unwrap_or_default();
                lines.push(format!("{}: {name} ({})", tr.t("field-relative-found"), tr.t(&r.relationship.label_key())));
            }
        }
        CaseEntry::FamilyAssessment(b) => {
            lines.push(tr.t(&b.outcome.label_key()));
            for (area, finding) in &b.findings {
                lines.push(format!("{}: {finding}", tr.t(&format!("field-family-{}", area.replace('_', "-")))));
            }
        }
        CaseEntry::Readiness(b) => {
            lines.push(format!("{}: {}", tr.t("field-child-ready"), tr.t(&b.child_ready.label_key())));
            lines.push(format!("{}: {}", tr.t("field-family-ready"), tr.t(&b.family_ready.label_key())));
            lines.extend(some(&b.child_view).map(|v| format!("{}: {v}", tr.t("field-child-view"))));
            lines.extend(opt(&b.family_view).map(|v| format!("{}: {v}", tr.t("field-family-view"))));
        }
        CaseEntry::AltCare(b) => {
            lines.push(tr.t(&b.option.label_key()));
            lines.extend(some(&b.reason));
        }
        CaseEntry::Conference(b) => {
            let who: Vec<String> = b.participants.iter().map(|p| tr.t(&p.label_key())).collect();
            lines.push(who.join(", "));
            lines.extend(opt(&b.place));
            lines.extend(some(&b.decisions));
            lines.extend(opt(&b.commitments));
            for step in &b.next_steps {
                lines.push(format!("→ {} ({})", step.title, tr.date(step.due_on)));
            }
        }
        CaseEntry::Service(b) => {
            lines.push(format!(
                "{} · {}",
                tr.t(&b.service.label_key()),
                opt(&b.provider_name).unwrap_or_else(|| tr.t(&b.provider.label_key()))
            ));
            lines.extend(opt(&b.quantity));
            if let Some(v) = b.value_riel {
                lines.push(tr.t1("msg-riel", "value", tr.num(v)));
            }
            lines.extend(opt(&b.outcome));
        }
        CaseEntry::ApprovalRequested(b) => {
            lines.push(tr.t(&b.kind.label_key()));
            if let Some(c) = &b.closure {
                lines.push(tr.t(&c.reason.label_key()));
                lines.extend(opt(&c.note));
            }
        }
        CaseEntry::ApprovalDecided(b) => {
            lines.push(format!("{}: {}", tr.t(&b.kind.label_key()), tr.t(&b.state.label_key())));
            lines.extend(opt(&b.comment));
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

fn csi_total(a: &CsiAssessment) -> u64 {
    a.scores.scores.iter().map(|s| u64::from(s.score)).sum()
}

fn csi_scores(a: &CsiAssessment) -> Vec<(String, u64)> {
    a.scores.scores.iter().map(|s| (s.factor.clone(), u64::from(s.score))).collect()
}

/// Placements in order, each with its end (a `placement_end` entry naming it) if it ended.
fn placement_history(tr: Tr, file: &CaseFile) -> Vec<(String, String, String, String)> {
    file.all_of(entry_of!(Placement))
        .map(|(e, p)| {
            let end = file.all_of(entry_of!(PlacementEnd)).find(|(_, x)| x.placement == e.id);
            (
                tr.t(&p.kind.label_key()),
                tr.day(&e.occurred_on),
                end.map(|(x, _)| tr.day(&x.occurred_on)).unwrap_or_else(|| tr.t("msg-now")),
                end.map(|(_, x)| x.reason.clone()).unwrap_or_default(),
            )
        })
        .collect()
}

pub fn build(
    tr: Tr,
    actor: &Actor,
    child: &Child,
    file: &CaseFile,
    supervisor: Option<String>,
    flags: &[krousar_store::flags::Flag],
) -> CaseView {
    let case = &file.case;
    let today = actor.today();
    let owner = child.owner(actor);
    let can_work = decide(actor, Action::WorkCase, Target::Record(&owner)).allowed();
    let can_approve = decide(actor, Action::ApproveCase, Target::Record(&owner)).allowed();
    let can_serve = !can_work && decide(actor, Action::RecordService, Target::Record(&owner)).allowed();
    let step = case.stage.step();
    let stages = Stage::ALL
        .iter()
        .map(|s| StageStep {
            label: tr.t(&s.label_key()),
            state: match s.step().cmp(&step) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "todo",
            },
        })
        .collect();
    let dash = || "—".to_string();
    let d = |x: Option<NaiveDate>| x.map(|d| tr.date(d)).unwrap_or_else(dash);
    let mut facts = vec![
        (tr.t("field-stage"), tr.t(&case.stage.label_key())),
        (tr.t("field-risk"), case.risk_level.map(|r| tr.t(&r.label_key())).unwrap_or_else(|| tr.t("msg-risk-not-assessed"))),
        (tr.t("field-opened-on"), tr.date(case.opened_on)),
        (tr.t("field-intake-route"), tr.t(&case.route.label_key())),
        (tr.t("field-worker"), child.assigned_worker_name.clone().unwrap_or_else(dash)),
    ];
    if let Some(name) = &child.co_worker_name {
        facts.push((tr.t("field-co-worker"), name.clone()));
    }
    facts.push((tr.t("field-supervisor"), supervisor.unwrap_or_else(dash)));
    if case.first_contact_on.is_none() && case.first_contact_due.is_some() {
        facts.push((tr.t("field-first-contact-due"), d(case.first_contact_due)));
    }
    if let Some(k) = case.placement_kind {
        let mut kind = tr.t(&k.label_key());
        if !case.facts.placement_approved {
            kind = format!("{kind} · {}", tr.t("msg-awaiting-approval"));
        }
        facts.push((tr.t("field-placement-type"), kind));
        facts.push((tr.t("field-started-on"), d(case.placement_started_on)));
    }
    if let Some((_, last)) = file.latest_of(entry_of!(TracingAttempt)) {
        facts.push((tr.t("field-trace-outcome"), tr.t(&last.attempt.outcome.label_key())));
    }
    if let Some((_, last)) = file.latest_of(entry_of!(FamilyAssessment)) {
        facts.push((tr.t("field-family-outcome"), tr.t(&last.outcome.label_key())));
    }
    facts.push((tr.t("field-follow-up-until"), d(case.follow_up_until)));
    facts.push((tr.t("field-reassessment-due"), d(case.reassessment_due)));
    facts.push((tr.t("field-review-on"), d(case.plan_review_due)));
    if let Some(r) = case.closure_reason {
        facts.push((tr.t("field-closure-reason"), tr.t(&r.label_key())));
        facts.push((tr.t("field-closed-on"), d(case.closed_on)));
    }
    let pending: Vec<ApprovalKind> =
        file.approvals.iter().filter(|a| a.state == "pending").filter_map(|a| ApprovalKind::parse(&a.kind)).collect();
    let requestable = if can_work {
        [ApprovalKind::Assessment, ApprovalKind::CarePlan, ApprovalKind::Placement]
            .into_iter()
            .filter(|k| may_request(*k, &case.facts, &pending).is_ok())
            .map(|k| (k.code().to_string(), tr.t(&format!("btn-request-{}", k.code().replace('_', "-")))))
            .collect()
    } else {
        Vec::new()
    };
    let approvals = file
        .approvals
        .iter()
        .map(|a| ApprovalView {
            id: a.id.to_string(),
            what: ApprovalKind::parse(&a.kind).map(|k| tr.t(&k.label_key())).unwrap_or_default(),
            state: ApprovalState::parse(&a.state).map(|s| tr.t(&s.label_key())).unwrap_or_default(),
            asked: format!("{} · {}", a.requested_by_name, tr.day(&a.requested_at)),
            decided: a
                .decided_by_name
                .as_ref()
                .map(|n| format!("{n} · {}", a.decided_at.as_deref().map(|t| tr.day(t)).unwrap_or_default()))
                .unwrap_or_default(),
            comment: a.comment.clone().unwrap_or_default(),
            can_decide: can_approve && a.state == "pending" && a.requested_by != actor.user_id,
        })
        .collect();
    let today_s = today.to_string();
    let visits = file
        .visits
        .iter()
        .map(|v| {
            let overdue = v.done_on.is_none() && v.due_on < today_s;
            let status = match &v.done_on {
                Some(done) => tr.t1("msg-visited-on", "date", tr.day(done)),
                None if overdue => tr.t("msg-overdue"),
                None => tr.t("msg-due"),
            };
            VisitView { due: tr.day(&v.due_on), status, overdue }
        })
        .collect();
    let tasks = file
        .tasks
        .iter()
        .map(|t| {
            let overdue = t.done_on.is_none() && t.due_on < today_s;
            TaskView {
                id: t.id.to_string(),
                title: t.title.clone(),
                owner: t.owner_name.clone(),
                due: tr.day(&t.due_on),
                status: match &t.done_on {
                    Some(done) => tr.t1("msg-done-on", "date", tr.day(done)),
                    None if overdue => tr.t("msg-overdue"),
                    None => tr.t("msg-open"),
                },
                open: t.done_on.is_none(),
                overdue,
            }
        })
        .collect();
    let mut assessments = file.all_of(entry_of!(Csi)).rev();
    let (latest, previous) = (assessments.next(), assessments.next());
    let mut csi_rows = Vec::new();
    let mut csi_totals = String::new();
    if let Some((_, latest)) = latest {
        let now = csi_scores(latest);
        let before = previous.map(|(_, p)| csi_scores(p)).unwrap_or_default();
        let score = |list: &[(String, u64)], f: &str| list.iter().find(|(x, _)| x == f).map(|(_, s)| *s);
        for factor in csi::factors() {
            let (n, b) = (score(&now, factor), score(&before, factor));
            csi_rows.push(CsiRow {
                label: tr.t(&format!("csi-{factor}")),
                before: b.map(|v| tr.num(v)).unwrap_or_else(dash),
                now: n.map(|v| tr.num(v)).unwrap_or_else(dash),
                before_w: b.unwrap_or(0) as u32 * 25,
                now_w: n.unwrap_or(0) as u32 * 25,
            });
        }
        let total = |l: &[(String, u64)]| l.iter().map(|(_, s)| s).sum::<u64>();
        csi_totals = match previous {
            Some((p, _)) => {
                tr.t1("msg-csi-total", "total", tr.num(total(&now)))
                    + " · "
                    + &tr.t1("msg-csi-before", "total", tr.num(total(&before)))
                    + &format!(" ({})", tr.day(&p.occurred_on))
            }
            None => tr.t1("msg-csi-total", "total", tr.num(total(&now))),
        };
    }
    // The case's records and the child's flags raised and removed, in the order of their days
    // (a stable sort: records of one day keep their order).
    let mut events: Vec<(String, EventView)> = file
        .timeline
        .iter()
        .map(|e| {
            let view = EventView {
                date: tr.day(&e.occurred_on),
                what: tr.t(&format!("kind-{}", e.kind().replace('_', "-"))),
                who: e.author.clone().unwrap_or_default(),
                lines: describe(tr, e),
            };
            (e.occurred_on.clone(), view)
        })
        .collect();
    for f in flags {
        for (on, what, who, lines) in crate::pages::flags::timeline_events(tr, f) {
            events.push((on.to_string(), EventView { date: tr.date(on), what, who, lines }));
        }
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let events = events.into_iter().map(|(_, v)| v).collect();
    CaseView {
        stages,
        facts,
        closed: case.closed_on.is_some(),
        can_work,
        can_serve,
        requestable,
        approvals,
        visits,
        tasks,
        csi_rows,
        csi_totals,
        scores: super::scores::scored_forms(tr, file),
        events,
        has_placement: case.placement_kind.is_some(),
        placements: placement_history(tr, file),
        attach_to: file
            .timeline
            .iter()
            .rev()
            .filter(|e| e.entry.takes_files())
            .take(30)
            .map(|e| (e.id.to_string(), format!("{} · {}", tr.day(&e.occurred_on), tr.t(&format!("kind-{}", e.kind().replace('_', "-"))))))
            .collect(),
        files: file
            .attachments
            .iter()
            .map(|a| {
                let of = a
                    .entry_id
                    .and_then(|id| file.timeline.iter().find(|e| e.id == id))
                    .map(|e| format!(" · {}", tr.t(&format!("kind-{}", e.kind().replace('_', "-")))))
                    .unwrap_or_default();
                FileView {
                    href: format!("/children/{}/case/attachments/{}", child.id, a.id),
                    name: a.file_name.clone(),
                    about: format!("{} · {} KB · {}{of}", a.content_type, tr.num((a.size + 1023) / 1024), tr.day(&a.created_at)),
                }
            })
            .collect(),
    }
}

/// Who made a visit and how, in one line: "DoSVY officer (Sok Dara) · Phone call".
pub fn who_and_how(tr: Tr, v: &krousar_domain::case::entries::Visit) -> String {
    let who = tr.t(&v.visited_by.label_key());
    let who = match &v.visitor_name {
        Some(name) => tr.t2("msg-visit-by", ("who", who), ("name", name.clone())),
        None => who,
    };
    format!("{who} · {}", tr.t(&v.mode.label_key()))
}
