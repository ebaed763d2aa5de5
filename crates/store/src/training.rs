//! The training register of an organisation (rules in `krousar_domain::training`): people,
//! courses, sessions with each participant's attendance, scores and certificate, mentoring, and
//! the report of people trained by sex, province, organisation and course with the improvement
//! from pre- to post-test. The ministry's report covers every organisation (counts only).

use crate::audit::{self, Entry};
use crate::db::{now_text, RowExt, Store};
use crate::error::StoreError;
use crate::sql::Sql;
use chrono::NaiveDate;
use krousar_domain::policy::{decide, Target};
use krousar_domain::training::{self as tr, Course, Mentoring, Outcome, Session, Trainee};
use krousar_domain::{new_id, Action, Actor};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TraineeRow {
    pub id: Uuid,
    #[serde(flatten)]
    pub trainee: Trainee,
    pub sessions_attended: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseRow {
    pub id: Uuid,
    #[serde(flatten)]
    pub course: Course,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub course_title: String,
    #[serde(flatten)]
    pub session: Session,
    pub participants: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Participant {
    pub trainee_id: Uuid,
    pub name: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// People trained (attended at least one session) in one group of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrainedRow {
    pub key: String,
    pub people: i64,
    pub women: i64,
    /// Average post-test minus pre-test, in points, where both were taken.
    pub improvement: Option<f64>,
}

fn allowed(actor: &Actor) -> Result<(), StoreError> {
    if decide(actor, Action::ManageTraining, Target::Organisation(actor.org_id)).allowed() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.into())
}

impl Store {
    async fn training_write(&self, actor: &Actor, action: &str, id: Uuid, sql: Sql) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sql.query().execute(&mut *tx).await?;
        audit::append(&mut tx, actor.into(), Entry { action, record_type: "training", record_id: Some(id.to_string()), detail: json!({}) })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_trainee(&self, actor: &Actor, t: &Trainee) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        let mut q = Sql::new("INSERT INTO trainees (id, org_id, name, sex, role, province_code, qualifications, created_at) VALUES (");
        q.bind_text(id.to_string())
            .push(", ")
            .bind_text(actor.org_id.to_string())
            .push(", ")
            .bind_text(&t.name)
            .push(", ")
            .bind_text(t.sex.code());
        q.push(", ")
            .bind_text(t.role.code())
            .push(", ")
            .bind_opt_text(t.province_code.clone())
            .push(", ")
            .bind_opt_text(t.qualifications.clone());
        q.push(", ").bind_text(now_text()).push(")");
        self.training_write(actor, "training.trainee", id, q).await?;
        Ok(id)
    }

    pub async fn add_course(&self, actor: &Actor, c: &Course) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let id = new_id();
        let modules = c.modules.iter().map(|m| m.code()).collect::<Vec<_>>().join(",");
        let mut q = Sql::new("INSERT INTO courses (id, org_id, title, modules, created_at) VALUES (");
        q.bind_text(id.to_string())
            .push(", ")
            .bind_text(actor.org_id.to_string())
            .push(", ")
            .bind_text(&c.title)
            .push(", ")
            .bind_text(modules);
        q.push(", ").bind_text(now_text()).push(")");
        self.training_write(actor, "training.course", id, q).await?;
        Ok(id)
    }

    pub async fn add_session(&self, actor: &Actor, course: Uuid, s: &Session) -> Result<Uuid, StoreError> {
        allowed(actor)?;
        let org = sqlx::query("SELECT org_id FROM courses WHERE id = $1").bind(course.to_string()).fetch_optional(&self.pool).await?;
        if org.map(|r| r.uuid("org_id")).transpose()? != Some(actor.org_id) {
            return Err(StoreError::invalid("course_id", "err-invalid-choice"));
        }
        let id = new_id();
        let mut q =
            Sql::new("INSERT INTO training_sessions (id, course_id, org_id, starts_on, ends_on, place, trainer, created_at) VALUES (");
        q.bind_text(id.to_string()).push(", ").bind_text(course.to_string()).push(", ").bind_text(actor.org_id.to_string());
        q.push(", ").bind_text(s.starts_on.to_string()).push(", ").bind_text(s.ends_on.to_string()).push(", ").bind_text(&s.place);
        q.push(", ").bind_text(&s.trainer).push(", ").bind_text(now_text()).push(")");
        self.training_write(actor, "training.session", id, q).await?;
        Ok(id)
    }

    pub async fn trainees(&self, actor: &Actor) -> Result<Vec<TraineeRow>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query(
            "SELECT t.*, (SELECT COUNT(*) FROM session_participants p WHERE p.trainee_id = t.id AND p.attended = 1) AS attended \
             FROM trainees t WHERE t.org_id = $1 ORDER BY t.name LIMIT 2000",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TraineeRow {
                    id: r.uuid("id")?,
                    trainee: Trainee {
                        name: r.text("name")?,
                        sex: krousar_domain::choices::Sex::parse(&r.text("sex")?).ok_or_else(|| corrupt("sex"))?,
                        role: tr::TraineeRole::parse(&r.text("role")?).ok_or_else(|| corrupt("role"))?,
                        province_code: r.opt_text("province_code")?,
                        qualifications: r.opt_text("qualifications")?,
                    },
                    sessions_attended: r.int("attended")?,
                })
            })
            .collect()
    }

    pub async fn courses(&self, actor: &Actor) -> Result<Vec<CourseRow>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query("SELECT id, title, modules FROM courses WHERE org_id = $1 ORDER BY title")
            .bind(actor.org_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let modules = r.text("modules")?.split(',').filter_map(tr::Module::parse).collect();
                Ok(CourseRow { id: r.uuid("id")?, course: Course { title: r.text("title")?, modules } })
            })
            .collect()
    }

    /// The organisation's sessions: for the training register, and for the staff who record a
    /// carer's training from it.
    pub async fn training_sessions(&self, actor: &Actor) -> Result<Vec<SessionRow>, StoreError> {
        if allowed(actor).is_err() && !decide(actor, Action::ListCarers, Target::Organisation(actor.org_id)).allowed() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT s.*, c.title, (SELECT COUNT(*) FROM session_participants p WHERE p.session_id = s.id) AS participants \
             FROM training_sessions s JOIN courses c ON c.id = s.course_id WHERE s.org_id = $1 ORDER BY s.starts_on DESC LIMIT 500",
        )
        .bind(actor.org_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(session_from).collect()
    }

    /// One session of the actor's organisation and its participants.
    pub async fn training_session(&self, actor: &Actor, id: Uuid) -> Result<(SessionRow, Vec<Participant>), StoreError> {
        allowed(actor)?;
        let row = sqlx::query(
            "SELECT s.*, c.title, (SELECT COUNT(*) FROM session_participants p WHERE p.session_id = s.id) AS participants \
             FROM training_sessions s JOIN courses c ON c.id = s.course_id WHERE s.id = $1 AND s.org_id = $2",
        )
        .bind(id.to_string())
        .bind(actor.org_id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let session = session_from(&row)?;
        let rows = sqlx::query(
            "SELECT p.*, t.name FROM session_participants p JOIN trainees t ON t.id = p.trainee_id WHERE p.session_id = $1 ORDER BY t.name",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let people = rows
            .iter()
            .map(|r| {
                Ok(Participant {
                    trainee_id: r.uuid("trainee_id")?,
                    name: r.text("name")?,
                    outcome: Outcome {
                        attended: r.int("attended")? != 0,
                        pre_score: r.opt_int("pre_score")?.map(|n| n as u8),
                        post_score: r.opt_int("post_score")?.map(|n| n as u8),
                        certificate: r.int("certificate")? != 0,
                    },
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((session, people))
    }

    /// Record (or change) a participant's attendance, scores and certificate; the trainee must
    /// be of the organisation.
    pub async fn record_participant(&self, actor: &Actor, session: Uuid, trainee: Uuid, o: Outcome) -> Result<(), StoreError> {
        allowed(actor)?;
        let mut tx = self.write().await?;
        let ok = sqlx::query(
            "SELECT COUNT(*) AS n FROM trainees t, training_sessions s WHERE t.id = $1 AND s.id = $2 AND t.org_id = $3 AND s.org_id = $3",
        )
        .bind(trainee.to_string())
        .bind(session.to_string())
        .bind(actor.org_id.to_string())
        .fetch_one(&mut *tx)
        .await?
        .int("n")?;
        if ok != 1 {
            return Err(StoreError::invalid("trainee_id", "err-invalid-choice"));
        }
        sqlx::query("DELETE FROM session_participants WHERE session_id = $1 AND trainee_id = $2")
            .bind(session.to_string())
            .bind(trainee.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO session_participants (session_id, trainee_id, attended, pre_score, post_score, certificate) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(session.to_string())
            .bind(trainee.to_string())
            .bind(o.attended as i64)
            .bind(o.pre_score.map(i64::from))
            .bind(o.post_score.map(i64::from))
            .bind(o.certificate as i64)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            actor.into(),
            Entry {
                action: "training.result",
                record_type: "training",
                record_id: Some(session.to_string()),
                detail: json!({"trainee": trainee}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_mentoring(&self, actor: &Actor, trainee: Uuid, m: &Mentoring) -> Result<(), StoreError> {
        allowed(actor)?;
        let org = sqlx::query("SELECT org_id FROM trainees WHERE id = $1").bind(trainee.to_string()).fetch_optional(&self.pool).await?;
        if org.map(|r| r.uuid("org_id")).transpose()? != Some(actor.org_id) {
            return Err(StoreError::NotFound);
        }
        let id = new_id();
        let mut q = Sql::new("INSERT INTO mentoring (id, trainee_id, on_date, mentor, topic, note, recorded_by) VALUES (");
        q.bind_text(id.to_string())
            .push(", ")
            .bind_text(trainee.to_string())
            .push(", ")
            .bind_text(m.on.to_string())
            .push(", ")
            .bind_text(&m.mentor);
        q.push(", ").bind_text(&m.topic).push(", ").bind_opt_text(m.note.clone()).push(", ").bind_text(actor.user_id.to_string()).push(")");
        self.training_write(actor, "training.mentoring", id, q).await
    }

    pub async fn mentoring_of(&self, actor: &Actor, trainee: Uuid) -> Result<Vec<Mentoring>, StoreError> {
        allowed(actor)?;
        let rows = sqlx::query("SELECT m.* FROM mentoring m JOIN trainees t ON t.id = m.trainee_id WHERE m.trainee_id = $1 AND t.org_id = $2 ORDER BY m.on_date DESC")
            .bind(trainee.to_string())
            .bind(actor.org_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let on = NaiveDate::parse_from_str(&r.text("on_date")?, "%Y-%m-%d").map_err(|_| corrupt("on_date"))?;
                Ok(Mentoring { on, mentor: r.text("mentor")?, topic: r.text("topic")?, note: r.opt_text("note")? })
            })
            .collect()
    }

    /// People trained, grouped by `by` (sex, province, organisation or course): the actor's
    /// organisation, or every organisation for the ministry.
    pub async fn trained_report(&self, actor: &Actor, by: &str) -> Result<Vec<TrainedRow>, StoreError> {
        let national = decide(actor, Action::ViewAggregates, Target::Nothing).allowed();
        if !national {
            allowed(actor)?;
        }
        let key = match by {
            "sex" => "t.sex",
            "province" => "t.province_code",
            "organisation" => "o.name",
            _ => "c.title",
        };
        let mut q = Sql::new(&format!(
            "SELECT {key} AS k, COUNT(DISTINCT t.id) AS people, COUNT(DISTINCT CASE WHEN t.sex = 'female' THEN t.id END) AS women, \
             CAST(SUM(CASE WHEN p.pre_score IS NOT NULL AND p.post_score IS NOT NULL THEN p.post_score - p.pre_score ELSE 0 END) AS BIGINT) AS gain, \
             CAST(SUM(CASE WHEN p.pre_score IS NOT NULL AND p.post_score IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS scored \
             FROM session_participants p JOIN trainees t ON t.id = p.trainee_id JOIN training_sessions s ON s.id = p.session_id \
             JOIN courses c ON c.id = s.course_id JOIN organisations o ON o.id = t.org_id WHERE p.attended = 1"
        ));
        if !national {
            q.push(" AND t.org_id = ").bind_text(actor.org_id.to_string());
        }
        q.push(&format!(" GROUP BY {key} ORDER BY people DESC"));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let scored = r.int("scored")?;
                Ok(TrainedRow {
                    key: r.opt_text("k")?.unwrap_or_default(),
                    people: r.int("people")?,
                    women: r.int("women")?,
                    improvement: (scored > 0).then(|| r.int("gain").unwrap_or(0) as f64 / scored as f64),
                })
            })
            .collect()
    }
}

fn session_from(r: &sqlx::any::AnyRow) -> Result<SessionRow, StoreError> {
    let date = |c: &str| -> Result<NaiveDate, StoreError> { NaiveDate::parse_from_str(&r.text(c)?, "%Y-%m-%d").map_err(|_| corrupt(c)) };
    Ok(SessionRow {
        id: r.uuid("id")?,
        course_id: r.uuid("course_id")?,
        course_title: r.text("title")?,
        session: Session { starts_on: date("starts_on")?, ends_on: date("ends_on")?, place: r.text("place")?, trainer: r.text("trainer")? },
        participants: r.int("participants")?,
    })
}
