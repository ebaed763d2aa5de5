//! The fields of each case form, described as data so one template renders them all with their
//! labels, hints, typed values and errors next to them.

use crate::commands::case::{CaseForm, Fields};
use crate::i18n::Tr;
use crate::views::{options, Opt};
use krousar_domain::case::csi;
use krousar_domain::case::entries::{NoteKind, PlacementType, SchoolAttendance, VisitBy, VisitMode};
use krousar_domain::case::family::{AltCare, FamilyOutcome, Readiness, TracingMethod, TracingOutcome, FAMILY_AREAS};
use krousar_domain::case::stage::{ClosureReason, IntakeRoute, ReferralSource, RiskLevel};
use krousar_domain::case::support::{Participant, Provider, ServiceKind, NEXT_STEPS};
use krousar_domain::choices::{IdPoor, Relationship};
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
    /// Institutions (id, "name — province"), the child's own first (case from an RCI,
    /// residential care).
    pub rcis: Vec<(String, String)>,
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
        let opts = options(self.tr, all, code, label, self.v.get(name).map(String::as_str), empty.then_some("opt-choose"));
        self.field(name, self.tr.t(key), Input::Select(opts))
    }
    fn radio<T: Copy>(&self, name: &str, key: &str, all: &[T], code: fn(T) -> &'static str, label: fn(T) -> String) -> Field {
        let opts = options(self.tr, all, code, label, self.v.get(name).map(String::as_str), None);
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
        ]
        .into_iter()
        // The phone's copy of the form carries no list of institutions: there the case takes
        // the child's own RCI (`store::cases::open`), so no empty choice is shown.
        .chain((!c.rcis.is_empty()).then(|| b.hint(b.list("rci_id", "field-rci", &c.rcis, true), "help-case-rci")))
        .collect()),
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
            b.hint(b.list("rci_id", "field-rci", &c.rcis, true), "help-placement-rci"),
        ]),
        CaseForm::EndPlacement => one(vec![b.date("ended_on", "field-ended-on"), b.area("reason", "field-reason")]),
        CaseForm::Visit => {
            let first = vec![
                b.date("visited_on", "field-visited-on"),
                b.pick("visited_by", "field-visited-by", VisitBy::ALL, VisitBy::code, VisitBy::label_key, false),
                b.hint(b.text("visitor_name", "field-visitor-name"), "help-visitor-name"),
                b.pick("mode", "field-visit-mode", VisitMode::ALL, VisitMode::code, VisitMode::label_key, false),
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
        CaseForm::Tracing => one(vec![
            b.hint(b.area("parents", "field-parents"), "help-parents"),
            b.area("relatives", "field-relatives"),
            b.hint(b.area("old_place", "field-old-place"), "help-old-place"),
            b.area("landmarks", "field-landmarks"),
        ]),
        CaseForm::TracingAttempt => vec![
            group(
                String::new(),
                vec![
                    b.date("attempted_on", "field-attempted-on"),
                    b.pick("method", "field-trace-method", TracingMethod::ALL, TracingMethod::code, TracingMethod::label_key, false),
                    b.area("people_met", "field-people-met"),
                    b.area("learned", "field-learned"),
                    b.radio("outcome", "field-trace-outcome", TracingOutcome::ALL, TracingOutcome::code, TracingOutcome::label_key),
                ],
            ),
            Group {
                legend: tr.t("field-relative-found"),
                hint: tr.t("help-relative-found"),
                fields: vec![
                    b.text("relative_name_km", "field-name-km"),
                    b.text("relative_name_latin", "field-name-latin"),
                    b.pick(
                        "relative_relationship",
                        "field-relationship",
                        Relationship::ALL,
                        Relationship::code,
                        Relationship::label_key,
                        true,
                    ),
                ],
            },
        ],
        CaseForm::FamilyAssessment => {
            let mut first =
                vec![b.date("assessed_on", "field-assessed-on"), b.list("household_id", "field-household", &c.households, true)];
            first.extend(FAMILY_AREAS.iter().map(|a| b.area(a, &format!("field-family-{}", a.replace('_', "-")))));
            first.push(b.pick("id_poor", "field-id-poor", IdPoor::ALL, IdPoor::code, IdPoor::label_key, true));
            first.push(b.radio("outcome", "field-family-outcome", FamilyOutcome::ALL, FamilyOutcome::code, FamilyOutcome::label_key));
            one(first)
        }
        CaseForm::Readiness => one(vec![
            b.date("assessed_on", "field-assessed-on"),
            b.radio("child_ready", "field-child-ready", Readiness::ALL, Readiness::code, Readiness::label_key),
            b.radio("family_ready", "field-family-ready", Readiness::ALL, Readiness::code, Readiness::label_key),
            b.hint(b.area("child_view", "field-child-view"), "help-child-view"),
            b.area("family_view", "field-family-view"),
            b.area("note", "field-note"),
        ]),
        CaseForm::AltCare => one(vec![
            b.date("decided_on", "field-decided-on"),
            b.hint(b.radio("option", "field-alt-care", AltCare::ALL, AltCare::code, AltCare::label_key), "help-alt-care"),
            b.hint(b.area("reason", "field-reason"), "help-justification"),
        ]),
        CaseForm::Conference => {
            let ticks = Participant::ALL.iter().map(|p| b.check(&format!("participant_{}", p.code()), &p.label_key())).collect();
            let mut who = group(tr.t("field-participants"), ticks);
            if let Some(x) = e.errors.iter().find(|x| x.field == "participants") {
                who.hint = tr.t(x.code);
            }
            let mut steps = Vec::new();
            for n in 1..=NEXT_STEPS {
                steps.push(b.field(&format!("step_{n}_title"), tr.t1("field-step", "n", tr.num(n)), Input::Text));
                steps.push(b.field(&format!("step_{n}_due"), tr.t("field-due-on"), Input::Date));
            }
            let mut next = group(tr.t("field-next-steps"), steps);
            next.hint = tr.t("help-next-steps");
            vec![
                group(String::new(), vec![b.date("held_on", "field-held-on"), b.text("place", "field-place")]),
                who,
                group(
                    String::new(),
                    vec![
                        b.area("participant_names", "field-participant-names"),
                        b.area("decisions", "field-decisions"),
                        b.hint(b.area("commitments", "field-commitments"), "help-commitments"),
                    ],
                ),
                next,
            ]
        }
        CaseForm::Service => one(vec![
            b.pick("service", "field-service", ServiceKind::ALL, ServiceKind::code, ServiceKind::label_key, false),
            b.pick("provider", "field-provider", Provider::ALL, Provider::code, Provider::label_key, false),
            b.text("provider_name", "field-provider-name"),
            b.date("provided_on", "field-provided-on"),
            b.text("quantity", "field-quantity"),
            b.text("value_riel", "field-value-riel"),
            b.area("outcome", "field-outcome"),
        ]),
    }
}

/// A child's record on a device: the registration form, or (`register` false) the fields a
/// device may correct (`krousar_domain::sync::CHILD_EDITABLE`, the place aside: the gazetteer
/// is not carried). Same labels and pick-lists as the registration page.
pub fn child_groups(tr: Tr, v: &Fields, e: &Invalid, register: bool) -> Vec<Group> {
    use krousar_domain::choices::{BirthRegistration, Disability, LivingArrangement, Sex};
    let b = Builder { tr, v, e };
    let names = vec![
        b.text("family_name_km", "field-family-name-km"),
        b.text("given_name_km", "field-given-name-km"),
        b.text("family_name_latin", "field-family-name-latin"),
        b.text("given_name_latin", "field-given-name-latin"),
        b.text("nickname", "field-nickname"),
        b.radio("sex", "field-sex", Sex::ALL, Sex::code, Sex::label_key),
    ];
    let mut birth = vec![b.date("date_of_birth", "field-date-of-birth")];
    if register {
        birth.push(b.text("estimated_age", "field-estimated-age"));
    } else {
        birth.push(b.text("estimated_birth_year", "field-estimated-year"));
    }
    birth.push(b.pick(
        "birth_registration",
        "field-birth-registration",
        BirthRegistration::ALL,
        BirthRegistration::code,
        BirthRegistration::label_key,
        false,
    ));
    birth.push(b.text("birth_certificate_number", "field-birth-certificate"));
    let mut situation = vec![
        b.pick("id_poor", "field-id-poor", IdPoor::ALL, IdPoor::code, IdPoor::label_key, false),
        b.pick("disability", "field-disability", Disability::ALL, Disability::code, Disability::label_key, false),
    ];
    // A child registered offline cannot be placed in an institution: the institutions are not
    // carried (the page asks for one).
    let living: Vec<LivingArrangement> =
        LivingArrangement::ALL.iter().copied().filter(|l| !register || *l != LivingArrangement::InRci).collect();
    situation.push(b.pick("living_arrangement", "field-living", &living, LivingArrangement::code, LivingArrangement::label_key, false));
    vec![group(tr.t("field-names"), names), group(tr.t("field-birth"), birth), group(tr.t("field-situation"), situation)]
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
        CaseForm::TracingAttempt => "attempted_on",
        CaseForm::FamilyAssessment | CaseForm::Readiness => "assessed_on",
        CaseForm::AltCare => "decided_on",
        CaseForm::Conference => "held_on",
        CaseForm::Service => "provided_on",
        _ => return Fields::new(),
    };
    Fields::from([(name.to_string(), today.to_string())])
}

/// The fields of a stored record, to start its next version from: text values as they are,
/// care plan goals as `goal_<domain>`.
pub fn from_entry(entry: &krousar_domain::case::CaseEntry) -> Fields {
    let whole = serde_json::to_value(entry).unwrap_or_default();
    let body = &whole["body"];
    let mut out = Fields::new();
    if let Some(o) = body.as_object() {
        for (k, v) in o {
            if let Some(t) = v.as_str() {
                out.insert(k.clone(), t.to_string());
            }
        }
    }
    for g in body["goals"].as_array().into_iter().flatten() {
        if let (Some(d), Some(t)) = (g["domain"].as_str(), g["goal"].as_str()) {
            out.insert(format!("goal_{d}"), t.to_string());
        }
    }
    out
}
