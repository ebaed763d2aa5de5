//! Delivering notices beyond the inbox, and the daily digest: the background worker every app
//! server runs. The store hands each server the deliveries it alone claimed, so several servers
//! share the work without sending anything twice; what fails is retried later.

pub mod mail;
pub mod push;

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

/// What a server needs to send beyond the mail server's settings.
#[derive(Clone, Default)]
pub struct Senders {
    /// Push services named by the operator besides the known ones (`push::allowed_endpoint`).
    pub push_services: Vec<String>,
    client: Option<reqwest::Client>,
}

impl Senders {
    pub fn new(push_services: Vec<String>) -> Senders {
        if let Err(e) = push::services_readable(&push_services) {
            tracing::error!("{e}: no push goes there");
        }
        Senders { push_services, client: Some(push::client()) }
    }
}

/// Make the deliveries due at `now` that this server could claim; returns how many went.
pub async fn deliver_due(store: &Store, now: DateTime<Utc>) -> Result<usize, StoreError> {
    deliver_due_with(store, now, &Senders::default()).await
}

/// `deliver_due`, with the push services this server may call.
pub async fn deliver_due_with(store: &Store, now: DateTime<Utc>, senders: &Senders) -> Result<usize, StoreError> {
    let mut server = None;
    let mut sent = 0;
    for _ in 0..PER_TICK {
        let Some(d) = store.claim_delivery(now).await? else { break };
        if server.is_none() {
            server = Some(store.mail_server().await?);
        }
        let mail_server = server.as_ref().and_then(Option::as_ref);
        let lang = Lang::parse(&d.locale).unwrap_or(Lang::Km);
        let (outcome, skip) = match (d.channel, mail_server, &d.email) {
            (Channel::Email, None, _) => (Err("no mail server is set".to_string()), true),
            (Channel::Email, _, None) => (Err("no e-mail address".to_string()), true),
            (Channel::Email, Some(s), Some(to)) => {
                let m = mail::notice_mail(lang, &d.notice, &s.site, d.notification);
                // Handed over well within the claim, or given up for now (tried again later).
                let send = tokio::time::timeout(Duration::from_secs(SEND_SECONDS), mail::send(s, to, &m, d.id));
                (send.await.unwrap_or_else(|_| Err("the mail server did not answer in time".to_string())), false)
            }
            (Channel::Push, _, _) => {
                let contact = mail_server.map_or_else(|| "mailto:krousar@localhost".to_string(), |s| format!("mailto:{}", s.from_address));
                let pushed = push_to_devices(store, senders, &d, lang, &contact);
                tokio::time::timeout(Duration::from_secs(SEND_SECONDS), pushed)
                    .await
                    .unwrap_or_else(|_| (Err("the push service did not answer in time".to_string()), false))
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

/// A push to each of the recipient's devices where it is on: delivered when one service took
/// it; skipped when there is none (any more); retried when every service failed.
async fn push_to_devices(
    store: &Store,
    senders: &Senders,
    d: &krousar_store::notifications::deliveries::Outgoing,
    lang: Lang,
    contact: &str,
) -> (Result<(), String>, bool) {
    let targets = match store.push_targets(d.user).await {
        Ok(t) => t,
        Err(e) => return (Err(e.to_string()), false),
    };
    if targets.is_empty() {
        return (Err("push is on for no device".to_string()), true);
    }
    let key = match store.push_key(push::new_key).await {
        Ok((_, private)) => private,
        Err(e) => return (Err(e.to_string()), false),
    };
    let client = senders.client.clone().unwrap_or_else(push::client);
    let body = push::payload(lang, &d.notice, d.notification);
    // Every device at once: one slow push service does not hold up the others.
    let answers =
        futures_util::future::join_all(targets.iter().map(|t| push::send(&client, &key, contact, t, body.clone(), &senders.push_services)))
            .await;
    let (mut taken, mut error) = (false, None);
    for (t, answer) in targets.iter().zip(answers) {
        match answer {
            push::Answer::Taken => {
                taken = true;
                let _ = store.push_answered(t.id, false).await;
            }
            push::Answer::Gone => {
                let _ = store.push_answered(t.id, true).await;
            }
            push::Answer::Failed(e) => error = Some(e),
        }
    }
    match (taken, error) {
        (true, _) => (Ok(()), false),
        (false, Some(e)) => (Err(e), false),
        (false, None) => (Err("every device's subscription had ended".to_string()), true),
    }
}

/// The worker, for as long as the server runs: deliveries every tick (unless this server sends
/// nothing — no e-mail and no push: they stay queued), and the day's digest once its hour has come (one server makes it).
pub async fn run(store: Store, clock: crate::Clock, send_mail: bool, senders: Senders) {
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        let now = clock.now();
        if !send_mail {
            // Nothing is sent from here; the inbox still fills.
        } else if let Err(e) = deliver_due_with(&store, now, &senders).await {
            tracing::warn!(error = %e, "could not deliver notices");
        }
        if let Err(e) = store.overdue_digest(now).await {
            tracing::warn!(error = %e, "could not make the overdue digest");
        }
    }
}
