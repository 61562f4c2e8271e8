//! Event lines, version 1 (`docs/events.md`): how the outside world tells the engine what
//! happened to a lead, one JSON object per line with CloudEvents-style attribute names.
//!
//! [`decode_line`] is the one place names become engine ids, shared by everything that reads
//! event lines (the live runner, replay, playbook tests, the simulator's emitted logs), so a line
//! means the same thing everywhere. It is pure: no I/O, no clock, no state between lines.

mod actions;
mod error;
#[cfg(test)]
mod tests;

pub use actions::value_json;
pub use actions::{ActionLine, Effect};
pub use error::{ErrorKind, EventError};

use crate::calendar::Timestamp;
use crate::diagnostics::suggest::did_you_mean;
use crate::engine::{Input, TouchOutcome};
use crate::ir::{EventId, FieldDef, FieldId, FieldType, Playbook, ReasonId, SellerId, Value};
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// The version of the event-line format this module reads.
pub const VERSION: u64 = 1;

/// Reserved type: a new lead arrives, `data` holds its attributes by name.
pub const LEAD_CREATED: &str = "handoff.lead.created";
/// Reserved type: one lead attribute changed, `data` holds it by name.
pub const LEAD_UPDATED: &str = "handoff.lead.updated";
/// Reserved type: two CRM leads became one; refused until the engine takes merges.
pub const LEAD_MERGED: &str = "handoff.lead.merged";
/// Reserved type: a seller took the lead, `data.seller` optionally names who.
pub const SELLER_PICKUP: &str = "handoff.seller.pickup";
/// Reserved type: a seller's outreach attempt, `data.outcome` says how it went.
pub const SELLER_TOUCH: &str = "handoff.seller.touch";
/// Reserved type: a seller recorded a reason code, `data.reason` names it.
pub const SELLER_DISPOSITION: &str = "handoff.seller.disposition";
/// Reserved type: a seller, `data.seller`, is away and is offered no leads; about no lead.
pub const SELLER_AWAY: &str = "handoff.seller.away";
/// Reserved type: a seller, `data.seller`, is back and is offered leads again; about no lead.
pub const SELLER_BACK: &str = "handoff.seller.back";

/// Every reserved type. They contain dots, which playbook names cannot, so they never clash
/// with a playbook event.
pub const RESERVED_TYPES: [&str; 8] = [
    LEAD_CREATED,
    LEAD_UPDATED,
    LEAD_MERGED,
    SELLER_PICKUP,
    SELLER_TOUCH,
    SELLER_DISPOSITION,
    SELLER_AWAY,
    SELLER_BACK,
];

/// The top-level attributes a line may have.
const ATTRIBUTES: [&str; 8] = [
    "id", "source", "type", "lead", "time", "data", "campaign", "version",
];

/// One decoded line: who it is about, when it happened, and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The system that sent it; with `id`, the key that makes a re-sent line recognisable.
    pub source: String,
    /// Unique within `source`.
    pub id: String,
    /// When it happened, in seconds since the epoch.
    pub time: Timestamp,
    /// Who it is about and what it means.
    pub subject: Subject,
}

/// What a line is about: a lead (most lines) or a seller's availability.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Something happened to a lead.
    Lead {
        /// The CRM's lead id, any string.
        lead: String,
        /// What it means to the engine.
        input: Input,
    },
    /// A seller went away or came back, which routing reads.
    Seller {
        /// The seller.
        seller: SellerId,
        /// Away (`true`) or back.
        away: bool,
    },
}

impl Decoded {
    /// The lead's id, for a line about a lead.
    pub fn lead(&self) -> Option<&str> {
        match &self.subject {
            Subject::Lead { lead, .. } => Some(lead),
            Subject::Seller { .. } => None,
        }
    }

    /// The engine input, for a line about a lead.
    pub fn input(&self) -> Option<&Input> {
        match &self.subject {
            Subject::Lead { input, .. } => Some(input),
            Subject::Seller { .. } => None,
        }
    }
}

/// Decodes one event line against a playbook, naming `line` (from 1) in any error.
pub fn decode_line(playbook: &Playbook, line: usize, text: &str) -> Result<Decoded, EventError> {
    let object = parse_object(line, text)?;
    check_attributes(line, &object)?;
    check_version(line, &object)?;
    // Attributes are checked in the order the format lists them, so the first error reported
    // is the first attribute at fault.
    let id = required_str(line, &object, "id")?.to_owned();
    let source = required_str(line, &object, "source")?.to_owned();
    let kind = required_str(line, &object, "type")?;
    let cx = Cx { playbook, line };
    if kind == SELLER_AWAY || kind == SELLER_BACK {
        if object.contains_key("lead") {
            return Err(EventError::at(
                line,
                "lead",
                ErrorKind::UnknownField,
                format!("`{kind}` is about a seller, not a lead: leave `lead` out"),
            ));
        }
        let time = time_of(line, &object)?;
        let data = data_of(line, &object)?;
        campaign_of(line, &object, kind)?;
        let seller = cx.seller_status(kind, data)?;
        return Ok(Decoded {
            source,
            id,
            time,
            subject: Subject::Seller {
                seller,
                away: kind == SELLER_AWAY,
            },
        });
    }
    let lead = required_str(line, &object, "lead")?.to_owned();
    let time = time_of(line, &object)?;
    let data = data_of(line, &object)?;
    let campaign = campaign_of(line, &object, kind)?;
    let input = cx.input(kind, data, campaign)?;
    Ok(Decoded {
        source,
        id,
        time,
        subject: Subject::Lead { lead, input },
    })
}

/// Decoding context: the playbook names resolve against and the line number errors carry.
struct Cx<'a> {
    playbook: &'a Playbook,
    line: usize,
}

impl Cx<'_> {
    fn input(
        &self,
        kind: &str,
        data: &Map<String, Json>,
        campaign: Option<&str>,
    ) -> Result<Input, EventError> {
        match kind {
            LEAD_CREATED => Ok(Input::Arrive {
                attributes: self.attributes(data)?,
                source: campaign.map(Arc::from),
            }),
            LEAD_UPDATED => self.update(data),
            LEAD_MERGED => Err(EventError::at(
                self.line,
                "type",
                ErrorKind::Unsupported,
                format!("`{LEAD_MERGED}` is not supported yet: the engine takes no lead merges"),
            )),
            SELLER_PICKUP => self.pickup(data),
            SELLER_TOUCH => self.touch(data),
            SELLER_DISPOSITION => self.disposition(data),
            _ => self.event(kind, data),
        }
    }

    /// A playbook event, its fields by name; fields left out take their type's default.
    fn event(&self, kind: &str, data: &Map<String, Json>) -> Result<Input, EventError> {
        let Some(index) = self.playbook.events.iter().position(|e| e.name == kind) else {
            return Err(self.unknown_type(kind));
        };
        let def = self
            .playbook
            .events
            .get(index)
            .map_or(&[][..], |e| &e.fields);
        let fields = self.values(def, data, &format!("event `{kind}`"))?;
        Ok(Input::Event {
            event: EventId(index as u32),
            fields,
        })
    }

    fn unknown_type(&self, kind: &str) -> EventError {
        let names = self.playbook.events.iter().map(|e| e.name.as_str());
        let hint = hint(did_you_mean(kind, names.chain(RESERVED_TYPES)));
        EventError::at(
            self.line,
            "type",
            ErrorKind::UnknownType,
            format!("expected an event of the playbook or a reserved `handoff.` type, found `{kind}`{hint}"),
        )
    }

    /// Lead attributes of a new lead, by name; attributes left out take their type's default.
    fn attributes(&self, data: &Map<String, Json>) -> Result<Vec<Value>, EventError> {
        self.values(&self.playbook.fields, data, "the lead")
    }

    /// One value per field of `defs`, in their order, from `data` by name.
    fn values(
        &self,
        defs: &[FieldDef],
        data: &Map<String, Json>,
        owner: &str,
    ) -> Result<Vec<Value>, EventError> {
        if let Some(key) = data.keys().find(|k| !defs.iter().any(|d| &d.name == *k)) {
            return Err(self.unknown_field(key, defs, owner));
        }
        defs.iter()
            .map(|def| match data.get(&def.name) {
                Some(json) => self.value(def, json),
                None => Ok(def.ty.default_value()),
            })
            .collect()
    }

    fn unknown_field(&self, key: &str, defs: &[FieldDef], owner: &str) -> EventError {
        let hint = hint(did_you_mean(key, defs.iter().map(|d| d.name.as_str())));
        EventError::at(
            self.line,
            &format!("data.{key}"),
            ErrorKind::UnknownField,
            format!("{owner} has no field `{key}`{hint}"),
        )
    }

    /// A JSON value as a value of the field's type.
    fn value(&self, def: &FieldDef, json: &Json) -> Result<Value, EventError> {
        let path = format!("data.{}", def.name);
        let wrong = |expected: &str| {
            EventError::at(
                self.line,
                &path,
                ErrorKind::WrongType,
                format!("expected {expected}, found {}", json_kind(json)),
            )
        };
        match (&def.ty, json) {
            (FieldType::Text, Json::String(s)) => Ok(Value::text(s.as_str())),
            (FieldType::Text, _) => Err(wrong("a string")),
            (FieldType::Number, Json::Number(n)) => n
                .as_f64()
                .map(Value::Number)
                .ok_or_else(|| wrong("a number")),
            (FieldType::Number, _) => Err(wrong("a number")),
            (FieldType::Flag, Json::Bool(b)) => Ok(Value::Flag(*b)),
            (FieldType::Flag, _) => Err(wrong("true or false")),
            (FieldType::OneOf { values }, Json::String(s)) => {
                self.enum_value(&path, values, s).map(Value::Enum)
            }
            (FieldType::OneOf { values }, _) => Err(wrong(&format!("one of {}", listed(values)))),
        }
    }

    fn enum_value(&self, path: &str, values: &[String], found: &str) -> Result<u16, EventError> {
        match values.iter().position(|v| v == found) {
            Some(index) => Ok(index as u16),
            None => {
                Err(self.unknown_name(path, "one of", values.iter().map(String::as_str), found))
            }
        }
    }

    /// One attribute change; several changes are several lines, since the engine re-evaluates
    /// the playbook after each.
    fn update(&self, data: &Map<String, Json>) -> Result<Input, EventError> {
        let mut entries = data.iter();
        let (Some((key, json)), None) = (entries.next(), entries.next()) else {
            return Err(EventError::at(
                self.line,
                "data",
                ErrorKind::WrongType,
                format!("expected exactly one lead attribute, found {}", data.len()),
            ));
        };
        let fields = &self.playbook.fields;
        let Some((index, def)) = fields.iter().enumerate().find(|(_, f)| &f.name == key) else {
            return Err(self.unknown_field(key, fields, "the lead"));
        };
        Ok(Input::SetField {
            field: FieldId(index as u32),
            value: self.value(def, json)?,
        })
    }

    fn pickup(&self, data: &Map<String, Json>) -> Result<Input, EventError> {
        self.only_keys(data, &["seller"], SELLER_PICKUP)?;
        let seller = match data.get("seller") {
            None | Some(Json::Null) => None,
            Some(json) => {
                let names = self.playbook.sellers.iter().map(|s| s.name.as_str());
                let index = self.name_in("seller", json, names, "a seller of the playbook")?;
                Some(SellerId(index as u32))
            }
        };
        Ok(Input::Pickup { seller })
    }

    /// The seller named by an away or back line.
    fn seller_status(&self, kind: &str, data: &Map<String, Json>) -> Result<SellerId, EventError> {
        self.only_keys(data, &["seller"], kind)?;
        let json = self.required(data, "seller")?;
        let names = self.playbook.sellers.iter().map(|s| s.name.as_str());
        let index = self.name_in("seller", json, names, "a seller of the playbook")?;
        Ok(SellerId(index as u32))
    }

    fn touch(&self, data: &Map<String, Json>) -> Result<Input, EventError> {
        self.only_keys(data, &["outcome"], SELLER_TOUCH)?;
        let json = self.required(data, "outcome")?;
        let names = TouchOutcome::ALL.iter().map(|(_, n)| *n);
        let index = self.name_in("outcome", json, names, "one of")?;
        let outcome = TouchOutcome::ALL
            .get(index)
            .map_or(TouchOutcome::NoAnswer, |(o, _)| *o);
        Ok(Input::Touch { outcome })
    }

    fn disposition(&self, data: &Map<String, Json>) -> Result<Input, EventError> {
        self.only_keys(data, &["reason"], SELLER_DISPOSITION)?;
        let json = self.required(data, "reason")?;
        let names = self.playbook.reasons.iter().map(|r| r.name.as_str());
        let index = self.name_in("reason", json, names, "a reason code of the playbook")?;
        Ok(Input::Disposition {
            reason: ReasonId(index as u32),
        })
    }

    /// Refuses keys of `data` other than `allowed`.
    fn only_keys(
        &self,
        data: &Map<String, Json>,
        allowed: &[&str],
        kind: &str,
    ) -> Result<(), EventError> {
        match data.keys().find(|k| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some(key) => Err(EventError::at(
                self.line,
                &format!("data.{key}"),
                ErrorKind::UnknownField,
                format!(
                    "`{kind}` has no field `{key}`{}; expected {}",
                    hint(did_you_mean(key, allowed.iter().copied())),
                    listed(allowed)
                ),
            )),
        }
    }

    fn required<'d>(&self, data: &'d Map<String, Json>, key: &str) -> Result<&'d Json, EventError> {
        data.get(key).ok_or_else(|| {
            EventError::at(
                self.line,
                &format!("data.{key}"),
                ErrorKind::Missing,
                "expected a value, found none".to_owned(),
            )
        })
    }

    /// The position of a string value among `names`.
    fn name_in<'n>(
        &self,
        key: &str,
        json: &Json,
        names: impl Iterator<Item = &'n str> + Clone,
        what: &str,
    ) -> Result<usize, EventError> {
        let path = format!("data.{key}");
        let Json::String(found) = json else {
            return Err(EventError::at(
                self.line,
                &path,
                ErrorKind::WrongType,
                format!("expected a string naming {what}, found {}", json_kind(json)),
            ));
        };
        match names.clone().position(|n| n == found) {
            Some(index) => Ok(index),
            None => Err(self.unknown_name(&path, what, names, found)),
        }
    }

    /// A name that is not among `names`; lists short sets, suggests a close name.
    fn unknown_name<'n>(
        &self,
        path: &str,
        what: &str,
        names: impl Iterator<Item = &'n str> + Clone,
        found: &str,
    ) -> EventError {
        let hint = hint(did_you_mean(found, names.clone()));
        let expected = if what == "one of" {
            format!("one of {}", listed(names))
        } else {
            what.to_owned()
        };
        EventError::at(
            self.line,
            path,
            ErrorKind::UnknownName,
            format!("expected {expected}, found `{found}`{hint}"),
        )
    }
}

/// The line as a JSON object.
fn parse_object(line: usize, text: &str) -> Result<Map<String, Json>, EventError> {
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(object)) => Ok(object),
        Ok(other) => Err(EventError {
            line,
            field: None,
            kind: ErrorKind::NotJson,
            message: format!("expected a JSON object, found {}", json_kind(&other)),
        }),
        Err(error) => Err(EventError {
            line,
            field: None,
            kind: ErrorKind::NotJson,
            message: format!("expected a JSON object: {error}"),
        }),
    }
}

/// Refuses top-level attributes the format does not define.
fn check_attributes(line: usize, object: &Map<String, Json>) -> Result<(), EventError> {
    match object.keys().find(|k| !ATTRIBUTES.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => Err(EventError::at(
            line,
            key,
            ErrorKind::UnknownField,
            format!(
                "unknown attribute{}; expected {}",
                hint(did_you_mean(key, ATTRIBUTES)),
                listed(ATTRIBUTES)
            ),
        )),
    }
}

/// Refuses a line written for another version of the format.
fn check_version(line: usize, object: &Map<String, Json>) -> Result<(), EventError> {
    match object.get("version") {
        None => Ok(()),
        Some(json) if json.as_u64() == Some(VERSION) => Ok(()),
        Some(json) => Err(EventError::at(
            line,
            "version",
            ErrorKind::WrongType,
            format!("expected {VERSION}, found {json}"),
        )),
    }
}

/// A required non-empty string attribute.
fn required_str<'o>(
    line: usize,
    object: &'o Map<String, Json>,
    key: &str,
) -> Result<&'o str, EventError> {
    match object.get(key) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s),
        None => Err(EventError::at(
            line,
            key,
            ErrorKind::Missing,
            "expected a non-empty string, found none".to_owned(),
        )),
        Some(other) => Err(EventError::at(
            line,
            key,
            ErrorKind::WrongType,
            format!("expected a non-empty string, found {}", json_kind(other)),
        )),
    }
}

/// `data`, an object; absent means empty.
fn data_of(line: usize, object: &Map<String, Json>) -> Result<&Map<String, Json>, EventError> {
    static EMPTY: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
    match object.get("data") {
        None => Ok(EMPTY.get_or_init(Map::new)),
        Some(Json::Object(data)) => Ok(data),
        Some(other) => Err(EventError::at(
            line,
            "data",
            ErrorKind::WrongType,
            format!("expected an object, found {}", json_kind(other)),
        )),
    }
}

/// `campaign`, the new lead's campaign source: a string, and only on lead creation.
fn campaign_of<'o>(
    line: usize,
    object: &'o Map<String, Json>,
    kind: &str,
) -> Result<Option<&'o str>, EventError> {
    match object.get("campaign") {
        None => Ok(None),
        Some(_) if kind != LEAD_CREATED => Err(EventError::at(
            line,
            "campaign",
            ErrorKind::UnknownField,
            format!("only `{LEAD_CREATED}` has a campaign"),
        )),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(EventError::at(
            line,
            "campaign",
            ErrorKind::WrongType,
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}

/// `time`, RFC 3339 with an offset; fractions of a second are dropped.
fn time_of(line: usize, object: &Map<String, Json>) -> Result<Timestamp, EventError> {
    let text = required_str(line, object, "time")?;
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) => Ok(time.timestamp()),
        Err(_) => {
            let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f");
            let why = if naive.is_ok() {
                "has no offset; add `Z` or one like `+01:00`"
            } else {
                "is not an RFC 3339 time"
            };
            Err(EventError::at(
                line,
                "time",
                ErrorKind::BadTime,
                format!("`{text}` {why} (expected e.g. `2026-06-01T10:00:00+01:00`)"),
            ))
        }
    }
}

/// What kind of JSON value this is, in words.
fn json_kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "true or false",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Names in backticks, comma-separated.
fn listed<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` (did you mean `x`?)`, or nothing.
fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}
