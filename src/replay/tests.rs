#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::events::decode_line;

const LINES: [&str; 7] = [
    r#"{"id":"1","source":"crm","type":"handoff.lead.created","lead":"A","time":"2026-06-01T09:00:00Z","data":{"segment":"smb","employees":50}}"#,
    r#"{"id":"2","source":"crm","type":"form_submit","lead":"A","time":"2026-06-01T09:05:00Z","data":{"kind":"demo"}}"#,
    r#"{"id":"3","source":"crm","type":"handoff.seller.pickup","lead":"A","time":"2026-06-01T09:15:00Z"}"#,
    r#"{"id":"4","source":"crm","type":"handoff.seller.touch","lead":"A","time":"2026-06-01T09:20:00Z","data":{"outcome":"meeting"}}"#,
    r#"{"id":"5","source":"crm","type":"handoff.lead.created","lead":"B","time":"2026-06-01T10:00:00Z","data":{"segment":"smb","employees":50}}"#,
    r#"{"id":"6","source":"crm","type":"form_submit","lead":"B","time":"2026-06-01T10:05:00Z","data":{"kind":"demo"}}"#,
    r#"{"id":"6","source":"crm","type":"form_submit","lead":"B","time":"2026-06-01T10:05:00Z","data":{"kind":"demo"}}"#,
];

/// Lead A is picked up 10 minutes after its hand-raise and books a meeting; lead B is never
/// picked up, breaches and is recycled by its breach limit; B's hand-raise is re-sent.
#[test]
fn a_met_and_a_leaked_handoff() {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let playbook = crate::check::compile(crate::span::FileId(0), &src)
        .playbook
        .unwrap();
    let mut replay = Replay::new(Engine::new(&playbook).unwrap());
    let mut out = Vec::new();
    for (i, line) in LINES.iter().enumerate() {
        let decoded = decode_line(&playbook, i + 1, line).unwrap();
        replay.apply(&decoded, &mut out).unwrap();
    }
    replay.advance(1_780_444_800, &mut out);
    let r = replay.report();
    assert_eq!(r.leads, 2);
    assert_eq!((r.inputs.applied, r.inputs.duplicates), (6, 1));
    assert_eq!(r.handoffs, 2);
    assert_eq!(r.handoffs_by_rule[0].name, "hand_raise");
    assert_eq!((r.sla_met, r.sla_missed), (1, 1));
    assert_eq!(r.speed_to_lead.touched, 1);
    assert_eq!(r.speed_to_lead.median, Some(600.0));
    assert_eq!((r.leaked, r.decided), (1, 2));
    assert_eq!((r.converted_leads, r.handed_off_leads), (1, 2));
    assert_eq!(r.meetings, 1);
    assert_eq!(r.target_account_meetings, 0);
    assert_eq!(r.share_waited, Some(1.0));
    // Both got the track's first touch on arrival and then raised a hand.
    assert_eq!((r.engagement_rate.count, r.engagement_rate.of), (2, 2));
    assert_eq!((r.re_engagement.count, r.re_engagement.of), (0, 1));
    let missing: Vec<_> = r.not_computed.iter().map(|n| n.kpi).collect();
    assert_eq!(missing, ["seller_utilisation", "queue_length"]);
    let outcomes: Vec<_> = (r.outcomes.iter())
        .map(|o| (o.outcome, o.reason.as_str(), o.count))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("converted", "meeting_set", 1),
            ("recycled", "no_response", 1)
        ]
    );
}

/// A lead only one replay created differs in every way; equal leads are not listed.
#[test]
fn leads_are_diffed_by_key_and_an_absent_lead_differs() {
    use super::against::{diff, LeadOutcome};
    let lead = |key: &str, route: Option<&str>, stage: &'static str| LeadOutcome {
        lead: key.to_owned(),
        route: route.map(str::to_owned),
        owner: None,
        sla_due: None,
        breaches: 0,
        reason: None,
        stage,
    };
    let base = [
        lead("A", Some("sdr"), "working"),
        lead("B", None, "nurture"),
    ];
    let candidate = [
        lead("B", None, "nurture"),
        lead("A", Some("ae"), "working"),
        lead("C", None, "nurture"),
    ];
    let diffs = diff(&base, &candidate);
    assert_eq!(diffs.len(), 2);
    assert_eq!(diffs[0].lead, "A");
    let what: Vec<_> = diffs[0]
        .changes
        .iter()
        .map(|c| (c.what, c.base.as_str(), c.candidate.as_str()))
        .collect();
    assert_eq!(what, [("route", "sdr", "ae")]);
    assert_eq!(diffs[1].lead, "C");
    assert_eq!(diffs[1].changes[0].base, "absent");
}

/// Counts what the engine reports, so the test below knows the tracer was exercised.
#[derive(Default)]
struct Counting(usize);

impl crate::engine::Tracer for Counting {
    fn rule_held(
        &mut self,
        _: &crate::engine::Scope<'_>,
        _: crate::ir::HandoffId,
        _: Option<crate::ir::EventId>,
        _: Option<crate::engine::SuppressionState>,
    ) {
        self.0 += 1;
    }
    fn routed(
        &mut self,
        _: crate::ir::HandoffId,
        _: Option<usize>,
        _: crate::ir::QueueId,
        _: Option<crate::ir::SellerId>,
    ) {
        self.0 += 1;
    }
    fn sla_started(&mut self, _: crate::ir::HandoffId, _: crate::ir::QueueId, _: i64, _: i64) {
        self.0 += 1;
    }
    fn disqualified(&mut self, _: &crate::engine::Scope<'_>, _: usize) {
        self.0 += 1;
    }
    fn exited(&mut self, _: &crate::engine::Scope<'_>, _: crate::ir::TrackId, _: usize) {
        self.0 += 1;
    }
}

/// Every lead of every shipped playbook's emitted log, driven with and without a tracer: the
/// same actions at the same times, and the same state.
#[test]
fn a_tracer_changes_nothing_on_any_lead_of_any_shipped_playbook() {
    use crate::engine::{Driver, LeadState};
    use crate::events::Subject;
    use std::collections::BTreeMap;
    for path in [
        "playbooks/seed-matrix.playbook",
        "playbooks/inbound-plg.playbook",
        "playbooks/enterprise-abm.playbook",
        "playbooks/mmc.playbook",
    ] {
        let src = std::fs::read_to_string(path).unwrap();
        let playbook = crate::check::compile(crate::span::FileId(0), &src)
            .playbook
            .unwrap();
        let engine = Engine::new(&playbook).unwrap();
        let options = crate::sim::SimOptions {
            scenario: None,
            leads: None,
            days: Some(4.0),
            replications: 1,
            seed: 3,
            threads: 1,
            max_events: crate::sim::DEFAULT_MAX_EVENTS,
            max_leads_alive: crate::sim::DEFAULT_MAX_LEADS_ALIVE,
            emit_events: true,
            warmup: None,
        };
        let summary = crate::sim::simulate(&engine, &options, &|| {}).unwrap();
        let lines = summary.recording.unwrap().event_lines(&playbook);
        let mut by_lead: BTreeMap<String, Vec<(Input, i64)>> = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            let decoded = decode_line(&playbook, i + 1, line).unwrap();
            if let Subject::Lead { lead, input } = decoded.subject {
                by_lead.entry(lead).or_default().push((input, decoded.time));
            }
        }
        let end = crate::sim::START + 5 * 86_400;
        let mut heard = 0;
        for (lead, inputs) in &by_lead {
            let (mut plain, mut traced) = (
                (Driver::new(), LeadState::new()),
                (Driver::new(), LeadState::new()),
            );
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut tracer = Counting::default();
            for (input, at) in inputs {
                plain.0.apply(&engine, &mut plain.1, input, *at, &mut a);
                traced
                    .0
                    .apply_traced(&engine, &mut traced.1, input, *at, &mut b, &mut tracer);
            }
            plain.0.advance(&engine, &mut plain.1, end, &mut a);
            traced
                .0
                .advance_traced(&engine, &mut traced.1, end, &mut b, &mut tracer);
            assert_eq!(a, b, "{path}: lead {lead}");
            assert_eq!(plain.1, traced.1, "{path}: lead {lead}");
            heard += tracer.0;
        }
        assert!(heard > 0, "{path}: the tracer heard nothing");
    }
}
