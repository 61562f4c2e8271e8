#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;
use crate::engine::{Action, Engine, Input, TouchOutcome};
use crate::ir::{EventId, FieldType};

mod props;
mod refusals;
mod reordered;

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
