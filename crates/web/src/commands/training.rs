//! A training record: a course, a session, a person, a participant's result or mentoring.

use super::FormData;
use krousar_domain::training as tr;
use krousar_domain::{Actor, Invalid};
use krousar_store::{Store, StoreError};

fn invalid(e: Invalid) -> StoreError {
    StoreError::Invalid(e)
}

/// One training record, as posted by the page or the API: a course, a session, a person, a
/// participant's result (of session `target`) or mentoring (of person `target`). Returns the id
/// of what was created, if it is new.
pub async fn record(
    store: &Store,
    actor: &Actor,
    what: &str,
    target: Option<uuid::Uuid>,
    f: &FormData,
) -> Result<Option<uuid::Uuid>, StoreError> {
    match (what, target) {
        ("course", None) => {
            let c = tr::course(f.get("title").as_deref(), &f.all("modules")).map_err(invalid)?;
            store.add_course(actor, &c).await.map(Some)
        }
        ("session", None) => {
            let course = f
                .get("course_id")
                .and_then(|c| uuid::Uuid::parse_str(&c).ok())
                .ok_or_else(|| StoreError::invalid("course_id", "err-required"))?;
            let s = tr::session(
                f.get("starts_on").as_deref(),
                f.get("ends_on").as_deref(),
                f.get("place").as_deref(),
                f.get("trainer").as_deref(),
            )
            .map_err(invalid)?;
            store.add_session(actor, course, &s).await.map(Some)
        }
        ("person", None) => {
            let t = tr::trainee(
                f.get("name").as_deref(),
                f.get("sex").as_deref(),
                f.get("role").as_deref(),
                f.get("province").as_deref(),
                f.get("qualifications").as_deref(),
            )
            .map_err(invalid)?;
            store.add_trainee(actor, &t).await.map(Some)
        }
        ("participant", Some(session)) => {
            let (s, _) = store.training_session(actor, session).await?;
            let trainee = f
                .get("trainee_id")
                .and_then(|c| uuid::Uuid::parse_str(&c).ok())
                .ok_or_else(|| StoreError::invalid("trainee_id", "err-required"))?;
            let o = tr::result(
                s.session.starts_on,
                actor.today(),
                f.has("attended"),
                f.get("pre_score").as_deref(),
                f.get("post_score").as_deref(),
                f.has("certificate"),
            )
            .map_err(invalid)?;
            store.record_participant(actor, session, trainee, o).await.map(|_| None)
        }
        ("mentoring", Some(person)) => {
            let m = tr::mentoring(
                f.get("on").as_deref(),
                f.get("mentor").as_deref(),
                f.get("topic").as_deref(),
                f.get("note").as_deref(),
                actor.today(),
            )
            .map_err(invalid)?;
            store.add_mentoring(actor, person, &m).await.map(|_| None)
        }
        _ => Err(StoreError::NotFound),
    }
}
