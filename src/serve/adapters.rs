//! Adapters for real senders: HubSpot webhooks (`POST /v1/hubspot`, v3 signature, batched
//! events deduplicated by `eventId` and applied in `occurredAt` order) and Segment calls
//! (`POST /v1/segment`, `track` and `identify`), turned into event lines by the mapping file.
//! Payloads the mapping does not name are skipped and counted as such.

use super::auth::verify_hubspot;
use super::coerce;
use super::handlers::{committed, error, read_body, text, unauthorized};
use super::ingest;
use super::mapping::{Event, Mapping};
use super::AppState;
use crate::ir::Playbook;
use crate::live::deployment::Line;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value as JsonValue};
use std::sync::Arc;

/// `POST /v1/hubspot`: a batch of HubSpot webhook events, signed with the app secret.
pub async fn hubspot(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let bytes = match read_body(&state, &headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let signed = match &state.auth.hubspot {
        Some(secret) => {
            let signature = (
                text(&headers, "x-hubspot-signature-v3"),
                text(&headers, "x-hubspot-request-timestamp"),
            );
            let url = signed_url(&state.mapping, &headers, &uri);
            let now = chrono::Utc::now().timestamp_millis();
            verify_hubspot(secret, ("POST", &url), &bytes, signature, now)
        }
        // Without any authentication (only allowed on loopback) anyone may post.
        None => !state.auth.is_configured(),
    };
    if !signed {
        return unauthorized(&state);
    }
    let events: Vec<JsonValue> = match serde_json::from_slice(&bytes) {
        Ok(JsonValue::Array(events)) => events,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "a HubSpot webhook body is a JSON array of events",
            )
        }
    };
    let texts = hubspot_lines(&state.playbook, &state.mapping, events);
    answer(&state, texts).await
}

/// The URI HubSpot signed: the mapping's public URL, else `http://` with the `Host` and the path.
fn signed_url(mapping: &Mapping, headers: &HeaderMap, uri: &Uri) -> String {
    match &mapping.hubspot.url {
        Some(url) => url.clone(),
        None => {
            let host = text(headers, "host").unwrap_or("localhost");
            let path = uri.path_and_query().map_or("", |p| p.as_str());
            format!("http://{host}{path}")
        }
    }
}

/// The mapped events of a HubSpot batch as event lines, in `occurredAt` order; `None` for one
/// the mapping skips.
fn hubspot_lines(
    playbook: &Playbook,
    mapping: &Mapping,
    mut events: Vec<JsonValue>,
) -> Vec<Option<String>> {
    events.sort_by_key(|e| e.get("occurredAt").and_then(JsonValue::as_i64).unwrap_or(0));
    let map = &mapping.hubspot;
    (events.iter())
        .map(|e| {
            let kind = map
                .subscriptions
                .get(e.get("subscriptionType")?.as_str()?)?;
            let mut data = Map::new();
            if let Some(property) = e.get("propertyName").and_then(JsonValue::as_str) {
                let name = map.properties.get(property)?;
                data.insert(
                    name.clone(),
                    e.get("propertyValue").cloned().unwrap_or(JsonValue::Null),
                );
            }
            let time = chrono::DateTime::from_timestamp_millis(e.get("occurredAt")?.as_i64()?)?;
            coerce::fields(playbook, kind, &mut data);
            Some(line(
                &map.source,
                &id(e.get("eventId")?)?,
                kind,
                &id(e.get("objectId")?)?,
                &time.to_rfc3339(),
                data,
            ))
        })
        .collect()
}

/// `POST /v1/segment`: one Segment call or a `batch` of them, authenticated by a bearer token.
pub async fn segment(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !state.auth.bearer(text(&headers, "authorization")) {
        return unauthorized(&state);
    }
    let bytes = match read_body(&state, &headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let calls = match serde_json::from_slice::<JsonValue>(&bytes) {
        Ok(JsonValue::Object(call)) => match call.get("batch") {
            Some(JsonValue::Array(batch)) => batch.clone(),
            _ => vec![JsonValue::Object(call)],
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "a Segment body is one call or a `batch` of calls",
            )
        }
    };
    let texts = (calls.iter())
        .map(|c| segment_line(&state.playbook, &state.mapping, c))
        .collect();
    answer(&state, texts).await
}

/// A Segment `track` or `identify` call as an event line; `None` for one the mapping skips.
fn segment_line(playbook: &Playbook, mapping: &Mapping, call: &JsonValue) -> Option<String> {
    let map = &mapping.segment;
    let (event, values): (&Event, _) = match call.get("type")?.as_str()? {
        "track" => (
            map.track.get(call.get("event")?.as_str()?)?,
            call.get("properties"),
        ),
        "identify" => (map.identify.as_ref()?, call.get("traits")),
        _ => return None,
    };
    let mut data = Map::new();
    if let Some(JsonValue::Object(values)) = values {
        for (from, to) in &event.fields {
            if let Some(value) = values.get(from) {
                data.insert(to.clone(), value.clone());
            }
        }
    }
    let lead = call.get("userId").or_else(|| call.get("anonymousId"))?;
    let time = call.get("timestamp")?.as_str()?;
    coerce::fields(playbook, &event.kind, &mut data);
    Some(line(
        &map.source,
        &id(call.get("messageId")?)?,
        &event.kind,
        &id(lead)?,
        time,
        data,
    ))
}

/// A string or a number as text, for ids.
fn id(value: &JsonValue) -> Option<String> {
    match value {
        JsonValue::String(s) => Some(s.clone()),
        JsonValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn line(
    source: &str,
    id: &str,
    kind: &str,
    lead: &str,
    time: &str,
    data: Map<String, JsonValue>,
) -> String {
    json!({ "id": id, "source": source, "type": kind, "lead": lead, "time": time, "data": data })
        .to_string()
}

/// Commits the mapped lines and answers as `/v1/events` does, with how many were skipped.
async fn answer(state: &AppState, texts: Vec<Option<String>>) -> Response {
    let skipped = texts.iter().filter(|t| t.is_none()).count();
    let lines: Vec<Line> = (texts.into_iter().flatten().enumerate())
        .map(|(i, text)| Line {
            text: Ok(text),
            number: i + 1,
            after: None,
        })
        .collect();
    if lines.is_empty() {
        return Json(json!({ "accepted": 0, "duplicates": 0, "rejected": 0, "skipped": skipped, "results": [] }))
            .into_response();
    }
    match committed(state, lines).await {
        Ok(outcomes) => {
            let (code, answer) = ingest::answer(outcomes);
            let mut body = serde_json::to_value(answer).unwrap_or_default();
            if let Some(object) = body.as_object_mut() {
                object.insert("skipped".into(), skipped.into());
            }
            (code, Json(body)).into_response()
        }
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn seed() -> Playbook {
        let text = include_str!("../../playbooks/seed-matrix.playbook");
        crate::check::compile(crate::span::FileId(0), text)
            .playbook
            .unwrap()
    }

    fn mapping() -> Mapping {
        Mapping::parse(
            r#"
[hubspot.subscriptions]
"contact.creation" = "handoff.lead.created"
"contact.propertyChange" = "handoff.lead.updated"
[hubspot.properties]
industry = "segment"
[segment.track."Demo Requested"]
type = "form_submit"
fields = { kind = "kind" }
"#,
        )
        .unwrap()
    }

    #[test]
    fn hubspot_events_in_occurred_order_and_unmapped_ones_skipped() {
        let events = serde_json::from_str(
            r#"[
 {"eventId":2,"subscriptionType":"contact.propertyChange","objectId":7,"occurredAt":1780000001000,"propertyName":"industry","propertyValue":"smb"},
 {"eventId":1,"subscriptionType":"contact.creation","objectId":7,"occurredAt":1780000000000},
 {"eventId":3,"subscriptionType":"contact.deletion","objectId":7,"occurredAt":1780000002000}]"#,
        )
        .unwrap();
        let lines = hubspot_lines(&seed(), &mapping(), events);
        let first: JsonValue = serde_json::from_str(lines[0].as_ref().unwrap()).unwrap();
        assert_eq!(first["id"], "1");
        assert_eq!(first["type"], "handoff.lead.created");
        assert_eq!(first["lead"], "7");
        let second: JsonValue = serde_json::from_str(lines[1].as_ref().unwrap()).unwrap();
        assert_eq!(second["data"], json!({"segment": "smb"}));
        assert!(lines[2].is_none());
    }

    #[test]
    fn segment_track_maps_its_properties() {
        let call = json!({"type":"track","event":"Demo Requested","messageId":"m-1","userId":"L-1",
            "timestamp":"2026-06-01T10:00:00Z","properties":{"kind":"demo","other":1}});
        let line: JsonValue =
            serde_json::from_str(&segment_line(&seed(), &mapping(), &call).unwrap()).unwrap();
        assert_eq!(line["type"], "form_submit");
        assert_eq!(line["source"], "segment");
        assert_eq!(line["data"], json!({"kind": "demo"}));
        let other = json!({"type":"track","event":"Page Viewed","messageId":"m-2","userId":"L-1","timestamp":"2026-06-01T10:00:00Z"});
        assert!(segment_line(&seed(), &mapping(), &other).is_none());
    }
}
