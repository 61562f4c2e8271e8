//! Every constructor against the message style (STYLE.md §8), which is why the wording lives
//! in one place: one list of them can be checked as a whole.

#![allow(clippy::indexing_slicing)]

use super::*;
use crate::diagnostics::Code;
use crate::span::{FileId, Span};

/// One finding from every constructor, with the optional parts filled in.
fn every_message() -> Vec<Diagnostic> {
    let at = Span::new(FileId(0), 0, 1);
    let names = vec!["a".to_string(), "b".to_string()];
    vec![
        unexpected(at, Unexpected::EndOfFile, "a block", None),
        unexpected(at, Unexpected::Text, "a name", Some(SyntaxHint::NamedLead)),
        unexpected(
            at,
            Unexpected::Keyword("trak"),
            "`track`",
            Some(SyntaxHint::Keyword("track".into())),
        ),
        unexpected(
            at,
            Unexpected::Token("=="),
            "`=`",
            Some(SyntaxHint::DoubleEquals),
        ),
        unexpected(
            at,
            Unexpected::Token("&&"),
            "`and`",
            Some(SyntaxHint::SymbolicLogic),
        ),
        unexpected(
            at,
            Unexpected::Token("5x"),
            "a duration",
            Some(SyntaxHint::NotAUnit("x")),
        ),
        unexpected(
            at,
            Unexpected::Token("5"),
            "a duration",
            Some(SyntaxHint::MissingUnit),
        ),
        unterminated_string(at, at),
        unclosed_brace(at, Some("track"), Some("t"), Some(at)),
        unclosed_brace(at, None, None, None),
        too_complex(at, "call limit reached"),
        nested_too_deeply(at, 64),
        unknown_unit(at, "x", "5x"),
        not_a_date(at, "2026-02-30"),
        not_a_weekday(at, "mun", Some("mon")),
        not_a_time_of_day(at, "25:00"),
        too_many_values(at),
        priority_not_whole(at),
        zero_sla(at),
        fractional_business_days(at),
        zero_cadence(at),
        zero_half_life(at),
        unknown_escape(at, 'q'),
        unknown_escape(at, '\u{7}'),
        file_too_large(at, 5 << 20, 4, 4 << 20),
        declares_nothing(at),
        suppression_without_reason(at, "W0306", None),
        suppression_without_reason(at, "W0306", Some("legacy")),
        suppression_names_no_code(at),
        unused_suppression(at, Code::UnreachableRule),
        unknown_code(at, "W036", Some("W0306")),
        error_not_suppressible(at, Code::Undefined),
        suppression_code_not_suppressible(at, Code::UnusedSuppression),
        unknown_directive(at, "alow", Some("allow")),
        unknown_directive(at, "", None),
        undefined(at, "queue", "q", Some("p"), false, None),
        undefined(at, "role", "r", None, true, None),
        undefined(at, "queue", "q", None, false, Some("queue")),
        undefined_name(at, "x", Some("y"), None, false),
        undefined_name(at, "x", None, Some("e"), false),
        undefined_name(at, "x", None, None, true),
        undefined_name(at, "x", None, None, false),
        unknown_kpi(at, "k", &names, Some("a")),
        event_has_no_field(at, "e", "f"),
        duplicate_declaration(at, "queue", "q", at),
        duplicate_field(at, "f", "the lead", at),
        duplicate_value(at, "v"),
        duplicate_lead_block(at),
        duplicate_band(at, "A", at),
        duplicate_account(at, "acme.com"),
        wrong_kind(at, "x", "queue", "track", Some(at), Some("a"), &names),
        wrong_kind(at, "x", "queue", "track", None, None, &names),
        wrong_route_target(at, "r", true, Some(at)),
        wrong_route_target(at, "q", false, None),
        overflows_into_itself(at, "q"),
        text_operator_on(
            at,
            "contains",
            "a number field",
            "`n` is a number field".into(),
        ),
        not_a_condition(at, "a number", "`5` is a number", Some("compare it".into())),
        account_lookup_of(at, "a number field", "`n` is a number field".into()),
        expected_text_in_list(at, "`industry`"),
        expected_number_in_list(at, "`employees`"),
        in_list_of(at, "a number", "`5` is a number".into()),
        expected_value_name_in_list(at),
        cannot_compare(
            at,
            "a",
            "b",
            "x".into(),
            at,
            "y".into(),
            Some(("`f`", "text")),
        ),
        no_order(at, "<", "`segment`"),
        statistic_needs_speed_to_lead(at, "p90"),
        account_key_not_text(at, "k"),
        points_depend_on_scores(at),
        mix_value_type(at, "f"),
        wrong_field_type(at, "f", "a number field"),
        wrong_value_kind(at, "f"),
        business_unit_on_wall_sla(at, "bh"),
        business_unit_outside_sla(at, "a half-life", "bd"),
        kpi_target_unit(at, "win_rate", "a percentage", "a duration"),
        number_compared_with(at, "a duration"),
        unknown_channel(at, "fax", &names, Some("a")),
        unknown_outcome(at, "x", &names, None),
        unknown_statistic(at, "mode"),
        not_a_value_of(at, "x", "f", &names),
        unknown_field_value(at, "x", "`f`", &names, at, Some("a")),
        unknown_band(at, "x", Some("fit"), &names, None),
        unknown_band(at, "x", None, &names, Some("a")),
        reason_without_recycle(at, "r"),
        handoff_without_sla(at, "h"),
        sla_without_breach(at, "h", at),
        ping_pong_unsuppressed(at, "r", "t", "h", Some(at)),
        ping_pong_exempt(at, "r", "h", None),
        unreachable_track(at, "t"),
        rule_after_catch_all(at, "r", Some(at)),
        routing_condition_never_true(at),
        handoff_never_fires(at, "h", Some(at)),
        overlapping_handoffs(at, "a", "b", "queue `q`", at, "queue `p`", 0),
        bands_overlap(at, "fit", "A", "B", 50.0, at, f64::INFINITY),
        bands_overlap(at, "fit", "A", "B", 50.0, at, 60.0),
        empty_band(at, "A", 70.0, 50.0),
        gap_below(at, "fit", f64::NEG_INFINITY, 10.0),
        gap_above(at, "fit", "A", 90.0, 100.0),
        gap_between(at, "fit", "A", 50.0, 60.0, at),
        business_time_without_calendar(at, "h", &names),
        sequence_without_disposition(at, "s"),
        unbounded_requeue(at, "h"),
        empty_working_hours(at, "17:00", "09:00"),
        calendar_without_timezone(at, "c"),
        calendar_without_hours(at, "c"),
        unknown_timezone(at, "unknown time zone `X`".into(), None),
        invalid_calendar(at, "the calendar is never open".into(), at),
        sequence_without_steps(at, "s"),
        no_default_track(at),
        disqualifier_without_condition(at, "d"),
        disqualifier_without_reason(at, "d"),
        handoff_without_trigger(at, "h"),
        handoff_without_route(at, "h"),
        accounts_without_key(at, "a"),
        bands_without_bands(at, "fit"),
        router_without_otherwise(at, "r"),
        given_twice(at, "the time zone", at),
        outcome_mapped_twice(at, "connected"),
        two_default_tracks(at, at),
        two_destinations(at, "r", at),
        unused_declaration(at, "queue", "q"),
        unused_declaration(at, "role", "r"),
        entry_always_holds(at, "t", Some((at, "d"))),
        kpi_line_without_effect(at, "track"),
        scenario_without_source(at, "s"),
        scenario_without_profile(at, "s"),
        staff_without_handling(at, "q"),
        quoted_reason(at),
        too_many_sources(at, "s", 300, 256),
        not_positive(at, "a seller count"),
        shares_not_whole(at, &[at], "the profile shares", 90.0),
        distribution_parameter(at),
        uniform_bounds_swapped(at, "5m", "1m"),
        lognormal_sigma(at),
        negative_distribution(at),
        too_many_signal_lines(at, "p", 300, 256),
        overworked_queue(at, "s", "q", (35.0, 20.0), 2),
        over_capacity_queue(at, "s", "q", (120.0, 100.0), 4),
        unstaffed_load(at, "s", "q", 40.0),
        unstaffed_queue(at, "s", "q", "h"),
        skipped_local_time(at, "2026-03-29 01:30", "Europe/London"),
        test_without_lead(at, "t"),
        lead_given_twice(at, at),
        before_arrival(at, "event"),
        time_goes_back(at, "2026-06-01 09:00", at),
        test_expects_nothing(at, "t"),
    ]
}

/// Every piece of text a finding shows, each with what it is, for failure messages.
fn texts(d: &Diagnostic) -> Vec<(&'static str, &str)> {
    let mut out = vec![("message", d.message.as_str())];
    out.extend(d.labels.iter().map(|l| ("label", l.message.as_str())));
    out.extend(d.notes.iter().map(|n| ("note", n.as_str())));
    out.extend(d.help.iter().map(|h| ("help", h.as_str())));
    out
}

#[test]
fn every_message_is_lowercase_without_a_final_period() {
    for d in every_message() {
        for (what, text) in texts(&d) {
            let first = text.chars().next();
            assert!(
                !first.is_some_and(char::is_uppercase),
                "{} {what} starts in upper case: {text}",
                d.code
            );
            assert!(
                !text.ends_with('.'),
                "{} {what} ends with a period: {text}",
                d.code
            );
        }
        assert!(!d.message.is_empty(), "{} has an empty message", d.code);
    }
}

#[test]
fn no_message_addresses_the_reader_as_you() {
    for d in every_message() {
        for (what, text) in texts(&d) {
            // The one conventional exception, shared with rustc and every "did you mean".
            let text = text.strip_prefix("did you mean `").unwrap_or(text);
            let words = text.split(|c: char| !c.is_alphanumeric() && c != '\'');
            assert!(
                !words
                    .clone()
                    .any(|w| w.eq_ignore_ascii_case("you") || w.eq_ignore_ascii_case("your")),
                "{} {what} says \"you\": {text}",
                d.code
            );
        }
    }
}

#[test]
fn every_message_is_one_line() {
    for d in every_message() {
        for (what, text) in texts(&d) {
            assert!(
                !text.contains('\n'),
                "{} {what} spans lines: {text}",
                d.code
            );
        }
    }
}

#[test]
fn the_primary_label_comes_first() {
    for d in every_message() {
        assert!(d.labels[0].primary, "{}: {}", d.code, d.message);
        assert!(
            d.labels[1..]
                .iter()
                .all(|l| !l.primary && !l.message.is_empty()),
            "{}: a secondary label without text in `{}`",
            d.code,
            d.message
        );
    }
}
