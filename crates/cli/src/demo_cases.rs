//! Demo cases at every stage, so a first look at Krousar shows real work: first contacts due,
//! assessments waiting for approval, plans with tasks, children in follow-up with visits done and
//! one overdue, a closed case.

use anyhow::Result;
use chrono::{Days, NaiveDate};
use krousar_domain::case::entries::*;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::{csi, ApprovalKind};
use krousar_domain::Actor;
use krousar_store::Store;
use rand::rngs::StdRng;
use rand::Rng;
use uuid::Uuid;

fn ago(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days)).unwrap_or(today)
}

async fn approve(store: &Store, worker: &Actor, boss: &Actor, child: Uuid, kind: ApprovalKind) -> Result<()> {
    store.request_approval(worker, child, kind, None).await?;
    let (_, file) = store.case_file(boss, child, "demo").await?;
    if let Some(a) = file.and_then(|f| f.pending(kind.code()).map(|a| a.id)) {
        store.decide_approval(boss, child, a, true, Some("យល់ព្រម")).await?;
    }
    Ok(())
}

/// A care plan as workers write them (in Khmer): school and food goals, the child's and family's views.
pub fn sample_plan(review_on: NaiveDate) -> CarePlan {
    CarePlan {
        goals: vec![
            Goal {
                domain: "education".into(), goal: "ត្រឡប់ទៅរៀនវិញ ដោយមានសម្ភារៈសិក្សា និងបង់ថ្លៃសិក្សារួច។".into()
            },
            Goal {
                domain: "food".into(), goal: "គ្រួសារមានអាហារគ្រប់គ្រាន់រាល់ថ្ងៃ។".into()
            },
        ],
        child_view: Some("ខ្ញុំចង់រស់នៅជាមួយម្តាយ ហើយទៅរៀន។".into()),
        family_view: Some("យើងចង់ឱ្យកូនមកនៅផ្ទះវិញ ប្រសិនបើយើងអាចបង់ថ្លៃសិក្សាបាន។".into()),
        review_on,
    }
}

/// One child's case, taken as far as `depth` (0: just opened … 4: in follow-up, 5: closed).
/// `born` is the latest day the child can have been born (`synth::born_by`): nothing in her
/// case is dated before it.
#[allow(clippy::too_many_arguments)]
pub async fn seed_case(
    store: &Store,
    rng: &mut StdRng,
    worker: &Actor,
    boss: &Actor,
    child: Uuid,
    born: NaiveDate,
    depth: u8,
    today: NaiveDate,
) -> Result<()> {
    let opened = ago(
        today,
        match depth {
            0 => rng.random_range(0..3),
            1 | 2 => rng.random_range(10..60),
            _ => rng.random_range(200..700),
        },
    )
    .max(born.min(today));
    let route = ["rci", "report", "prevention"][rng.random_range(0..3)];
    let intake = IntakeInput {
        route: Some(route.into()),
        referral_source: Some("commune_council".into()),
        opened_on: Some(opened.to_string()),
        summary: Some("ក្រុមប្រឹក្សាឃុំបានបញ្ជូនមក បន្ទាប់ពីការចុះសួរសុខទុក្ខតាមផ្ទះ។".into()),
        ..Default::default()
    };
    store.open_case(worker, child, intake.validate(today)?).await?;
    let level = [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low][rng.random_range(0..3)];
    store
        .record_risk(
            worker,
            child,
            Risk {
                level, reasons: "ចំណូលគ្រួសារទាបពេក មិនអាចឱ្យកុមារបន្តការសិក្សាបាន។".into(), assessed_on: opened
            },
        )
        .await?;
    if depth == 0 {
        return Ok(());
    }
    let contact = opened.checked_add_days(Days::new(1)).unwrap_or(opened).min(today);
    let note = Note {
        kind: NoteKind::HomeVisit, noted_on: contact, text: "បានជួបកុមារ និងម្តាយនៅផ្ទះ។".into()
    };
    store.add_note(worker, child, note).await?;
    let assessed = opened.checked_add_days(Days::new(5)).unwrap_or(opened).min(today);
    let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some(rng.random_range(1..=3).to_string()), None)).collect();
    store.record_csi(worker, child, validate_csi(Some(&assessed.to_string()), &raw, today)?).await?;
    if depth == 1 {
        store.request_approval(worker, child, ApprovalKind::Assessment, None).await?;
        return Ok(());
    }
    approve(store, worker, boss, child, ApprovalKind::Assessment).await?;
    let plan = sample_plan(today.checked_add_days(Days::new(90)).unwrap_or(today));
    store.save_care_plan(worker, child, plan, assessed).await?;
    approve(store, worker, boss, child, ApprovalKind::CarePlan).await?;
    store
        .add_task(
            worker,
            child,
            Task {
                title: "ចុះឈ្មោះចូលរៀននៅសាលាបឋមសិក្សាក្នុងភូមិ (Enrol at the village primary school)".into(),
                owner_id: worker.user_id,
                due_on: today.checked_add_days(Days::new(rng.random_range(0..10))).unwrap_or(today),
            },
        )
        .await?;
    if depth == 2 {
        return Ok(());
    }
    let households = store.households_of_child(child).await?;
    let start = ago(today, rng.random_range(90..500)).max(assessed);
    let placement = Placement {
        kind: PlacementType::Mother,
        household_id: households.first().map(|h| h.0),
        started_on: start,
        justification: None,
        rci_id: None,
    };
    store.record_placement(worker, child, placement).await?;
    approve(store, worker, boss, child, ApprovalKind::Placement).await?;
    // Visits done on their due dates, except the latest one that fell due (overdue).
    let (_, file) = store.case_file(worker, child, "demo").await?;
    let past: Vec<NaiveDate> = file
        .map(|f| f.visits)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| NaiveDate::parse_from_str(&v.due_on, "%Y-%m-%d").ok())
        .filter(|d| *d < today)
        .collect();
    for (n, due) in past.iter().take(past.len().saturating_sub(1)).enumerate() {
        // Visits as they happen: most at home by the worker, some by phone when the road is
        // closed, some by the provincial office on the organisation's behalf. Chosen by the
        // visit's place in the schedule, not drawn: the rest of the demo stays as it was.
        let (visited_by, visitor_name, mode) = match (n + (child.as_u128() % 10) as usize) % 10 {
            0 => (VisitBy::Dosvy, Some("សុខ ចាន់ថា".to_string()), VisitMode::Home),
            1 => (VisitBy::Commune, Some("ម៉ៅ សុភាព".to_string()), VisitMode::Home),
            2 | 3 => (VisitBy::CaseWorker, None, VisitMode::Phone),
            _ => (VisitBy::CaseWorker, None, VisitMode::Home),
        };
        let v = Visit {
            visited_on: *due,
            visited_by,
            visitor_name,
            mode,
            child_seen: !mode.remote(),
            spoken_alone: !mode.remote() && rng.random_ratio(3, 4),
            school: SchoolAttendance::Regular,
            observations: vec![Observation {
                domain: "education".into(), text: "ទៅសាលារៀនរាល់ថ្ងៃ។".into()
            }],
            safety_concern: None,
            actions: None,
            raise_risk: None,
        };
        store.record_visit(worker, child, v).await?;
    }
    // A recent reassessment, so only some cases are due for one.
    let again = ago(today, rng.random_range(20..200)).max(assessed);
    let raw: Vec<_> = csi::factors().map(|f| (f.to_string(), Some(rng.random_range(2..=4).to_string()), None)).collect();
    store.record_csi(worker, child, validate_csi(Some(&again.to_string()), &raw, today)?).await?;
    if depth == 5 {
        let closure = ClosureInput {
            reason: Some("moved_away".into()), note: Some("គ្រួសារបានផ្លាស់ទៅធ្វើការនៅប្រទេសថៃ។".into())
        }
        .validate()?;
        store.request_approval(worker, child, ApprovalKind::Closure, Some(closure)).await?;
        let (_, file) = store.case_file(boss, child, "demo").await?;
        if let Some(a) = file.and_then(|f| f.pending("closure").map(|a| a.id)) {
            store.decide_approval(boss, child, a, true, None).await?;
        }
    }
    Ok(())
}
