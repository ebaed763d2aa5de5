//! The case histories of the synthetic nation: cases at every stage, built from the domain's
//! own types and rules (entry bodies, the organisation's default intervals, the follow-up
//! schedule) and written in bulk (`Store::bulk_insert_cases`). A case in follow-up carries its
//! placement approved, two years of visits due at its risk's rhythm and those already made; a
//! closed one ends as the approval rules allow (follow-up done, or an early reason).

use chrono::{Days, NaiveDate};
use krousar_domain::case::csi;
use krousar_domain::case::entries::*;
use krousar_domain::case::family::{TracingAttempt, TracingMethod, TracingOutcome};
use krousar_domain::case::record::{self as rec, CaseEntry};
use krousar_domain::case::schedule::{add_months, follow_up_until, visits_after};
use krousar_domain::case::settings::CaseSettings;
use krousar_domain::case::stage::{CaseFacts, ClosureReason, IntakeRoute, ReferralSource, RiskLevel, Stage};
use krousar_domain::case::support::{Provider, Service, ServiceKind};
use krousar_domain::case::{ApprovalKind, ApprovalState};
use krousar_domain::new_id;
use krousar_store::bulk_cases::{BulkApproval, BulkCase, BulkEntry, BulkTask, BulkVisit};
use krousar_store::cases::Case;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

const NOTES: &[&str] = &[
    "Met the child and the mother at home; the child is eating well and goes to school.",
    "ជួបកុមារ និងម្តាយនៅផ្ទះ។ កុមារទៅសាលារៀនជាប្រចាំ។",
    "Phone call with the grandmother: the family needs help with school fees next term.",
    "បានពិភាក្សាជាមួយមេឃុំអំពីការគាំទ្រគ្រួសារ។",
    "Supervision: agreed to refer the father to the vocational training centre.",
];

/// Who a case belongs to: the child, its worker and the worker's supervisor, its household.
pub struct Owner {
    pub child: Uuid,
    pub org: Uuid,
    pub worker: Uuid,
    pub supervisor: Option<Uuid>,
    pub household: Option<Uuid>,
    pub in_rci: bool,
}

fn ago(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days)).unwrap_or(today)
}

fn after(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

/// How far a case has gone: 0 registered … 4 in follow-up, 5 closed; shares like a mature
/// programme's caseload (most in implementation and follow-up).
pub fn pick_depth(rng: &mut StdRng) -> u8 {
    match rng.random_range(0..100) {
        0..8 => 0,
        8..20 => 1,
        20..30 => 2,
        30..50 => 3,
        50..82 => 4,
        _ => 5,
    }
}

struct History<'a> {
    o: &'a Owner,
    b: BulkCase,
    today: NaiveDate,
}

impl History<'_> {
    fn entry(&mut self, on: NaiveDate, entry: CaseEntry) -> Uuid {
        let id = new_id();
        self.b.entries.push(BulkEntry { id, on, entry, author: self.o.worker });
        id
    }

    /// An approval asked for on `on`; approved by the supervisor a few days later if `approve`.
    fn approval(&mut self, kind: ApprovalKind, entry: Option<Uuid>, on: NaiveDate, approve: bool, closure: Option<&Closure>) {
        let boss = self.o.supervisor.unwrap_or(self.o.worker);
        let request = json!({"closure": closure}).to_string();
        let approval = new_id();
        self.entry(on, CaseEntry::ApprovalRequested(rec::ApprovalRequested { approval, kind, closure: closure.cloned() }));
        let decided = approve.then(|| (boss, after(on, 3).min(self.today)));
        if let Some((_, d)) = decided {
            let entry = CaseEntry::ApprovalDecided(rec::ApprovalDecided { approval, kind, state: ApprovalState::Approved, comment: None });
            self.b.entries.push(BulkEntry { id: new_id(), on: d, entry, author: boss });
        }
        self.b.approvals.push(BulkApproval { id: approval, kind, entry_id: entry, request, requested_by: self.o.worker, decided });
    }

    fn csi(&mut self, rng: &mut StdRng, on: NaiveDate, today: NaiveDate, low: u8) -> Uuid {
        let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some(rng.random_range(low..=4).to_string()), None)).collect();
        let a = validate_csi(Some(&on.to_string()), &raw, today).expect("scores 1–4 are valid");
        let id = self.entry(on, CaseEntry::Csi(a));
        self.b.case.reassessment_due = Some(add_months(on, CaseSettings::default().reassessment_months));
        self.b.case.facts.assessed = true;
        id
    }
}

/// One case, as far as `depth` (see `pick_depth`), opened before `today`.
pub fn make_case(rng: &mut StdRng, o: &Owner, depth: u8, today: NaiveDate) -> BulkCase {
    let settings = CaseSettings::default();
    let opened = ago(
        today,
        match depth {
            0 => rng.random_range(0..20),
            1 | 2 => rng.random_range(10..120),
            3 => rng.random_range(60..400),
            4 => rng.random_range(120..800),
            _ => rng.random_range(800..1400),
        },
    );
    let route = if o.in_rci { IntakeRoute::Rci } else { *[IntakeRoute::Report, IntakeRoute::Prevention].choose(rng).expect("list") };
    let intake = Intake {
        route,
        referral_source: Some(*ReferralSource::ALL.choose(rng).expect("list")),
        opened_on: opened,
        summary: Some("Referred after a home visit by the commune council.".into()),
        immediate_safety: None,
        rci_id: None,
    };
    let case = Case {
        child_id: o.child,
        org_id: o.org,
        route,
        referral_source: intake.referral_source,
        opened_on: opened,
        summary: intake.summary.clone(),
        immediate_safety: None,
        stage: Stage::Registered,
        risk_level: None,
        first_contact_due: None,
        first_contact_on: None,
        supervisor_id: o.supervisor,
        placement_id: None,
        placement_kind: None,
        placement_started_on: None,
        follow_up_until: None,
        reassessment_due: None,
        plan_review_due: None,
        closed_on: None,
        closure_reason: None,
        facts: CaseFacts { registration_complete: true, ..Default::default() },
        version: 1,
        updated_at: String::new(),
    };
    let b = BulkCase {
        case,
        opened_by: o.worker,
        placement_household: None,
        entries: Vec::new(),
        approvals: Vec::new(),
        tasks: Vec::new(),
        visits: Vec::new(),
    };
    let mut h = History { o, b, today };
    h.entry(opened, CaseEntry::Intake(intake.clone()));
    if depth == 0 {
        return h.b;
    }
    let level = *[RiskLevel::High, RiskLevel::Medium, RiskLevel::Medium, RiskLevel::Low].choose(rng).expect("list");
    h.entry(
        opened,
        CaseEntry::Risk(Risk { level, reasons: "Family income too low to keep the child in school.".into(), assessed_on: opened }),
    );
    h.b.case.risk_level = Some(level);
    h.b.case.facts.assessed = true;
    h.b.case.first_contact_due = Some(after(opened, u64::from(settings.first_contact_days(level))));
    let contact = after(opened, rng.random_range(0..5)).min(today);
    h.entry(contact, CaseEntry::Note(Note { kind: NoteKind::HomeVisit, noted_on: contact, text: NOTES[0].into() }));
    h.b.case.first_contact_on = Some(contact);
    let assessed = after(opened, rng.random_range(3..15)).min(today);
    let first_csi = h.csi(rng, assessed, today, 1);
    if o.in_rci {
        for i in 0..rng.random_range(1..=2u64) {
            let on = after(assessed, 7 * (i + 1)).min(today);
            let found = depth >= 3 || rng.random_bool(0.4);
            let outcome = if found { TracingOutcome::Found } else { TracingOutcome::Ongoing };
            let a = TracingAttempt {
                attempted_on: on,
                method: *TracingMethod::ALL.choose(rng).expect("list"),
                village_code: None,
                people_met: Some("Village chief and neighbours".into()),
                learned: Some("The mother lives in the next commune.".into()),
                outcome,
                relative: None,
            };
            h.entry(on, CaseEntry::TracingAttempt(rec::TracingAttemptEntry { attempt: a, household: None }));
        }
    }
    h.approval(ApprovalKind::Assessment, Some(first_csi), assessed, depth >= 2, None);
    h.b.case.facts.assessment_approved = depth >= 2;
    if depth == 1 {
        return h.b;
    }
    let planned = after(assessed, rng.random_range(5..30)).min(today);
    let plan = crate::demo_cases::sample_plan(add_months(planned, 3));
    let plan_id = h.entry(planned, CaseEntry::CarePlan(plan.clone()));
    h.b.case.facts.has_care_plan = true;
    h.b.case.plan_review_due = Some(plan.review_on);
    h.approval(ApprovalKind::CarePlan, Some(plan_id), planned, depth >= 3, None);
    h.b.case.facts.care_plan_approved = depth >= 3;
    let task_due = after(planned, rng.random_range(5..40));
    let done = (depth >= 3 && task_due < today).then_some(task_due);
    h.b.tasks.push(BulkTask {
        title: "Enrol at the village primary school".into(),
        owner: o.worker,
        due_on: task_due,
        done_on: done,
        source: "plan",
    });
    if depth == 2 {
        return h.b;
    }
    for _ in 0..rng.random_range(1..=3) {
        let on = after(planned, rng.random_range(1..60)).min(today);
        let s = Service {
            service: *ServiceKind::ALL.choose(rng).expect("list"),
            provider: *Provider::ALL.choose(rng).expect("list"),
            provider_name: None,
            provided_on: on,
            quantity: None,
            value_riel: Some(rng.random_range(1..50) * 10_000),
            outcome: None,
        };
        h.entry(on, CaseEntry::Service(s));
    }
    let kind =
        *[PlacementType::Mother, PlacementType::BothParents, PlacementType::Kinship, PlacementType::Kinship, PlacementType::FosterLong]
            .choose(rng)
            .expect("list");
    let start = match depth {
        4 => ago(today, rng.random_range(30..700)).max(after(planned, 7)),
        _ => after(planned, 30),
    }
    .min(today);
    if depth == 3 && rng.random_bool(0.5) {
        return h.b; // implementing the plan, no placement yet
    }
    let placement = Placement { kind, household_id: o.household, started_on: start, justification: None, rci_id: None };
    let pid = h.entry(start, CaseEntry::Placement(placement.clone()));
    h.b.case.placement_id = Some(pid);
    h.b.case.placement_kind = Some(kind);
    h.b.case.placement_started_on = Some(start);
    h.b.placement_household = o.household;
    h.b.case.facts.has_placement = true;
    h.approval(ApprovalKind::Placement, Some(pid), start, depth >= 4, None);
    if depth == 3 {
        return h.b;
    }
    h.b.case.facts.placement_approved = true;
    h.b.case.facts.in_family_placement = kind.family_based();
    let until = follow_up_until(start, settings.follow_up_months);
    h.b.case.follow_up_until = Some(until);
    // A closed case ends after its last visit (follow-up done) or early, for a reason that allows it.
    let closure = (depth == 5).then(|| {
        let done = after(until, rng.random_range(1..30));
        if done < today && rng.random_bool(0.8) {
            (done, ClosureReason::ReintegratedStable)
        } else {
            let reason = *[ClosureReason::MovedAway, ClosureReason::AgedOut, ClosureReason::Transferred].choose(rng).expect("list");
            (after(start, rng.random_range(60..600)).min(today), reason)
        }
    });
    let end = closure.map_or(today, |c| c.0);
    let due = visits_after(start, until, settings.visit_interval(level, Some(kind)));
    let made = due.iter().filter(|d| **d < end).count();
    // Most workers are on time; one visit in six that fell due is still to be made (overdue).
    let overdue = depth == 4 && made > 0 && rng.random_ratio(1, 6);
    for (i, d) in due.iter().enumerate() {
        if *d >= end && closure.is_some() {
            break; // visits still ahead are no longer owed once closed
        }
        let done = *d < end && !(overdue && i + 1 == made);
        let visit = done.then(|| {
            let (visited_by, visitor_name, mode) = match rng.random_range(0..10) {
                0 => (VisitBy::Dosvy, Some("Sok Chantha".to_string()), VisitMode::Home),
                1 => (VisitBy::ParaSocialWorker, Some("Mao Sopheap".to_string()), VisitMode::Home),
                2 => (VisitBy::CaseWorker, None, VisitMode::Phone),
                _ => (VisitBy::CaseWorker, None, VisitMode::Home),
            };
            let v = Visit {
                visited_on: *d,
                visited_by,
                visitor_name,
                mode,
                child_seen: !mode.remote(),
                spoken_alone: !mode.remote() && rng.random_ratio(3, 4),
                school: *[SchoolAttendance::Regular, SchoolAttendance::Regular, SchoolAttendance::Irregular].choose(rng).expect("list"),
                observations: vec![Observation { domain: "education".into(), text: "Goes to school every day.".into() }],
                safety_concern: None,
                actions: None,
                raise_risk: None,
            };
            (*d, h.entry(*d, CaseEntry::Visit(v)))
        });
        h.b.visits.push(BulkVisit { due_on: *d, done: visit });
    }
    let again = after(start, rng.random_range(60..200)).min(end);
    h.csi(rng, again, today, 2);
    for _ in 0..rng.random_range(0..4) {
        let on = after(start, rng.random_range(0..600)).min(end);
        let text = NOTES.choose(rng).expect("notes");
        h.entry(on, CaseEntry::Note(Note { kind: *NoteKind::ALL.choose(rng).expect("list"), noted_on: on, text: (*text).into() }));
    }
    if let Some((on, reason)) = closure {
        let c = Closure { reason, note: Some("Closed after the last follow-up visit.".into()) };
        h.approval(ApprovalKind::Closure, None, on, true, Some(&c));
        h.b.case.closed_on = Some(after(on, 3).min(today));
        h.b.case.closure_reason = Some(reason);
        h.b.case.facts.closed = true;
    }
    h.b
}
