//! The mapping file (`--mapping FILE`, TOML): which HubSpot subscriptions and Segment calls
//! become which event lines, and which of their property names are which playbook names
//! (docs/serve.md has an example).

use std::collections::BTreeMap;
use toml_edit::{Document, Item, TableLike};

/// How the adapters turn payloads into event lines.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// HubSpot webhooks.
    pub hubspot: HubSpot,
    /// Segment calls.
    pub segment: Segment,
}

/// `[hubspot]`.
#[derive(Debug, Clone, Default)]
pub struct HubSpot {
    /// The `source` of the lines (default `hubspot`).
    pub source: String,
    /// The public URL HubSpot posts to, which its v3 signature covers (default: from `Host`).
    pub url: Option<String>,
    /// `subscriptionType` → event type; other subscriptions are skipped.
    pub subscriptions: BTreeMap<String, String>,
    /// `propertyName` → playbook attribute, for property changes; other properties are skipped.
    pub properties: BTreeMap<String, String>,
}

/// `[segment]`.
#[derive(Debug, Clone, Default)]
pub struct Segment {
    /// The `source` of the lines (default `segment`).
    pub source: String,
    /// `identify` calls: their traits by name.
    pub identify: Option<Event>,
    /// `track` calls by event name: their properties by name; other events are skipped.
    pub track: BTreeMap<String, Event>,
}

/// One kind of call as an event line.
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// The line's `type`.
    pub kind: String,
    /// Sender's name → the playbook's field or attribute name; other names are dropped.
    pub fields: BTreeMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file's text; an unknown key or a value of the wrong kind is refused with
    /// its dotted path.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let doc = Document::parse(text).map_err(|e| e.to_string())?;
        let root = doc.as_table();
        known(root, "", &["hubspot", "segment"])?;
        let mut mapping = Mapping::default();
        mapping.hubspot.source = "hubspot".into();
        mapping.segment.source = "segment".into();
        if let Some(h) = table(root.get("hubspot"), "hubspot")? {
            known(
                h,
                "hubspot.",
                &["source", "url", "subscriptions", "properties"],
            )?;
            if let Some(source) = string(h.get("source"), "hubspot.source")? {
                mapping.hubspot.source = source;
            }
            mapping.hubspot.url = string(h.get("url"), "hubspot.url")?;
            mapping.hubspot.subscriptions =
                strings(h.get("subscriptions"), "hubspot.subscriptions")?;
            mapping.hubspot.properties = strings(h.get("properties"), "hubspot.properties")?;
        }
        if let Some(s) = table(root.get("segment"), "segment")? {
            known(s, "segment.", &["source", "identify", "track"])?;
            if let Some(source) = string(s.get("source"), "segment.source")? {
                mapping.segment.source = source;
            }
            mapping.segment.identify = event(s.get("identify"), "segment.identify")?;
            if let Some(track) = table(s.get("track"), "segment.track")? {
                for (name, item) in track.iter() {
                    let path = format!("segment.track.{name}");
                    if let Some(e) = event(Some(item), &path)? {
                        mapping.segment.track.insert(name.to_owned(), e);
                    }
                }
            }
        }
        Ok(mapping)
    }
}

fn known(t: &dyn TableLike, prefix: &str, keys: &[&str]) -> Result<(), String> {
    match t.iter().find(|(k, _)| !keys.contains(k)) {
        Some((k, _)) => Err(format!("`{prefix}{k}` is not a mapping key")),
        None => Ok(()),
    }
}

fn table<'a>(item: Option<&'a Item>, path: &str) -> Result<Option<&'a dyn TableLike>, String> {
    match item {
        None => Ok(None),
        Some(item) => (item.as_table_like())
            .map(Some)
            .ok_or_else(|| format!("`{path}` must be a table")),
    }
}

fn string(item: Option<&Item>, path: &str) -> Result<Option<String>, String> {
    match item {
        None => Ok(None),
        Some(item) => (item.as_str())
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| format!("`{path}` must be a string")),
    }
}

fn strings(item: Option<&Item>, path: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    if let Some(t) = table(item, path)? {
        for (k, v) in t.iter() {
            let value = string(Some(v), &format!("{path}.{k}"))?.unwrap_or_default();
            out.insert(k.to_owned(), value);
        }
    }
    Ok(out)
}

fn event(item: Option<&Item>, path: &str) -> Result<Option<Event>, String> {
    let Some(t) = table(item, path)? else {
        return Ok(None);
    };
    known(t, &format!("{path}."), &["type", "fields"])?;
    let kind = string(t.get("type"), &format!("{path}.type"))?
        .ok_or_else(|| format!("`{path}.type` is missing"))?;
    let fields = strings(t.get("fields"), &format!("{path}.fields"))?;
    Ok(Some(Event { kind, fields }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn the_documented_example_reads() {
        let text = r#"
[hubspot]
url = "https://hooks.example.com/v1/hubspot"
[hubspot.subscriptions]
"contact.creation" = "handoff.lead.created"
"contact.propertyChange" = "handoff.lead.updated"
[hubspot.properties]
industry = "segment"

[segment.identify]
type = "handoff.lead.created"
fields = { size = "segment", region = "region" }
[segment.track."Demo Requested"]
type = "form_submit"
fields = { kind = "kind" }
"#;
        let m = Mapping::parse(text).unwrap();
        assert_eq!(m.hubspot.source, "hubspot");
        assert_eq!(
            m.hubspot.subscriptions["contact.creation"],
            "handoff.lead.created"
        );
        assert_eq!(m.segment.track["Demo Requested"].fields["kind"], "kind");
        assert_eq!(m.segment.identify.unwrap().fields["size"], "segment");
    }

    #[test]
    fn the_deployed_example_reads() {
        let m = Mapping::parse(include_str!("../../deploy/serve/mapping.toml")).unwrap();
        assert_eq!(m.segment.track["Demo Requested"].kind, "form_submit");
    }

    #[test]
    fn unknown_keys_are_refused_by_path() {
        let e = Mapping::parse("[segment.track.Signup]\ntype = \"x\"\nfeilds = {}\n").unwrap_err();
        assert_eq!(e, "`segment.track.Signup.feilds` is not a mapping key");
    }
}
