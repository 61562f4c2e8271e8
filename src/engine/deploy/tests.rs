#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::engine::{Action, Engine, Input, TouchOutcome};
use crate::ir::{EventId, FieldType};

const DAY: i64 = 86_400;
/// Monday 1 June 2026, 09:00 UTC.
const T: Timestamp = 1_780_304_400;

/// The playbook leads are written under; each test edits a copy of its text.
const BASE: &str = r#"
playbook probe {
}

lead {
  segment: one of smb, enterprise
  employees: number
}

event visit {
  page: one of pricing, blog
}

event reply

score fit {
  add 30 when segment = enterprise
  add 5 when employees >= 100
}

score intent {
  add 10 per visit where page = pricing
}

track nurture {
  enter by default
  touch email every 7d
  exit to warm when count visit where page = pricing within 30d >= 2
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

queue sdr {
  members ann, bob
}

sequence follow_up {
  day 0 call
  day 2 email
  max attempts 3
  on meeting disposition meeting_set
  on exhausted disposition no_response
}

reason meeting_set {
  convert
}

reason no_response {
  recycle to nurture after 7d
  suppress for 14d unless hand_raise
}
"#;

fn compile(src: &str) -> Playbook {
    let compiled = crate::check::compile(crate::span::FileId(0), src);
    match compiled.playbook {
        Some(p) => p,
        None => panic!("playbook has errors: {:#?}", compiled.diagnostics),
    }
}

/// The base playbook with each `(from, to)` text replaced once.
fn edit(edits: &[(&str, &str)]) -> Playbook {
    let mut src = BASE.to_owned();
    for (from, to) in edits {
        assert!(src.contains(from), "no `{from}` in the base playbook");
        src = src.replacen(from, to, 1);
    }
    compile(&src)
}

fn enum_value(ty: &FieldType, name: &str) -> Value {
    match ty {
        FieldType::OneOf { values } => {
            Value::Enum(values.iter().position(|v| v == name).unwrap() as u16)
        }
        _ => panic!("not an enum"),
    }
}

/// One lead of a test: its state, driver and the actions it took, described by name.
struct Lead {
    engine: Engine,
    state: LeadState,
    driver: Driver,
    log: Vec<String>,
}

impl Lead {
    fn new(playbook: &Playbook) -> Lead {
        Lead {
            engine: Engine::new(playbook).unwrap(),
            state: LeadState::new(),
            driver: Driver::new(),
            log: Vec::new(),
        }
    }

    fn playbook(&self) -> &Playbook {
        self.engine.playbook()
    }

    fn input(&mut self, input: Input, at: Timestamp) {
        let mut out = Vec::new();
        self.driver
            .apply(&self.engine, &mut self.state, &input, at, &mut out);
        self.record(out);
    }

    fn advance(&mut self, until: Timestamp) {
        let mut out = Vec::new();
        self.driver
            .advance(&self.engine, &mut self.state, until, &mut out);
        self.record(out);
    }

    fn record(&mut self, out: Vec<(Timestamp, Action)>) {
        for (at, action) in out {
            let text = format!("{at}: {}", action.describe(self.engine.playbook()));
            self.log.push(text);
        }
    }

    fn arrive(&mut self, segment: &str, at: Timestamp) {
        let attributes = (self.playbook().fields.iter())
            .map(|f| match f.name.as_str() {
                "segment" => enum_value(&f.ty, segment),
                "employees" => Value::Number(250.0),
                _ => f.ty.default_value(),
            })
            .collect();
        self.input(
            Input::Arrive {
                attributes,
                source: None,
            },
            at,
        );
    }

    fn event(&mut self, name: &str, page: Option<&str>, at: Timestamp) {
        let p = self.playbook();
        let index = p.events.iter().position(|e| e.name == name).unwrap();
        let fields = (p.events[index].fields.iter())
            .map(|f| enum_value(&f.ty, page.unwrap()))
            .collect();
        let event = EventId(index as u32);
        self.input(Input::Event { event, fields }, at);
    }

    fn pricing(&mut self, at: Timestamp) {
        self.event("visit", Some("pricing"), at);
    }

    fn track_name(&self) -> Option<String> {
        let track = self.state.track?;
        Some(self.playbook().tracks[track.track.index()].name.clone())
    }

    /// The lead carried over to another playbook, as a lead of that playbook.
    fn carried(&self, deploy: &Deploy, to: &Playbook) -> Lead {
        let (state, driver) = deploy.carry(&self.state, &self.driver).unwrap();
        Lead {
            engine: Engine::new(to).unwrap(),
            state,
            driver,
            log: Vec::new(),
        }
    }
}

/// Leads of the base playbook in every stage: new, nurture, warm, handed off and worked,
/// parked with a suppression, and converted.
fn leads(p: &Playbook) -> Vec<(&'static str, Lead)> {
    let mut all = Vec::new();
    all.push(("new", Lead::new(p)));
    let mut nurture = Lead::new(p);
    nurture.arrive("smb", T);
    nurture.event("visit", Some("blog"), T + DAY);
    all.push(("nurture", nurture));
    let mut warm = Lead::new(p);
    warm.arrive("enterprise", T);
    warm.pricing(T + DAY);
    warm.pricing(T + 2 * DAY);
    all.push(("warm", warm));
    let mut worked = Lead::new(p);
    worked.arrive("smb", T);
    worked.event("reply", None, T + DAY);
    worked.input(
        Input::Pickup {
            seller: Some(crate::ir::SellerId(1)),
        },
        T + DAY + 60,
    );
    all.push(("worked", worked));
    let mut parked = Lead::new(p);
    parked.arrive("smb", T);
    parked.event("reply", None, T + DAY);
    for i in 0..3 {
        let outcome = TouchOutcome::NoAnswer;
        parked.input(Input::Touch { outcome }, T + DAY + 60 + i * 3 * DAY);
    }
    all.push(("parked", parked));
    let mut converted = Lead::new(p);
    converted.arrive("enterprise", T);
    converted.event("reply", None, T + DAY);
    let outcome = TouchOutcome::Meeting;
    converted.input(Input::Touch { outcome }, T + DAY + 60);
    all.push(("converted", converted));
    all
}

#[test]
fn the_leads_reach_the_stages_they_are_named_after() {
    let p = compile(BASE);
    let stages: Vec<(&str, String)> = leads(&p)
        .iter()
        .map(|(name, lead)| {
            let stage = serde_json::to_value(&lead.state.stage).unwrap();
            (*name, stage["stage"].as_str().unwrap().to_owned())
        })
        .collect();
    let expected = [
        ("new", "new"),
        ("nurture", "nurture"),
        ("warm", "nurture"),
        ("worked", "handed_off"),
        ("parked", "parked"),
        ("converted", "done"),
    ];
    for ((name, stage), (n, s)) in stages.iter().zip(expected) {
        assert_eq!((*name, stage.as_str()), (n, s));
    }
    let all = leads(&p);
    assert_eq!(all[2].1.track_name().as_deref(), Some("warm"));
    assert!(all[4].1.state.suppression.is_some());
}

#[test]
fn an_identity_deploy_maps_every_lead_to_itself_but_quiet() {
    let p = compile(BASE);
    let deploy = Deploy::plan(&p, &p, &Renames::none()).unwrap();
    for (name, lead) in leads(&p) {
        let (state, driver) = deploy.carry(&lead.state, &lead.driver).unwrap();
        let expected = LeadState {
            quiet: 0,
            ..lead.state.clone()
        };
        assert_eq!(state, expected, "{name}");
        assert_eq!(driver, lead.driver, "{name}");
    }
}

#[test]
fn a_deleted_track_is_refused_naming_the_lead_and_the_way_out() {
    let old = compile(BASE);
    let new = edit(&[
        ("track warm {\n  touch email every 3d\n}\n", ""),
        ("exit to warm when", "exit to nurture when"),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let refused = deploy.carry(&all[2].1.state, &all[2].1.driver).unwrap_err();
    let deleted = Unmapped::Deleted {
        kind: Kind::Track,
        name: "warm".into(),
    };
    assert_eq!(refused, vec![deleted.clone()]);
    let store = all.iter().map(|(k, l)| (*k, &l.state, &l.driver));
    let error = deploy.carry_all(store).unwrap_err();
    assert_eq!(error.leads(), 1);
    assert_eq!(error.causes().collect::<Vec<_>>(), vec![(&deleted, 1)]);
    let text = error.to_string();
    assert_eq!(
        text,
        "1 lead cannot be carried over to the changed playbook, so the store is left as it was\n\
         \x20 track `warm` is not in the new playbook: lead `warm`\n\
         \x20   help: name its successor with `--map track:warm=NEW`, keep it in the new \
         playbook, or run the old playbook until no lead refers to it\n"
    );
}

#[test]
fn a_renamed_track_is_carried_with_a_map_and_refused_without() {
    let old = compile(BASE);
    let new = edit(&[
        ("track warm {", "track hot {"),
        ("exit to warm when", "exit to hot when"),
    ]);
    let all = leads(&old);
    let warm = &all[2].1;
    let plain = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    assert!(plain.carry(&warm.state, &warm.driver).is_err());
    for entry in ["track:warm=hot", "warm=hot"] {
        let renames = Renames::parse(&[entry]).unwrap();
        let deploy = Deploy::plan(&old, &new, &renames).unwrap();
        let carried = warm.carried(&deploy, &new);
        assert_eq!(carried.track_name().as_deref(), Some("hot"), "{entry}");
    }
}

#[test]
fn renames_that_name_nothing_or_could_be_several_things_are_errors() {
    let old = compile(BASE);
    let new = edit(&[("track warm {", "track hot {"), ("warm when", "hot when")]);
    let plan = |entries: &[&str]| {
        Deploy::plan(&old, &new, &Renames::parse(entries).unwrap())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        plan(&["track:cold=hot", "track:warm=cold"]),
        [
            "`--map`: the old playbook has no track `cold`",
            "`--map`: the new playbook has no track `cold`"
        ]
    );
    assert_eq!(
        plan(&["nurture=hot", "cold=hot"]),
        [
            "`--map nurture=...`: the new playbook still has `nurture`; to map it all the same, \
             give its kind, as in `track:nurture=...`",
            "`--map cold=...`: the old playbook has nothing called `cold`"
        ]
    );
    // `sdr` names a queue; a track and a queue both called `x` would need the prefix.
    let both = compile(&BASE.replace("warm", "x").replace("sdr", "x"));
    let neither = compile(&BASE.replace("warm", "y").replace("sdr", "y"));
    let errors = Deploy::plan(&both, &neither, &Renames::parse(&["x=y"]).unwrap()).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "`--map x=...` is ambiguous: write `track:x` or `queue:x`"
    );
}

#[test]
fn map_entries_that_cannot_be_read_say_why() {
    let errors =
        Renames::parse(&["warm", "lane:a=b", "track:=b", "a=b c", "track:a=b"]).unwrap_err();
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "`--map warm` has no `=`: expected `old=new` or `kind:old=new`",
            "`--map lane:a=b` names the unknown kind `lane`: expected one of `track`, `handoff`, \
             `queue`, `seller`, `reason`, `field`, `value`, `event`, `score`",
            "`--map track:=b` needs two names, without spaces, `:` or `=`, as in `track:old=new`",
            "`--map a=b c` needs two names, without spaces, `:` or `=`, as in `track:old=new`",
        ]
    );
    let read: Rename = "reason:later=not_now".parse().unwrap();
    assert_eq!(
        (read.kind, read.old.as_str(), read.new.as_str()),
        (Some(Kind::Reason), "later", "not_now")
    );
}

/// The base playbook with every kind of declaration in another order, so every id changes.
const REORDERED: &str = r#"
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
fn tail(lead: &Lead, from: usize) -> Vec<String> {
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

#[test]
fn a_longer_count_window_is_refused_only_for_leads_that_may_have_lost_history() {
    let old = compile(BASE);
    let new = edit(&[("pricing within 30d", "pricing within 60d")]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    // Arrived on day 0, counted on day 1, last step on day 40: a time before day 10 may
    // have been dropped, and the new window reads back to day -20.
    let mut lived = Lead::new(&old);
    lived.arrive("smb", T);
    lived.pricing(T + DAY);
    lived.event("visit", Some("blog"), T + 40 * DAY);
    let refused = deploy.carry(&lived.state, &lived.driver).unwrap_err();
    assert_eq!(
        refused,
        vec![Unmapped::ShortHistory {
            count: "count visit where ... within 60d".into(),
            kept: "the latest 4 times within 30d".into(),
            needed: "the latest 4 times within 60d".into(),
        }]
    );
    // A lead younger than the old window has lost nothing.
    let mut young = Lead::new(&old);
    young.arrive("smb", T);
    young.pricing(T + DAY);
    young.event("visit", Some("blog"), T + 20 * DAY);
    let carried = young.carried(&deploy, &new);
    assert_eq!(carried.state.counters.len(), 1);
    // A departed lead's counts are never read again.
    let mut done = Lead::new(&old);
    done.arrive("smb", T);
    done.pricing(T + DAY);
    done.event("reply", None, T + 40 * DAY);
    let outcome = TouchOutcome::Meeting;
    done.input(Input::Touch { outcome }, T + 40 * DAY + 60);
    assert!(done.state.is_done());
    assert!(deploy.carry(&done.state, &done.driver).is_ok());
    // A shorter window needs nothing that was dropped.
    let shorter = edit(&[("pricing within 30d", "pricing within 7d")]);
    let deploy = Deploy::plan(&old, &shorter, &Renames::none()).unwrap();
    assert!(deploy.carry(&lived.state, &lived.driver).is_ok());
}

#[test]
fn a_larger_keep_is_refused_only_when_the_old_keep_was_full() {
    let old = compile(BASE);
    let new = edit(&[("within 30d >= 2", "within 30d >= 5")]);
    assert_eq!(old.counters[0].keep, Some(4));
    assert_eq!(new.counters[0].keep, Some(7));
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let mut full = Lead::new(&old);
    full.arrive("smb", T);
    for day in 1..=5 {
        full.pricing(T + day * DAY);
    }
    assert_eq!(full.state.counters.len(), 4);
    let refused = deploy.carry(&full.state, &full.driver).unwrap_err();
    assert!(
        matches!(&refused[..], [Unmapped::ShortHistory { kept, needed, .. }]
        if kept == "the latest 4 times within 30d" && needed == "the latest 7 times within 30d")
    );
    let mut sparse = Lead::new(&old);
    sparse.arrive("smb", T);
    sparse.pricing(T + DAY);
    assert!(deploy.carry(&sparse.state, &sparse.driver).is_ok());
    // A smaller keep holds the latest times only.
    let smaller = edit(&[("within 30d >= 2", "within 30d >= 1")]);
    let deploy = Deploy::plan(&old, &smaller, &Renames::none()).unwrap();
    let (state, _) = deploy.carry(&full.state, &full.driver).unwrap();
    let after: Vec<u32> = state.counters.iter().map(|c| c.after).collect();
    let latest: Vec<u32> = full.state.counters[1..].iter().map(|c| c.after).collect();
    assert_eq!(after, latest);
}

#[test]
fn attributes_map_by_name_and_a_vanished_enum_value_is_refused() {
    let old = compile(BASE);
    let new = edit(&[
        ("  employees: number\n", "  region: one of emea, amer\n"),
        (
            "  add 5 when employees >= 100\n",
            "  add 7 when region = emea\n",
        ),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let warm = &all[2].1;
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    let region = new.fields.iter().position(|f| f.name == "region").unwrap();
    let segment = new.fields.iter().position(|f| f.name == "segment").unwrap();
    assert_eq!(state.attributes.len(), 2);
    assert_eq!(state.attributes[region], Value::Enum(0), "the first value");
    assert_eq!(
        state.attributes[segment],
        enum_value(&new.fields[segment].ty, "enterprise")
    );
    // Fit is recomputed from the new rules: 30 for enterprise and 7 for emea.
    assert_eq!(state.scores[0].fit, 37.0);
    let renamed = edit(&[
        ("one of smb, enterprise", "one of smb, mid_market"),
        ("segment = enterprise", "segment = mid_market"),
    ]);
    let deploy = Deploy::plan(&old, &renamed, &Renames::none()).unwrap();
    assert_eq!(
        deploy.carry(&warm.state, &warm.driver).unwrap_err(),
        vec![Unmapped::ValueDeleted {
            field: "segment".into(),
            value: "enterprise".into()
        }]
    );
    let renames = Renames::parse(&["value:segment.enterprise=segment.mid_market"]).unwrap();
    let deploy = Deploy::plan(&old, &renamed, &renames).unwrap();
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    assert_eq!(state.attributes[0], Value::Enum(1));
    let moved = edit(&[
        (
            "  segment: one of smb, enterprise",
            "  tier: one of enterprise, smb",
        ),
        ("segment = enterprise", "tier = enterprise"),
    ]);
    let deploy = Deploy::plan(&old, &moved, &Renames::parse(&["segment=tier"]).unwrap()).unwrap();
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    assert_eq!(
        state.attributes[0],
        Value::Enum(0),
        "values follow a renamed field by name"
    );
    let retyped = edit(&[
        ("employees: number", "employees: text"),
        ("employees >= 100", "segment = smb"),
    ]);
    let deploy = Deploy::plan(&old, &retyped, &Renames::none()).unwrap();
    assert_eq!(
        deploy.carry(&warm.state, &warm.driver).unwrap_err(),
        vec![Unmapped::Retyped {
            field: "employees".into()
        }]
    );
}

#[test]
fn a_new_score_starts_at_its_fit_and_a_deleted_one_is_dropped() {
    let old = compile(BASE);
    let new = edit(&[(
        "score intent {\n  add 10 per visit where page = pricing\n}\n",
        "score interest {\n  add 1 when segment = enterprise\n  add 10 per visit\n}\n",
    )]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let (state, _) = deploy.carry(&all[2].1.state, &all[2].1.driver).unwrap();
    assert_eq!(state.scores.len(), 2);
    assert_eq!(
        state.scores[1],
        ScoreState {
            fit: 1.0,
            events: 0.0
        }
    );
    assert_eq!(state.scores[0], all[2].1.state.scores[0]);
    let notes: Vec<String> = deploy.notes().iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "score `interest` is new: every lead starts with no event points, and only events \
          from now on add to it"
        ]
    );
    let identity = Deploy::plan(&old, &old, &Renames::none()).unwrap();
    assert_eq!(identity.notes(), []);
    let more = edit(&[
        (
            "  employees: number\n",
            "  employees: number\n  region: one of emea, amer\n",
        ),
        ("pricing within 30d", "blog within 30d"),
    ]);
    let deploy = Deploy::plan(&old, &more, &Renames::none()).unwrap();
    let notes: Vec<String> = deploy.notes().iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "field `region` is new: every lead takes its default until its value is set",
            "`count visit where ... within 30d` is new: every lead starts with none, and only \
             events from now on count"
        ]
    );
}

#[test]
fn leads_refused_for_one_cause_are_named_up_to_ten_and_counted() {
    let mut error = DeployError::new();
    let cause = Unmapped::Deleted {
        kind: Kind::Queue,
        name: "sdr".into(),
    };
    for i in 0..13 {
        error.record(&format!("L{i}"), vec![cause.clone()]);
    }
    error.record("L99", Vec::new());
    assert_eq!(error.leads(), 13);
    let text = error.to_string();
    assert!(
        text.contains(
            "queue `sdr` is not in the new playbook: leads `L0`, `L1`, `L2`, `L3`, \
         `L4`, `L5`, `L6`, `L7`, `L8`, `L9` and 3 more\n"
        ),
        "{text}"
    );
}

#[test]
fn a_lead_handed_off_under_a_deleted_rule_or_queue_or_parked_with_a_deleted_reason_is_refused() {
    let old = compile(BASE);
    let new = edit(&[
        ("queue sdr {", "queue desk {"),
        ("route to sdr", "route to desk"),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let worked = &all[3].1;
    assert_eq!(
        deploy.carry(&worked.state, &worked.driver).unwrap_err(),
        vec![Unmapped::Deleted {
            kind: Kind::Queue,
            name: "sdr".into()
        }]
    );
    let renames = Renames::parse(&["sdr=desk"]).unwrap();
    let deploy = Deploy::plan(&old, &new, &renames).unwrap();
    assert!(deploy.carry(&worked.state, &worked.driver).is_ok());
    let new = edit(&[(
        "recycle to nurture after 7d\n  suppress for 14d unless hand_raise",
        "close",
    )]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    assert!(
        deploy.carry(&all[4].1.state, &all[4].1.driver).is_ok(),
        "the reason is kept"
    );
    let new = edit(&[
        ("reason no_response {", "reason silent {"),
        ("disposition no_response", "disposition silent"),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let refused = deploy.carry(&all[4].1.state, &all[4].1.driver).unwrap_err();
    assert_eq!(
        refused,
        vec![Unmapped::Deleted {
            kind: Kind::Reason,
            name: "no_response".into()
        }]
    );
}

#[test]
fn a_step_timer_of_a_rule_that_lost_its_sequence_is_harmless() {
    let old = compile(BASE);
    let new = edit(&[("  sequence follow_up\n  on breach", "  on breach")]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let mut all = leads(&old);
    let worked = &mut all[3].1;
    let outcome = TouchOutcome::NoAnswer;
    worked.input(Input::Touch { outcome }, T + DAY + 120);
    let step = worked.driver.timer(crate::engine::TimerKind::Step);
    assert!(step.is_some(), "the day-2 email is pending");
    let mut carried = worked.carried(&deploy, &new);
    let before = carried.state.clone();
    carried.advance(T + 5 * DAY);
    assert_eq!(carried.log.len(), 1, "{:?}", carried.log);
    assert!(carried.log[0].contains("step"), "{:?}", carried.log);
    assert_eq!(carried.state, LeadState { quiet: 0, ..before });
}

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
