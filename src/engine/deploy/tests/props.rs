#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::reordered::{tail, REORDERED};
use super::*;

/// One thing that happens to a lead in a random history.
#[derive(Debug, Clone, Copy)]
enum Op {
    Pricing,
    Blog,
    Reply,
    Pickup,
    Touch(TouchOutcome),
}

impl Op {
    fn apply(self, lead: &mut Lead, at: Timestamp) {
        match self {
            Op::Pricing => lead.pricing(at),
            Op::Blog => lead.event("visit", Some("blog"), at),
            Op::Reply => lead.event("reply", None, at),
            Op::Pickup => lead.input(Input::Pickup { seller: None }, at),
            Op::Touch(outcome) => lead.input(Input::Touch { outcome }, at),
        }
    }
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        3 => Just(Op::Pricing),
        2 => Just(Op::Blog),
        1 => Just(Op::Reply),
        1 => Just(Op::Pickup),
        2 => proptest::sample::select(TouchOutcome::ALL.map(|(o, _)| o).to_vec()).prop_map(Op::Touch),
    ]
}

proptest::proptest! {
    /// Whatever happened before a deploy to reordered declarations, the carried lead takes
    /// the same steps as the lead left under the old playbook.
    #[test]
    fn a_carried_lead_steps_as_the_old_one_whatever_its_history(
        segment in proptest::sample::select(vec!["smb", "enterprise"]),
        before in proptest::collection::vec((op(), 0i64..4 * DAY), 0..12),
        after in proptest::collection::vec((op(), 0i64..4 * DAY), 0..12),
    ) {
        let (old, new) = (compile(BASE), compile(REORDERED));
        let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
        let mut lead = Lead::new(&old);
        lead.arrive(segment, T);
        let mut at = T;
        for (op, gap) in before {
            at += gap;
            op.apply(&mut lead, at);
        }
        let mut carried = lead.carried(&deploy, &new);
        let from = lead.log.len();
        for (op, gap) in after {
            at += gap;
            op.apply(&mut lead, at);
            op.apply(&mut carried, at);
        }
        lead.advance(at + 60 * DAY);
        carried.advance(at + 60 * DAY);
        proptest::prop_assert_eq!(tail(&lead, from), carried.log);
    }
}

proptest::proptest! {
    /// When a deploy carries a count to a longer or shorter window or keep, the carried lead
    /// counts exactly as a lead that ran under the new playbook from its arrival: the refusal
    /// rule lets through only leads whose dropped times no later step can read.
    #[test]
    fn a_carried_count_reads_as_if_the_new_playbook_had_run_from_the_start(
        window in proptest::sample::select(vec!["7d", "30d", "60d"]),
        threshold in proptest::sample::select(vec!["1", "2", "5"]),
        before in proptest::collection::vec((proptest::bool::ANY, 0i64..20 * DAY), 0..14),
        after in proptest::collection::vec((proptest::bool::ANY, 0i64..20 * DAY), 0..8),
    ) {
        let old = compile(BASE);
        let edited = format!("pricing within {window} >= {threshold}");
        let new = edit(&[("pricing within 30d >= 2", edited.as_str())]);
        let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
        let (mut lead, mut truth) = (Lead::new(&old), Lead::new(&new));
        let visit = |lead: &mut Lead, pricing: bool, at: Timestamp| {
            lead.event("visit", Some(if pricing { "pricing" } else { "blog" }), at);
        };
        let mut at = T;
        lead.arrive("smb", at);
        truth.arrive("smb", at);
        for (pricing, gap) in before {
            at += gap;
            visit(&mut lead, pricing, at);
            visit(&mut truth, pricing, at);
        }
        let Ok((state, _)) = deploy.carry(&lead.state, &lead.driver) else {
            return Ok(());
        };
        let mut carried = lead.carried(&deploy, &new);
        proptest::prop_assert_eq!(&carried.state, &LeadState { quiet: 0, ..state });
        let counter = crate::ir::CounterId(0);
        let count = |l: &Lead, t: Timestamp| l.engine.count(&l.state, counter, t);
        for (pricing, gap) in after {
            at += gap;
            visit(&mut carried, pricing, at);
            visit(&mut truth, pricing, at);
            proptest::prop_assert_eq!(count(&carried, at), count(&truth, at));
        }
        for later in [0, DAY, 7 * DAY, 29 * DAY, 59 * DAY, 61 * DAY] {
            proptest::prop_assert_eq!(count(&carried, at + later), count(&truth, at + later));
        }
    }
}
