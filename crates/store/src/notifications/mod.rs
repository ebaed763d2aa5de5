//! Notices, written in the transaction of the event that causes them (an approval asked, a
//! referral received…), so that a notice exists exactly when its event does. Each notice goes
//! to the inbox; a delivery is queued for each other channel its recipient chose, to go when
//! the organisation's quiet hours allow (`deliveries.rs` hands them to the sender).

pub mod choices;
pub mod deliveries;
pub mod digest;
pub mod feeds;
pub mod inbox;
pub mod mail;
pub mod push;

use crate::db::{time_text, RowExt, Tx};
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use krousar_domain::notify::choices::{from_text, resolve};
use krousar_domain::notify::quiet::QuietHours;
use krousar_domain::notify::{local_link, Channel, Notice};
use krousar_domain::{new_id, Actor, Role};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Give `notice` to each of `users` (each once; disabled accounts are skipped). `once_key`
/// makes a notice that a person gets only once (a day's digest): a second one is not added.
pub(crate) async fn notify(
    tx: &mut Tx,
    users: &[Uuid],
    notice: &Notice,
    once_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    if !local_link(&notice.link) {
        return Err(StoreError::Corrupt(format!("notice link {:?}", notice.link)));
    }
    let event = notice.event.code();
    let mut given = 0;
    for user in users.iter().collect::<BTreeSet<_>>() {
        let row = sqlx::query(
            "SELECT u.disabled, a.email, q.starts, q.ends, \
             (SELECT COUNT(*) FROM notification_push_subscriptions s WHERE s.user_id = u.id) AS devices, \
             (SELECT channels FROM notification_choices WHERE owner_kind = 'user' AND owner_id = u.id AND event = $2) AS mine, \
             (SELECT channels FROM notification_choices WHERE owner_kind = 'org' AND owner_id = u.org_id AND event = $2) AS org \
             FROM users u LEFT JOIN notification_addresses a ON a.user_id = u.id LEFT JOIN notification_quiet q ON q.org_id = u.org_id \
             WHERE u.id = $1",
        )
        .bind(user.to_string())
        .bind(event)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { continue };
        if row.int("disabled")? != 0 {
            continue;
        }
        let id = new_id();
        let added = sqlx::query(
            "INSERT INTO notifications (id, user_id, event, count, link, once_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id, once_key) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(event)
        .bind(notice.count)
        .bind(&notice.link)
        .bind(once_key)
        .bind(time_text(now))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if added == 0 {
            continue;
        }
        given += 1;
        let stored = |col: &str| -> Result<Option<_>, StoreError> {
            row.opt_text(col)?
                .map(|t| from_text(&t).ok_or_else(|| StoreError::Corrupt(format!("notification_choices.channels {t:?}"))))
                .transpose()
        };
        let channels = resolve(notice.event, stored("mine")?.as_ref(), stored("org")?.as_ref());
        let quiet = match (row.opt_text("starts")?, row.opt_text("ends")?) {
            (Some(s), Some(e)) => QuietHours::parse(&s, &e),
            _ => None,
        };
        let when = quiet.map_or(now, |q| q.next_allowed(now));
        for channel in channels {
            // An e-mail needs an address; without one there is nothing to queue.
            if channel == Channel::Email && row.opt_text("email")?.is_none() {
                continue;
            }
            // A push needs a device where it was turned on.
            if channel == Channel::Push && row.int("devices")? == 0 {
                continue;
            }
            sqlx::query(
                "INSERT INTO notification_deliveries (id, notification_id, channel, state, attempts, not_before) VALUES ($1, $2, $3, 'pending', 0, $4)",
            )
            .bind(new_id().to_string())
            .bind(id.to_string())
            .bind(channel.code())
            .bind(time_text(when))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(given)
}

/// Tell whoever started a background job (`table`: import_jobs or export_jobs) that it ended:
/// after the job's own record is committed, so that a notice that cannot be written (logged)
/// never makes a finished import look failed — the user would import it again.
pub(crate) async fn tell_job_ended(store: &crate::db::Store, table: &'static str, id: Uuid, link: String) {
    let told = async {
        let mut tx = store.write().await?;
        job_ended(&mut tx, table, id, link, chrono::Utc::now()).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(())
    };
    if let Err(e) = told.await {
        tracing::warn!(error = %e, job = %id, "the notice of a finished job was not written");
    }
}

async fn job_ended(tx: &mut Tx, table: &'static str, id: Uuid, link: String, now: DateTime<Utc>) -> Result<(), StoreError> {
    let user = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT user_id FROM {table} WHERE id = $1")))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(r) = user {
        notify(tx, &[r.uuid("user_id")?], &Notice::one(krousar_domain::notify::Event::JobFinished, link), None, now).await?;
    }
    Ok(())
}

/// The active people of `org` for whom `test` holds, each judged as the actor they would be
/// (their role, team and the teams below it): who may approve this case, decide this referral.
/// The rule is the access policy's, never a copy of it.
pub(crate) async fn people_who(tx: &mut Tx, org: Uuid, now: DateTime<Utc>, test: impl Fn(&Actor) -> bool) -> Result<Vec<Uuid>, StoreError> {
    let rows = sqlx::query("SELECT id, team_id, role FROM users WHERE org_id = $1 AND disabled = 0")
        .bind(org.to_string())
        .fetch_all(&mut **tx)
        .await?;
    let edges = sqlx::query("SELECT id, parent_id FROM teams WHERE org_id = $1")
        .bind(org.to_string())
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| Ok((r.uuid("id")?, r.opt_uuid("parent_id")?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut out = Vec::new();
    for r in &rows {
        let role = r.code("role", Role::parse)?;
        let team_id = r.opt_uuid("team_id")?;
        // As a signed-in user's actor is made (`Store::with_teams`).
        let teams = match team_id {
            Some(t) if krousar_domain::policy::oversees_team_tree(role) => krousar_domain::team::subtree(&edges, t),
            _ => Vec::new(),
        };
        let actor = Actor { user_id: r.uuid("id")?, org_id: org, team_id, teams, role, via: Default::default(), now };
        if test(&actor) {
            out.push(actor.user_id);
        }
    }
    Ok(out)
}
