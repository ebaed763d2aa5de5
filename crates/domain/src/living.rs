//! Where a child lives now, as one story (issue 21, item 1).
//!
//! The facts are the child's stays in residential care institutions (RCIs) and her case's
//! placement. The living situation on her record follows from them and is never set on its own:
//! a stay that has not ended says she lives in that RCI; an approved placement in a family says
//! she lives with a family; otherwise what the record says stands, except that "in an RCI"
//! without a stay cannot be (the stay ended, so where she went is not known: "other").
//!
//! The store keeps the record equal to `living_now` in the transaction that changes a fact, and
//! `krousar check` proves it on a whole database.

use crate::choices::LivingArrangement;
use uuid::Uuid;

/// What the living situation follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LivingFacts {
    /// The RCI of the stay that has not ended, if any.
    pub open_stay: Option<Uuid>,
    /// The case's current placement is approved and in a family (birth, kinship, foster,
    /// independent living).
    pub family_placement: bool,
    /// What the record says now (kept when the facts say nothing).
    pub recorded: LivingArrangement,
}

/// The living situation and RCI the record must show.
pub fn living_now(f: LivingFacts) -> (LivingArrangement, Option<Uuid>) {
    match f.open_stay {
        Some(rci) => (LivingArrangement::InRci, Some(rci)),
        None if f.family_placement => (LivingArrangement::WithFamily, None),
        None if f.recorded == LivingArrangement::InRci => (LivingArrangement::Other, None),
        None => (f.recorded, None),
    }
}

/// What a change of the recorded living situation (a registration or an edit) does to the
/// stays: `Some(rci)` opens a stay there (ending any other open one), `None` with an open stay
/// ends it, and nothing else changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StayChange {
    Keep,
    /// End the open stay (she left the RCI).
    End,
    /// Open a stay in this RCI (ending the open one first, if it is elsewhere).
    Open(Uuid),
}

/// The stay change a record saying `living` (and `rci`) asks for, given the open stay.
pub fn stay_change(open_stay: Option<Uuid>, living: LivingArrangement, rci: Option<Uuid>) -> StayChange {
    match (living, rci, open_stay) {
        (LivingArrangement::InRci, Some(r), Some(open)) if r == open => StayChange::Keep,
        (LivingArrangement::InRci, Some(r), _) => StayChange::Open(r),
        (LivingArrangement::InRci, None, _) => StayChange::Keep,
        (_, _, Some(_)) => StayChange::End,
        (_, _, None) => StayChange::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LivingArrangement::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn an_open_stay_says_she_lives_in_that_rci() {
        let f = LivingFacts { open_stay: Some(id(1)), family_placement: false, recorded: WithFamily };
        assert_eq!(living_now(f), (InRci, Some(id(1))));
        // Even with a family placement: the stay is the fact until it is ended.
        assert_eq!(living_now(LivingFacts { family_placement: true, ..f }), (InRci, Some(id(1))));
    }

    #[test]
    fn an_approved_family_placement_says_with_family() {
        let f = LivingFacts { open_stay: None, family_placement: true, recorded: InRci };
        assert_eq!(living_now(f), (WithFamily, None));
        assert_eq!(living_now(LivingFacts { recorded: Other, ..f }), (WithFamily, None));
    }

    #[test]
    fn in_an_rci_without_a_stay_cannot_be() {
        let f = LivingFacts { open_stay: None, family_placement: false, recorded: InRci };
        assert_eq!(living_now(f), (Other, None));
        assert_eq!(living_now(LivingFacts { recorded: WithFamily, ..f }), (WithFamily, None));
        assert_eq!(living_now(LivingFacts { recorded: Other, ..f }), (Other, None));
    }

    #[test]
    fn a_record_edit_opens_moves_or_ends_a_stay() {
        assert_eq!(stay_change(None, InRci, Some(id(1))), StayChange::Open(id(1)));
        assert_eq!(stay_change(Some(id(1)), InRci, Some(id(1))), StayChange::Keep);
        assert_eq!(stay_change(Some(id(1)), InRci, Some(id(2))), StayChange::Open(id(2)));
        assert_eq!(stay_change(Some(id(1)), WithFamily, None), StayChange::End);
        assert_eq!(stay_change(None, WithFamily, None), StayChange::Keep);
        assert_eq!(stay_change(None, Other, None), StayChange::Keep);
    }

    proptest::proptest! {
        /// Whatever the facts, the record that follows from them is consistent: in an RCI
        /// exactly when there is an open stay, and then in that one.
        #[test]
        fn the_record_agrees_with_the_stays(open in proptest::option::of(0u128..3), family: bool, recorded in 0usize..3) {
            let recorded = LivingArrangement::ALL[recorded];
            let (living, rci) = living_now(LivingFacts { open_stay: open.map(id), family_placement: family, recorded });
            proptest::prop_assert_eq!(living == InRci, open.is_some());
            proptest::prop_assert_eq!(rci, open.map(id));
            // Asking the stays to follow what the record now says changes nothing.
            proptest::prop_assert_eq!(stay_change(open.map(id), living, rci), StayChange::Keep);
        }
    }
}
