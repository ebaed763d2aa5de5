//! One child's case page: stage, deadlines, what needs approval, the follow-up schedule, tasks,
//! the Child Status Index compared with the previous one, and every event in order.

use crate::i18n::Tr;
use crate::views::today;
use chrono::NaiveDate;
use krousar_domain::case::approval::may_request;
use krousar_domain::case::entries::{NoteKind, PlacementType, SchoolAttendance};
use krousar_domain::case::family::{AltCare, FamilyOutcome, Readiness, TracingMethod, TracingOutcome};
use krousar_domain::case::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
use krousar_domain::case::support::{Participant, Provider, ServiceKind};
use krousar_domain::case::{csi, ApprovalKind, ApprovalState, Stage};
use krousar_domain::choices::Relationship;
use krousar_domain::policy::{decide, Target};
use krousar_domain::{Action, Actor};
use krousar_store::cases::{CaseFile, TimelineEntry};
use krousar_store::children::Child;
use serde_json::Value;

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
    pub events: Vec<EventView>,
    pub has_placement: bool,
    pub files: Vec<FileView>,
    /// Where the child has lived since the case opened: type, from, to (or "now"), why it ended.
    pub placements: Vec<(String, String, String, String)>,
    /// Records a file can belong to (notes, visits, tracing, assessments), newest first.
    pub attach_to: Vec<(String, String)>,
}

pub(crate) fn date_text(tr: Tr, s: &str) -> String {
    crate::views::local_day(s).map(|d| tr.date(d)).unwrap_or_else(|| s.to_string())
}

fn label<T>(tr: Tr, v: &Value, parse: fn(&str) -> Option<T>, key: fn(T) -> String) -> String {
    v.as_str().and_then(parse).map(|t| tr.t(&key(t))).unwrap_or_default()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// What an event says, in a few lines of the reader's language.
pub(crate) fn describe(tr: Tr, e: &TimelineEntry) -> Vec<String> {
    let b = &e.body;
    let mut lines = Vec::new();
    match e.kind.as_str() {
        "intake" => {
            lines.push(label(tr, &b["route"], IntakeRoute::parse, IntakeRoute::label_key));
            lines.push(label(tr, &b["referral_source"], ReferralSource::parse, ReferralSource::label_key));
            lines.extend(text(&b["summary"]));
            lines.extend(text(&b["immediate_safety"]));
        }
        "risk" => {
            lines.push(label(tr, &b["level"], RiskLevel::parse, RiskLevel::label_key));
            lines.extend(text(&b["reasons"]));
        }
        "csi" => {
            let total: u64 = b["scores"].as_array().map(|a| a.iter().filter_map(|s| s["score"].as_u64()).sum()).unwrap_or(0);
            lines.push(tr.t1("msg-csi-total", "total", tr.num(total)));
        }
        "care_plan" => {
            for g in b["goals"].as_array().into_iter().flatten() {
                let domain = g["domain"].as_str().unwrap_or_default();
                lines.push(format!("{}: {}", tr.t(&format!("csi-domain-{domain}")), g["goal"].as_str().unwrap_or_default()));
            }
            if let Some(v) = text(&b["child_view"]) {
                lines.push(format!("{}: {v}", tr.t("field-child-view")));
            }
            if let Some(v) = text(&b["family_view"]) {
                lines.push(format!("{}: {v}", tr.t("field-family-view")));
            }
        }
        "placement" => {
            lines.push(label(tr, &b["kind"], PlacementType::parse, PlacementType::label_key));
            lines.extend(text(&b["justification"]));
        }
        "placement_end" | "reopen" => lines.extend(text(&b["reason"])),
        "visit" => {
            let yes_no = |v: &Value| tr.t(if v.as_bool() == Some(true) { "msg-yes" } else { "msg-no" });
            lines.push(format!("{}: {}", tr.t("field-child-seen"), yes_no(&b["child_seen"])));
            lines.push(format!("{}: {}", tr.t("field-spoken-alone"), yes_no(&b["spoken_alone"])));
            lines.push(format!(
                "{}: {}",
                tr.t("field-school"),
                label(tr, &b["school"], SchoolAttendance::parse, SchoolAttendance::label_key)
            ));
            for o in b["observations"].as_array().into_iter().flatten() {
                let domain = o["domain"].as_str().unwrap_or_default();
                lines.push(format!("{}: {}", tr.t(&format!("csi-domain-{domain}")), o["text"].as_str().unwrap_or_default()));
            }
            if let Some(c) = text(&b["safety_concern"]) {
                lines.push(format!("{}: {c}", tr.t("field-safety-concern")));
            }
            lines.extend(text(&b["actions"]));
        }
        "note" => {
            lines.push(label(tr, &b["kind"], NoteKind::parse, NoteKind::label_key));
            lines.extend(text(&b["text"]));
        }
        "task" => lines.extend(text(&b["title"])),
        "attachment" => lines.extend(text(&b["file_name"])),
        "referral_sent" => {
            lines.push(label(
                tr,
                &b["kind"],
                krousar_domain::referral::ReferralKind::parse,
                krousar_domain::referral::ReferralKind::label_key,
            ));
            lines.extend(text(&b["services"]));
        }
        "referral_decided" => {
            lines.push(label(
                tr,
                &b["state"],
                krousar_domain::referral::ReferralState::parse,
                krousar_domain::referral::ReferralState::label_key,
            ));
            lines.extend(text(&b["reason"]));
        }
        "assessment" => {
            let km = tr.is_km();
            lines.extend(text(&b[if km { "name_km" } else { "name_en" }]));
            lines.push(tr.t1("msg-tool-total", "total", tr.num(b["total"].as_i64().unwrap_or(0))));
            for a in b["answers"].as_array().into_iter().flatten() {
                lines.push(format!(
                    "{}: {}",
                    a[if km { "km" } else { "en" }].as_str().unwrap_or_default(),
                    tr.num(a["value"].as_i64().unwrap_or(0))
                ));
            }
            lines.extend(text(&b["note"]));
        }
        "tracing_info" => {
            for (k, key) in [
                ("parents", "field-parents"),
                ("relatives", "field-relatives"),
                ("old_place", "field-old-place"),
                ("landmarks", "field-landmarks"),
            ] {
                if let Some(v) = text(&b[k]) {
                    lines.push(format!("{}: {v}", tr.t(key)));
                }
            }
        }
        "tracing_attempt" => {
            let a = &b["attempt"];
            lines.push(format!(
                "{} · {}",
                label(tr, &a["method"], TracingMethod::parse, TracingMethod::label_key),
                label(tr, &a["outcome"], TracingOutcome::parse, TracingOutcome::label_key)
            ));
            lines.extend(text(&a["people_met"]));
            lines.extend(text(&a["learned"]));
            let r = &a["relative"];
            if r.is_object() {
                let name = text(&r["name_km"]).or_else(|| text(&r["name_latin"])).unwrap_or_default();
                lines.push(format!(
                    "{}: {name} ({})",
                    tr.t("field-relative-found"),
                    label(tr, &r["relationship"], Relationship::parse, Relationship::label_key)
                ));
            }
        }
        "family_assessment" => {
            lines.push(label(tr, &b["outcome"], FamilyOutcome::parse, FamilyOutcome::label_key));
            for pair in b["findings"].as_array().into_iter().flatten() {
                let area = pair[0].as_str().unwrap_or_default().replace('_', "-");
                lines.push(format!("{}: {}", tr.t(&format!("field-family-{area}")), pair[1].as_str().unwrap_or_default()));
            }
        }
        "readiness" => {
            lines.push(format!("{}: {}", tr.t("field-child-ready"), label(tr, &b["child_ready"], Readiness::parse, Readiness::label_key)));
            lines.push(format!(
                "{}: {}",
                tr.t("field-family-ready"),
                label(tr, &b["family_ready"], Readiness::parse, Readiness::label_key)
            ));
            lines.extend(text(&b["child_view"]).map(|v| format!("{}: {v}", tr.t("field-child-view"))));
            lines.extend(text(&b["family_view"]).map(|v| format!("{}: {v}", tr.t("field-family-view"))));
        }
        "alt_care" => {
            lines.push(label(tr, &b["option"], AltCare::parse, AltCare::label_key));
            lines.extend(text(&b["reason"]));
        }
        "conference" => {
            let who: Vec<String> = b["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| label(tr, p, Participant::parse, Participant::label_key))
                .collect();
            lines.push(who.join(", "));
            lines.extend(text(&b["place"]));
            lines.extend(text(&b["decisions"]));
            lines.extend(text(&b["commitments"]));
            for step in b["next_steps"].as_array().into_iter().flatten() {
                lines.push(format!(
                    "→ {} ({})",
                    step["title"].as_str().unwrap_or_default(),
                    date_text(tr, step["due_on"].as_str().unwrap_or_default())
                ));
            }
        }
        "service" => {
            lines.push(format!(
                "{} · {}",
                label(tr, &b["service"], ServiceKind::parse, ServiceKind::label_key),
                text(&b["provider_name"]).unwrap_or_else(|| label(tr, &b["provider"], Provider::parse, Provider::label_key))
            ));
            lines.extend(text(&b["quantity"]));
            if let Some(v) = b["value_riel"].as_u64() {
                lines.push(tr.t1("msg-riel", "value", tr.num(v)));
            }
            lines.extend(text(&b["outcome"]));
        }
        "approval_requested" => {
            lines.push(label(tr, &b["kind"], ApprovalKind::parse, ApprovalKind::label_key));
            lines.push(label(tr, &b["closure"]["reason"], ClosureReason::parse, ClosureReason::label_key));
            lines.extend(text(&b["closure"]["note"]));
        }
        "approval_decided" => {
            lines.push(format!(
                "{}: {}",
                label(tr, &b["kind"], ApprovalKind::parse, ApprovalKind::label_key),
                label(tr, &b["state"], ApprovalState::parse, ApprovalState::label_key)
            ));
            lines.extend(text(&b["comment"]));
        }
        _ => {}
    }
    lines.retain(|l| !l.is_empty());
    lines
}

fn csi_scores(e: &TimelineEntry) -> Vec<(String, u64)> {
    e.body["scores"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s["factor"].as_str()?.to_string(), s["score"].as_u64()?)))
        .collect()
}

/// Placements in order, each with its end (a `placement_end` entry naming it) if it ended.
fn placement_history(tr: Tr, file: &CaseFile) -> Vec<(String, String, String, String)> {
    file.entries_of("placement")
        .map(|p| {
            let end = file.entries_of("placement_end").find(|e| e.body["placement"].as_str() == Some(p.id.to_string().as_str()));
            (
                label(tr, &p.body["kind"], PlacementType::parse, PlacementType::label_key),
                date_text(tr, &p.occurred_on),
                end.map(|e| date_text(tr, &e.occurred_on)).unwrap_or_else(|| tr.t("msg-now")),
                end.and_then(|e| text(&e.body["reason"])).unwrap_or_default(),
            )
        })
        .collect()
}

pub fn build(tr: Tr, actor: &Actor, child: &Child, file: &CaseFile, supervisor: Option<String>) -> CaseView {
    let case = &file.case;
    let today = today();
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
    if let Some(last) = file.entries_of("tracing_attempt").next_back() {
        facts.push((
            tr.t("field-trace-outcome"),
            label(tr, &last.body["attempt"]["outcome"], TracingOutcome::parse, TracingOutcome::label_key),
        ));
    }
    if let Some(last) = file.entries_of("family_assessment").next_back() {
        facts.push((tr.t("field-family-outcome"), label(tr, &last.body["outcome"], FamilyOutcome::parse, FamilyOutcome::label_key)));
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
            asked: format!("{} · {}", a.requested_by_name, date_text(tr, &a.requested_at)),
            decided: a
                .decided_by_name
                .as_ref()
                .map(|n| format!("{n} · {}", a.decided_at.as_deref().map(|t| date_text(tr, t)).unwrap_or_default()))
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
                Some(done) => tr.t1("msg-visited-on", "date", date_text(tr, done)),
                None if overdue => tr.t("msg-overdue"),
                None => tr.t("msg-due"),
            };
            VisitView { due: date_text(tr, &v.due_on), status, overdue }
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
                due: date_text(tr, &t.due_on),
                status: match &t.done_on {
                    Some(done) => tr.t1("msg-done-on", "date", date_text(tr, done)),
                    None if overdue => tr.t("msg-overdue"),
                    None => tr.t("msg-open"),
                },
                open: t.done_on.is_none(),
                overdue,
            }
        })
        .collect();
    let mut assessments = file.entries_of("csi").rev();
    let (latest, previous) = (assessments.next(), assessments.next());
    let mut csi_rows = Vec::new();
    let mut csi_totals = String::new();
    if let Some(latest) = latest {
        let now = csi_scores(latest);
        let before = previous.map(csi_scores).unwrap_or_default();
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
            Some(p) => {
                tr.t1("msg-csi-total", "total", tr.num(total(&now)))
                    + " · "
                    + &tr.t1("msg-csi-before", "total", tr.num(total(&before)))
                    + &format!(" ({})", date_text(tr, &p.occurred_on))
            }
            None => tr.t1("msg-csi-total", "total", tr.num(total(&now))),
        };
    }
    let events = file
        .timeline
        .iter()
        .map(|e| EventView {
            date: date_text(tr, &e.occurred_on),
            what: tr.t(&format!("kind-{}", e.kind.replace('_', "-"))),
            who: e.author.clone().unwrap_or_default(),
            lines: describe(tr, e),
        })
        .collect();
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
        events,
        has_placement: case.placement_kind.is_some(),
        placements: placement_history(tr, file),
        attach_to: file
            .timeline
            .iter()
            .rev()
            .filter(|e| {
                matches!(
                    e.kind.as_str(),
                    "note" | "visit" | "tracing_info" | "tracing_attempt" | "family_assessment" | "csi" | "conference" | "service"
                )
            })
            .take(30)
            .map(|e| {
                (e.id.to_string(), format!("{} · {}", date_text(tr, &e.occurred_on), tr.t(&format!("kind-{}", e.kind.replace('_', "-")))))
            })
            .collect(),
        files: file
            .attachments
            .iter()
            .map(|a| {
                let of = a
                    .entry_id
                    .and_then(|id| file.timeline.iter().find(|e| e.id == id))
                    .map(|e| format!(" · {}", tr.t(&format!("kind-{}", e.kind.replace('_', "-")))))
                    .unwrap_or_default();
                FileView {
                    href: format!("/children/{}/case/attachments/{}", child.id, a.id),
                    name: a.file_name.clone(),
                    about: format!("{} · {} KB · {}{of}", a.content_type, tr.num((a.size + 1023) / 1024), date_text(tr, &a.created_at)),
                }
            })
            .collect(),
    }
}
