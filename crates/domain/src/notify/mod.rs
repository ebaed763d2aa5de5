//! Notifications: what happened that someone should know, by which channels they hear of it,
//! and what a message that leaves the server may say. The store records a notice in the same
//! transaction as the event (so none is lost), the inbox shows it, and a background worker
//! delivers the other channels.
//!
//! Privacy: a message that leaves the server (e-mail, push) says only what kind of thing
//! happened and how many — never a child's name, case number or any detail — and links to
//! the notice in Krousar, which needs sign-in. `Notice::outside_text_keys` is all it may use.

pub mod choices;
pub mod ical;
pub mod quiet;
pub mod settings;

use serde::{Deserialize, Serialize};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A worker asked for an approval the recipient may give.
    ApprovalRequested,
    /// The recipient's request was approved or returned.
    ApprovalDecided,
    /// A referral or transfer came to the recipient's organisation, for them to decide.
    ReferralReceived,
    /// A referral the recipient sent was accepted or declined.
    ReferralAnswered,
    /// The recipient's question "is this child known to you?" was answered.
    MatchAnswered,
    /// Once a day: the recipient's visits and tasks past their day.
    Overdue,
    /// Something the recipient's phone sent differs from what the server has.
    SyncConflict,
    /// A child's case was put in the recipient's caseload.
    CaseAssigned,
    /// An import or export the recipient started has finished.
    JobFinished,
    /// A family is looking for a child who may be one of the recipient's organisation's.
    InquiryReceived,
    /// An organisation answered an inquiry the recipient recorded.
    InquiryAnswered,
}

impl Event {
    pub const ALL: [Event; 11] = [
        Event::ApprovalRequested,
        Event::ApprovalDecided,
        Event::ReferralReceived,
        Event::ReferralAnswered,
        Event::MatchAnswered,
        Event::Overdue,
        Event::SyncConflict,
        Event::CaseAssigned,
        Event::JobFinished,
        Event::InquiryReceived,
        Event::InquiryAnswered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Event::ApprovalRequested => "approval_requested",
            Event::ApprovalDecided => "approval_decided",
            Event::ReferralReceived => "referral_received",
            Event::ReferralAnswered => "referral_answered",
            Event::MatchAnswered => "match_answered",
            Event::Overdue => "overdue",
            Event::SyncConflict => "sync_conflict",
            Event::CaseAssigned => "case_assigned",
            Event::JobFinished => "job_finished",
            Event::InquiryReceived => "inquiry_received",
            Event::InquiryAnswered => "inquiry_answered",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.code() == s)
    }

    /// The translation key of the event's name on the choices page ("A referral comes to us").
    pub fn label_key(self) -> String {
        format!("notify-event-{}", self.code().replace('_', "-"))
    }

    /// The translation key of a notice's line ("{ $count } visits are overdue"), in the inbox
    /// and in an e-mail's or push's text: it takes `$count` and nothing else.
    pub fn text_key(self) -> String {
        format!("notify-text-{}", self.code().replace('_', "-"))
    }
}

/// How a notice reaches its recipient besides the inbox, which always holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    /// Web push to the installed offline app, on each device where its owner turned it on.
    Push,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Email, Channel::Push];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Push => "push",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// What a notice's own record holds: the event, how many things it counts, and where it leads
/// in Krousar (a path on this server, made by the store, never from input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event: Event,
    pub count: i64,
    pub link: String,
}

impl Notice {
    /// A notice about one thing.
    pub fn one(event: Event, link: impl Into<String>) -> Notice {
        Notice { event, count: 1, link: link.into() }
    }

    /// What a message leaving the server may say: the translation keys of its subject and
    /// line, and the count. Nothing else is handed to the e-mail or push sender.
    pub fn outside_text(&self) -> (String, String, i64) {
        ("notify-mail-subject".to_string(), self.event.text_key(), self.count)
    }
}

/// Whether `link` is a path on this server (a notice's link is followed after sign-in; a link
/// elsewhere would make the inbox an open redirect).
pub fn local_link(link: &str) -> bool {
    link.starts_with('/') && !link.starts_with("//") && !link.contains('\\') && !link.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.code()), Some(e));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
        }
        assert_eq!(Event::parse("inbox"), None);
        assert_eq!(Channel::parse("inbox"), None);
    }

    #[test]
    fn keys_are_fluent_identifiers() {
        assert_eq!(Event::ReferralReceived.text_key(), "notify-text-referral-received");
        assert_eq!(Event::Overdue.label_key(), "notify-event-overdue");
    }

    #[test]
    fn only_local_links() {
        assert!(local_link("/referrals"));
        assert!(!local_link("//evil.example/x"));
        assert!(!local_link("https://evil.example"));
        assert!(!local_link("/\\evil.example"));
        assert!(!local_link("/a\nb"));
    }

    #[test]
    fn outside_text_carries_only_the_count() {
        let n = Notice { event: Event::Overdue, count: 3, link: "/children/secret".into() };
        let (subject, line, count) = n.outside_text();
        assert_eq!((subject.as_str(), line.as_str(), count), ("notify-mail-subject", "notify-text-overdue", 3));
    }
}
