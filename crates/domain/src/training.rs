//! Workforce and training: the people trained (staff, para social workers, RCI staff, officers,
//! carers), courses made of modules, sessions with attendance and pre- and post-test scores,
//! certificates, and mentoring after training.

use crate::case::entries::{any_date, past_date, pick};
use crate::choices::{pick_list, Sex};
use crate::text::{self, LONG, SHORT};
use crate::validation::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pick_list!(Module, "module", {
    Reintegration => "reintegration",
    CaseManagement => "case_management",
    ChildProtection => "child_protection",
    SocialWorkStandards => "social_work_standards",
    FosterCare => "foster_care",
});

pick_list!(TraineeRole, "trainee-role", {
    SocialWorker => "social_worker",
    ParaSocialWorker => "para_social_worker",
    RciStaff => "rci_staff",
    GovernmentOfficer => "government_officer",
    FosterCarer => "foster_carer",
    Other => "other",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Trainee {
    pub name: String,
    pub sex: Sex,
    pub role: TraineeRole,
    /// Two-digit province code.
    pub province_code: Option<String>,
    pub qualifications: Option<String>,
}

pub fn trainee(
    name: Option<&str>,
    sex: Option<&str>,
    role: Option<&str>,
    province: Option<&str>,
    qualifications: Option<&str>,
) -> Result<Trainee, Invalid> {
    let mut e = Invalid::default();
    let name = text::optional(&mut e, "name", name, SHORT);
    if name.is_none() && !e.has("name") {
        e.push("name", "err-required");
    }
    let sex = pick(&mut e, "sex", sex, Sex::parse);
    let role = pick(&mut e, "role", role, TraineeRole::parse);
    let province_code = province.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    if province_code.as_deref().is_some_and(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        e.push("province", "err-unknown-place");
    }
    let qualifications = text::optional(&mut e, "qualifications", qualifications, LONG);
    match (name, sex, role) {
        (Some(name), Some(sex), Some(role)) if e.errors.is_empty() => Ok(Trainee { name, sex, role, province_code, qualifications }),
        _ => Err(e),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Course {
    pub title: String,
    pub modules: Vec<Module>,
}

pub fn course(title: Option<&str>, modules: &[String]) -> Result<Course, Invalid> {
    let mut e = Invalid::default();
    let title = text::optional(&mut e, "title", title, SHORT);
    if title.is_none() && !e.has("title") {
        e.push("title", "err-required");
    }
    let mut out = Vec::new();
    for m in modules.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        match Module::parse(m) {
            Some(x) if !out.contains(&x) => out.push(x),
            Some(_) => {}
            None => e.push("modules", "err-invalid-choice"),
        }
    }
    if out.is_empty() && !e.has("modules") {
        e.push("modules", "err-required");
    }
    match title {
        Some(title) if e.errors.is_empty() => Ok(Course { title, modules: out }),
        _ => Err(e),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Session {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub place: String,
    pub trainer: String,
}

pub fn session(starts: Option<&str>, ends: Option<&str>, place: Option<&str>, trainer: Option<&str>) -> Result<Session, Invalid> {
    let mut e = Invalid::default();
    let starts_on = any_date(&mut e, "starts_on", starts);
    let ends_on = any_date(&mut e, "ends_on", ends);
    if let (Some(s), Some(t)) = (starts_on, ends_on) {
        if t < s {
            e.push("ends_on", "err-end-before-start");
        }
    }
    let place = text::optional(&mut e, "place", place, SHORT);
    let trainer = text::optional(&mut e, "trainer", trainer, SHORT);
    for (f, v) in [("place", &place), ("trainer", &trainer)] {
        if v.is_none() && !e.has(f) {
            e.push(f, "err-required");
        }
    }
    match (starts_on, ends_on, place, trainer) {
        (Some(starts_on), Some(ends_on), Some(place), Some(trainer)) if e.errors.is_empty() => {
            Ok(Session { starts_on, ends_on, place, trainer })
        }
        _ => Err(e),
    }
}

/// One participant's result in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub attended: bool,
    pub pre_score: Option<u8>,
    pub post_score: Option<u8>,
    pub certificate: bool,
}

/// Attendance, scores (0–100) and a certificate, checked against the session: nothing before the
/// session has started, no post-test or certificate without attendance.
pub fn result(
    session_starts: NaiveDate,
    today: NaiveDate,
    attended: bool,
    pre: Option<&str>,
    post: Option<&str>,
    certificate: bool,
) -> Result<Outcome, Invalid> {
    let mut e = Invalid::default();
    if session_starts > today {
        e.push("attended", "err-session-not-held");
    }
    let mut score = |field: &'static str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => crate::child::parse_number::<u8>(s).filter(|n| *n <= 100).or_else(|| {
            e.push(field, "err-score-100");
            None
        }),
    };
    let (pre_score, post_score) = (score("pre_score", pre), score("post_score", post));
    if !attended && (post_score.is_some() || certificate) {
        e.push("attended", "err-not-attended");
    }
    if e.errors.is_empty() {
        Ok(Outcome { attended, pre_score, post_score, certificate })
    } else {
        Err(e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mentoring {
    pub on: NaiveDate,
    pub mentor: String,
    pub topic: String,
    pub note: Option<String>,
}

pub fn mentoring(
    on: Option<&str>,
    mentor: Option<&str>,
    topic: Option<&str>,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<Mentoring, Invalid> {
    let mut e = Invalid::default();
    let on = past_date(&mut e, "on", on, today);
    let mentor = text::optional(&mut e, "mentor", mentor, SHORT);
    let topic = text::optional(&mut e, "topic", topic, SHORT);
    for (f, v) in [("mentor", &mentor), ("topic", &topic)] {
        if v.is_none() && !e.has(f) {
            e.push(f, "err-required");
        }
    }
    let note = text::paragraphs(&mut e, "note", note, LONG);
    match (on, mentor, topic) {
        (Some(on), Some(mentor), Some(topic)) if e.errors.is_empty() => Ok(Mentoring { on, mentor, topic, note }),
        _ => Err(e),
    }
}

/// Average change from pre- to post-test over the participants with both scores, if any.
pub fn improvement(results: &[Outcome]) -> Option<f64> {
    let pairs: Vec<i32> = results.iter().filter_map(|r| Some(i32::from(r.post_score?) - i32::from(r.pre_score?))).collect();
    (!pairs.is_empty()).then(|| f64::from(pairs.iter().sum::<i32>()) / pairs.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn no_attendance_before_the_session_and_no_certificate_without_it() {
        let today = d("2026-11-23");
        assert_eq!(
            result(d("2026-12-01"), today, true, None, None, false).unwrap_err().for_field("attended"),
            Some("err-session-not-held")
        );
        assert_eq!(
            result(d("2026-11-01"), today, false, Some("40"), Some("70"), false).unwrap_err().for_field("attended"),
            Some("err-not-attended")
        );
        assert_eq!(
            result(d("2026-11-01"), today, true, Some("140"), None, false).unwrap_err().for_field("pre_score"),
            Some("err-score-100")
        );
        let r = result(d("2026-11-01"), today, true, Some("40"), Some("៧០"), true).unwrap();
        assert_eq!((r.pre_score, r.post_score, r.certificate), (Some(40), Some(70), true));
    }

    #[test]
    fn improvement_is_averaged_over_complete_pairs() {
        let r = |pre, post| Outcome { attended: true, pre_score: pre, post_score: post, certificate: false };
        assert_eq!(improvement(&[r(Some(40), Some(70)), r(Some(50), Some(60)), r(None, Some(90))]), Some(20.0));
        assert_eq!(improvement(&[r(None, None)]), None);
    }

    #[test]
    fn courses_sessions_and_people_are_validated() {
        assert_eq!(course(Some("Reintegration"), &[]).unwrap_err().for_field("modules"), Some("err-required"));
        assert_eq!(course(Some("x"), &["magic".into()]).unwrap_err().for_field("modules"), Some("err-invalid-choice"));
        assert_eq!(
            session(Some("2026-11-10"), Some("2026-11-09"), Some("Battambang"), Some("MoSVY")).unwrap_err().for_field("ends_on"),
            Some("err-end-before-start")
        );
        assert_eq!(
            trainee(Some("Sokha"), Some("female"), Some("para_social_worker"), Some("2"), None).unwrap_err().for_field("province"),
            Some("err-unknown-place")
        );
        assert!(trainee(Some("Sokha"), Some("female"), Some("para_social_worker"), Some("02"), None).is_ok());
    }
}
