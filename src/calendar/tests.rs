#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::table::{TABLE_FIRST_DAY, TABLE_LAST_DAY};
use super::*;

const H: i64 = 3600;

fn hours(weekday: u8, open: &str, close: &str) -> WorkingHours {
    let minutes = |s: &str| {
        let (h, m) = s.split_once(':').unwrap();
        h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
    };
    WorkingHours {
        weekday,
        open_minute: minutes(open),
        close_minute: minutes(close),
    }
}

fn spec(tz: &str, hours: Vec<WorkingHours>, holidays: &[&str]) -> CalendarSpec {
    CalendarSpec {
        name: "test".to_owned(),
        timezone: tz.to_owned(),
        hours,
        holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
    }
}

fn calendar(tz: &str, hours: Vec<WorkingHours>, holidays: &[&str]) -> BusinessCalendar {
    BusinessCalendar::new(&spec(tz, hours, holidays)).unwrap()
}

fn weekdays(open: &str, close: &str) -> Vec<WorkingHours> {
    (0..5).map(|d| hours(d, open, close)).collect()
}

/// Mon-Fri 09:00-17:30 in London, closed on 2026-12-25 and 2026-12-28.
static LONDON: LazyLock<BusinessCalendar> = LazyLock::new(|| {
    calendar(
        "Europe/London",
        weekdays("09:00", "17:30"),
        &["2026-12-25", "2026-12-28"],
    )
});

/// An unambiguous local wall-clock time in `tz` as a timestamp.
fn at(tz: &str, local: &str) -> Timestamp {
    let tz: Tz = tz.parse().unwrap();
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().timestamp()
}

fn ldn(local: &str) -> Timestamp {
    at("Europe/London", local)
}

fn utc(local: &str) -> Timestamp {
    at("UTC", local)
}

#[test]
fn table_bounds_are_the_documented_dates() {
    let day =
        |s: &str| s.parse::<NaiveDate>().unwrap().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE;
    assert_eq!(TABLE_FIRST_DAY, day("2000-01-01"));
    assert_eq!(TABLE_LAST_DAY, day("2100-12-31"));
}

#[test]
fn precomputed_days_match_days_computed_on_the_fly() {
    let Kind::Hours(h) = &LONDON.kind else {
        unreachable!()
    };
    let table = &h.table;
    let mut k = 0;
    for day in TABLE_FIRST_DAY..=TABLE_LAST_DAY {
        let fly = h.day_intervals(day);
        if fly.is_empty() {
            continue;
        }
        assert_eq!(table.day_date[k], day);
        assert_eq!(table.day_intervals(k).collect::<Vec<_>>(), fly);
        k += 1;
    }
    assert_eq!(k, table.day_date.len());
}

#[test]
fn open_is_inclusive_and_close_exclusive() {
    let cases = [
        (ldn("2026-06-01 09:00") - 1, false, "before opening"),
        (ldn("2026-06-01 09:00"), true, "at opening"),
        (ldn("2026-06-01 17:30") - 1, true, "before closing"),
        (ldn("2026-06-01 17:30"), false, "at closing"),
        (ldn("2026-06-06 12:00"), false, "saturday"),
        (ldn("2026-12-25 12:00"), false, "holiday"),
    ];
    for (t, open, case) in cases {
        assert_eq!(LONDON.is_open(t), open, "{case}");
    }
}

#[test]
fn next_open_skips_nights_weekends_and_holidays() {
    let cases = [
        ("2026-06-01 10:00", "2026-06-01 10:00"),
        ("2026-06-01 17:30", "2026-06-02 09:00"),
        ("2026-06-05 20:00", "2026-06-08 09:00"),
        ("2026-12-24 18:00", "2026-12-29 09:00"),
    ];
    for (from, expected) in cases {
        assert_eq!(LONDON.next_open(ldn(from)), ldn(expected), "from {from}");
    }
}

#[test]
fn add_business_seconds_across_evenings_weekends_and_holidays() {
    let cases = [
        ("2026-06-01 16:30", 2 * H, "2026-06-02 10:00"),
        ("2026-06-05 17:00", H, "2026-06-08 09:30"),
        ("2026-06-06 12:00", H, "2026-06-08 10:00"),
        ("2026-12-24 17:00", H, "2026-12-29 09:30"),
        ("2026-12-26 10:00", 0, "2026-12-29 09:00"),
        // A whole working week is 42.5 hours.
        ("2026-06-01 09:00", 85 * H / 2, "2026-06-05 17:30"),
    ];
    for (from, secs, expected) in cases {
        let got = LONDON.add_business_seconds(ldn(from), secs);
        assert_eq!(got, ldn(expected), "{secs} s from {from}");
    }
}

#[test]
fn add_business_seconds_ending_at_close_stays_at_close() {
    let cases = [
        ("2026-06-01 17:00", H / 2, ldn("2026-06-01 17:30")),
        ("2026-06-01 17:00", H / 2 + 1, ldn("2026-06-02 09:00") + 1),
    ];
    for (from, secs, expected) in cases {
        let got = LONDON.add_business_seconds(ldn(from), secs);
        assert_eq!(got, expected, "{secs} s from {from}");
    }
}

#[test]
fn zero_or_negative_seconds_mean_next_open() {
    let cases = [
        ("2026-06-01 10:00", 0, "2026-06-01 10:00"),
        ("2026-06-01 10:00", -5, "2026-06-01 10:00"),
        ("2026-06-01 20:00", 0, "2026-06-02 09:00"),
    ];
    for (from, secs, expected) in cases {
        let got = LONDON.add_business_seconds(ldn(from), secs);
        assert_eq!(got, ldn(expected), "{secs} s from {from}");
    }
}

#[test]
fn business_seconds_between_inverts_add() {
    let cal = &*LONDON;
    let cases = [
        ("2026-06-05 17:00", "2026-06-08 09:30", H),
        ("2026-06-01 12:00", "2026-06-01 11:00", 0),
        ("2026-06-06 00:00", "2026-06-08 00:00", 0),
        ("2026-12-24 00:00", "2026-12-30 00:00", 17 * H),
    ];
    for (a, b, expected) in cases {
        let got = cal.business_seconds_between(ldn(a), ldn(b));
        assert_eq!(got, expected, "from {a} to {b}");
    }
    let t = ldn("2026-12-23 11:11");
    for secs in [1, H, 8 * H, 40 * H, 1000 * H] {
        assert_eq!(
            cal.business_seconds_between(t, cal.add_business_seconds(t, secs)),
            secs
        );
    }
}

#[test]
fn add_business_days_keeps_wall_clock_time() {
    let cases = [
        ("2026-06-05 15:00", 1, "2026-06-08 15:00"),
        ("2026-06-05 15:00", 5, "2026-06-12 15:00"),
        ("2026-12-24 10:00", 1, "2026-12-29 10:00"),
        // From a Saturday the clock starts at Monday's opening.
        ("2026-06-06 12:00", 1, "2026-06-09 09:00"),
        ("2026-06-06 12:00", 0, "2026-06-08 09:00"),
    ];
    for (from, days, expected) in cases {
        let got = LONDON.add_business_days(ldn(from), days);
        assert_eq!(got, ldn(expected), "{days} days from {from}");
    }
}

#[test]
fn add_business_days_clamps_to_the_target_day() {
    let mut h = (0..4)
        .map(|d| hours(d, "09:00", "17:30"))
        .collect::<Vec<_>>();
    h.push(hours(4, "09:00", "13:00"));
    let short_friday = calendar("Europe/London", h, &[]);
    let split_tuesday = calendar(
        "Europe/London",
        vec![
            hours(0, "07:00", "15:00"),
            hours(1, "09:00", "12:00"),
            hours(1, "13:00", "17:00"),
        ],
        &[],
    );
    let cases = [
        (&short_friday, "2026-06-04 15:00", 1, "2026-06-05 13:00"),
        (&short_friday, "2026-06-04 12:59", 1, "2026-06-05 12:59"),
        (&split_tuesday, "2026-06-01 08:00", 1, "2026-06-02 09:00"),
        (&split_tuesday, "2026-06-01 12:30", 1, "2026-06-02 13:00"),
        (&split_tuesday, "2026-06-01 14:00", 1, "2026-06-02 14:00"),
        (&split_tuesday, "2026-06-01 14:00", 2, "2026-06-08 14:00"),
    ];
    for (cal, from, days, expected) in cases {
        let got = cal.add_business_days(ldn(from), days);
        assert_eq!(got, ldn(expected), "{days} days from {from}");
    }
}

#[test]
fn end_of_business_day_in_and_out_of_hours() {
    let split = calendar(
        "Europe/London",
        vec![hours(1, "13:00", "17:00"), hours(1, "09:00", "12:00")],
        &[],
    );
    let cases = [
        (&*LONDON, "2026-06-01 10:00", "2026-06-01 17:30"),
        (&*LONDON, "2026-06-01 07:00", "2026-06-01 17:30"),
        (&*LONDON, "2026-06-01 17:30", "2026-06-02 17:30"),
        (&*LONDON, "2026-06-05 18:00", "2026-06-08 17:30"),
        (&*LONDON, "2026-12-24 18:00", "2026-12-29 17:30"),
        (&split, "2026-06-02 09:30", "2026-06-02 17:00"),
        (&split, "2026-06-02 12:30", "2026-06-02 17:00"),
    ];
    for (cal, from, expected) in cases {
        assert_eq!(
            cal.end_of_business_day(ldn(from)),
            ldn(expected),
            "from {from}"
        );
    }
}

#[test]
fn split_and_overlapping_windows_merge() {
    let cal = calendar(
        "Europe/London",
        vec![
            hours(0, "09:00", "12:00"),
            hours(0, "11:00", "13:00"),
            hours(0, "13:00", "14:00"),
            hours(0, "15:00", "16:00"),
        ],
        &[],
    );
    assert_eq!(
        cal.business_seconds_between(ldn("2026-06-01 00:00"), ldn("2026-06-02 00:00")),
        6 * H
    );
    assert!(cal.is_open(ldn("2026-06-01 13:00")));
    assert!(!cal.is_open(ldn("2026-06-01 14:30")));
    assert_eq!(
        cal.add_business_seconds(ldn("2026-06-01 13:30"), H),
        ldn("2026-06-01 15:30")
    );
}

#[test]
fn weekday_hours_are_local_across_london_clock_changes() {
    let cal = &*LONDON;
    // Spring forward on Sunday 2026-03-29: Monday opens at 08:00 UTC.
    assert_eq!(
        cal.add_business_seconds(ldn("2026-03-27 17:00"), H),
        utc("2026-03-30 08:30")
    );
    assert_eq!(
        cal.next_open(utc("2026-03-28 00:00")),
        utc("2026-03-30 08:00")
    );
    assert_eq!(
        cal.add_business_days(ldn("2026-03-27 15:00"), 1),
        utc("2026-03-30 14:00")
    );
    // Fall back on Sunday 2026-10-25: Friday closes at 16:30 UTC, Monday opens at 09:00 UTC.
    assert_eq!(
        cal.add_business_seconds(ldn("2026-10-23 17:00"), H),
        utc("2026-10-26 09:30")
    );
    assert_eq!(
        cal.end_of_business_day(ldn("2026-10-23 10:00")),
        utc("2026-10-23 16:30")
    );
    assert_eq!(
        cal.business_seconds_between(ldn("2026-10-23 12:00"), ldn("2026-10-26 12:00")),
        17 * H / 2
    );
}

/// Hours 00:00-04:00 on Sundays span the 01:00 UTC clock change in London (3 or 5 real hours)
/// and the 02:00 local change in New York.
#[test]
fn a_window_spanning_the_clock_change_has_its_real_length() {
    for (tz, spring, fall, normal) in [
        ("Europe/London", "2026-03-29", "2026-10-25", "2026-06-07"),
        ("America/New_York", "2026-03-08", "2026-11-01", "2026-06-07"),
    ] {
        let cal = calendar(tz, vec![hours(6, "00:00", "04:00")], &[]);
        let sunday = |date: &str| {
            let start = at(tz, &format!("{date} 00:00"));
            cal.business_seconds_between(start - 86_400, start + 2 * 86_400)
        };
        assert_eq!(sunday(spring), 3 * H, "{tz} {spring}");
        assert_eq!(sunday(fall), 5 * H, "{tz} {fall}");
        assert_eq!(sunday(normal), 4 * H, "{tz} {normal}");
        let open = at(tz, &format!("{fall} 00:00"));
        assert_eq!(cal.add_business_seconds(open, 5 * H), open + 5 * H);
        assert_eq!(cal.end_of_business_day(open), open + 5 * H);
    }
    // In London the second 01:30 of 2026-10-25 is still within the window.
    let cal = calendar("Europe/London", vec![hours(6, "00:00", "04:00")], &[]);
    assert!(cal.is_open(utc("2026-10-25 01:30")));
    assert!(cal.is_open(utc("2026-10-25 03:59")));
    assert!(!cal.is_open(utc("2026-10-25 04:00")));
    assert_eq!(
        cal.end_of_business_day(utc("2026-03-28 12:00")),
        utc("2026-03-29 03:00")
    );
}

#[test]
fn nonexistent_local_times_map_to_the_end_of_the_gap() {
    // 02:30 does not exist in New York on 2026-03-08; the gap ends at 03:00 EDT = 07:00 UTC.
    let cal = calendar("America/New_York", vec![hours(6, "02:30", "05:00")], &[]);
    assert_eq!(
        cal.next_open(utc("2026-03-07 12:00")),
        utc("2026-03-08 07:00")
    );
    assert_eq!(
        cal.end_of_business_day(utc("2026-03-07 12:00")),
        utc("2026-03-08 09:00")
    );
    // A window entirely inside the gap has no working time that day.
    let cal = calendar(
        "America/New_York",
        vec![hours(6, "02:00", "02:45"), hours(0, "09:00", "10:00")],
        &[],
    );
    assert_eq!(
        cal.next_open(utc("2026-03-07 12:00")),
        at("America/New_York", "2026-03-09 09:00")
    );
    // `1bd` landing in the gap: the same wall-clock time does not exist on the target day.
    let cal = calendar(
        "America/New_York",
        vec![hours(5, "00:00", "23:00"), hours(6, "00:00", "23:00")],
        &[],
    );
    let saturday = at("America/New_York", "2026-03-07 02:30");
    assert_eq!(cal.add_business_days(saturday, 1), utc("2026-03-08 07:00"));
}

#[test]
fn ambiguous_local_times_use_the_earlier_instant() {
    // 01:30 happens twice in New York on 2026-11-01; the window opens at 01:30 EDT = 05:30 UTC
    // and closes at 03:00 EST = 08:00 UTC.
    let cal = calendar("America/New_York", vec![hours(6, "01:30", "03:00")], &[]);
    assert_eq!(
        cal.next_open(utc("2026-10-31 12:00")),
        utc("2026-11-01 05:30")
    );
    assert_eq!(
        cal.end_of_business_day(utc("2026-10-31 12:00")),
        utc("2026-11-01 08:00")
    );
    assert_eq!(
        cal.business_seconds_between(utc("2026-10-31 12:00"), utc("2026-11-02 00:00")),
        5 * H / 2
    );
}

#[test]
fn always_open_is_wall_time() {
    let cal = BusinessCalendar::always_open();
    let t = utc("2026-06-06 12:34");
    assert!(cal.is_open(t));
    assert_eq!(cal.next_open(t), t);
    assert_eq!(cal.add_business_seconds(t, 10 * H), t + 10 * H);
    assert_eq!(cal.add_business_seconds(t, -1), t);
    assert_eq!(cal.add_business_days(t, 2), utc("2026-06-08 12:34"));
    assert_eq!(cal.end_of_business_day(t), utc("2026-06-07 00:00"));
    assert_eq!(cal.business_seconds_between(t, t + 99), 99);
    assert_eq!(cal.add_business_seconds(i64::MAX - 1, 10), i64::MAX);
}

#[test]
fn invalid_specs_are_reported() {
    let cases = [
        (
            spec("Mars/Olympus", weekdays("09:00", "17:00"), &[]),
            CalendarError::UnknownTimezone("Mars/Olympus".to_owned()),
            "unknown time zone `Mars/Olympus`",
        ),
        (
            spec("UTC", vec![hours(2, "10:00", "10:00")], &[]),
            CalendarError::EmptyHours(2),
            "working hours on Wednesday close at or before they open",
        ),
        (
            spec("UTC", vec![hours(9, "10:00", "11:00")], &[]),
            CalendarError::EmptyHours(9),
            "working hours name weekday `9`, which does not exist",
        ),
        (
            spec("UTC", vec![], &[]),
            CalendarError::NoWorkingHours,
            "calendar has no working hours on any day",
        ),
    ];
    for (invalid, expected, message) in cases {
        let e = BusinessCalendar::new(&invalid).unwrap_err();
        assert_eq!(invalid.validate(), Err(e.clone()));
        assert_eq!(e, expected);
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn weekly_open_seconds_merge_overlapping_windows_and_ignore_holidays() {
    let mut split = weekdays("09:00", "17:30");
    split.push(hours(0, "17:00", "19:00"));
    let s = spec("Europe/London", split, &["2026-12-25"]);
    assert_eq!(s.validate(), Ok(()));
    assert_eq!(s.weekly_open_secs(), Ok(5 * 30_600 + 5_400));
    let cal =
        BusinessCalendar::new(&spec("Europe/London", weekdays("09:00", "17:30"), &[])).unwrap();
    let monday = utc("2026-01-05 00:00");
    assert_eq!(
        cal.business_seconds_between(monday, monday + 7 * 86_400),
        5 * 30_600
    );
}

#[test]
fn spec_round_trips_through_json_with_iso_dates() {
    let s = spec(
        "Europe/London",
        vec![hours(0, "09:00", "17:30")],
        &["2026-12-25"],
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(r#""holidays":["2026-12-25"]"#), "{json}");
    assert_eq!(serde_json::from_str::<CalendarSpec>(&json).unwrap(), s);
}

#[test]
fn outside_the_table_answers_continue_seamlessly() {
    let cal = &*LONDON;
    // 2100-12-31 is a Friday; 2101-01-03 is a Monday, computed on the fly.
    assert_eq!(
        cal.add_business_seconds(utc("2100-12-31 17:00"), H),
        utc("2101-01-03 09:30")
    );
    assert_eq!(
        cal.add_business_days(utc("2100-12-31 10:00"), 1),
        utc("2101-01-03 10:00")
    );
    assert_eq!(
        cal.end_of_business_day(utc("2100-12-31 18:00")),
        utc("2101-01-03 17:30")
    );
    // 1999-12-31 is a Friday, 2000-01-03 the first Monday of the table.
    assert_eq!(
        cal.add_business_seconds(utc("1999-12-31 17:00"), H),
        utc("2000-01-03 09:30")
    );
    assert_eq!(
        cal.add_business_days(utc("1999-12-30 10:00"), 2),
        utc("2000-01-03 10:00")
    );
    assert!(cal.is_open(utc("1985-07-01 12:00")));
    assert_eq!(
        cal.business_seconds_between(utc("1999-12-31 12:00"), utc("2000-01-03 12:00")),
        17 * H / 2
    );
}

#[test]
fn extreme_inputs_saturate_without_panicking() {
    let cal = &*LONDON;
    let t = ldn("2026-06-01 10:00");
    assert_eq!(cal.add_business_seconds(t, i64::MAX), i64::MAX);
    assert_eq!(cal.add_business_days(t, u32::MAX), i64::MAX);
    assert_eq!(cal.next_open(i64::MAX), i64::MAX);
    assert_eq!(cal.next_open(i64::MIN), i64::MAX);
    assert!(!cal.is_open(i64::MIN));
    assert_eq!(cal.end_of_business_day(i64::MAX), i64::MAX);
    assert!(cal.business_seconds_between(i64::MIN, i64::MAX) > 0);
    assert_eq!(
        cal.add_business_seconds(utc("1900-01-01 00:00"), 1_000_000 * H),
        i64::MAX
    );
}

/// New York, every day 00:00-04:00 (spanning the clock changes) and 10:00-12:00, 13:00-20:00
/// on weekdays, with a holiday: exercises split shifts, gaps and overlaps in the property test.
static NEW_YORK: LazyLock<BusinessCalendar> = LazyLock::new(|| {
    let mut h: Vec<WorkingHours> = (0..7).map(|d| hours(d, "00:00", "04:00")).collect();
    h.extend((0..5).flat_map(|d| [hours(d, "10:00", "12:00"), hours(d, "13:00", "20:00")]));
    calendar("America/New_York", h, &["2026-07-03"])
});

/// The precomputed table of a calendar with hours.
fn table_of(cal: &BusinessCalendar) -> &Table {
    match &cal.kind {
        Kind::Hours(h) => &h.table,
        Kind::AlwaysOpen => unreachable!("the test calendars have hours"),
    }
}

proptest! {
    #[test]
    fn add_and_between_are_inverse_and_monotonic(
        which in 0..2usize,
        t in utc("1995-01-01 00:00")..utc("2106-01-01 00:00"),
        a in 0..10_000_000i64,
        b in 0..10_000_000i64,
    ) {
        let cal = if which == 0 { &*LONDON } else { &*NEW_YORK };
        let r = cal.add_business_seconds(t, a);
        prop_assert_eq!(cal.business_seconds_between(t, r), a);
        prop_assert!(cal.is_open(r) || cal.is_open(r - 1), "{} is neither open nor a close", r);
        prop_assert!(r >= t);
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(cal.add_business_seconds(t, lo) <= cal.add_business_seconds(t, hi));
    }

    /// The day index finds the interval a search through every interval finds, across the
    /// table, its edges and daylight-saving days.
    #[test]
    fn the_day_index_agrees_with_a_full_search(
        which in 0..2usize,
        t in utc("1999-12-30 00:00")..utc("2101-01-02 00:00"),
    ) {
        let table = table_of(if which == 0 { &LONDON } else { &NEW_YORK });
        prop_assert_eq!(
            table.first_ending_after(t),
            table.ends.partition_point(|&e| e <= t)
        );
    }
}

#[test]
fn the_day_index_agrees_at_every_interval_edge() {
    for cal in [&*LONDON, &*NEW_YORK] {
        let table = table_of(cal);
        for &edge in table.starts.iter().chain(&table.ends).step_by(7) {
            for t in [edge - 1, edge, edge + 1] {
                assert_eq!(
                    table.first_ending_after(t),
                    table.ends.partition_point(|&e| e <= t),
                    "at {t}"
                );
            }
        }
    }
}
