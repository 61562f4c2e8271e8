//! Lowering of each kind of block.
//!
//! Blocks are lowered kind by kind in file order, and an IR table entry is pushed exactly for
//! each declaration [`Names`](super::names::Names) accepted, so indices agree with name
//! resolution even when duplicates were reported.

use super::expr::{backticked, Scope};
use super::names::Kind;
use super::Lowerer;
use crate::calendar::{CalendarSpec, WorkingHours};
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Cond};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident, Item, Stmt};
use std::collections::HashMap;

/// Default handoff priority: rules without `priority` tie with each other.
pub const DEFAULT_PRIORITY: i64 = 100;

impl Lowerer<'_> {
    pub(super) fn lower_file(&mut self, file: &ast::File) {
        self.header(file);
        for item in &file.items {
            match item {
                Item::Calendar(b) if self.names.is_declaration(Kind::Calendar, &b.name) => {
                    self.calendar(b)
                }
                Item::Lead(b) => self.lead(b),
                Item::Event(b) if self.names.is_declaration(Kind::Event, &b.name) => self.event(b),
                Item::Bands(b) => self
                    .band_labels
                    .push(b.bands.iter().map(|s| s.kind.name.name.clone()).collect()),
                _ => {}
            }
        }
        self.band_labels.truncate(self.names.count(Kind::Bands));
        self.resolve_default_calendar(file);
        for item in &file.items {
            let (kind, name) = item_kind(item);
            if let Some(kind) = kind {
                if !self.names.is_declaration(kind, name) {
                    continue;
                }
            }
            match item {
                Item::Score(b) => self.score(b),
                Item::Bands(b) => self.bands(b),
                Item::Queue(b) => self.queue(b),
                Item::Accounts(b) => self.accounts(b),
                Item::Router(b) => self.router(b),
                Item::Context(b) => self.context(b),
                Item::Sequence(b) => self.sequence(b),
                Item::Reason(b) => self.reason(b),
                Item::Track(b) => self.track(b),
                Item::Handoff(b) => self.handoff(b),
                Item::Disqualify(b) => self.disqualifier(b),
                Item::Kpi(b) => self.kpi(b),
                Item::Scenario(b) => self.scenario(b),
                _ => {}
            }
        }
        self.check_default_track(file);
    }

    fn header(&mut self, file: &ast::File) {
        let mut seen: Option<Span> = None;
        for item in &file.items {
            let Item::Playbook(b) = item else { continue };
            if let Some(first) = seen {
                self.repeated("the `playbook` header", first, *b.name.loc);
                continue;
            }
            seen = Some(*b.name.loc);
            self.origins.header = Some(*b.name.loc);
            self.playbook.name = b.name.name.clone();
            for s in &b.body {
                if let ast::PlaybookStmt::Title(t) = &s.kind {
                    self.playbook.title = Some(t.value.clone());
                }
            }
        }
    }

    fn resolve_default_calendar(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::Playbook(b) = item else { continue };
            let mut first: Option<Span> = None;
            for s in &b.body {
                if let ast::PlaybookStmt::Calendar(c) = &s.kind {
                    if let Some(f) = first {
                        self.repeated("the default calendar", f, *s.loc);
                        continue;
                    }
                    first = Some(*s.loc);
                    self.playbook.default_calendar = self
                        .names
                        .resolve(Kind::Calendar, c, &mut self.diags)
                        .map(ir::CalendarId);
                }
            }
            return;
        }
    }

    fn calendar(&mut self, b: &Block<ast::CalendarStmt>) {
        self.origins.calendars.push(*b.name.loc);
        let mut spec = CalendarSpec {
            name: b.name.name.clone(),
            timezone: String::new(),
            hours: Vec::new(),
            holidays: Vec::new(),
        };
        let mut tz_span: Option<Span> = None;
        let mut has_hours = false;
        for s in &b.body {
            match &s.kind {
                ast::CalendarStmt::Timezone(tz) => {
                    if let Some(first) = tz_span {
                        self.repeated("the time zone", first, *s.loc);
                        continue;
                    }
                    tz_span = Some(*tz.loc);
                    spec.timezone = tz.value.clone();
                }
                ast::CalendarStmt::Hours {
                    from_day,
                    to_day,
                    open,
                    close,
                } => {
                    has_hours = true;
                    let days = self.weekdays(from_day, to_day.as_ref());
                    let (Some(o), Some(c)) = (self.clock(open), self.clock(close)) else {
                        continue;
                    };
                    if c <= o {
                        self.diags.push(
                            Diagnostic::new(
                                Code::InvalidCalendar,
                                *s.loc,
                                format!(
                                    "working hours close at `{}`, not after they open at `{}`",
                                    close.text, open.text
                                ),
                            )
                            .with_primary_message("empty working hours")
                            .with_help("write opening time first; hours cannot run past midnight"),
                        );
                        continue;
                    }
                    for d in days {
                        spec.hours.push(WorkingHours {
                            weekday: d,
                            open_minute: o,
                            close_minute: c,
                        });
                    }
                }
                ast::CalendarStmt::Holiday { date, .. } => {
                    match chrono::NaiveDate::parse_from_str(&date.text, "%Y-%m-%d") {
                        Ok(d) => spec.holidays.push(d),
                        Err(_) => self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *date.loc,
                                format!("`{}` is not a calendar date", date.text),
                            )
                            .with_primary_message("no such date"),
                        ),
                    }
                }
            }
        }
        if spec.timezone.is_empty() {
            self.missing(
                Code::InvalidCalendar,
                &b.name,
                format!("calendar `{}` has no time zone", b.name.name),
                "add `timezone \"Europe/London\"` (any IANA time zone)",
            );
        } else if !has_hours {
            self.missing(
                Code::InvalidCalendar,
                &b.name,
                format!("calendar `{}` has no working hours", b.name.name),
                "add `hours mon to fri 09:00 to 17:30`",
            );
        } else if spec.hours.is_empty() {
            // Every `hours` statement was wrong and has been reported already.
        } else if let Err(e) = spec.validate() {
            let mut diag = Diagnostic::new(
                Code::InvalidCalendar,
                tz_span.unwrap_or(*b.name.loc),
                e.to_string(),
            );
            if let crate::calendar::CalendarError::UnknownTimezone(name) = &e {
                diag = diag.with_primary_message("not an IANA time zone");
                let known = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                diag = match did_you_mean(name, known) {
                    Some(s) => diag.with_help(format!("did you mean `{s}`?")),
                    None => diag.with_help(
                        "time zones are IANA names such as `Europe/London` or `America/New_York`",
                    ),
                };
            } else {
                diag = diag
                    .with_primary_message("in this calendar")
                    .with_label(*b.name.loc, "calendar declared here");
            }
            self.diags.push(diag);
        }
        self.playbook.calendars.push(spec);
    }

    fn weekdays(&mut self, from: &Ident, to: Option<&Ident>) -> Vec<u8> {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut day = |id: &Ident| -> Option<u8> {
            let found = DAYS.iter().position(|d| *d == id.name.to_lowercase());
            if found.is_none() {
                let mut diag = Diagnostic::new(
                    Code::BadLiteral,
                    *id.loc,
                    format!("`{}` is not a weekday", id.name),
                )
                .with_primary_message("expected `mon` to `sun`");
                if let Some(s) = did_you_mean(&id.name, DAYS) {
                    diag = diag.with_help(format!("did you mean `{s}`?"));
                }
                self.diags.push(diag);
            }
            found.and_then(|i| u8::try_from(i).ok())
        };
        let Some(a) = day(from) else {
            return Vec::new();
        };
        let b = match to {
            Some(t) => match day(t) {
                Some(b) => b,
                None => return Vec::new(),
            },
            None => a,
        };
        if b >= a {
            (a..=b).collect()
        } else {
            (a..7).chain(0..=b).collect()
        }
    }

    fn clock(&mut self, t: &ast::Token) -> Option<u16> {
        let parsed = t.text.split_once(':').and_then(|(h, m)| {
            let h: u16 = h.parse().ok()?;
            let m: u16 = m.parse().ok()?;
            ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
        });
        if parsed.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::BadLiteral,
                    *t.loc,
                    format!("`{}` is not a time of day", t.text),
                )
                .with_primary_message("expected `00:00` to `24:00`"),
            );
        }
        parsed
    }

    fn field_defs(&mut self, fields: &[Stmt<ast::FieldDecl>], owner: &str) -> Vec<ir::FieldDef> {
        let mut out: Vec<ir::FieldDef> = Vec::new();
        let mut latest: HashMap<&str, Span> = HashMap::new();
        for f in fields {
            let name = f.kind.name.name.as_str();
            if let Some(previous) = latest.insert(name, *f.kind.name.loc) {
                self.diags.push(
                    Diagnostic::new(
                        Code::Duplicate,
                        *f.kind.name.loc,
                        format!("field `{name}` of {owner} is declared twice"),
                    )
                    .with_primary_message("declared again here")
                    .with_label(previous, "previously declared here"),
                );
                continue;
            }
            let ty = match &f.kind.ty {
                ast::FieldType::Text => ir::FieldType::Text,
                ast::FieldType::Number => ir::FieldType::Number,
                ast::FieldType::Flag => ir::FieldType::Flag,
                ast::FieldType::OneOf(values) => {
                    let mut names: Vec<String> = Vec::new();
                    for v in values {
                        if names.contains(&v.name) {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::Duplicate,
                                    *v.loc,
                                    format!("value `{}` is listed twice", v.name),
                                )
                                .with_primary_message("repeated value"),
                            );
                        } else {
                            names.push(v.name.clone());
                        }
                    }
                    if names.len() > 64 {
                        self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *f.loc,
                                "a `one of` field may list at most 64 values",
                            )
                            .with_primary_message("too many values")
                            .with_help("use a `text` field for open-ended values"),
                        );
                        names.truncate(64);
                    }
                    ir::FieldType::OneOf { values: names }
                }
            };
            out.push(ir::FieldDef {
                name: f.kind.name.name.clone(),
                ty,
            });
        }
        out
    }

    fn lead(&mut self, b: &Block<ast::FieldDecl>) {
        if !self.playbook.fields.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::Duplicate,
                    *b.loc,
                    "the `lead` block is declared twice",
                )
                .with_primary_message("second `lead` block")
                .with_help("declare every lead field in one `lead` block"),
            );
        }
        let fields = self.field_defs(&b.body, "the lead");
        self.playbook.fields.extend(fields);
    }

    fn event(&mut self, b: &Block<ast::FieldDecl>) {
        let fields = self.field_defs(&b.body, &format!("event `{}`", b.name.name));
        self.playbook.events.push(ir::EventDef {
            name: b.name.name.clone(),
            fields,
        });
    }

    fn score(&mut self, b: &Block<ast::ScoreStmt>) {
        let mut score = ir::Score {
            name: b.name.name.clone(),
            half_life_secs: None,
            cap: None,
            when: Vec::new(),
            per_event: Vec::new(),
        };
        for s in &b.body {
            match &s.kind {
                ast::ScoreStmt::Decay(d) => {
                    let secs = self.wall_secs(d, "a half-life");
                    if secs <= 0 {
                        self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *d.loc,
                                "a half-life must be longer than zero",
                            )
                            .with_primary_message("zero half-life"),
                        );
                    }
                    score.half_life_secs = Some(secs.max(1));
                }
                ast::ScoreStmt::Cap(n) => score.cap = Some(n.value),
                ast::ScoreStmt::Points { add, amount, basis } => {
                    let points = if *add { amount.value } else { -amount.value };
                    match basis {
                        ast::PointsBasis::When(e) => {
                            let c = self.lead_only_cond(e);
                            score.when.push((points, c));
                        }
                        ast::PointsBasis::PerEvent { event, filter } => {
                            let Some(event) = self.event_ref(event) else {
                                continue;
                            };
                            let filter = filter
                                .as_ref()
                                .map_or(Cond::True, |f| self.cond(f, Scope::Event(event)));
                            score.per_event.push(ir::EventPoints {
                                event,
                                filter,
                                points,
                            });
                        }
                    }
                }
            }
        }
        self.playbook.scores.push(score);
    }

    /// A fit condition: lead attributes only, so scores cannot depend on scores or bands.
    fn lead_only_cond(&mut self, e: &ast::Expr) -> Cond {
        let c = self.cond(e, Scope::Lead);
        if mentions_scores(&c) {
            self.diags.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    *e.loc,
                    "score points cannot depend on scores, bands or counts",
                )
                .with_primary_message("uses a score, band or count")
                .with_help("use `add N per EVENT` for behaviour; fit points read lead fields"),
            );
            return Cond::True;
        }
        c
    }

    fn bands(&mut self, b: &ast::BandsDecl) {
        self.origins.band_sets.push(*b.name.loc);
        let scores = b
            .scores
            .iter()
            .filter_map(|s| self.names.resolve(Kind::Score, s, &mut self.diags))
            .map(ir::ScoreId)
            .collect();
        let mut bands: Vec<ir::Band> = Vec::new();
        let mut spans = Vec::new();
        let mut latest: HashMap<&str, Span> = HashMap::new();
        for s in &b.bands {
            if let Some(previous) = latest.insert(s.kind.name.name.as_str(), *s.loc) {
                self.diags.push(
                    Diagnostic::new(
                        Code::Duplicate,
                        *s.kind.name.loc,
                        format!("band `{}` is declared twice", s.kind.name.name),
                    )
                    .with_primary_message("declared again here")
                    .with_label(previous, "previously declared here"),
                );
                continue;
            }
            let from = s.kind.from.as_ref().map(|n| n.value);
            let to = s.kind.to.as_ref().map(|n| n.value);
            if let (Some(f), Some(t)) = (from, to) {
                if t <= f {
                    self.diags.push(
                        Diagnostic::new(
                            Code::BandOverlap,
                            *s.loc,
                            format!(
                                "band `{}` is empty: it ends at {t}, not after {f}",
                                s.kind.name.name
                            ),
                        )
                        .with_primary_message("empty range")
                        .with_help("write `from LOW to HIGH` with LOW below HIGH"),
                    );
                }
            }
            spans.push(*s.loc);
            bands.push(ir::Band {
                name: s.kind.name.name.clone(),
                from,
                to,
            });
        }
        if bands.is_empty() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("band set `{}` has no bands", b.name.name),
                "add `band A from 70` and further bands",
            );
        }
        self.origins.bands.push(spans);
        self.playbook.band_sets.push(ir::BandSet {
            name: b.name.name.clone(),
            scores,
            bands,
        });
    }

    fn queue(&mut self, b: &Block<ast::QueueStmt>) {
        let qid = ir::QueueId(u32::try_from(self.playbook.queues.len()).unwrap_or(u32::MAX));
        self.origins.queues.push(*b.name.loc);
        let mut q = ir::Queue {
            name: b.name.name.clone(),
            members: Vec::new(),
            assign: ir::Assign::RoundRobin,
            capacity_per_seller: None,
            calendar: None,
            order: ir::QueueOrder::Fifo,
            overflow: None,
        };
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for s in &b.body {
            let key = match &s.kind {
                ast::QueueStmt::Members(_) => "the member list",
                ast::QueueStmt::RoundRobin | ast::QueueStmt::LeastLoaded => "the assignment rule",
                ast::QueueStmt::Capacity(_) => "the capacity",
                ast::QueueStmt::Calendar(_) => "the calendar",
                ast::QueueStmt::OrderFifo | ast::QueueStmt::OrderBy(_) => "the pick-up order",
                ast::QueueStmt::Overflow(_) => "the overflow queue",
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                self.repeated(key, *first, *s.loc);
                continue;
            }
            seen.push((key, *s.loc));
            match &s.kind {
                ast::QueueStmt::Members(members) => {
                    for m in members {
                        if self.names.is_declaration(Kind::Seller, m) {
                            let sid = ir::SellerId(
                                u32::try_from(self.playbook.sellers.len()).unwrap_or(u32::MAX),
                            );
                            self.playbook.sellers.push(ir::Seller {
                                name: m.name.clone(),
                                queue: qid,
                            });
                            q.members.push(sid);
                        }
                    }
                }
                ast::QueueStmt::RoundRobin => q.assign = ir::Assign::RoundRobin,
                ast::QueueStmt::LeastLoaded => q.assign = ir::Assign::LeastLoaded,
                ast::QueueStmt::Capacity(n) => {
                    q.capacity_per_seller = Some(self.count(n, "a capacity", 1))
                }
                ast::QueueStmt::Calendar(c) => {
                    q.calendar = self
                        .names
                        .resolve(Kind::Calendar, c, &mut self.diags)
                        .map(ir::CalendarId)
                }
                ast::QueueStmt::OrderFifo => q.order = ir::QueueOrder::Fifo,
                ast::QueueStmt::OrderBy(bands) => {
                    if let Some(i) = self.names.resolve(Kind::Bands, bands, &mut self.diags) {
                        q.order = ir::QueueOrder::ByBand(ir::BandSetId(i));
                    }
                }
                ast::QueueStmt::Overflow(o) => {
                    q.overflow = self
                        .names
                        .resolve(Kind::Queue, o, &mut self.diags)
                        .map(ir::QueueId);
                    if q.overflow == Some(qid) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::WrongKind,
                                *o.loc,
                                format!("queue `{}` overflows into itself", b.name.name),
                            )
                            .with_primary_message("same queue")
                            .with_help("overflow to another queue, or remove the statement"),
                        );
                        q.overflow = None;
                    }
                }
            }
        }
        self.playbook.queues.push(q);
    }

    fn accounts(&mut self, b: &Block<ast::AccountsStmt>) {
        self.origins.accounts.push(*b.name.loc);
        let mut key: Option<ir::FieldId> = None;
        let mut owners: Vec<(String, ir::SellerId)> = Vec::new();
        for s in &b.body {
            match &s.kind {
                ast::AccountsStmt::Key(k) => {
                    if let Some(i) = self.names.resolve(Kind::Field, k, &mut self.diags) {
                        let is_text = matches!(
                            self.playbook.fields.get(i as usize).map(|f| &f.ty),
                            Some(ir::FieldType::Text)
                        );
                        if !is_text {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::TypeMismatch,
                                    *k.loc,
                                    format!("account key `{}` must be a text field", k.name),
                                )
                                .with_primary_message("not a text field"),
                            );
                        }
                        key = Some(ir::FieldId(i));
                    }
                }
                ast::AccountsStmt::Account { key: k, owner } => {
                    let Some(seller) = self.names.resolve(Kind::Seller, owner, &mut self.diags)
                    else {
                        continue;
                    };
                    let k = k.value.to_lowercase();
                    if owners.iter().any(|(x, _)| *x == k) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::Duplicate,
                                *s.loc,
                                format!("account `{k}` is listed twice"),
                            )
                            .with_primary_message("listed again here"),
                        );
                        continue;
                    }
                    owners.push((k, ir::SellerId(seller)));
                }
            }
        }
        owners.sort_by(|a, b| a.0.cmp(&b.0));
        if key.is_none() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("account set `{}` has no `key`", b.name.name),
                "add `key domain` (the lead field matched against the accounts)",
            );
        }
        self.playbook.accounts.push(ir::AccountSet {
            name: b.name.name.clone(),
            key: key.unwrap_or(ir::FieldId(0)),
            owners,
        });
    }

    fn router(&mut self, b: &Block<ast::RouteRule>) {
        self.origins.routers.push(*b.name.loc);
        let mut rules = Vec::new();
        let mut spans = Vec::new();
        for s in &b.body {
            let rule = match &s.kind {
                ast::RouteRule::OwnerFrom(a) => self
                    .names
                    .resolve(Kind::Accounts, a, &mut self.diags)
                    .map(|i| ir::RouteRule::Owner {
                        accounts: ir::AccountsId(i),
                    }),
                ast::RouteRule::When { when, to } => {
                    let when = self.cond(when, Scope::Lead);
                    self.queue_ref(to)
                        .map(|queue| ir::RouteRule::When { when, queue })
                }
                ast::RouteRule::Otherwise(to) => self
                    .queue_ref(to)
                    .map(|queue| ir::RouteRule::Otherwise { queue }),
            };
            if let Some(rule) = rule {
                rules.push(rule);
                spans.push(*s.loc);
            }
        }
        if !rules
            .iter()
            .any(|r| matches!(r, ir::RouteRule::Otherwise { .. }))
        {
            self.diags.push(
                Diagnostic::new(
                    Code::MissingStatement,
                    *b.name.loc,
                    format!("router `{}` has no `otherwise` rule", b.name.name),
                )
                .with_primary_message("a lead matching no rule would be stranded")
                .with_help("add `otherwise to QUEUE` as the last rule (the fallback queue)"),
            );
        }
        self.origins.route_rules.push(spans);
        self.playbook.routers.push(ir::Router {
            name: b.name.name.clone(),
            rules,
        });
    }

    fn queue_ref(&mut self, id: &Ident) -> Option<ir::QueueId> {
        self.names
            .resolve(Kind::Queue, id, &mut self.diags)
            .map(ir::QueueId)
    }

    fn track_ref(&mut self, id: &Ident) -> Option<ir::TrackId> {
        self.names
            .resolve(Kind::Track, id, &mut self.diags)
            .map(ir::TrackId)
    }

    fn reason_ref(&mut self, id: &Ident) -> Option<ir::ReasonId> {
        self.names
            .resolve(Kind::Reason, id, &mut self.diags)
            .map(ir::ReasonId)
    }

    fn context_ref(&mut self, id: &Ident) -> Option<ir::ContextId> {
        self.names
            .resolve(Kind::Context, id, &mut self.diags)
            .map(ir::ContextId)
    }

    fn kpi_ref(&mut self, id: &Ident) -> Option<ir::Kpi> {
        let kpi = ir::Kpi::parse(&id.name);
        if kpi.is_none() {
            self.unknown_kpi(id);
        }
        kpi
    }

    fn unknown_kpi(&mut self, id: &Ident) {
        let names: Vec<String> = ir::Kpi::ALL.iter().map(|(_, n)| n.to_string()).collect();
        let mut diag = Diagnostic::new(
            Code::Undefined,
            *id.loc,
            format!("unknown kpi `{}`", id.name),
        )
        .with_primary_message("not a kpi handoff can measure")
        .with_note(format!("kpis: {}", backticked(&names)));
        if let Some(s) = did_you_mean(&id.name, names.iter().map(String::as_str)) {
            diag = diag.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(diag);
    }

    fn channel(&mut self, id: &Ident) -> ir::Channel {
        if let Some((c, _)) = ir::Channel::ALL.iter().find(|(_, n)| *n == id.name) {
            return *c;
        }
        let names: Vec<String> = ir::Channel::ALL
            .iter()
            .map(|(_, n)| n.to_string())
            .collect();
        let mut diag = Diagnostic::new(
            Code::UnknownValue,
            *id.loc,
            format!("unknown channel `{}`", id.name),
        )
        .with_primary_message(format!("expected {}", backticked(&names)));
        if let Some(s) = did_you_mean(&id.name, names.iter().map(String::as_str)) {
            diag = diag.with_help(format!("did you mean `{s}`?"));
        }
        self.diags.push(diag);
        ir::Channel::Email
    }

    fn context(&mut self, b: &Block<ast::ContextStmt>) {
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
                        ast::ContextItem::Field(f) => self
                            .names
                            .resolve(Kind::Field, f, &mut self.diags)
                            .map(|i| ir::ContextItem::Field(ir::FieldId(i))),
                    };
                    c.items.extend(item);
                }
                ast::ContextStmt::Message(m) => c.message = Some(m.value.clone()),
                ast::ContextStmt::Cta(m) => c.cta = Some(m.value.clone()),
            }
        }
        self.playbook.contexts.push(c);
    }

    fn sequence(&mut self, b: &Block<ast::SequenceStmt>) {
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
                        let mut diag = Diagnostic::new(
                            Code::UnknownValue,
                            *outcome.loc,
                            format!("unknown outcome `{}`", outcome.name),
                        )
                        .with_primary_message(format!("expected {}", backticked(&names)));
                        if let Some(s) =
                            did_you_mean(&outcome.name, names.iter().map(String::as_str))
                        {
                            diag = diag.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(diag);
                        continue;
                    };
                    if outcomes.iter().any(|(x, _)| x == o) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::ConflictingStatement,
                                *s.loc,
                                format!("outcome `{}` is mapped twice", outcome.name),
                            )
                            .with_primary_message("mapped again here"),
                        );
                        continue;
                    }
                    if let Some(r) = self.reason_ref(reason) {
                        outcomes.push((*o, r));
                    }
                }
            }
        }
        if steps.is_empty() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("sequence `{}` has no steps", b.name.name),
                "add steps such as `day 0 call`",
            );
        }
        if !outcomes.iter().any(|(o, _)| *o == ir::Outcome::Exhausted) {
            self.missing(
                Code::SequenceWithoutDisposition,
                &b.name,
                format!("sequence `{}` never ends in a disposition", b.name.name),
                "add `on exhausted disposition no_response` (or another reason)",
            );
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

    fn reason(&mut self, b: &Block<ast::ReasonStmt>) {
        self.origins.reasons.push(*b.name.loc);
        let mut label = None;
        let mut destination: Option<(ir::Destination, Span)> = None;
        let mut suppression = None;
        let mut kpis = Vec::new();
        let mut recycle_span = None;
        for s in &b.body {
            let dest = match &s.kind {
                ast::ReasonStmt::Label(l) => {
                    label = Some(l.value.clone());
                    None
                }
                ast::ReasonStmt::Recycle { to, after } => {
                    recycle_span = Some(*s.loc);
                    let after_secs = after
                        .as_ref()
                        .map_or(0, |a| self.wall_secs(a, "a recycle delay"));
                    self.track_ref(to)
                        .map(|track| ir::Destination::Recycle { track, after_secs })
                }
                ast::ReasonStmt::Convert => Some(ir::Destination::Convert),
                ast::ReasonStmt::Close => Some(ir::Destination::Close),
                ast::ReasonStmt::Suppress { window, unless } => {
                    let window_secs = self.wall_secs(window, "a suppression window");
                    let unless = unless
                        .iter()
                        .filter_map(|h| self.names.resolve(Kind::Handoff, h, &mut self.diags))
                        .map(ir::HandoffId)
                        .collect();
                    suppression = Some(ir::Suppression {
                        window_secs,
                        unless,
                    });
                    None
                }
                ast::ReasonStmt::Kpi(k) => {
                    kpis.extend(self.kpi_ref(k));
                    None
                }
            };
            if let Some(d) = dest {
                if let Some((_, first)) = &destination {
                    self.diags.push(
                        Diagnostic::new(
                            Code::ConflictingStatement,
                            *s.loc,
                            format!("reason `{}` has two destinations", b.name.name),
                        )
                        .with_primary_message("second destination")
                        .with_label(*first, "first destination")
                        .with_help(
                            "a reason leads to exactly one of `recycle to`, `convert` or `close`",
                        ),
                    );
                } else {
                    destination = Some((d, *s.loc));
                }
            }
        }
        let has_dest_stmt = b.body.iter().any(|s| {
            matches!(
                s.kind,
                ast::ReasonStmt::Recycle { .. } | ast::ReasonStmt::Convert | ast::ReasonStmt::Close
            )
        });
        if !has_dest_stmt {
            self.missing(
                Code::ReasonWithoutRecycle,
                &b.name,
                format!("reason `{}` has no recycle path", b.name.name),
                "add `recycle to TRACK`, `convert` or `close`",
            );
        }
        self.origins.recycles.push(recycle_span);
        self.playbook.reasons.push(ir::Reason {
            name: b.name.name.clone(),
            label,
            destination: destination.map_or(ir::Destination::Close, |(d, _)| d),
            suppression,
            kpis,
        });
    }

    fn track(&mut self, b: &Block<ast::TrackStmt>) {
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
                        self.diags.push(
                            Diagnostic::new(
                                Code::ConflictingStatement,
                                *s.loc,
                                "two tracks are entered by default",
                            )
                            .with_primary_message("second default track")
                            .with_label(first, "the first default track")
                            .with_help("exactly one track takes leads that match no `enter when`"),
                        );
                    } else {
                        self.playbook.default_track = Some(tid);
                    }
                }
                ast::TrackStmt::EnterWhen(e) => t.enter_when = Some(self.cond(e, Scope::Lead)),
                ast::TrackStmt::Exit { to, when } => {
                    let when = self.cond(when, Scope::Lead);
                    if let Some(to) = self.track_ref(to) {
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
                        self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *every.loc,
                                "a touch cadence must be longer than zero",
                            )
                            .with_primary_message("zero interval"),
                        );
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
                        self.track_ref(to)
                            .map_or(ir::TrackEnd::Stay, ir::TrackEnd::Move)
                    } else {
                        self.reason_ref(to)
                            .map_or(ir::TrackEnd::Stay, ir::TrackEnd::Close)
                    };
                }
                ast::TrackStmt::Kpi(k) => t.kpis.extend(self.kpi_ref(k)),
            }
        }
        self.playbook.tracks.push(t);
    }

    fn check_default_track(&mut self, file: &ast::File) {
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
        self.missing(
            Code::MissingStatement,
            &first.name,
            "no track is entered by default".to_string(),
            "add `enter by default` to the track that takes leads matching no `enter when`",
        );
    }

    /// Lowers `on` and `when` statements; also says whether every event resolved.
    fn trigger(
        &mut self,
        ons: &[(&ast::EventRef, Option<&ast::Expr>)],
        whens: &[&ast::Expr],
    ) -> (ir::Trigger, bool) {
        let mut on = Vec::new();
        let mut complete = true;
        for (event, filter) in ons {
            let Some(event) = self.event_ref(event) else {
                complete = false;
                continue;
            };
            let filter = filter.map_or(Cond::True, |f| self.cond(f, Scope::Event(event)));
            on.push(ir::EventTrigger { event, filter });
        }
        let mut conds: Vec<Cond> = whens.iter().map(|w| self.cond(w, Scope::Lead)).collect();
        let when = match conds.len() {
            0 => Cond::True,
            1 => conds.pop().unwrap_or(Cond::True),
            _ => Cond::And { all: conds },
        };
        (ir::Trigger { on, when }, complete)
    }

    fn handoff(&mut self, b: &Block<ast::HandoffStmt>) {
        use ast::HandoffStmt as H;
        self.origins.handoffs.push(*b.name.loc);
        let mut ons = Vec::new();
        let mut whens = Vec::new();
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        let mut priority = DEFAULT_PRIORITY;
        let mut route = None;
        let mut sla = None;
        let mut context = None;
        let mut sequence = None;
        let mut breach = Vec::new();
        let mut breach_limit = None;
        let mut kpis = Vec::new();
        let (mut sla_span, mut breach_span, mut priority_span) = (None, None, None);
        let (mut when_span, mut requeue_span) = (None, None);
        for s in &b.body {
            let key = match &s.kind {
                H::Priority(_) => Some("the priority"),
                H::RouteTo(_) | H::RouteVia(_) => Some("the route"),
                H::Sla { .. } | H::SlaSameDay => Some("the SLA"),
                H::Context(_) => Some("the context package"),
                H::Sequence(_) => Some("the sequence"),
                H::Breach(_) => Some("the breach path"),
                _ => None,
            };
            if let Some(key) = key {
                if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                    self.repeated(key, *first, *s.loc);
                    continue;
                }
                seen.push((key, *s.loc));
            }
            match &s.kind {
                H::On { event, filter } => ons.push((event, filter.as_ref())),
                H::When(e) => {
                    when_span = Some(when_span.map_or(*s.loc, |w: Span| w.to(*s.loc)));
                    whens.push(e);
                }
                H::Priority(n) => {
                    priority_span = Some(*s.loc);
                    if n.value.fract() != 0.0 || n.value.abs() > 1e9 {
                        self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *n.loc,
                                "a priority is a whole number",
                            )
                            .with_primary_message("not a whole number"),
                        );
                    } else {
                        priority = n.value as i64;
                    }
                }
                H::RouteTo(q) => route = self.route_target(q, true),
                H::RouteVia(r) => route = self.route_target(r, false),
                H::Sla { within, clock } => {
                    sla_span = Some(*s.loc);
                    sla = self.sla(within, *clock);
                }
                H::SlaSameDay => {
                    sla_span = Some(*s.loc);
                    sla = Some(ir::Sla::SameDay);
                }
                H::Context(c) => context = self.context_ref(c),
                H::Sequence(q) => {
                    sequence = self
                        .names
                        .resolve(Kind::Sequence, q, &mut self.diags)
                        .map(ir::SequenceId)
                }
                H::Breach(stmts) => {
                    breach_span = Some(*s.loc);
                    requeue_span = stmts
                        .iter()
                        .find(|st| {
                            matches!(
                                st.kind,
                                ast::BreachStmt::Requeue { .. }
                                    | ast::BreachStmt::Reassign(_)
                                    | ast::BreachStmt::Escalate(_)
                            )
                        })
                        .map(|st| *st.loc);
                    let (actions, limit) = self.breach(stmts);
                    breach = actions;
                    breach_limit = limit;
                }
                H::Kpi(k) => kpis.extend(self.kpi_ref(k)),
            }
        }
        let (trigger, complete) = self.trigger(&ons, &whens);
        self.origins.partial_triggers.push(!complete);
        self.origins.whens.push(when_span);
        self.origins.requeues.push(requeue_span);
        if ons.is_empty() && whens.is_empty() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("handoff `{}` has no trigger", b.name.name),
                "add `on EVENT` (a hand-raise) or `when CONDITION` (a score band, a count)",
            );
        }
        if !seen.iter().any(|(k, _)| *k == "the route") {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("handoff `{}` has no route", b.name.name),
                "add `route to QUEUE` or `route via ROUTER`",
            );
        }
        if sla_span.is_none() {
            self.missing(
                Code::HandoffWithoutSla,
                &b.name,
                format!("handoff `{}` has no SLA", b.name.name),
                "add `sla 15m`, `sla 4h business`, `sla 1bd` or `sla same day`",
            );
        } else if breach_span.is_none() {
            self.diags.push(
                Diagnostic::new(
                    Code::SlaWithoutBreach,
                    sla_span.unwrap_or(*b.name.loc),
                    format!("the SLA of handoff `{}` has no breach path", b.name.name),
                )
                .with_primary_message("nothing happens when this is missed")
                .with_label(*b.name.loc, "in this handoff")
                .with_help("add an `on breach { ... }` block, for example with `notify ROLE` and `after 2 breaches recycle to TRACK as REASON`"),
            );
        }
        self.origins.slas.push(sla_span);
        self.origins.breaches.push(breach_span);
        self.origins.priorities.push(priority_span);
        self.playbook.handoffs.push(ir::Handoff {
            name: b.name.name.clone(),
            trigger,
            priority,
            route: route.unwrap_or(ir::RouteTarget::Queue(ir::QueueId(0))),
            sla: sla.unwrap_or(ir::Sla::Wall(0)),
            context,
            sequence,
            breach,
            breach_limit,
            kpis,
            origin: *b.name.loc,
        });
    }

    /// Resolves `route to QUEUE` / `route via ROUTER`; the other kind of target is reported
    /// with the right keyword and then used, so the rest of the check sees the intended route.
    fn route_target(&mut self, target: &Ident, to_queue: bool) -> Option<ir::RouteTarget> {
        let (wanted, other) = if to_queue {
            (Kind::Queue, Kind::Router)
        } else {
            (Kind::Router, Kind::Queue)
        };
        if let Some(d) = self.names.get(wanted, &target.name) {
            return Some(if to_queue {
                ir::RouteTarget::Queue(ir::QueueId(d.index))
            } else {
                ir::RouteTarget::Router(ir::RouterId(d.index))
            });
        }
        let Some(d) = self.names.get(other, &target.name) else {
            self.names.resolve(wanted, target, &mut self.diags);
            return None;
        };
        let (fix, what, found) = if to_queue {
            ("via", "a queue", "a router")
        } else {
            ("to", "a router", "a queue")
        };
        let written = if to_queue { "to" } else { "via" };
        let mut diag = Diagnostic::new(
            Code::WrongKind,
            *target.loc,
            format!("`{}` is {found}, not {what}", target.name),
        )
        .with_primary_message(format!("`route {written}` takes {what}"))
        .with_help(format!("write `route {fix} {}`", target.name));
        if self.names.misreference(other, d.index) {
            diag = diag.with_label(d.span, format!("`{}` is declared here", target.name));
        }
        self.diags.push(diag);
        Some(if to_queue {
            ir::RouteTarget::Router(ir::RouterId(d.index))
        } else {
            ir::RouteTarget::Queue(ir::QueueId(d.index))
        })
    }

    fn sla(&mut self, within: &ast::DurationLit, clock: Option<ast::SlaClock>) -> Option<ir::Sla> {
        let secs = self.duration_secs(within)?;
        if secs == 0 {
            self.diags.push(
                Diagnostic::new(
                    Code::BadLiteral,
                    *within.loc,
                    "an SLA must be longer than zero",
                )
                .with_primary_message("zero SLA"),
            );
            return None;
        }
        let business_unit = within.unit.is_business();
        Some(match (within.unit, clock) {
            (_, Some(ast::SlaClock::Wall)) if business_unit => {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnitMismatch,
                        *within.loc,
                        format!(
                            "`{}` counts business time but the SLA says `wall`",
                            within.unit.suffix()
                        ),
                    )
                    .with_primary_message("business unit")
                    .with_help("drop `wall`, or use `m`, `h` or `d`"),
                );
                return None;
            }
            (ast::DurationUnit::BusinessDays, _) => {
                if within.value.fract() != 0.0 {
                    self.diags.push(
                        Diagnostic::new(
                            Code::BadLiteral,
                            *within.loc,
                            "business days are whole days",
                        )
                        .with_primary_message("fractional business days")
                        .with_help("use business hours, e.g. `4bh`"),
                    );
                }
                ir::Sla::BusinessDays(u32::try_from(secs / 86_400).unwrap_or(u32::MAX).max(1))
            }
            (ast::DurationUnit::BusinessHours, _) | (_, Some(ast::SlaClock::Business)) => {
                ir::Sla::BusinessSeconds(secs)
            }
            _ => ir::Sla::Wall(secs),
        })
    }

    fn breach(
        &mut self,
        stmts: &[Stmt<ast::BreachStmt>],
    ) -> (Vec<ir::BreachAction>, Option<ir::BreachLimit>) {
        use ast::BreachStmt as B;
        let mut actions = Vec::new();
        let mut limit = None;
        let mut limit_span: Option<Span> = None;
        for s in stmts {
            match &s.kind {
                B::Rescue(t) => actions.extend(
                    self.track_ref(t)
                        .map(|track| ir::BreachAction::Rescue { track }),
                ),
                B::Requeue { to, context } => {
                    let queue = to.as_ref().and_then(|q| self.queue_ref(q));
                    let context = context.as_ref().and_then(|c| self.context_ref(c));
                    actions.push(ir::BreachAction::Requeue { queue, context });
                }
                B::Escalate(q) => actions.extend(
                    self.queue_ref(q)
                        .map(|queue| ir::BreachAction::Escalate { queue }),
                ),
                B::Reassign(q) => {
                    let queue = q.as_ref().and_then(|q| self.queue_ref(q));
                    actions.push(ir::BreachAction::Reassign { queue });
                }
                B::Notify(role) => actions.push(ir::BreachAction::Notify {
                    role: role.name.clone(),
                }),
                B::Limit {
                    breaches,
                    to,
                    reason,
                } => {
                    if let Some(first) = limit_span {
                        self.repeated("the breach limit", first, *s.loc);
                        continue;
                    }
                    limit_span = Some(*s.loc);
                    let n = self.count(breaches, "a breach count", 1);
                    if let (Some(track), Some(reason)) =
                        (self.track_ref(to), self.reason_ref(reason))
                    {
                        limit = Some(ir::BreachLimit {
                            breaches: n,
                            track,
                            reason,
                        });
                    }
                }
            }
        }
        (actions, limit)
    }

    fn disqualifier(&mut self, b: &Block<ast::TriggerStmt>) {
        let mut ons = Vec::new();
        let mut whens = Vec::new();
        let mut reason = None;
        let mut reason_span: Option<Span> = None;
        for s in &b.body {
            match &s.kind {
                ast::TriggerStmt::On { event, filter } => ons.push((event, filter.as_ref())),
                ast::TriggerStmt::When(e) => whens.push(e),
                ast::TriggerStmt::Reason(r) => {
                    if let Some(first) = reason_span {
                        self.repeated("the reason", first, *s.loc);
                        continue;
                    }
                    reason_span = Some(*s.loc);
                    reason = self.reason_ref(r);
                }
            }
        }
        let (trigger, _) = self.trigger(&ons, &whens);
        if ons.is_empty() && whens.is_empty() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("disqualifier `{}` has no condition", b.name.name),
                "add `when CONDITION` or `on EVENT where CONDITION`",
            );
        }
        if reason_span.is_none() {
            self.missing(
                Code::MissingStatement,
                &b.name,
                format!("disqualifier `{}` has no reason", b.name.name),
                "add `reason REASON` (for example `reason not_icp`)",
            );
        }
        self.playbook.disqualifiers.push(ir::Disqualifier {
            name: b.name.name.clone(),
            trigger,
            reason: reason.unwrap_or(ir::ReasonId(0)),
        });
    }

    fn kpi(&mut self, b: &Block<ast::KpiStmt>) {
        let Some(kpi) = self.kpi_ref(&b.name) else {
            return;
        };
        let mut label = None;
        for s in &b.body {
            match &s.kind {
                ast::KpiStmt::Label(l) => label = Some(l.value.clone()),
                ast::KpiStmt::Target { stat, cmp, value } => {
                    let stat = self.stat(kpi, stat.as_ref());
                    let Some(value) = self.kpi_value(kpi, value) else {
                        continue;
                    };
                    self.playbook.kpi_targets.push(ir::KpiTarget {
                        kpi,
                        label: label.clone(),
                        stat,
                        cmp: match cmp {
                            ast::TargetCmp::AtLeast => ir::TargetCmp::AtLeast,
                            ast::TargetCmp::AtMost => ir::TargetCmp::AtMost,
                            ast::TargetCmp::Below => ir::TargetCmp::Below,
                        },
                        value,
                    });
                }
            }
        }
    }

    fn stat(&mut self, kpi: ir::Kpi, stat: Option<&Ident>) -> ir::Stat {
        let Some(stat) = stat else {
            return ir::Stat::Mean;
        };
        let found = match stat.name.as_str() {
            "mean" => Some(ir::Stat::Mean),
            "median" => Some(ir::Stat::Median),
            "p90" => Some(ir::Stat::P90),
            _ => None,
        };
        match found {
            Some(s) if s == ir::Stat::Mean || kpi == ir::Kpi::SpeedToLead => s,
            Some(_) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        *stat.loc,
                        format!("`{}` only applies to `speed_to_lead`", stat.name),
                    )
                    .with_primary_message("this kpi is a single number"),
                );
                ir::Stat::Mean
            }
            None => {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnknownValue,
                        *stat.loc,
                        format!("unknown statistic `{}`", stat.name),
                    )
                    .with_primary_message("expected `mean`, `median` or `p90`"),
                );
                ir::Stat::Mean
            }
        }
    }

    fn kpi_value(&mut self, kpi: ir::Kpi, value: &ast::Literal) -> Option<f64> {
        let (v, wanted) = match (kpi.unit(), value) {
            (ir::KpiUnit::Fraction, ast::Literal::Percent(p)) => return Some(self.percent(p)),
            (ir::KpiUnit::Seconds, ast::Literal::Duration(d)) => {
                return Some(self.wall_secs(d, "a speed-to-lead target") as f64)
            }
            (ir::KpiUnit::Count, ast::Literal::Number(n)) => return Some(n.value),
            (ir::KpiUnit::Fraction, v) => (v, "a percentage such as `95%`"),
            (ir::KpiUnit::Seconds, v) => (v, "a duration such as `15m`"),
            (ir::KpiUnit::Count, v) => (v, "a plain number"),
        };
        let found = match v {
            ast::Literal::Percent(_) => "a percentage",
            ast::Literal::Duration(_) => "a duration",
            ast::Literal::Number(_) => "a plain number",
            _ => "not a number",
        };
        self.diags.push(
            Diagnostic::new(
                Code::UnitMismatch,
                *v.loc(),
                format!("the target of `{}` needs {wanted}", kpi.name()),
            )
            .with_primary_message(format!("this is {found}")),
        );
        None
    }
}

/// Kind and name of a declaring item, for duplicate skipping (`lead`/`playbook` have none).
fn item_kind(item: &Item) -> (Option<Kind>, &Ident) {
    let (_, name) = item.name();
    let kind = match item {
        Item::Score(_) => Some(Kind::Score),
        Item::Bands(_) => Some(Kind::Bands),
        Item::Disqualify(_) => Some(Kind::Disqualifier),
        Item::Track(_) => Some(Kind::Track),
        Item::Handoff(_) => Some(Kind::Handoff),
        Item::Router(_) => Some(Kind::Router),
        Item::Queue(_) => Some(Kind::Queue),
        Item::Accounts(_) => Some(Kind::Accounts),
        Item::Context(_) => Some(Kind::Context),
        Item::Sequence(_) => Some(Kind::Sequence),
        Item::Reason(_) => Some(Kind::Reason),
        Item::Kpi(_) => Some(Kind::Kpi),
        Item::Scenario(_) => Some(Kind::Scenario),
        Item::Calendar(_) => Some(Kind::Calendar),
        Item::Event(_) => Some(Kind::Event),
        Item::Lead(_) | Item::Playbook(_) => None,
    };
    (kind, name)
}

/// Whether a condition reads scores, bands or counters.
pub(super) fn mentions_scores(c: &Cond) -> bool {
    match c {
        Cond::And { all: cs } | Cond::Or { any: cs } => cs.iter().any(mentions_scores),
        Cond::Not { cond } => mentions_scores(cond),
        Cond::Compare { lhs, rhs, .. } => [lhs, rhs]
            .iter()
            .any(|n| matches!(n, ir::Num::Score(_) | ir::Num::Count(_))),
        Cond::BandIn { .. } => true,
        _ => false,
    }
}
