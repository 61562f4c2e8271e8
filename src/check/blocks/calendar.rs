//! Calendars: time zone, working hours and holidays, and the playbook's default calendar.

use crate::calendar::{CalendarSpec, WorkingHours};
use crate::check::Lowerer;
use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident, Item};

impl Lowerer<'_> {
    /// Resolves the header's default calendar, once every calendar is known.
    pub(super) fn resolve_default_calendar(&mut self, file: &ast::File) {
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
                    self.playbook.default_calendar = self.resolve(c);
                }
            }
            return;
        }
    }

    /// Lowers a `calendar` block, validating its time zone and hours so the engine never meets an impossible calendar.
    pub(super) fn calendar(&mut self, b: &Block<ast::CalendarStmt>) {
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

    /// The weekdays from `from` to `to`, wrapping past Sunday; a name that is no weekday is reported.
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

    /// Minutes since midnight of an `HH:MM` time, or `None` after reporting it.
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
}
