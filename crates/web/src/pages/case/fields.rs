//! The fields of each case form, described as data so one template renders them all with their
//! labels, hints, typed values and errors next to them.

use crate::case_work::{CaseForm, Fields};
use crate::i18n::Tr;
use crate::views::Opt;
use krousar_domain::case::csi;
use krousar_domain::case::entries::{NoteKind, PlacementType, SchoolAttendance};
use krousar_domain::case::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
use krousar_domain::Invalid;

pub enum Input {
    Text,
    Area,
    Date,
    Select(Vec<Opt>),
    Radio(Vec<Opt>),
    Check(bool),
}

pub struct Field {
    pub name: String,
    pub label: String,
    pub input: Input,
    pub value: String,
    pub error: String,
    pub hint: String,
}

pub struct Group {
    pub legend: String,
    pub hint: String,
    pub fields: Vec<Field>,
}

/// What some forms offer to choose from.
#[derive(Default)]
pub struct Choices {
    pub households: Vec<(String, String)>,
    pub owners: Vec<(String, String)>,
    /// CSI domains to plan goals for first.
    pub weakest: Vec<&'static str>,
}

struct Builder<'a> {
    tr: Tr,
    v: &'a Fields,
    e: &'a Invalid,
}

impl Builder<'_> {
    fn field(&self, name: &str, label: String, input: Input) -> Field {
        let error = self.e.errors.iter().find(|x| x.field == name).map(|x| self.tr.t(x.code)).unwrap_or_default();
        Field { name: name.to_string(), label, input, value: self.v.get(name).cloned().unwrap_or_default(), error, hint: String::new() }
    }
    fn text(&self, name: &str, key: &str) -> Field {
        self.field(name, self.tr.t(key), Input::Text)
    }
    fn area(&self, name: &str, key: &str) -> Field {
        self.field(name, self.tr.t(key), Input::Area)
    }
    fn date(&self, name: &str, key: &str) -> Field {
        self.field(name, self.tr.t(key), Input::Date)
    }
    fn check(&self, name: &str, key: &str) -> Field {
        let on = krousar_domain::case::entries::flag(self.v.get(name).map(String::as_str));
        self.field(name, self.tr.t(key), Input::Check(on))
    }
    fn pick<T: Copy>(&self, name: &str, key: &str, all: &[T], code: fn(T) -> &'static str, label: fn(T) -> String, empty: bool) -> Field {
        let current = self.v.get(name).map(String::as_str);
        let mut opts = Vec::new();
        if empty {
            opts.push(Opt { value: String::new(), label: "—".into(), selected: current.is_none_or(str::is_empty) });
        }
        opts.extend(all.iter().map(|t| Opt { value: code(*t).into(), label: self.tr.t(&label(*t)), selected: current == Some(code(*t)) }));
        self.field(name, self.tr.t(key), Input::Select(opts))
    }
    fn radio<T: Copy>(&self, name: &str, key: &str, all: &[T], code: fn(T) -> &'static str, label: fn(T) -> String) -> Field {
        let current = self.v.get(name).map(String::as_str);
        let opts =
            all.iter().map(|t| Opt { value: code(*t).into(), label: self.tr.t(&label(*t)), selected: current == Some(code(*t)) }).collect();
        self.field(name, self.tr.t(key), Input::Radio(opts))
    }
    fn list(&self, name: &str, key: &str, items: &[(String, String)], empty: bool) -> Field {
        let current = self.v.get(name).map(String::as_str).unwrap_or("");
        let mut opts = Vec::new();
        if empty {
            opts.push(Opt { value: String::new(), label: "—".into(), selected: current.is_empty() });
        }
        opts.extend(items.iter().map(|(id, name)| Opt { value: id.clone(), label: name.clone(), selected: current == id }));
        self.field(name, self.tr.t(key), Input::Select(opts))
    }
    fn hint(&self, mut f: Field, key: &str) -> Field {
        f.hint = self.tr.t(key);
        f
    }
}

fn group(legend: String, fields: Vec<Field>) -> Group {
    Group { legend, hint: String::new(), fields }
}

pub fn groups(form: CaseForm, tr: Tr, v: &Fields, e: &Invalid, c: &Choices) -> Vec<Group> {
    let b = Builder { tr, v, e };
    let one = |fields: Vec<Field>| vec![group(String::new(), fields)];
    match form {
        CaseForm::Open => one(vec![
            b.radio("route", "field-intake-route", IntakeRoute::ALL, IntakeRoute::code, IntakeRoute::label_key),
            b.pick("referral_source", "field-referral-source", ReferralSource::ALL, ReferralSource::code, ReferralSource::label_key, true),
            b.date("opened_on", "field-opened-on"),
            b.area("summary", "field-summary"),
            b.hint(b.area("immediate_safety", "field-immediate-safety"), "help-immediate-safety"),
        ]),
        CaseForm::Risk => one(vec![
            b.hint(b.radio("level", "field-risk", RiskLevel::ALL, RiskLevel::code, RiskLevel::label_key), "help-risk"),
            b.area("reasons", "field-risk-reasons"),
            b.date("assessed_on", "field-assessed-on"),
        ]),
        CaseForm::Csi => {
            let mut out = one(vec![b.date("assessed_on", "field-assessed-on")]);
            for d in csi::DOMAINS {
                let mut fields = Vec::new();
                for factor in d.factors {
                    let name = format!("score_{factor}");
                    let current = v.get(&name).map(String::as_str);
                    let opts = (1..=4)
                        .map(|n| Opt {
                            value: n.to_string(),
                            label: format!("{} — {}", tr.num(n), tr.t(&format!("csi-{factor}-{n}"))),
                            selected: current == Some(n.to_string().as_str()),
                        })
                        .collect();
                    fields.push(b.field(&name, tr.t(&format!("csi-{factor}")), Input::Radio(opts)));
                    fields.push(b.field(&format!("note_{factor}"), tr.t("field-csi-note"), Input::Area));
                }
                out.push(group(tr.t(&format!("csi-domain-{}", d.code)), fields));
            }
            // Errors on a factor are reported under its name; the score field carries them.
            for g in out.iter_mut() {
                for f in g.fields.iter_mut() {
                    if let Some(factor) = f.name.strip_prefix("score_") {
                        if let Some(x) = e.errors.iter().find(|x| x.field == factor) {
                            f.error = tr.t(x.code);
                        }
                    }
                }
            }
            out
        }
        CaseForm::Plan => {
            let mut goals = Vec::new();
            for d in csi::DOMAINS {
                let mut f = b.area(&format!("goal_{}", d.code), &format!("csi-domain-{}", d.code));
                if c.weakest.contains(&d.code) {
                    f.hint = tr.t("help-goal-suggested");
                }
                goals.push(f);
            }
            let mut g = group(tr.t("field-goals"), goals);
            g.hint = tr.t("help-goals");
            vec![
                g,
                group(
                    tr.t("field-voices"),
                    vec![
                        b.area("child_view", "field-child-view"),
                        b.area("family_view", "field-family-view"),
                        b.date("review_on", "field-review-on"),
                    ],
                ),
            ]
        }
        CaseForm::Placement => one(vec![
            b.pick("kind", "field-placement-type", PlacementType::ALL, PlacementType::code, PlacementType::label_key, false),
            b.hint(b.list("household_id", "field-carer-household", &c.households, true), "help-carer-household"),
            b.date("started_on", "field-started-on"),
            b.hint(b.area("justification", "field-justification"), "help-justification"),
        ]),
        CaseForm::EndPlacement => one(vec![b.date("ended_on", "field-ended-on"), b.area("reason", "field-reason")]),
        CaseForm::Visit => {
            let first = vec![
                b.date("visited_on", "field-visited-on"),
                b.check("child_seen", "field-child-seen"),
                b.check("spoken_alone", "field-spoken-alone"),
                b.pick("school", "field-school", SchoolAttendance::ALL, SchoolAttendance::code, SchoolAttendance::label_key, false),
            ];
            let obs = csi::DOMAINS.iter().map(|d| b.area(&format!("obs_{}", d.code), &format!("csi-domain-{}", d.code))).collect();
            let safety = vec![
                b.area("safety_concern", "field-safety-concern"),
                b.area("actions", "field-actions"),
                b.hint(
                    b.pick("raise_risk", "field-raise-risk", RiskLevel::ALL, RiskLevel::code, RiskLevel::label_key, true),
                    "help-raise-risk",
                ),
            ];
            vec![group(String::new(), first), group(tr.t("field-observations"), obs), group(tr.t("field-safety"), safety)]
        }
        CaseForm::Note => one(vec![
            b.pick("kind", "field-note-kind", NoteKind::ALL, NoteKind::code, NoteKind::label_key, false),
            b.date("noted_on", "field-noted-on"),
            b.area("text", "field-note"),
        ]),
        CaseForm::Task => {
            one(vec![b.text("title", "field-task"), b.list("owner_id", "field-owner", &c.owners, false), b.date("due_on", "field-due-on")])
        }
        CaseForm::Close => one(vec![
            b.hint(
                b.pick("reason", "field-closure-reason", ClosureReason::ALL, ClosureReason::code, ClosureReason::label_key, false),
                "help-closure",
            ),
            b.area("note", "field-note"),
        ]),
        CaseForm::Reopen => one(vec![b.area("reason", "field-reason")]),
    }
}

/// Date fields start at today, so the common case needs no typing.
pub fn defaults(form: CaseForm, today: chrono::NaiveDate) -> Fields {
    let name = match form {
        CaseForm::Open => "opened_on",
        CaseForm::Risk | CaseForm::Csi => "assessed_on",
        CaseForm::Placement => "started_on",
        CaseForm::EndPlacement => "ended_on",
        CaseForm::Visit => "visited_on",
        CaseForm::Note => "noted_on",
        _ => return Fields::new(),
    };
    Fields::from([(name.to_string(), today.to_string())])
}
