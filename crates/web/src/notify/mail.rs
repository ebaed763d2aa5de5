//! E-mails of notices, through the installation's SMTP server (lettre, rustls). A message says
//! what kind of thing happened and how many, in the recipient's language, and links to the
//! notice — nothing else: `Notice::outside_text` is all it is made from.

use crate::i18n::{Lang, Tr};
use krousar_domain::notify::settings::Security;
use krousar_domain::notify::Notice;
use krousar_store::notifications::mail::MailServer;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use uuid::Uuid;

/// A message ready to go: its subject and plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub body: String,
}

/// The e-mail of one notice to a reader of `lang`, linking to `site`/notifications/`id`.
pub fn notice_mail(lang: Lang, notice: &Notice, site: &str, id: Uuid) -> Mail {
    let tr = Tr::new(lang);
    let (subject, line, count) = notice.outside_text();
    let line = tr.tn(&line, count);
    let link = format!("{site}/notifications/{id}");
    let body = format!("{line}\n\n{}\n{link}\n\n{}\n", tr.t("notify-mail-open"), tr.t("notify-mail-footer"));
    Mail { subject: format!("{}: {line}", tr.t(&subject)), body }
}

/// The administrator's test message.
pub fn test_mail(lang: Lang, site: &str) -> Mail {
    let tr = Tr::new(lang);
    Mail { subject: tr.t("mail-test-subject"), body: format!("{}\n{site}\n", tr.t("mail-test-body")) }
}

fn transport(s: &MailServer) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let tls = |host: &str| TlsParameters::new(host.to_string()).map_err(|e| e.to_string());
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host).port(s.port).timeout(Some(Duration::from_secs(20))).tls(
        match s.security {
            Security::Tls => Tls::Wrapper(tls(&s.host)?),
            Security::Starttls => Tls::Required(tls(&s.host)?),
            Security::None => Tls::None,
        },
    );
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.build())
}

/// Send `mail` to `to`; the error says why in words for the administrator's page and the log
/// (never the password). `id` becomes the Message-ID, so a message sent again after a server
/// stopped at the wrong moment is recognised as the same one.
pub async fn send(s: &MailServer, to: &str, mail: &Mail, id: Uuid) -> Result<(), String> {
    let from: Mailbox = format!("Krousar <{}>", s.from_address).parse().map_err(|e: lettre::address::AddressError| e.to_string())?;
    let to: Mailbox = to.parse().map_err(|e: lettre::address::AddressError| e.to_string())?;
    let domain = s.from_address.split_once('@').map_or("krousar", |(_, d)| d);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| e.to_string())?;
    transport(s)?.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use krousar_domain::notify::Event;

    #[test]
    fn a_notice_mail_says_only_what_and_how_many() {
        let id = Uuid::nil();
        let n = Notice { event: Event::Overdue, count: 3, link: "/children/0190-secret/case".into() };
        for lang in [Lang::Km, Lang::En] {
            let m = notice_mail(lang, &n, "https://k.example.org", id);
            assert!(!m.body.contains("0190-secret") && !m.subject.contains("0190-secret"), "the notice's own link stays in Krousar");
            assert!(m.body.contains("https://k.example.org/notifications/00000000-0000-0000-0000-000000000000"));
            assert!(!m.subject.contains("notify-"), "translated: {}", m.subject);
        }
        let en = notice_mail(Lang::En, &n, "https://k.example.org", id);
        assert!(en.subject.contains('3'), "{}", en.subject);
    }
}
