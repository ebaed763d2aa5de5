//! Delivering notices beyond the inbox, and the daily digest: the background worker every app
//! server runs. The store hands each server the deliveries it alone claimed, so several servers
//! share the work without sending anything twice; what fails is retried later.

pub mod mail;

use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use krousar_domain::notify::Channel;
use krousar_store::error::StoreError;
use krousar_store::notifications::deliveries::SEND_SECONDS;
use krousar_store::Store;
use std::time::Duration;

/// How often a server looks for deliveries due.
const TICK: Duration = Duration::from_secs(15);

/// At most this many deliveries per tick and server (the next tick carries on).
const PER_TICK: usize = 200;

/// Make the deliveries due at `now` that this server could claim; returns how many went.
pub async fn deliver_due(store: &Store, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut server = None;
    let mut sent = 0;
    for _ in 0..PER_TICK {
        let Some(d) = store.claim_delivery(now).await? else { break };
        if server.is_none() {
            server = Some(store.mail_server().await?);
        }
        let (outcome, skip) = match (d.channel, server.as_ref().and_then(Option::as_ref), &d.email) {
            (Channel::Email, None, _) => (Err("no mail server is set".to_string()), true),
            (Channel::Email, _, None) => (Err("no e-mail address".to_string()), true),
            (Channel::Email, Some(s), Some(to)) => {
                let m = mail::notice_mail(Lang::parse(&d.locale).unwrap_or(Lang::Km), &d.notice, &s.site, d.notification);
                // Handed over well within the claim, or given up for now (tried again later).
                let send = tokio::time::timeout(Duration::from_secs(SEND_SECONDS), mail::send(s, to, &m, d.id));
                (send.await.unwrap_or_else(|_| Err("the mail server did not answer in time".to_string())), false)
            }
        };
        match &outcome {
            Ok(()) => sent += 1,
            Err(e) if !skip => tracing::warn!(delivery = %d.id, attempt = d.attempts, error = %e, "notice not delivered"),
            Err(_) => {}
        }
        store.delivery_done(&d, outcome, skip, now).await?;
    }
    Ok(sent)
}

/// The worker, for as long as the server runs: deliveries every tick (unless this server sends
/// no mail: they stay queued), and the day's digest once its hour has come (one server makes it).
pub async fn run(store: Store, clock: crate::Clock, send_mail: bool) {
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let now = clock.now();
        if !send_mail {
            // Nothing is sent from here; the inbox still fills.
        } else if let Err(e) = deliver_due(&store, now).await {
            tracing::warn!(error = %e, "could not deliver notices");
        }
        if let Err(e) = store.overdue_digest(now).await {
            tracing::warn!(error = %e, "could not make the overdue digest");
        }
    }
}
