//! The bodies of the register changes that the API hands to the pages' own code (cash support,
//! an RCI's transition, the training register): typed here so that a client knows each
//! action's fields, then given to that code as the page's form pairs, so that validation,
//! permissions and audit stay the pages' (`pages::cash::change`, `pages::rci_transition::record`,
//! `pages::training::record`).

use super::schema::Text;
use crate::pages::form::FormData;
use krousar_domain::rci_transition::STANDARDS;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// Form pairs, leaving out what was not sent.
#[derive(Default)]
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn text(mut self, k: &str, v: Option<String>) -> Self {
        if let Some(v) = v {
            self.0.push((k.into(), v));
        }
        self
    }
    fn num(self, k: &str, v: Option<Text>) -> Self {
        self.text(k, v.map(|t| t.0))
    }
    /// A ticked box: `true` sends it, `false` leaves it out.
    fn tick(self, k: &str, v: Option<bool>) -> Self {
        self.text(k, v.filter(|t| *t).map(|_| "1".to_string()))
    }
    fn done(self) -> FormData {
        FormData(self.0)
    }
}

/// A change to a child's government cash support; `action` says which.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CashChange {
    /// The family applied.
    Apply {
        #[schema(format = Date)]
        applied_on: Option<String>,
    },
    /// The grant was approved: how much a month, and for which months (`YYYY-MM`).
    Approve {
        #[schema(format = Date)]
        approved_on: Option<String>,
        monthly_riel: Option<Text>,
        from: Option<String>,
        to: Option<String>,
    },
    /// The application was refused, and why.
    Refuse { reason: Option<String> },
    /// A payment: when, how much, for which months, to whom, and whether it arrived.
    Pay {
        #[schema(format = Date)]
        paid_on: Option<String>,
        amount: Option<Text>,
        from: Option<String>,
        to: Option<String>,
        paid_to: Option<String>,
        status: Option<String>,
    },
}

impl CashChange {
    pub fn form(self) -> FormData {
        let p = Pairs::default();
        match self {
            CashChange::Apply { applied_on } => p.text("action", Some("apply".into())).text("applied_on", applied_on),
            CashChange::Approve { approved_on, monthly_riel, from, to } => p
                .text("action", Some("approve".into()))
                .text("approved_on", approved_on)
                .num("monthly_riel", monthly_riel)
                .text("from", from)
                .text("to", to),
            CashChange::Refuse { reason } => p.text("action", Some("refuse".into())).text("reason", reason),
            CashChange::Pay { paid_on, amount, from, to, paid_to, status } => p
                .text("action", Some("pay".into()))
                .text("paid_on", paid_on)
                .num("amount", amount)
                .text("from", from)
                .text("to", to)
                .text("paid_to", paid_to)
                .text("status", status),
        }
        .done()
    }
}

/// An inspection's score of each standard (0 to 3), by the standard's code.
#[derive(Deserialize)]
pub struct Scores(BTreeMap<String, Text>);

impl PartialSchema for Scores {
    fn schema() -> RefOr<Schema> {
        let mut o = ObjectBuilder::new().schema_type(Type::Object);
        for code in STANDARDS {
            o = o.property(code, krousar_domain::api_schema::number_or_text());
        }
        o.into()
    }
}

impl ToSchema for Scores {}

/// Something that happened to an RCI on its way out of residential care; `kind` says which.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RciChange {
    /// It moved to another stage of its transition.
    Stage {
        /// `operating`, `planning`, `transitioning`, `community_centre` or `closed`.
        stage: Option<String>,
        #[schema(format = Date)]
        on: Option<String>,
        note: Option<String>,
    },
    /// An inspection and its scores.
    Inspection {
        #[schema(format = Date)]
        on: Option<String>,
        inspector: Option<String>,
        score: Option<Scores>,
        note: Option<String>,
    },
    /// Its staff on a day.
    Staff {
        #[schema(format = Date)]
        on: Option<String>,
        total: Option<Text>,
        female: Option<Text>,
        para_social_workers: Option<Text>,
    },
}

impl RciChange {
    /// The kind (`stage`, `inspection`, `staff`) and the page's form pairs.
    pub fn form(self) -> (&'static str, FormData) {
        let p = Pairs::default();
        match self {
            RciChange::Stage { stage, on, note } => ("stage", p.text("stage", stage).text("on", on).text("note", note).done()),
            RciChange::Inspection { on, inspector, score, note } => {
                let mut p = p.text("on", on).text("inspector", inspector).text("note", note);
                for (k, v) in score.map(|s| s.0).unwrap_or_default() {
                    p = p.num(&format!("score_{k}"), Some(v));
                }
                ("inspection", p.done())
            }
            RciChange::Staff { on, total, female, para_social_workers } => {
                ("staff", p.text("on", on).num("total", total).num("female", female).num("para_social_workers", para_social_workers).done())
            }
        }
    }
}

/// A course of the training register.
#[derive(Deserialize, ToSchema)]
pub struct NewCourse {
    title: Option<String>,
    /// Module codes: `reintegration`, `case_management`, `child_protection`,
    /// `social_work_standards`, `foster_care`.
    modules: Option<Vec<String>>,
}

/// A session of a course.
#[derive(Deserialize, ToSchema)]
pub struct NewSession {
    course_id: Option<String>,
    #[schema(format = Date)]
    starts_on: Option<String>,
    #[schema(format = Date)]
    ends_on: Option<String>,
    place: Option<String>,
    trainer: Option<String>,
}

/// A person who may be trained.
#[derive(Deserialize, ToSchema)]
pub struct NewTrainee {
    name: Option<String>,
    /// `female` or `male`.
    sex: Option<String>,
    /// `social_worker`, `para_social_worker`, `rci_staff`, `government_officer`,
    /// `foster_carer` or `other`.
    role: Option<String>,
    /// Province code.
    province: Option<String>,
    qualifications: Option<String>,
}

/// A person's result in a session (`POST /training/participant/{session}`).
#[derive(Deserialize, ToSchema)]
pub struct NewParticipant {
    trainee_id: Option<String>,
    attended: Option<bool>,
    pre_score: Option<Text>,
    post_score: Option<Text>,
    certificate: Option<bool>,
}

/// A mentoring visit to a trained person (`POST /training/mentoring/{person}`).
#[derive(Deserialize, ToSchema)]
pub struct NewMentoring {
    #[schema(format = Date)]
    on: Option<String>,
    mentor: Option<String>,
    topic: Option<String>,
    note: Option<String>,
}

/// The form pairs of a training record, read from the body by what the path names; `None` for
/// a name the register does not have (404).
pub fn training_form(what: &str, body: &axum::body::Bytes) -> Option<Result<FormData, crate::error::ApiError>> {
    use super::json_body;
    let p = Pairs::default();
    Some(match what {
        "course" => json_body::<NewCourse>(body).map(|c| {
            let mut p = p.text("title", c.title);
            for m in c.modules.unwrap_or_default() {
                p = p.text("modules", Some(m));
            }
            p.done()
        }),
        "session" => json_body::<NewSession>(body).map(|s| {
            p.text("course_id", s.course_id)
                .text("starts_on", s.starts_on)
                .text("ends_on", s.ends_on)
                .text("place", s.place)
                .text("trainer", s.trainer)
                .done()
        }),
        "person" => json_body::<NewTrainee>(body).map(|t| {
            p.text("name", t.name)
                .text("sex", t.sex)
                .text("role", t.role)
                .text("province", t.province)
                .text("qualifications", t.qualifications)
                .done()
        }),
        "participant" => json_body::<NewParticipant>(body).map(|r| {
            p.text("trainee_id", r.trainee_id)
                .tick("attended", r.attended)
                .num("pre_score", r.pre_score)
                .num("post_score", r.post_score)
                .tick("certificate", r.certificate)
                .done()
        }),
        "mentoring" => json_body::<NewMentoring>(body)
            .map(|m| p.text("on", m.on).text("mentor", m.mentor).text("topic", m.topic).text("note", m.note).done()),
        _ => return None,
    })
}
