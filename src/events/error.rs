//! Why an event line was refused: a value, so the live runner can put it in dead letters and the
//! command line can print it, both with the line number and the field at fault.

use std::fmt;

/// One refused event line: where, which field, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    /// Line number in the input, from 1.
    pub line: usize,
    /// The attribute at fault as a path (`type`, `data.kind`), or `None` for the whole line.
    pub field: Option<String>,
    /// What kind of mistake it is, for callers that sort refused lines.
    pub kind: ErrorKind,
    /// What was expected and what was found, in words.
    pub message: String,
}

/// The kinds of mistakes an event line can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The line is not one JSON object.
    NotJson,
    /// A required attribute is absent.
    Missing,
    /// An attribute or value has the wrong JSON type.
    WrongType,
    /// `time` is not an RFC 3339 time with an offset.
    BadTime,
    /// `type` names no playbook event and no reserved type.
    UnknownType,
    /// An attribute, field or lead attribute the playbook does not declare.
    UnknownField,
    /// A name the playbook does not declare in that place: an enum value, a reason, a seller, an
    /// outcome.
    UnknownName,
    /// A valid line the engine cannot take yet (lead merges).
    Unsupported,
}

impl EventError {
    /// An error about one field of the line.
    pub(super) fn at(line: usize, field: &str, kind: ErrorKind, message: String) -> EventError {
        EventError {
            line,
            field: Some(field.to_owned()),
            kind,
            message,
        }
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: `{field}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for EventError {}
