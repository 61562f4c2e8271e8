//! Value parsers for numeric options, so every out-of-range number gets one message:
//! "`--days` must be above 0 and at most 36500, got `-5`".
//!
//! clap's own parsers answer a negative number with a tip about `--`, a number too large for the
//! type with the type's range, and a number the type holds but the command refuses not at all;
//! these parsers read any number text (negatives included) and check the command's range.

use std::fmt::Display;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;

/// A whole-number option that must lie in `min..=max`.
#[derive(Debug, Clone, Copy)]
pub struct Whole<T> {
    min: i128,
    max: i128,
    _type: std::marker::PhantomData<T>,
}

/// The parser of a whole-number option taking `min` to `max`, both included.
pub fn whole<T>(min: impl Into<i128>, max: impl Into<i128>) -> Whole<T> {
    Whole {
        min: min.into(),
        max: max.into(),
        _type: std::marker::PhantomData,
    }
}

impl<T> TypedValueParser for Whole<T>
where
    T: TryFrom<i128> + Clone + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        let range = format!("{} to {}", self.min, self.max);
        let fail = |what: &str| refuse(cmd, arg, what, &text);
        let n: i128 = match text.trim().parse() {
            Ok(n) => n,
            // Too many digits for any integer type is still a number out of range.
            Err(_) if is_integer_text(&text) => return Err(fail(&range)),
            Err(_) => return Err(fail(&format!("a whole number from {range}"))),
        };
        if !(self.min..=self.max).contains(&n) {
            return Err(fail(&range));
        }
        T::try_from(n).map_err(|_| fail(&range))
    }
}

/// A number of days above zero and at most `max`.
#[derive(Debug, Clone, Copy)]
pub struct Days {
    max: f64,
}

/// The parser of `--days`: a positive number of days (fractions allowed) up to `max`.
pub fn days(max: f64) -> Days {
    Days { max }
}

impl TypedValueParser for Days {
    type Value = f64;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<f64, clap::Error> {
        let text = value.to_string_lossy();
        let wanted = format!("above 0 and at most {}", self.max);
        match text.trim().parse::<f64>() {
            Ok(d) if d.is_finite() && d > 0.0 && d <= self.max => Ok(d),
            Ok(d) if d.is_finite() => Err(refuse(cmd, arg, &wanted, &text)),
            _ => Err(refuse(cmd, arg, &format!("a number {wanted}"), &text)),
        }
    }
}

/// A span written as a duration (`14d`, `36h`, `90m`, `2w`, `0d`), in whole seconds, at most
/// `max_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    max_secs: i64,
}

/// The parser of `--warm-up`: a duration with a unit, as playbooks write them, from zero.
pub fn span(max_secs: i64) -> Span {
    Span { max_secs }
}

impl TypedValueParser for Span {
    type Value = i64;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<i64, clap::Error> {
        let text = value.to_string_lossy();
        let trimmed = text.trim();
        let unit = |suffix: &str, secs: f64| {
            let n: f64 = trimmed.strip_suffix(suffix)?.parse().ok()?;
            Some(n * secs)
        };
        let secs = unit("m", 60.0)
            .or_else(|| unit("h", 3_600.0))
            .or_else(|| unit("d", 86_400.0))
            .or_else(|| unit("w", 604_800.0));
        let days = self.max_secs / 86_400;
        match secs {
            Some(s) if s.is_finite() && s >= 0.0 && s <= self.max_secs as f64 => {
                Ok(s.round() as i64)
            }
            _ => Err(refuse(
                cmd,
                arg,
                &format!("a duration from `0d` to `{days}d` (units `m`, `h`, `d`, `w`)"),
                &text,
            )),
        }
    }
}

/// Whether `text` is an optional sign followed by digits only.
fn is_integer_text(text: &str) -> bool {
    let digits = text.trim().strip_prefix(['-', '+']).unwrap_or(text.trim());
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The usage error "`--NAME` must be WANTED, got `TEXT`", with clap's usage lines after it.
fn refuse(
    cmd: &clap::Command,
    arg: Option<&clap::Arg>,
    wanted: &str,
    text: &impl Display,
) -> clap::Error {
    let name = arg.map_or_else(
        || "the value".to_string(),
        |a| {
            a.get_long()
                .map_or_else(|| a.get_id().to_string(), |l| format!("`--{l}`"))
        },
    );
    clap::Error::raw(
        ErrorKind::ValueValidation,
        format!("{name} must be {wanted}, got `{text}`\n"),
    )
    .with_cmd(cmd)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Opts {
        #[arg(long, allow_negative_numbers = true, value_parser = whole::<u32>(1, 10_000u32))]
        replications: Option<u32>,
        #[arg(long, allow_negative_numbers = true, value_parser = days(36_500.0))]
        days: Option<f64>,
        #[arg(long = "warm-up", allow_negative_numbers = true, value_parser = span(86_400 * 100))]
        warm_up: Option<i64>,
    }

    fn error(args: &[&str]) -> String {
        let e = Opts::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap_err()
            .to_string();
        e.lines().next().unwrap().to_string()
    }

    #[test]
    fn every_out_of_range_number_gets_the_same_wording() {
        for (value, shown) in [("0", "0"), ("-5", "-5"), ("99999999999", "99999999999")] {
            assert_eq!(
                error(&["--replications", value]),
                format!("error: `--replications` must be 1 to 10000, got `{shown}`")
            );
        }
        assert_eq!(
            error(&["--replications", "123456789012345678901234567890123456789012"]),
            "error: `--replications` must be 1 to 10000, got `123456789012345678901234567890123456789012`"
        );
        assert_eq!(
            error(&["--replications", "ten"]),
            "error: `--replications` must be a whole number from 1 to 10000, got `ten`"
        );
        assert_eq!(
            error(&["--days", "-5"]),
            "error: `--days` must be above 0 and at most 36500, got `-5`"
        );
        assert_eq!(
            error(&["--days", "soon"]),
            "error: `--days` must be a number above 0 and at most 36500, got `soon`"
        );
        for bad in ["14", "-2", "3y", "101d"] {
            assert_eq!(
                error(&["--warm-up", bad]),
                format!("error: `--warm-up` must be a duration from `0d` to `100d` (units `m`, `h`, `d`, `w`), got `{bad}`")
            );
        }
        let spans = ["0d", "90m", "36h", "1.5d", "2w"].map(|s| {
            Opts::try_parse_from(["t", "--warm-up", s])
                .unwrap()
                .warm_up
                .unwrap()
        });
        assert_eq!(spans, [0, 5_400, 129_600, 129_600, 1_209_600]);
        let ok = Opts::try_parse_from(["t", "--replications", "10000", "--days", "0.5"]).unwrap();
        assert_eq!((ok.replications, ok.days), (Some(10_000), Some(0.5)));
    }
}
