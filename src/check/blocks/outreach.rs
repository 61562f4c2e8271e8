//! Nurture: channels, context packages, sequences and tracks.

use crate::check::expr::Scope;
use crate::check::names::Kind;
use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::diagnostics::suggest::did_you_mean;
use crate::ir;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident, Item};

impl Lowerer<'_> {
    /// The channel a name denotes; an unknown one is reported and read as email so lowering goes on.
    pub(in crate::check) fn channel(&mut self, id: &Ident) -> ir::Channel {
        if let Some((c, _)) = ir::Channel::ALL.iter().find(|(_, n)| *n == id.name) {
            return *c;
        }
        let names: Vec<String> = ir::Channel::ALL
            .iter()
            .map(|(_, n)| n.to_string())
            .collect();
        let near = did_you_mean(&id.name, names.iter().map(String::as_str));
        self.diags
            .push(messages::unknown_channel(*id.loc, &id.name, &names, near));
        ir::Channel::Email
    }

    /// Lowers a `context` block: what a seller is shown with a handoff.
    pub(super) fn context(&mut self, b: &Block<ast::ContextStmt>) {
        self.origins.contexts.push(*b.name.loc);
        let mut c = ir::ContextPackage {
            name: b.name.name.clone(),
            items: Vec::new(),
            message: None,
            cta: None,
        };
        for s in &b.body {
            match &s.kind {
                ast::ContextStmt::Include(item) => {
                    let item = match item {
                        ast::ContextItem::WhyNow => Some(ir::ContextItem::WhyNow),
                        ast::ContextItem::TopSignals(n) => Some(ir::ContextItem::TopSignals(
                            self.count(n, "a signal count", 1),
                        )),
                        ast::ContextItem::LastTouch => Some(ir::ContextItem::LastTouch),
                        ast::ContextItem::CampaignSource => Some(ir::ContextItem::CampaignSource),
                        ast::ContextItem::Field(f) => self.resolve(f).map(ir::ContextItem::Field),
                    };
                    c.items.extend(item);
                }
                ast::ContextStmt::Message(m) => c.message = Some(m.value.clone()),
                ast::ContextStmt::Cta(m) => c.cta = Some(m.value.clone()),
            }
        }
        self.playbook.contexts.push(c);
    }

    /// Lowers a `sequence` block, which must map `exhausted` to a reason so every lead ends somewhere.
    pub(super) fn sequence(&mut self, b: &Block<ast::SequenceStmt>) {
        self.origins.sequences.push(*b.name.loc);
        let mut steps = Vec::new();
        let mut max_attempts = None;
        let mut outcomes: Vec<(ir::Outcome, ir::ReasonId)> = Vec::new();
        for s in &b.body {
            match &s.kind {
                ast::SequenceStmt::Step { day, channel, note } => steps.push(ir::Step {
                    day: self.count(day, "a step day", 0),
                    channel: self.channel(channel),
                    note: note.as_ref().map(|n| n.value.clone()),
                }),
                ast::SequenceStmt::MaxAttempts(n) => {
                    max_attempts = Some(self.count(n, "max attempts", 1))
                }
                ast::SequenceStmt::Outcome { outcome, reason } => {
                    let Some((o, _)) = ir::Outcome::ALL.iter().find(|(_, n)| *n == outcome.name)
                    else {
                        let names: Vec<String> = ir::Outcome::ALL
                            .iter()
                            .map(|(_, n)| n.to_string())
                            .collect();
                        let near = did_you_mean(&outcome.name, names.iter().map(String::as_str));
                        self.diags.push(messages::unknown_outcome(
                            *outcome.loc,
                            &outcome.name,
                            &names,
                            near,
                        ));
                        continue;
                    };
                    if outcomes.iter().any(|(x, _)| x == o) {
                        self.diags
                            .push(messages::outcome_mapped_twice(*s.loc, &outcome.name));
                        continue;
                    }
                    if let Some(r) = self.resolve(reason) {
                        outcomes.push((*o, r));
                    }
                }
            }
        }
        if steps.is_empty() {
            self.diags
                .push(messages::sequence_without_steps(*b.name.loc, &b.name.name));
        }
        if !outcomes.iter().any(|(o, _)| *o == ir::Outcome::Exhausted) {
            self.diags.push(messages::sequence_without_disposition(
                *b.name.loc,
                &b.name.name,
            ));
        }
        steps.sort_by_key(|s: &ir::Step| s.day);
        let default_attempts = u32::try_from(steps.len()).unwrap_or(u32::MAX).max(1);
        self.playbook.sequences.push(ir::Sequence {
            name: b.name.name.clone(),
            steps,
            max_attempts: max_attempts.unwrap_or(default_attempts),
            outcomes,
        });
    }

    /// Lowers a `track` block: entry, exits, touch cadence and what follows the last touch.
    pub(super) fn track(&mut self, b: &Block<ast::TrackStmt>) {
        let tid = ir::TrackId(u32::try_from(self.playbook.tracks.len()).unwrap_or(u32::MAX));
        self.origins.tracks.push(*b.name.loc);
        let mut t = ir::Track {
            name: b.name.name.clone(),
            enter_when: None,
            exits: Vec::new(),
            cadence: None,
            then: ir::TrackEnd::Stay,
            kpis: Vec::new(),
        };
        let mut then_span: Option<Span> = None;
        let mut touch_span: Option<Span> = None;
        let mut entry_span: Option<Span> = None;
        for s in &b.body {
            match &s.kind {
                ast::TrackStmt::EnterByDefault => {
                    if let Some(prev) = self.playbook.default_track {
                        let first = self
                            .origins
                            .tracks
                            .get(prev.index())
                            .copied()
                            .unwrap_or(*s.loc);
                        self.diags.push(messages::two_default_tracks(*s.loc, first));
                    } else {
                        self.playbook.default_track = Some(tid);
                    }
                }
                ast::TrackStmt::EnterWhen(e) => {
                    entry_span = Some(*s.loc);
                    t.enter_when = Some(self.cond(e, Scope::Lead));
                }
                ast::TrackStmt::Exit { to, when } => {
                    let when = self.cond(when, Scope::Lead);
                    if let Some(to) = self.resolve(to) {
                        t.exits.push(ir::TrackExit { to, when });
                    }
                }
                ast::TrackStmt::Touch {
                    channel,
                    every,
                    times,
                } => {
                    if let Some(first) = touch_span {
                        self.repeated("the touch cadence", first, *s.loc);
                        continue;
                    }
                    touch_span = Some(*s.loc);
                    let every_secs = self.wall_secs(every, "a touch cadence");
                    if every_secs <= 0 {
                        self.diags.push(messages::zero_cadence(*every.loc));
                    }
                    t.cadence = Some(ir::Cadence {
                        channel: self.channel(channel),
                        every_secs: every_secs.max(60),
                        times: times.as_ref().map(|n| self.count(n, "a touch count", 1)),
                    });
                }
                ast::TrackStmt::ThenMove(to) | ast::TrackStmt::ThenClose(to) => {
                    if let Some(first) = then_span {
                        self.repeated("what happens after the last touch", first, *s.loc);
                        continue;
                    }
                    then_span = Some(*s.loc);
                    t.then = if matches!(s.kind, ast::TrackStmt::ThenMove(_)) {
                        self.resolve(to)
                            .map_or(ir::TrackEnd::Stay, ir::TrackEnd::Move)
                    } else {
                        self.resolve(to)
                            .map_or(ir::TrackEnd::Stay, ir::TrackEnd::Close)
                    };
                }
                ast::TrackStmt::Kpi(k) => t.kpis.extend(self.label_kpi_ref(k, "track")),
            }
        }
        self.origins.track_entries.push(entry_span);
        self.playbook.tracks.push(t);
    }

    /// Reports tracks without a default, which would leave a lead matching no `enter when` nowhere.
    pub(super) fn check_default_track(&mut self, file: &ast::File) {
        if self.playbook.default_track.is_some()
            || self.playbook.tracks.is_empty()
            || self.names.kind_incomplete(Kind::Track)
        {
            return;
        }
        let Some(Item::Track(first)) = file.items.iter().find(|i| matches!(i, Item::Track(_)))
        else {
            return;
        };
        self.diags.push(messages::no_default_track(*first.name.loc));
    }
}
