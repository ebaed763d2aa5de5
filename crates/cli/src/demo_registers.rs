//! Demo data for the registers around the cases: foster and kinship carers at several steps of
//! their pipeline (one overdue), a recruitment campaign, an institution in transition with an
//! inspection and its staff, a training course with results and mentoring, and a child receiving
//! government cash support.

use crate::synth::{born_by, place_names, province_km, province_names};
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use krousar_domain::carer::{CarerInput, StepInput};
use krousar_domain::cash::{self, PaymentInput};
use krousar_domain::rci::ResidencePeriod;
use krousar_domain::rci_transition::{self as rt, TransitionStage, STANDARDS};
use krousar_domain::training as tr;
use krousar_domain::Actor;
use krousar_store::carer_campaigns::CampaignFields;
use krousar_store::Store;
use uuid::Uuid;

pub struct Cast<'a> {
    pub worker: &'a Actor,
    pub supervisor: &'a Actor,
    pub manager: &'a Actor,
    pub sysadmin: &'a Actor,
}

fn step(kind: &str, on: NaiveDate, extra: &[(&str, &str)], today: NaiveDate) -> Result<krousar_domain::carer::Step> {
    let mut v = serde_json::json!({"kind": kind, "on": on.to_string()});
    for (k, x) in extra {
        v[*k] = serde_json::json!(x);
    }
    if kind == "panel" {
        v["care_types"] = serde_json::json!(["short_term", "long_term"]);
    }
    let input: StepInput = serde_json::from_value(v)?;
    Ok(input.validate(today)?)
}

pub async fn seed(
    store: &Store,
    who: &Cast<'_>,
    village: Option<String>,
    rci: Uuid,
    cash_child: Option<Uuid>,
    today: NaiveDate,
) -> Result<()> {
    let d = |days: i64| today - Duration::days(days);
    // Every place named below is where the records are: the carers' village and commune, the
    // institution's province (names from the gazetteer, in Khmer with the Latin after them).
    let places = krousar_store::gazetteer::embedded();
    let home = store.rci(who.worker, rci).await?;
    let village = village.or_else(|| home.fields.village_code.clone());
    let area = village.clone().unwrap_or_default();
    let (commune_km, commune_latin) = place_names(&places, area.get(..6).unwrap_or(&area));
    let (area_km, area_latin) = (province_km(&places, &area), province_names(&places, &area).1);
    let rci_area = home.fields.village_code.clone().unwrap_or_else(|| area.clone());
    let (rci_province_km, rci_province_latin) = (province_km(&places, &rci_area), province_names(&places, &rci_area).1);
    let organiser = store.org(who.worker.org_id).await?.name;
    let campaign = store
        .create_campaign(
            who.worker,
            &CampaignFields {
                held_on: d(120),
                place: format!("សាលាឃុំ{commune_km} / {commune_latin} commune hall"),
                village_code: village.clone(),
                organiser,
                attended_female: 23,
                attended_male: 12,
                note: None,
            },
        )
        .await?;
    // Each carer is a household: named as the household register names families, Khmer first.
    let enquiry = |name: &str, kind: &str, days: i64, langs: &str| CarerInput {
        name: Some(name.into()),
        kind: Some(kind.into()),
        phone: Some("012 345 678".into()),
        village_code: village.clone(),
        campaign_id: (kind == "foster").then(|| campaign.to_string()),
        source: (kind == "kinship").then(|| "មីងរបស់កុមារ".into()),
        enquired_on: Some(d(days).to_string()),
        languages: Some(langs.into()),
        disability_skills: Some("yes".into()),
        note: None,
    };
    // Approved and on the stand-by list.
    let c =
        store.register_carer(who.worker, enquiry("គ្រួសារ សុខ ចិន្តា / Sok Chenda household", "foster", 110, "Bunong").validate(today)?).await?;
    let mut v = c.version;
    for (kind, days, extra) in [
        ("home_visit", 100, vec![("note", "ផ្ទះស្អាត មានបន្ទប់សម្រាប់កុមារពីរនាក់។")]),
        ("reference", 95, vec![("name", "មេភូមិ"), ("result", "clear")]),
        ("check", 90, vec![("check", "police"), ("result", "clear")]),
        ("training", 70, vec![("course", "មូលដ្ឋានគ្រឹះនៃការថែទាំជំនួស (Foundations of alternative care)")]),
        ("assessment", 60, vec![("recommendation", "approve"), ("motivation", "ធ្លាប់ចិញ្ចឹមក្មួយស្រីពីរនាក់")]),
    ] {
        store.record_carer_step(who.worker, c.id, v, step(kind, d(days), &extra, today)?).await?;
        v += 1;
    }
    let panel = step("panel", d(40), &[("decision", "approved"), ("max_children", "2"), ("age_min", "3"), ("age_max", "14")], today)?;
    store.record_carer_step(who.supervisor, c.id, v, panel).await?;
    let avail = StepInput {
        kind: Some("availability".into()),
        from: Some(d(39).to_string()),
        to: Some((today + Duration::days(300)).to_string()),
        ..Default::default()
    };
    store.record_carer_step(who.worker, c.id, v + 1, avail.validate(today)?).await?;
    // Assessed, waiting for the panel.
    let k = store.register_carer(who.worker, enquiry("គ្រួសារ កែវ (មីង) / Keo family (aunt)", "kinship", 45, "").validate(today)?).await?;
    store.record_carer_step(who.worker, k.id, k.version, step("home_visit", d(40), &[], today)?).await?;
    store
        .record_carer_step(
            who.worker,
            k.id,
            k.version + 1,
            step("check", d(30), &[("check", "local_authority"), ("result", "clear")], today)?,
        )
        .await?;
    store.record_carer_step(who.worker, k.id, k.version + 2, step("assessment", d(20), &[("recommendation", "approve")], today)?).await?;
    // An enquiry nobody followed up: overdue.
    store.register_carer(who.worker, enquiry("គ្រួសារ ម៉ៅ / Mao household", "foster", 12, "").validate(today)?).await?;

    // An institution planning and then carrying out its transition.
    store
        .move_rci_stage(
            who.sysadmin,
            rci,
            TransitionStage::Planning,
            d(200),
            Some("ក្រុមប្រឹក្សាភិបាលយល់ព្រមប្តូរទៅជាមណ្ឌលថែទាំពេលថ្ងៃ (The board agreed to become a day-care centre)".into()),
        )
        .await?;
    store.move_rci_stage(who.sysadmin, rci, TransitionStage::Transitioning, d(90), None).await?;
    let scores: Vec<(String, String)> = STANDARDS.iter().enumerate().map(|(i, s)| (s.to_string(), (1 + i % 3).to_string())).collect();
    let inspector = format!("មន្ទីរសង្គមកិច្ច {rci_province_km} / DoSVY {rci_province_latin}");
    let inspection = rt::inspection(Some(&d(60).to_string()), Some(&inspector), &scores, None, today)?;
    store.record_inspection(who.sysadmin, rci, &inspection).await?;
    store.record_rci_staff(who.sysadmin, rci, &rt::staff(Some(&d(60).to_string()), Some("14"), Some("9"), Some("4"), today)?).await?;

    // Training: a course, a session with results, mentoring.
    let course = store
        .add_course(
            who.manager,
            &tr::course(Some("ការអនុវត្តសមាហរណកម្មកុមារ (Reintegration practice)"), &["reintegration".into(), "case_management".into()])?,
        )
        .await?;
    let session = store
        .add_session(
            who.manager,
            course,
            &tr::session(
                Some(&d(50).to_string()),
                Some(&d(48).to_string()),
                Some(&format!("{area_km} ({area_latin})")),
                Some("គ្រូបង្គោលក្រសួងសង្គមកិច្ច (MoSVY trainer)"),
            )?,
        )
        .await?;
    for (name, sex, role, pre, post) in [
        ("ចាន់ សុខា (Chan Sokha)", "female", "social_worker", "55", "80"),
        ("ពេជ្រ វិបុល (Pich Vibol)", "male", "social_worker", "60", "75"),
        ("កែវ សុភា (Keo Sophea)", "female", "para_social_worker", "35", "70"),
    ] {
        // Trained where they work: the province of the session.
        let province = area.get(..2).filter(|p| !p.is_empty());
        let t = store.add_trainee(who.manager, &tr::trainee(Some(name), Some(sex), Some(role), province, None)?).await?;
        store.record_participant(who.manager, session, t, tr::result(d(50), today, true, Some(pre), Some(post), true)?).await?;
        if role == "para_social_worker" {
            store
                .add_mentoring(
                    who.manager,
                    t,
                    &tr::mentoring(Some(&d(20).to_string()), Some("កែវ ស្រីមុំ (Keo Sreymom)"), Some("ការសួរសុខទុក្ខតាមដានលើកដំបូង"), None, today)?,
                )
                .await?;
        }
    }

    // Government cash support for a child who left an institution for her mother: the stay ends
    // the day her placement began and starts no earlier than her birth.
    if let Some(child) = cash_child {
        let (record, file) = store.case_file(who.worker, child, "demo").await?;
        let left = file.and_then(|f| f.case.placement_started_on).unwrap_or(d(520)).min(today);
        let entered = (left - Duration::days(1000)).max(born_by(&record.fields, today)).min(left);
        let reunified = Some("បានធ្វើសមាហរណកម្មទៅរស់នៅជាមួយម្តាយ".to_string());
        // A case opened from an institution may have recorded her stay already.
        if store.residences_of_child(child).await?.is_empty() {
            store.add_residence(who.worker, child, rci, ResidencePeriod { entered, left: Some(left), reason_left: reunified }).await?;
        }
        store.apply_for_cash(who.worker, child, d(100)).await?;
        let first = (today - Duration::days(90)).with_day(1).expect("day 1");
        let to = first + chrono::Months::new(12);
        store
            .decide_cash(
                who.worker,
                child,
                Ok(cash::grant(Some(&d(80).to_string()), Some("100000"), Some(&first.to_string()), Some(&to.to_string()), today)?),
            )
            .await?;
        let end = first + chrono::Months::new(1) - Duration::days(1);
        let p = PaymentInput {
            paid_on: Some(&d(40).to_string()),
            amount: Some("100000"),
            from: Some(&first.to_string()),
            to: Some(&end.to_string()),
            paid_to: Some("ម្តាយ"),
            status: None,
        };
        store.record_cash_payment(who.worker, child, cash::payment(p, today)?).await?;
    }
    Ok(())
}
