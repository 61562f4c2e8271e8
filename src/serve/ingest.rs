//! The body of `POST /v1/events` as event lines, and the answer built from what became of each.
//!
//! `application/json` takes one event object or an array of them; `application/x-ndjson` (or
//! `application/jsonl`) takes one event a line. Valid lines of a request are applied even when
//! others are not: 200 when every line was accepted or a repeat, 207 with per-line results when
//! some were rejected and others applied, 422 when every line was rejected (docs/serve.md).

use crate::live::deployment::{Line, Outcome};
use crate::live::input::Unreadable;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value as Json;

/// Why a body holds no lines to commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Neither JSON nor JSON lines (415).
    MediaType(String),
    /// Not JSON, or no events (400).
    Malformed(String),
}

/// The event lines of a body, numbered from 1 in the order sent.
pub fn lines(content_type: Option<&str>, body: &[u8]) -> Result<Vec<Line>, BodyError> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase());
    let texts = match media.as_deref() {
        Some("application/json") | None => json_lines(body)?,
        Some("application/x-ndjson" | "application/jsonl") => ndjson_lines(body),
        Some(other) => {
            return Err(BodyError::MediaType(format!(
                "content type `{other}` is not `application/json` or `application/x-ndjson`"
            )))
        }
    };
    if texts.is_empty() {
        return Err(BodyError::Malformed("the body holds no events".into()));
    }
    Ok((texts.into_iter().enumerate())
        .map(|(i, text)| Line {
            text,
            number: i + 1,
            after: None,
        })
        .collect())
}

/// One object, or each element of an array, as its JSON text.
fn json_lines(body: &[u8]) -> Result<Vec<Result<String, Unreadable>>, BodyError> {
    let value: Json = serde_json::from_slice(body)
        .map_err(|e| BodyError::Malformed(format!("the body is not JSON: {e}")))?;
    Ok(match value {
        Json::Array(items) => (items.iter())
            .map(|item| Ok(serde_json::to_string(item).unwrap_or_default()))
            .collect(),
        other => vec![Ok(serde_json::to_string(&other).unwrap_or_default())],
    })
}

/// Each non-blank line; a line that is not UTF-8 is kept (replaced) for its dead letter.
fn ndjson_lines(body: &[u8]) -> Vec<Result<String, Unreadable>> {
    (body.split(|&b| b == b'\n'))
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| match std::str::from_utf8(l) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(Unreadable::not_utf8(l)),
        })
        .collect()
}

/// The answer to a request whose lines were committed.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// Lines applied.
    pub accepted: usize,
    /// Lines dropped as repeats of an accepted `(source, id)`.
    pub duplicates: usize,
    /// Lines rejected, in dead letters.
    pub rejected: usize,
    /// Events an adapter's mapping does not name, neither applied nor rejected.
    pub skipped: usize,
    /// What became of each line, in the order sent.
    pub results: Vec<LineResult>,
}

/// What became of one line.
#[derive(Debug, Serialize)]
pub struct LineResult {
    /// Its index in the request, from 0.
    pub index: usize,
    /// `accepted`, `duplicate`, `rejected` or `skipped`.
    pub status: &'static str,
    /// Why it was rejected, as the decoder says it (`line N` counts from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The per-line answer and its status code, from what became of each line in the order sent;
/// `None` is an event an adapter's mapping skips.
pub fn answer(outcomes: impl IntoIterator<Item = Option<Outcome>>) -> (StatusCode, Answer) {
    let mut answer = Answer {
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        skipped: 0,
        results: Vec::new(),
    };
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let (count, status, error) = match outcome {
            Some(Outcome::Accepted) => (&mut answer.accepted, "accepted", None),
            Some(Outcome::Duplicate) => (&mut answer.duplicates, "duplicate", None),
            Some(Outcome::Rejected(why)) => (&mut answer.rejected, "rejected", Some(why)),
            None => (&mut answer.skipped, "skipped", None),
        };
        *count += 1;
        answer.results.push(LineResult {
            index,
            status,
            error,
        });
    }
    let code = match (answer.rejected, answer.accepted + answer.duplicates) {
        (0, _) => StatusCode::OK,
        (_, 0) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::MULTI_STATUS,
    };
    (code, answer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.text.clone().unwrap()).collect()
    }

    #[test]
    fn one_object_an_array_or_json_lines() {
        let one = lines(Some("application/json"), br#"{"id":"a"}"#).unwrap();
        assert_eq!(texts(&one), [r#"{"id":"a"}"#]);
        let array = lines(None, br#"[{"id":"a"}, {"id":"b"}]"#).unwrap();
        assert_eq!(texts(&array), [r#"{"id":"a"}"#, r#"{"id":"b"}"#]);
        let nd = lines(
            Some("application/x-ndjson"),
            b"{\"id\":\"a\"}\r\n\n{\"id\":\"b\"}\n",
        )
        .unwrap();
        assert_eq!(texts(&nd), [r#"{"id":"a"}"#, r#"{"id":"b"}"#]);
        assert_eq!(nd[1].number, 2);
    }

    #[test]
    fn bodies_without_events_are_refused() {
        assert!(matches!(lines(None, b"[]"), Err(BodyError::Malformed(_))));
        assert!(matches!(lines(None, b"{"), Err(BodyError::Malformed(_))));
        assert!(matches!(
            lines(Some("text/plain"), b"{}"),
            Err(BodyError::MediaType(_))
        ));
    }

    #[test]
    fn status_codes_follow_the_partial_batch_rule() {
        let rejected = || Some(Outcome::Rejected("no".into()));
        assert_eq!(
            answer([Some(Outcome::Accepted), Some(Outcome::Duplicate), None]).0,
            StatusCode::OK
        );
        assert_eq!(
            answer([Some(Outcome::Accepted), rejected()]).0,
            StatusCode::MULTI_STATUS
        );
        assert_eq!(
            answer([rejected(), None]).0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
