//! The fields and events a playbook declares, and the values they take.

use super::*;

/// A typed lead or event field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// Type.
    pub ty: FieldType,
}

/// Field types; enum values are stored as indices into `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// Yes or no.
    Flag,
    /// One of a closed set.
    OneOf {
        /// Allowed values in declaration order; a value is its index here.
        values: Vec<String>,
    },
}

/// A runtime value of a field. Text is shared (`Arc`) because simulated populations draw the
/// same few strings millions of times, and behind a thin pointer (`Arc<String>`, not the fat
/// `Arc<str>`) so a value takes 16 bytes instead of 24: a million live leads hold seven each.
///
/// Tagged in JSON because an enum index and a whole number would otherwise both be written as
/// a bare number and could not be told apart when the IR is read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// Yes or no.
    Flag(bool),
    /// A number.
    Number(f64),
    /// Index into the field's `OneOf` values.
    Enum(u16),
    /// Text.
    Text(Arc<String>),
}

impl FieldType {
    /// The value a field takes when nothing sets it (a scenario without a generator for it, an
    /// event input that leaves it out): the first enum value, 0, no, or empty text.
    pub fn default_value(&self) -> Value {
        match self {
            FieldType::Text => Value::text(""),
            FieldType::Number => Value::Number(0.0),
            FieldType::Flag => Value::Flag(false),
            FieldType::OneOf { .. } => Value::Enum(0),
        }
    }
}

impl Value {
    /// A text value.
    pub fn text(text: impl Into<String>) -> Value {
        Value::Text(Arc::new(text.into()))
    }
}

/// A declared event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDef {
    /// Event name.
    pub name: String,
    /// Its fields, indexed by position in conditions ([`FieldRef::Event`]).
    pub fields: Vec<FieldDef>,
}

/// A source of a field value inside a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", content = "index", rename_all = "snake_case")]
pub enum FieldRef {
    /// A lead attribute.
    Lead(FieldId),
    /// A field of the event being evaluated (only inside `on EVENT where ...` and counters).
    Event(u16),
}
