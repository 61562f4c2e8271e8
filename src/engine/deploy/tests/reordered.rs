#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

/// The base playbook with every kind of declaration in another order, so every id changes.
pub(super) const REORDERED: &str = r#"
playbook probe {
}

reason no_response {
  recycle to nurture after 7d
  suppress for 14d unless hand_raise
}

reason meeting_set {
  convert
}

sequence follow_up {
  day 0 call
  day 2 email
  max attempts 3
  on meeting disposition meeting_set
  on exhausted disposition no_response
}

queue sdr {
  members bob, ann
}

event reply

event visit {
  page: one of blog, pricing
}

lead {
  employees: number
  segment: one of enterprise, smb
}

score intent {
  add 10 per visit where page = pricing
}

score fit {
  add 5 when employees >= 100
  add 30 when segment = enterprise
}

track warm {
  touch email every 3d
}

handoff hand_raise {
  on reply
  route to sdr
  sla 15m
  sequence follow_up
  on breach {
    notify manager
  }
}

track nurture {
  enter by default
  touch email every 7d
  exit to warm when count visit where page = pricing within 30d >= 2
}
"#;

/// What is left of a lead's log from an index on, without the timestamps' ids.
pub(super) fn tail(lead: &Lead, from: usize) -> Vec<String> {
    lead.log[from..].to_vec()
}

#[test]
fn reordered_declarations_carry_over_and_step_as_under_the_old_playbook() {
    let old = compile(BASE);
    let new = compile(REORDERED);
    assert_ne!(old.tracks[0].name, new.tracks[0].name, "the ids differ");
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    // One pricing visit before the deploy and one after: the exit needs the carried count.
    let mut counted = Lead::new(&old);
    counted.arrive("smb", T);
    counted.pricing(T + DAY);
    let mut all = leads(&old);
    all.push(("counted", counted));
    for (name, mut lead) in all {
        if lead.state.is_done() || matches!(lead.state.stage, Stage::New) {
            continue;
        }
        let mut carried = lead.carried(&deploy, &new);
        let from = lead.log.len();
        for one in [&mut lead, &mut carried] {
            one.pricing(T + 3 * DAY);
            one.advance(T + 9 * DAY);
            one.event("visit", Some("blog"), T + 10 * DAY);
            one.pricing(T + 11 * DAY);
            one.event("reply", None, T + 12 * DAY);
            one.input(
                Input::Touch {
                    outcome: TouchOutcome::NoAnswer,
                },
                T + 12 * DAY + 60,
            );
            one.advance(T + 40 * DAY);
        }
        assert_eq!(tail(&lead, from), carried.log, "{name}");
        if name == "counted" {
            let entered = format!("{}: entered track warm", T + 3 * DAY);
            assert_eq!(carried.log.first(), Some(&entered));
        }
        assert!(!carried.log.is_empty());
        let score = |l: &Lead, s: usize| {
            let id = l
                .playbook()
                .scores
                .iter()
                .position(|x| x.name == ["fit", "intent"][s]);
            l.engine.score(
                &l.state,
                crate::ir::ScoreId(id.unwrap() as u32),
                T + 40 * DAY,
            )
        };
        assert_eq!(score(&lead, 0), score(&carried, 0), "{name}");
        assert_eq!(score(&lead, 1), score(&carried, 1), "{name}");
    }
}
