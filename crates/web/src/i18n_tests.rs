use super::*;
use krousar_domain::choices::*;
use std::collections::BTreeSet;

fn keys(lang: &str) -> BTreeSet<String> {
    let path = format!("{}/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[test]
fn both_languages_have_the_same_keys() {
    let (en, km) = (keys("en"), keys("km"));
    let missing_km: Vec<_> = en.difference(&km).collect();
    let missing_en: Vec<_> = km.difference(&en).collect();
    assert!(missing_km.is_empty(), "missing in Khmer: {missing_km:?}");
    assert!(missing_en.is_empty(), "missing in English: {missing_en:?}");
}

/// Every key the code and templates use exists in both languages.
#[test]
fn every_key_used_is_translated() {
    let en = keys("en");
    let mut used: BTreeSet<String> = BTreeSet::new();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    for dir in [
        "src",
        "src/pages",
        "src/pages/case",
        "src/api",
        "templates",
        "../domain/src",
        "../domain/src/case",
        "../store/src",
        "../store/src/cases",
        "../store/src/sync",
        "../domain/src/sync",
        "static/offline",
    ] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            // Text only (the offline app's folder also holds its PNG icons).
            if p.is_file() && p.extension().is_none_or(|x| x != "png") {
                files.push(p);
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let candidate = &rest[..end];
            let prefixes = ["err-", "nav-", "page-", "field-", "btn-", "msg-", "help-", "app-"];
            if prefixes.iter().any(|p| candidate.starts_with(p))
                && candidate.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                && !candidate.ends_with('-')
            {
                used.insert(candidate.to_string());
            }
        }
    }
    for list in [
        Sex::ALL.iter().map(|v| v.label_key()).collect::<Vec<_>>(),
        BirthRegistration::ALL.iter().map(|v| v.label_key()).collect(),
        IdPoor::ALL.iter().map(|v| v.label_key()).collect(),
        Disability::ALL.iter().map(|v| v.label_key()).collect(),
        Protection::ALL.iter().map(|v| v.label_key()).collect(),
        LivingArrangement::ALL.iter().map(|v| v.label_key()).collect(),
        Relationship::ALL.iter().map(|v| v.label_key()).collect(),
        IncomeBand::ALL.iter().map(|v| v.label_key()).collect(),
        RciType::ALL.iter().map(|v| v.label_key()).collect(),
        RciRegistration::ALL.iter().map(|v| v.label_key()).collect(),
        OrgKind::ALL.iter().map(|v| v.label_key()).collect(),
        krousar_domain::Role::ALL.iter().map(|r| r.label_key()).collect(),
        (1..=12).map(|m| format!("month-{m}")).collect(),
        case_keys(),
    ] {
        used.extend(list);
    }
    let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
    assert!(missing.is_empty(), "keys used but not translated: {missing:?}");
}

/// Keys built at run time by the case pages.
fn case_keys() -> Vec<String> {
    use krousar_domain::case::entries::{NoteKind, PlacementType, SchoolAttendance};
    use krousar_domain::case::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
    use krousar_domain::case::{csi, ApprovalKind, ApprovalState, Stage};
    let mut keys: Vec<String> = Vec::new();
    keys.extend(Stage::ALL.iter().map(|v| v.label_key()));
    keys.extend(IntakeRoute::ALL.iter().map(|v| v.label_key()));
    keys.extend(ReferralSource::ALL.iter().map(|v| v.label_key()));
    keys.extend(RiskLevel::ALL.iter().map(|v| v.label_key()));
    keys.extend(ClosureReason::ALL.iter().map(|v| v.label_key()));
    keys.extend(ApprovalKind::ALL.iter().map(|v| v.label_key()));
    keys.extend(ApprovalState::ALL.iter().map(|v| v.label_key()));
    keys.extend(PlacementType::ALL.iter().map(|v| v.label_key()));
    keys.extend(NoteKind::ALL.iter().map(|v| v.label_key()));
    keys.extend(SchoolAttendance::ALL.iter().map(|v| v.label_key()));
    {
        use krousar_domain::case::family::*;
        use krousar_domain::case::support::*;
        keys.extend(TracingMethod::ALL.iter().map(|v| v.label_key()));
        keys.extend(TracingOutcome::ALL.iter().map(|v| v.label_key()));
        keys.extend(FamilyOutcome::ALL.iter().map(|v| v.label_key()));
        keys.extend(Readiness::ALL.iter().map(|v| v.label_key()));
        keys.extend(AltCare::ALL.iter().map(|v| v.label_key()));
        keys.extend(Participant::ALL.iter().map(|v| v.label_key()));
        keys.extend(ServiceKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(Provider::ALL.iter().map(|v| v.label_key()));
        keys.extend(FAMILY_AREAS.iter().map(|a| format!("field-family-{}", a.replace('_', "-"))));
    }
    for d in csi::DOMAINS {
        keys.push(format!("csi-domain-{}", d.code));
    }
    for f in csi::factors() {
        keys.push(format!("csi-{f}"));
        keys.extend((1..=4).map(|n| format!("csi-{f}-{n}")));
    }
    keys.extend(crate::commands::case::CaseForm::ALL.iter().map(|f| f.title_key()));
    keys.extend(krousar_domain::cash::PaymentStatus::ALL.iter().map(|v| v.label_key()));
    keys.extend(krousar_domain::export::ExportColumn::ALL.iter().map(|v| v.label_key()));
    keys.push("err-export-too-large".into());
    keys.push("err-too-many-searches".into());
    for i in krousar_domain::indicators::Indicator::ALL {
        keys.push(i.label_key());
        keys.push(i.definition_key());
    }
    keys.extend(krousar_domain::indicators::SECTIONS.iter().map(|s| format!("indicator-section-{s}")));
    for d in krousar_domain::indicators::Dimension::ALL {
        keys.push(d.label_key());
    }
    keys.extend(["caseload", "visible", "national"].map(|r| format!("opt-reach-{r}")));
    keys.extend(["running", "done", "failed", "interrupted"].map(|s| format!("msg-export-{s}")));
    keys.extend(krousar_domain::rci_transition::TransitionStage::ALL.iter().map(|v| v.label_key()));
    keys.extend(krousar_domain::choices::Disability::ALL.iter().map(|v| v.label_key()));
    keys.extend(
        [
            "quality-no-address",
            "quality-birth-estimated",
            "quality-reassessment-overdue",
            "quality-visit-overdue",
            "quality-approval-waiting",
            "quality-untouched",
            "quality-possible-duplicate",
        ]
        .map(String::from),
    );
    keys.extend(krousar_domain::training::Module::ALL.iter().map(|v| v.label_key()));
    keys.extend(krousar_domain::training::TraineeRole::ALL.iter().map(|v| v.label_key()));
    keys.extend(
        [
            "btn-by-course",
            "btn-by-sex",
            "btn-by-province",
            "btn-by-organisation",
            "err-session-not-held",
            "err-not-attended",
            "err-score-100",
        ]
        .map(String::from),
    );
    keys.extend(
        [
            "err-cash-not-eligible",
            "err-cash-applied",
            "err-cash-no-application",
            "err-cash-decided",
            "err-cash-not-approved",
            "err-cash-outside-period",
            "err-cash-paid-twice",
        ]
        .map(String::from),
    );
    {
        use krousar_domain::rci_transition::*;
        keys.extend(TransitionStage::ALL.iter().map(|v| v.label_key()));
        keys.extend(DocKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(STANDARDS.iter().map(|s| format!("standard-{}", s.replace('_', "-"))));
        keys.extend(
            [
                "rci-event-stage",
                "rci-event-inspection",
                "rci-event-staff",
                "err-rci-stage-same",
                "err-rci-closed",
                "err-rci-stage-back",
                "err-score",
                "err-score-missing",
                "err-more-than-total",
            ]
            .map(String::from),
        );
    }
    {
        use krousar_domain::carer::steps::*;
        use krousar_domain::carer::*;
        keys.extend(CarerKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(CareType::ALL.iter().map(|v| v.label_key()));
        keys.extend(SexPreference::ALL.iter().map(|v| v.label_key()));
        keys.extend(CarerStage::ALL.iter().map(|v| v.label_key()));
        keys.extend(CheckKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(CheckResult::ALL.iter().map(|v| v.label_key()));
        keys.extend(Recommendation::ALL.iter().map(|v| v.label_key()));
        keys.extend(PanelDecision::ALL.iter().map(|v| v.label_key()));
        keys.extend(ReviewOutcome::ALL.iter().map(|v| v.label_key()));
        keys.extend(StepKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(["opt-carer-step-enquiry", "opt-carer-step-placement"].map(String::from));
        keys.extend(["due-carer-first-contact", "due-carer-assessment", "due-carer-support-visit", "due-carer-review"].map(String::from));
        keys.extend(
            [
                "match-no-room",
                "match-age",
                "match-sex",
                "match-same-village",
                "match-same-commune",
                "match-same-district",
                "match-same-province",
                "match-far",
                "match-siblings-together",
                "match-siblings-apart",
                "match-disability-skills",
                "match-no-disability-skills",
                "match-language",
                "match-no-language",
                "match-kinship",
            ]
            .map(String::from),
        );
        for code in [
            "err-carer-deregistered",
            "err-carer-already-approved",
            "err-carer-not-assessed",
            "err-carer-not-recommended",
            "err-carer-no-checks",
            "err-carer-no-training",
            "err-carer-not-approved",
            "err-carer-suspended",
            "err-carer-not-suspended",
            "err-carer-not-available",
            "err-carer-full",
            "err-carer-age",
            "err-carer-sex",
        ] {
            keys.push(code.to_string());
        }
    }
    let kinds = [
        "intake",
        "risk",
        "csi",
        "care-plan",
        "placement",
        "placement-end",
        "visit",
        "note",
        "task",
        "task-done",
        "approval-requested",
        "approval-decided",
        "reopen",
        "tracing-info",
        "tracing-attempt",
        "family-assessment",
        "readiness",
        "alt-care",
        "conference",
        "service",
        "attachment",
        "assessment",
    ];
    keys.extend(kinds.iter().map(|k| format!("kind-{k}")));
    keys.extend(["visit", "first-contact", "reassessment", "plan-review", "task"].iter().map(|k| format!("due-{k}")));
    keys.extend(["assessment", "care-plan", "placement"].iter().map(|k| format!("btn-request-{k}")));
    keys.extend((1..=6).map(|n| format!("form-{n}-title")));
    keys.extend(["same", "close", "different", "unknown"].iter().map(|k| format!("msg-agree-{k}")));
    {
        use krousar_domain::referral::*;
        keys.extend(ReferralKind::ALL.iter().map(|v| v.label_key()));
        keys.extend(ReferralState::ALL.iter().map(|v| v.label_key()));
        keys.extend(ConsentBy::ALL.iter().map(|v| v.label_key()));
        keys.extend(Urgency::ALL.iter().map(|v| v.label_key()));
        keys.extend(Share::ALL.iter().map(|v| v.label_key()));
        keys.extend(["referral-sent", "referral-decided"].iter().map(|k| format!("kind-{k}")));
        keys.extend(krousar_store::figures::METRICS.iter().map(|m| format!("figure-{}", m.replace('_', "-"))));
    }
    keys.extend(
        [
            "form-number",
            "form-kingdom",
            "form-motto",
            "form-ministry",
            "form-generated",
            "form-first-csi",
            "form-last-csi",
            "form-services-count",
            "form-visits-count",
        ]
        .iter()
        .map(|k| k.to_string()),
    );
    keys.extend(["child", "intake", "family", "services", "schedule", "closure"].iter().map(|k| format!("form-section-{k}")));
    keys.extend(["worker", "supervisor", "family", "carer", "dosvy"].iter().map(|k| format!("sign-{k}")));
    keys
}

/// A key looked up without arguments (`.t("key")`) must say something without them: a message
/// that needs one (`field-step = Step { $n }`) fails to format and the page shows the raw key
/// (the RCI and carer histories' column header did, in both languages).
#[test]
fn keys_used_without_arguments_need_none() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut broken = BTreeSet::new();
    for dir in ["src", "src/pages", "src/pages/case", "src/api", "src/commands", "templates"] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            // (This file names such a key on purpose.)
            if p.ends_with("i18n_tests.rs") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else { continue };
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()) || key.ends_with('-') {
                    continue;
                }
                for lang in [Lang::En, Lang::Km] {
                    if Tr::new(lang).t(key) == key {
                        broken.insert(format!("{key} ({}, {:?})", p.file_name().unwrap().to_string_lossy(), lang));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "shown as raw keys: {broken:?}");
}

#[test]
fn lookups_work_in_both_languages() {
    assert_eq!(Tr::new(Lang::En).t("opt-sex-female"), "Female");
    assert_eq!(Tr::new(Lang::Km).t("opt-sex-female"), "ស្រី");
    assert_eq!(Tr::new(Lang::Km).num(2015), "២០១៥");
    assert_eq!(Tr::new(Lang::En).tn("msg-count-children", 3), "3 children");
    assert_eq!(Tr::new(Lang::En).tn("msg-count-children", 1), "1 child");
    assert_eq!(Tr::new(Lang::En).tn("msg-age-years", 1), "1 year");
    assert_eq!(Tr::new(Lang::Km).tn("msg-age-years", 12), "១២ ឆ្នាំ");
}

/// A key written twice is a translation one of the two places never shows.
#[test]
fn no_key_is_written_twice() {
    for lang in ["en", "km"] {
        let path = format!("{}/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
        let mut seen = BTreeSet::new();
        let twice: Vec<String> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .filter(|k| !seen.insert(k.clone()))
            .collect();
        assert!(twice.is_empty(), "{lang}: written twice: {twice:?}");
    }
}

#[test]
fn plurals_follow_the_number_and_khmer_keeps_its_digits() {
    let (en, km) = (Tr::new(Lang::En), Tr::new(Lang::Km));
    assert_eq!(en.tn("msg-sum-approvals", 1), "1 approval to decide");
    assert_eq!(en.tn("msg-sum-approvals", 2), "2 approvals to decide");
    assert_eq!(en.tn("msg-sum-approvals", 1200), "1,200 approvals to decide");
    assert_eq!(km.tn("msg-sum-approvals", 3), "ការអនុម័តត្រូវសម្រេច ៣");
}

#[test]
fn days_periods_and_quarters_are_written_as_people_read_them() {
    use chrono::NaiveDate;
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let (en, km) = (Tr::new(Lang::En), Tr::new(Lang::Km));
    assert_eq!(en.period(d("2026-10-18"), d("2026-10-20")), "18 – 20 October 2026");
    assert_eq!(en.period(d("2026-09-30"), d("2026-10-02")), "30 September 2026 – 2 October 2026");
    assert_eq!(en.period(d("2026-10-18"), d("2026-10-18")), "18 October 2026");
    assert!(!km.period(d("2026-10-18"), d("2026-10-20")).chars().any(|c| c.is_ascii_digit()));
    assert_eq!(en.day("2026-10-18"), "18 October 2026");
    assert_eq!(en.day("not a day"), "not a day");
    // A time stored in UTC is the next day in Cambodia after 17:00.
    assert_eq!(en.time("2026-12-06T18:05:00Z"), "7 December 2026, 01:05");
    assert!(!km.time("2026-12-06T18:05:00Z").chars().any(|c| c.is_ascii_digit()));
    let q4 = krousar_domain::indicators::Period::quarter_of(d("2026-11-02"));
    assert_eq!(en.period_name(q4), "Q4 2026");
    assert_eq!(km.period_name(q4), "ត្រីមាសទី៤ ឆ្នាំ២០២៦");
    let month = krousar_domain::indicators::Period::month_of(d("2026-11-02"));
    assert_eq!(en.period_name(month), "1 – 30 November 2026");
}

#[test]
fn counts_group_their_thousands_as_each_language_does() {
    assert_eq!(Tr::new(Lang::En).count(1_000_000), "1,000,000");
    assert_eq!(Tr::new(Lang::Km).count(1_234_567), "១.២៣៤.៥៦៧");
    assert_eq!(Tr::new(Lang::En).count(999), "999");
    assert_eq!(Tr::new(Lang::En).count(-1200), "-1,200");
    assert_eq!(Tr::new(Lang::Km).count(0), "០");
}

/// The indicators' API names exactly the breakdowns the code accepts.
#[test]
fn openapi_indicator_breakdowns_match_the_code() {
    let doc: serde_json::Value = serde_json::from_str(crate::api::document()).unwrap();
    let params = doc["paths"]["/api/v1/indicators"]["get"]["parameters"].as_array().unwrap();
    let by = params.iter().find(|p| p["name"] == "by").unwrap();
    let codes: Vec<&str> = by["schema"]["enum"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    let ours: Vec<&str> = krousar_domain::indicators::Dimension::ALL.iter().map(|d| d.code()).collect();
    assert_eq!(codes, ours);
}

/// The OpenAPI document names exactly the case forms and choices the code accepts.
#[test]
fn openapi_case_document_matches_the_code() {
    use krousar_domain::case::entries::PlacementType;
    use krousar_domain::case::stage::{ClosureReason, RiskLevel};
    let doc: serde_json::Value = serde_json::from_str(crate::api::document()).unwrap();
    let codes = |v: &serde_json::Value| -> Vec<String> {
        v["enum"].as_array().unwrap().iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
    };
    let form = &doc["paths"]["/api/v1/children/{id}/case/{form}"]["post"]["parameters"][1];
    assert_eq!(form["name"], "form");
    let forms = &form["schema"];
    assert_eq!(codes(forms), crate::commands::case::CaseForm::ALL.iter().map(|f| f.code().to_string()).collect::<Vec<_>>());
    let s = &doc["components"]["schemas"];
    assert_eq!(codes(&s["RiskForm"]["properties"]["level"]), RiskLevel::ALL.iter().map(|v| v.code().to_string()).collect::<Vec<_>>());
    assert_eq!(
        codes(&s["PlacementForm"]["properties"]["kind"]),
        PlacementType::ALL.iter().map(|v| v.code().to_string()).collect::<Vec<_>>()
    );
    assert_eq!(codes(&s["CloseForm"]["properties"]["reason"]), ClosureReason::ALL.iter().map(|v| v.code().to_string()).collect::<Vec<_>>());
    for f in krousar_domain::case::csi::factors() {
        assert!(s["CsiForm"]["properties"][format!("score_{f}")].is_object(), "{f}");
    }
}
