//! Self-describing serde for runtime values in persisted state and logged inputs.
//!
//! The IR writes a [`Value`] untagged, so an enum index and a number look the same in JSON (`0`)
//! and cannot be told apart when read back. Lead state and input logs must round-trip exactly
//! (live mode restores them after a crash), so here every value carries its kind:
//! `{"enum": 2}`, `{"number": 2.0}`, `{"flag": true}`, `{"text": "acme.com"}`.

use crate::ir::{FieldId, Value};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Tagged {
    Flag(bool),
    Number(f64),
    Enum(u16),
    Text(Arc<str>),
}

impl From<&Value> for Tagged {
    fn from(v: &Value) -> Tagged {
        match v {
            Value::Flag(b) => Tagged::Flag(*b),
            Value::Number(n) => Tagged::Number(*n),
            Value::Enum(i) => Tagged::Enum(*i),
            Value::Text(t) => Tagged::Text(t.clone()),
        }
    }
}

impl From<Tagged> for Value {
    fn from(t: Tagged) -> Value {
        match t {
            Tagged::Flag(b) => Value::Flag(b),
            Tagged::Number(n) => Value::Number(n),
            Tagged::Enum(i) => Value::Enum(i),
            Tagged::Text(t) => Value::Text(t),
        }
    }
}

/// `#[serde(with = "tagged::value")]` for one value.
pub(crate) mod value {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        Tagged::from(v).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Tagged::deserialize(d).map(Value::from)
    }
}

/// `#[serde(with = "tagged::values")]` for a list of values.
pub(crate) mod values {
    use super::*;

    pub fn serialize<S: Serializer>(vs: &[Value], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(vs.iter().map(Tagged::from))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        Vec::<Tagged>::deserialize(d).map(|ts| ts.into_iter().map(Value::from).collect())
    }
}

/// `#[serde(with = "tagged::field_values")]` for `(field, value)` pairs.
pub(crate) mod field_values {
    use super::*;

    pub fn serialize<S: Serializer>(vs: &[(FieldId, Value)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(vs.iter().map(|(f, v)| (f, Tagged::from(v))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(FieldId, Value)>, D::Error> {
        Vec::<(FieldId, Tagged)>::deserialize(d)
            .map(|ts| ts.into_iter().map(|(f, t)| (f, Value::from(t))).collect())
    }
}
