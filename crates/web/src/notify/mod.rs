//! Delivering notices beyond the inbox, and the daily digest: the background worker every app
//! server runs. The store hands each server the deliveries it alone claimed, so several servers
//! share the work without sending anything twice; what fails is retried later.

pub mod mail;

use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use krousar_domain::notify::Channel;
use krousar_store::error::StoreError;
use krousar_store::Store;
use std::time::Duration;

/// How often a server looks for deliveries due.
const TICK: Duration = Duration::from_secs(15);

/// Make the deliveries due at `now` that this server could claim; returns how many went.
pub async fn deliver_due(store: &Store, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let batch = store.claim_deliveries(now).await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let server = store.mail_server().await?;
    let mut sent = 0;
    for d in batch {
        let (outcome, skip) = match (d.channel, &server, &d.email) {
            (Channel::Email, None, _) => (Err("no mail server is set".to_string()), true),
            (Channel::Email, _, None) => (Err("no e-mail address".to_string()), true),
            (Channel::Email, Some(s), Some(to)) => {
                let m = mail::notice_mail(Lang::parse(&d.locale).unwrap_or(Lang::Km), &d.notice, &s.site, d.notification);
                (mail::send(s, to, &m, d.id).await, false)
            }
        };
        match &outcome {
            Ok(()) => sent += 1,
            Err(e) if !skip => tracing::warn!(delivery = %d.id, attempt = d.attempts, error = %e, "notice not delivered"),
            Err(_) => {}
        }
        store.delivery_done(d.id, d.attempts, outcome, skip, Utc::now()).await?;
    }
    Ok(sent)
}

/// The worker, for as long as the server runs: deliveries every tick, and the day's digest
/// once its hour has come (one server makes it).
pub async fn run(store: Store, clock: crate::Clock) {
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let now = clock.now();
        if let Err(e) = deliver_due(&store, now).await {
            tracing::warn!(error = %e, "could not deliver notices");
        }
        if let Err(e) = store.overdue_digest(now).await {
            tracing::warn!(error = %e, "could not make the overdue digest");
        }
    }
}
