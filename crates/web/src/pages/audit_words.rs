//! The audit log in words: "Chan Sokha opened the record of child FFCD-000016", with when, and
//! what the entry adds (a stage, a risk level, how many rows a list showed) — for the
//! administrators' audit page and a child's own access history. The raw entry stays one fold
//! away for investigators.

use crate::i18n::Tr;
use krousar_domain::case::stage::RiskLevel;
use krousar_domain::case::Stage;
use krousar_store::audit::AuditRow;
use std::collections::HashMap;

/// Every action the store audits, as written in the log. Each has a sentence in both languages
/// (`audit-…`); a test keeps this list and the store's actions the same.
pub const ACTIONS: &[&str] = &[
    "access.denied",
    "attachment.view",
    "auth.failure",
    "auth.locked",
    "auth.login",
    "auth.password_ok",
    "calendar.feed",
    "calendar.read",
    "carer.assign",
    "carer.campaign",
    "carer.custom_form",
    "carer.enquiry",
    "carer.photo",
    "carer.photo_view",
    "carer.step",
    "case.approval_decide",
    "case.approval_request",
    "case.assessment",
    "case.attachment",
    "case.bulk_create",
    "case.care_plan",
    "case.conference",
    "case.csi",
    "case.custom_form",
    "case.note",
    "case.open",
    "case.placement",
    "case.placement_end",
    "case.reopen",
    "case.risk",
    "case.task",
    "case.task_done",
    "case.tracing_attempt",
    "case.view",
    "case.visit",
    "cash.apply",
    "cash.change",
    "cash.decide",
    "cash.payment",
    "child.assign",
    "child.bulk_create",
    "child.co_worker",
    "child.create",
    "child.custom_form",
    "child.duplicate_check",
    "child.edit",
    "child.flag",
    "child.list",
    "child.living",
    "child.merge",
    "child.merged_into",
    "child.not_duplicate",
    "child.offline",
    "child.offline_end",
    "child.photo",
    "child.photo_view",
    "child.sensitive_edit",
    "child.sensitive_sealed_legacy",
    "child.sensitive_update",
    "child.sensitive_view",
    "child.unflag",
    "child.update",
    "child.view",
    "children.export",
    "children.export_download",
    "custom_form.active",
    "custom_form.create",
    "custom_form.edit",
    "custom_form.export",
    "custom_form.from_tool",
    "custom_form.import",
    "custom_form.publish",
    "custom_form.records",
    "custom_form.registration",
    "custom_form.share",
    "device.enrol",
    "device.rekeyed",
    "device.revoke",
    "device.unlock",
    "distribution.create",
    "distribution.list",
    "distribution.receipts",
    "distribution.view",
    "duplicates.scan_finished",
    "duplicates.scan_started",
    "duplicates.scan_viewed",
    "gazetteer.import",
    "group.create",
    "group.member-add",
    "group.member-leave",
    "group.session",
    "group.session-correct",
    "group.update",
    "group.view",
    "household.bulk_create",
    "household.create",
    "household.custom_form",
    "household.edit",
    "household.link",
    "household.link_child",
    "household.list",
    "household.relative_found",
    "household.update",
    "household.view",
    "import.apply",
    "import.check",
    "indicators.report",
    "inquiry.answer",
    "inquiry.close",
    "inquiry.incoming",
    "inquiry.record",
    "keys.reseal",
    "keys.seal_clear",
    "mail.settings",
    "match.answer",
    "match.ask",
    "notify.choices",
    "notify.org_choices",
    "org.archive_download",
    "org.archive_export",
    "org.archive_import",
    "org.case_settings",
    "org.create",
    "org.require_totp",
    "push.subscribe",
    "push.unsubscribe",
    "rci.cohort",
    "rci.create",
    "rci.document",
    "rci.document_view",
    "rci.transition",
    "rci.update",
    "referral.decide",
    "referral.external",
    "referral.external_outcome",
    "referral.external_view",
    "referral.pdf",
    "referral.send",
    "residence.add",
    "residence.end",
    "residence.update",
    "search.delete",
    "search.keys_rebuilt",
    "search.save",
    "sync.conflict",
    "sync.resolve",
    "system.check",
    "team.create",
    "team.move",
    "token.create",
    "token.revoke",
    "tool.active",
    "tool.create",
    "training.course",
    "training.mentoring",
    "training.result",
    "training.session",
    "training.trainee",
    "user.create",
    "user.locale",
    "user.sessions_end",
    "user.team",
    "user.totp",
    "user.update",
];

pub fn message_key(action: &str) -> String {
    format!("audit-{}", action.replace(['.', '_'], "-"))
}

/// One entry as a person reads it.
pub struct AuditLine {
    pub seq: String,
    /// The entry's number in the chain, for the next page.
    pub seq_raw: i64,
    pub when: String,
    pub sentence: String,
    /// What the entry adds, in words ("Stage: follow-up · 51 shown"); may be empty.
    pub about: String,
    /// The entry as stored, for whoever investigates.
    pub raw: String,
}

/// The record an entry names, as a noun: a child by its case number, an account, institution,
/// organisation or team by its name, otherwise what kind of record it is.
fn what(tr: Tr, row: &AuditRow, names: &HashMap<String, String>) -> String {
    let named = row.record_id.as_ref().and_then(|id| names.get(id));
    match (row.record_type.as_str(), named) {
        ("child" | "case", Some(n)) => tr.t1("audit-named-child", "name", n),
        (_, Some(n)) => n.clone(),
        ("child" | "case", None) => tr.t("audit-thing-child"),
        (kind @ ("household" | "carer" | "user" | "rci" | "organisation" | "team"), None) => tr.t(&format!("audit-thing-{kind}")),
        _ => String::new(),
    }
}

/// The facts of an entry's detail that read as words; the rest stays in the raw entry.
fn about(tr: Tr, detail: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    let text = |k: &str| detail.get(k).and_then(|v| v.as_str());
    if let Some(stage) = text("stage").and_then(Stage::parse) {
        parts.push(format!("{}: {}", tr.t("field-stage"), tr.t(&stage.label_key())));
    }
    if let Some(level) = text("level").and_then(RiskLevel::parse) {
        parts.push(format!("{}: {}", tr.t("field-risk"), tr.t(&level.label_key())));
    }
    if let Some(kind) = text("kind").and_then(krousar_domain::case::ApprovalKind::parse) {
        parts.push(tr.t(&kind.label_key()));
    }
    if let Some(total) = detail.get("total").and_then(|v| v.as_i64()) {
        parts.push(tr.t1("msg-csi-total", "total", tr.num(total)));
    }
    if let Some(rows) = detail.get("rows").and_then(|v| v.as_i64()) {
        parts.push(tr.tn("audit-rows", rows));
    }
    parts.join(" · ")
}

pub fn line(tr: Tr, row: &AuditRow, names: &HashMap<String, String>) -> AuditLine {
    let who = match (&row.actor_display, &row.actor_name) {
        (Some(d), _) if !d.is_empty() => d.clone(),
        (_, Some(u)) => u.clone(),
        _ if row.actor_id.is_none() => tr.t("audit-system"),
        _ => tr.t("audit-someone"),
    };
    let what = what(tr, row, names);
    let key = message_key(&row.action);
    let said = tr.t2(&key, ("who", who.clone()), ("what", what.clone()));
    // An action without a sentence yet (the test below the list prevents it): still shown.
    let sentence = if said == key { format!("{who}: {} {what}", row.action) } else { said };
    let detail: serde_json::Value = serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null);
    AuditLine {
        seq: tr.num(row.seq),
        seq_raw: row.seq,
        when: tr.time(&row.at),
        sentence,
        about: about(tr, &detail),
        raw: format!("{} · {} {} · {}", row.action, row.record_type, row.record_id.as_deref().unwrap_or("—"), row.detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Every action written to the log has its sentence in both languages: the code's action
    /// names (string literals of an action's form in the store and the web crates) are all in
    /// `ACTIONS`, and each of those has a message.
    #[test]
    fn every_audited_action_reads_as_a_sentence() {
        let prefixes: std::collections::BTreeSet<&str> = ACTIONS.iter().map(|a| a.split('.').next().unwrap()).collect();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(format!("{root}/store/src")), std::path::PathBuf::from(format!("{root}/web/src"))];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("audit_words.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for literal in text.split('"').skip(1).step_by(2) {
                        let Some((head, tail)) = literal.split_once('.') else { continue };
                        let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                        if prefixes.contains(head) && word(tail) && tail != "html" && !ACTIONS.contains(&literal) {
                            missing.push(format!("{literal} ({})", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "audited actions without a sentence: {missing:?}");
        for lang in [Lang::En, Lang::Km] {
            let tr = Tr::new(lang);
            for a in ACTIONS {
                let key = message_key(a);
                let said = tr.t2(&key, ("who", "W".into()), ("what", "X".into()));
                assert!(said != key && !said.contains('{'), "{lang:?}: {a} reads {said}");
            }
        }
    }

    #[test]
    fn an_entry_reads_as_who_did_what_to_which_record() {
        let row = AuditRow {
            seq: 42,
            at: "2026-12-06T18:05:00Z".into(),
            actor_id: Some("u".into()),
            actor_name: Some("sokha".into()),
            actor_display: Some("Chan Sokha".into()),
            org_id: None,
            action: "case.risk".into(),
            record_type: "case".into(),
            record_id: Some("c1".into()),
            detail: r#"{"level":"high","stage":"assessment"}"#.into(),
        };
        let names = HashMap::from([("c1".to_string(), "FFCD-000016".to_string())]);
        let en = line(Tr::new(Lang::En), &row, &names);
        assert_eq!(en.sentence, "Chan Sokha assessed the risks to child FFCD-000016");
        assert_eq!(en.when, "7 December 2026, 01:05");
        assert!(en.about.contains("High") && en.about.contains("Assessment"), "{}", en.about);
        let km = line(Tr::new(Lang::Km), &row, &names);
        assert!(km.sentence.starts_with("Chan Sokha បាន") && km.sentence.contains("FFCD-000016"), "{}", km.sentence);
        assert!(!km.when.chars().any(|c| c.is_ascii_digit()) && km.seq == "៤២");
        // A system entry and an unknown record still read.
        let system = AuditRow { actor_id: None, actor_name: None, actor_display: None, record_id: Some("gone".into()), ..row };
        assert_eq!(line(Tr::new(Lang::En), &system, &HashMap::new()).sentence, "Krousar assessed the risks to a child");
    }
}
