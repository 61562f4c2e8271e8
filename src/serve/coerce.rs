//! Values from senders that send everything as text (HubSpot's `propertyValue` is always a
//! string) turned into the JSON type the playbook declares for the field, so a `number` or
//! `flag` attribute can be fed from them; a value that does not convert is left for the
//! decoder to reject with its usual message.

use crate::ir::{FieldType, Playbook};
use serde_json::{Map, Value as JsonValue};

/// Converts the string values of `data` to the types of the fields of event type `kind`: a
/// playbook event's fields, or the lead's attributes for the reserved `handoff.lead.` types.
pub fn fields(playbook: &Playbook, kind: &str, data: &mut Map<String, JsonValue>) {
    let declared = if kind.starts_with("handoff.lead.") {
        Some(&playbook.fields)
    } else {
        (playbook.events.iter())
            .find(|e| e.name == kind)
            .map(|e| &e.fields)
    };
    let Some(declared) = declared else { return };
    for (name, value) in data.iter_mut() {
        if let Some(field) = declared.iter().find(|f| &f.name == name) {
            convert(&field.ty, value);
        }
    }
}

fn convert(ty: &FieldType, value: &mut JsonValue) {
    let JsonValue::String(text) = value else {
        return;
    };
    let converted = match ty {
        FieldType::Number => (text.trim().parse::<f64>().ok())
            .and_then(serde_json::Number::from_f64)
            .map(JsonValue::Number),
        FieldType::Flag => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(JsonValue::Bool(true)),
            "false" => Some(JsonValue::Bool(false)),
            _ => None,
        },
        FieldType::Text | FieldType::OneOf { .. } => None,
    };
    if let Some(converted) = converted {
        *value = converted;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use serde_json::json;

    #[test]
    fn strings_become_numbers_and_flags_where_the_playbook_says() {
        let text = include_str!("../../playbooks/seed-matrix.playbook");
        let playbook = crate::check::compile(crate::span::FileId(0), text)
            .playbook
            .unwrap();
        let mut data = json!({"employees": "250", "target_account": "TRUE", "country": "42",
            "segment": "smb", "domain": "x"})
        .as_object()
        .unwrap()
        .clone();
        fields(&playbook, "handoff.lead.updated", &mut data);
        assert_eq!(
            JsonValue::Object(data),
            json!({"employees": 250.0, "target_account": true, "country": "42",
                "segment": "smb", "domain": "x"})
        );
        let mut bad = json!({"employees": "many"}).as_object().unwrap().clone();
        fields(&playbook, "handoff.lead.created", &mut bad);
        assert_eq!(bad["employees"], "many");
    }
}
