//! Which channels carry each event to a person: their own choice, else their organisation's
//! default, else Krousar's. The inbox always holds every notice.

use super::{Channel, Event};
use std::collections::{BTreeMap, BTreeSet};

pub type Channels = BTreeSet<Channel>;

/// Krousar's defaults, for an organisation that set none: what asks for someone's action goes
/// by e-mail and to their phones too (push reaches only devices where it was turned on); a sync
/// conflict waits on the phone it came from; what only reports stays in the inbox.
pub fn built_in(event: Event) -> Channels {
    match event {
        Event::ApprovalRequested
        | Event::ReferralReceived
        | Event::Overdue
        | Event::CaseAssigned
        | Event::InquiryReceived
        | Event::InquiryAnswered => [Channel::Email, Channel::Push].into(),
        Event::SyncConflict => [Channel::Push].into(),
        Event::ApprovalDecided | Event::ReferralAnswered | Event::MatchAnswered | Event::JobFinished => Channels::new(),
    }
}

/// The channels for `event`: the person's choice, else the organisation's, else the built-in.
pub fn resolve(event: Event, mine: Option<&Channels>, org: Option<&Channels>) -> Channels {
    mine.or(org).cloned().unwrap_or_else(|| built_in(event))
}

/// Channels as they are kept: codes separated by commas ("" for the inbox only).
pub fn to_text(channels: &Channels) -> String {
    channels.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
}

/// Channels as kept; `None` for a value no version of Krousar wrote.
pub fn from_text(s: &str) -> Option<Channels> {
    s.split(',').filter(|p| !p.is_empty()).map(Channel::parse).collect()
}

/// The name of a form's checkbox for an event and a channel ("referral_received.email").
pub fn field_name(event: Event, channel: Channel) -> String {
    format!("{}.{}", event.code(), channel.code())
}

/// A whole table of choices from a form's ticked checkboxes (an unticked box is not sent, so
/// every event gets a value: what is not ticked is off). Names that are not a known event and
/// channel are ignored.
pub fn from_form<'a>(ticked: impl IntoIterator<Item = &'a str>) -> BTreeMap<Event, Channels> {
    let mut table: BTreeMap<Event, Channels> = Event::ALL.into_iter().map(|e| (e, Channels::new())).collect();
    for name in ticked {
        let Some((e, c)) = name.split_once('.') else { continue };
        if let (Some(e), Some(c)) = (Event::parse(e), Channel::parse(c)) {
            table.entry(e).or_default().insert(c);
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mine_before_org_before_built_in() {
        let none = Channels::new();
        let email: Channels = [Channel::Email].into();
        assert_eq!(resolve(Event::Overdue, Some(&none), Some(&email)), none, "a person may turn everything off");
        assert_eq!(resolve(Event::Overdue, None, Some(&email)), email);
        assert_eq!(resolve(Event::Overdue, None, None), built_in(Event::Overdue));
        assert!(resolve(Event::JobFinished, None, None).is_empty());
    }

    #[test]
    fn text_round_trips_and_refuses_unknown() {
        for e in Event::ALL {
            let c = built_in(e);
            assert_eq!(from_text(&to_text(&c)), Some(c));
        }
        assert_eq!(from_text(""), Some(Channels::new()));
        assert_eq!(from_text("email,sms"), None);
    }

    #[test]
    fn a_form_sets_every_event() {
        let t = from_form(["overdue.email", "referral_received.email", "nonsense", "overdue.sms", "x.email"]);
        assert_eq!(t.len(), Event::ALL.len());
        assert_eq!(t[&Event::Overdue], [Channel::Email].into());
        assert_eq!(t[&Event::ReferralReceived], [Channel::Email].into());
        assert!(t[&Event::CaseAssigned].is_empty());
        assert_eq!(field_name(Event::Overdue, Channel::Email), "overdue.email");
    }
}
