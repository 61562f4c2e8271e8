//! Adapters for real senders: HubSpot webhooks (`POST /v1/hubspot`, v3 signature, batched
//! events deduplicated by `eventId` and applied in `occurredAt` order) and Segment calls
//! (`POST /v1/segment`, `track` and `identify`), turned into event lines by the mapping file.
//! Every event sent gets a result at its index in the request: payloads the mapping does not
//! name are skipped, and ones without what every event needs (an id, a lead, a time) are
//! rejected into dead letters, as a bad line of `/v1/events` is.

use super::auth::verify_hubspot;
use super::coerce;
use super::handlers::{committed, error, read_body, text, unauthorized};
use super::ingest;
use super::mapping::{Event, Mapping};
use super::AppState;
use crate::ir::Playbook;
use crate::live::deployment::{Line, Outcome};
use crate::live::input::Unreadable;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value as JsonValue};
use std::sync::Arc;

/// What an adapter made of one event the client sent.
#[derive(Debug, PartialEq)]
enum Mapped {
    /// An event line to commit.
    Line(String),
    /// An event the mapping does not name.
    Skipped,
    /// An event without what every event needs; committed as a dead letter.
    Malformed(Unreadable),
}

/// Why `/v1/hubspot` answers 404 when other authentication is configured but no HubSpot secret:
/// HubSpot cannot send a bearer token, its signature is its only proof, so without the secret
/// no HubSpot request could ever pass.
pub const HUBSPOT_DISABLED: &str =
    "`/v1/hubspot` is disabled: the server was started without `--hubspot-secret-file`";

/// `POST /v1/hubspot`: a batch of HubSpot webhook events, signed with the app secret.
pub async fn hubspot(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if state.auth.hubspot.is_none() && state.auth.is_configured() {
        return error(StatusCode::NOT_FOUND, HUBSPOT_DISABLED);
    }
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
        None => true,
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
    let mapped = (events.iter())
        .map(|e| hubspot_event(&state.playbook, &state.mapping, e))
        .collect();
    answer(&state, mapped, &occurred_order(&events)).await
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

/// The indices of a HubSpot batch in `occurredAt` order, the order its events are applied in;
/// events without a time keep their place among themselves (they are rejected anyway).
fn occurred_order(events: &[JsonValue]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| {
        (events.get(i))
            .and_then(|e| e.get("occurredAt"))
            .and_then(JsonValue::as_i64)
    });
    order
}

/// One HubSpot event as an event line.
fn hubspot_event(playbook: &Playbook, mapping: &Mapping, event: &JsonValue) -> Mapped {
    let map = &mapping.hubspot;
    let kind = match required(event, "subscriptionType").map(JsonValue::as_str) {
        Ok(Some(subscription)) => map.subscriptions.get(subscription),
        Ok(None) => return malformed(event, "`subscriptionType`: expected a string".into()),
        Err(why) => return malformed(event, why),
    };
    let Some(kind) = kind else {
        return Mapped::Skipped;
    };
    let mut data = Map::new();
    if let Some(property) = event.get("propertyName").and_then(JsonValue::as_str) {
        let Some(name) = map.properties.get(property) else {
            return Mapped::Skipped;
        };
        let value = event.get("propertyValue").cloned();
        data.insert(name.clone(), value.unwrap_or(JsonValue::Null));
    }
    let fields = (id(event, "eventId"), id(event, "objectId"), occurred(event));
    let (id, lead, time) = match fields {
        (Ok(id), Ok(lead), Ok(time)) => (id, lead, time),
        (Err(why), _, _) | (_, Err(why), _) | (_, _, Err(why)) => return malformed(event, why),
    };
    coerce::fields(playbook, kind, &mut data);
    Mapped::Line(line(&map.source, &id, kind, &lead, &time, data))
}

/// A HubSpot event's `occurredAt`, milliseconds since the epoch, as an RFC 3339 time.
fn occurred(event: &JsonValue) -> Result<String, String> {
    let value = required(event, "occurredAt")?;
    (value.as_i64())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|time| time.to_rfc3339())
        .ok_or_else(|| {
            format!("`occurredAt`: expected milliseconds since the epoch, found `{value}`")
        })
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
        Ok(JsonValue::Object(mut call)) => match call.remove("batch") {
            Some(JsonValue::Array(batch)) => batch,
            Some(other) => {
                call.insert("batch".into(), other);
                vec![JsonValue::Object(call)]
            }
            None => vec![JsonValue::Object(call)],
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "a Segment body is one call or a `batch` of calls",
            )
        }
    };
    let mapped = (calls.iter())
        .map(|c| segment_call(&state.playbook, &state.mapping, c))
        .collect();
    let order: Vec<usize> = (0..calls.len()).collect();
    answer(&state, mapped, &order).await
}

/// A Segment `track` or `identify` call as an event line.
fn segment_call(playbook: &Playbook, mapping: &Mapping, call: &JsonValue) -> Mapped {
    let map = &mapping.segment;
    let kind = match required(call, "type").map(JsonValue::as_str) {
        Ok(Some(kind)) => kind,
        Ok(None) => return malformed(call, "`type`: expected a string".into()),
        Err(why) => return malformed(call, why),
    };
    let (event, values): (Option<&Event>, _) = match kind {
        "track" => match required(call, "event").map(JsonValue::as_str) {
            Ok(Some(name)) => (map.track.get(name), call.get("properties")),
            Ok(None) => return malformed(call, "`event`: expected a string".into()),
            Err(why) => return malformed(call, why),
        },
        "identify" => (map.identify.as_ref(), call.get("traits")),
        _ => (None, None),
    };
    let Some(event) = event else {
        return Mapped::Skipped;
    };
    let mut data = Map::new();
    if let Some(JsonValue::Object(values)) = values {
        for (from, to) in &event.fields {
            if let Some(value) = values.get(from) {
                data.insert(to.clone(), value.clone());
            }
        }
    }
    let lead = match call.get("userId").filter(|v| !v.is_null()) {
        Some(_) => id(call, "userId"),
        None => id(call, "anonymousId").map_err(|_| {
            "`userId`: expected a string or a number, found none (nor an `anonymousId`)".to_owned()
        }),
    };
    let time = required(call, "timestamp").and_then(|t| {
        (t.as_str().map(str::to_owned))
            .ok_or_else(|| format!("`timestamp`: expected a string, found `{t}`"))
    });
    let (id, lead, time) = match (id(call, "messageId"), lead, time) {
        (Ok(id), Ok(lead), Ok(time)) => (id, lead, time),
        (Err(why), _, _) | (_, Err(why), _) | (_, _, Err(why)) => return malformed(call, why),
    };
    coerce::fields(playbook, &event.kind, &mut data);
    Mapped::Line(line(&map.source, &id, &event.kind, &lead, &time, data))
}

/// An attribute every event of a sender has.
fn required<'a>(event: &'a JsonValue, key: &str) -> Result<&'a JsonValue, String> {
    match event {
        JsonValue::Object(object) => (object.get(key))
            .filter(|v| !v.is_null())
            .ok_or_else(|| format!("`{key}`: expected a value, found none")),
        _ => Err(format!("expected a JSON object, found `{event}`")),
    }
}

/// An id attribute, a string or a number, as text.
fn id(event: &JsonValue, key: &str) -> Result<String, String> {
    match required(event, key)? {
        JsonValue::String(s) if !s.is_empty() => Ok(s.clone()),
        JsonValue::Number(n) => Ok(n.to_string()),
        other => Err(format!(
            "`{key}`: expected a non-empty string or a number, found `{other}`"
        )),
    }
}

/// An event that cannot become a line: the event as sent, for its dead letter, and why.
fn malformed(event: &JsonValue, why: String) -> Mapped {
    Mapped::Malformed(Unreadable {
        text: event.to_string(),
        why,
    })
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

/// The lines to commit, taken in `order` (indices into `mapped`), each numbered by its place
/// in the request from 1; with the index of each.
fn lines(mapped: Vec<Mapped>, order: &[usize]) -> (Vec<Line>, Vec<usize>) {
    let mut texts: Vec<Option<Result<String, Unreadable>>> = (mapped.into_iter())
        .map(|m| match m {
            Mapped::Line(text) => Some(Ok(text)),
            Mapped::Malformed(unreadable) => Some(Err(unreadable)),
            Mapped::Skipped => None,
        })
        .collect();
    (order.iter())
        .filter_map(|&i| {
            let text = texts.get_mut(i)?.take()?;
            let line = Line {
                text,
                number: i + 1,
                after: None,
            };
            Some((line, i))
        })
        .unzip()
}

/// Commits the events' lines in `order` and answers as `/v1/events` does, with a result for
/// each event at its index in the request.
async fn answer(state: &AppState, mapped: Vec<Mapped>, order: &[usize]) -> Response {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; mapped.len()];
    let (lines, indices) = lines(mapped, order);
    if !lines.is_empty() {
        match committed(state, lines).await {
            Ok(committed) => {
                for (index, outcome) in indices.into_iter().zip(committed) {
                    if let Some(place) = outcomes.get_mut(index) {
                        *place = Some(outcome);
                    }
                }
            }
            Err(response) => return response,
        }
    }
    let (code, answer) = ingest::answer(outcomes);
    (code, Json(answer)).into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

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

    fn text(mapped: &Mapped) -> JsonValue {
        match mapped {
            Mapped::Line(text) => serde_json::from_str(text).unwrap(),
            other => panic!("not a line: {other:?}"),
        }
    }

    fn why(mapped: &Mapped) -> &str {
        match mapped {
            Mapped::Malformed(unreadable) => &unreadable.why,
            other => panic!("not malformed: {other:?}"),
        }
    }

    #[test]
    fn hubspot_events_in_occurred_order_and_unmapped_ones_skipped() {
        let events: Vec<JsonValue> = serde_json::from_str(
            r#"[
 {"eventId":2,"subscriptionType":"contact.propertyChange","objectId":7,"occurredAt":1780000001000,"propertyName":"industry","propertyValue":"smb"},
 {"eventId":1,"subscriptionType":"contact.creation","objectId":7,"occurredAt":1780000000000},
 {"eventId":3,"subscriptionType":"contact.deletion","objectId":7,"occurredAt":1780000002000}]"#,
        )
        .unwrap();
        assert_eq!(occurred_order(&events), [1, 0, 2]);
        let mapped: Vec<Mapped> = (events.iter())
            .map(|e| hubspot_event(&seed(), &mapping(), e))
            .collect();
        let first = text(&mapped[1]);
        assert_eq!(first["id"], "1");
        assert_eq!(first["type"], "handoff.lead.created");
        assert_eq!(first["lead"], "7");
        assert_eq!(text(&mapped[0])["data"], json!({"segment": "smb"}));
        assert_eq!(mapped[2], Mapped::Skipped);
    }

    #[test]
    fn hubspot_events_without_an_id_a_lead_or_a_time_are_malformed() {
        let event = |change: &dyn Fn(&mut Map<String, JsonValue>)| {
            let mut event = json!({"subscriptionType": "contact.creation", "eventId": 1,
                "objectId": 7, "occurredAt": 1_780_000_000_000_i64});
            change(event.as_object_mut().unwrap());
            hubspot_event(&seed(), &mapping(), &event)
        };
        for key in ["eventId", "objectId", "occurredAt"] {
            let why_not = why(&event(&|e| {
                e.remove(key);
            }))
            .to_owned();
            assert_eq!(why_not, format!("`{key}`: expected a value, found none"));
        }
        let soon = event(&|e| {
            e.insert("occurredAt".into(), "soon".into());
        });
        assert_eq!(
            why(&soon),
            "`occurredAt`: expected milliseconds since the epoch, found `\"soon\"`"
        );
        let not_an_object = hubspot_event(&seed(), &mapping(), &json!(3));
        assert_eq!(why(&not_an_object), "expected a JSON object, found `3`");
    }

    #[test]
    fn segment_track_maps_its_properties() {
        let call = json!({"type":"track","event":"Demo Requested","messageId":"m-1","userId":"L-1",
            "timestamp":"2026-06-01T10:00:00Z","properties":{"kind":"demo","other":1}});
        let line = text(&segment_call(&seed(), &mapping(), &call));
        assert_eq!(line["type"], "form_submit");
        assert_eq!(line["source"], "segment");
        assert_eq!(line["data"], json!({"kind": "demo"}));
        let other = json!({"type":"track","event":"Page Viewed","messageId":"m-2","userId":"L-1","timestamp":"2026-06-01T10:00:00Z"});
        assert_eq!(segment_call(&seed(), &mapping(), &other), Mapped::Skipped);
    }

    #[test]
    fn segment_calls_without_an_id_a_user_or_a_time_are_malformed() {
        let call = |without: &str| {
            let mut call = json!({"type":"track","event":"Demo Requested","messageId":"m-1",
                "userId":"L-1","timestamp":"2026-06-01T10:00:00Z"});
            call.as_object_mut().unwrap().remove(without);
            segment_call(&seed(), &mapping(), &call)
        };
        assert_eq!(
            why(&call("messageId")),
            "`messageId`: expected a value, found none"
        );
        assert_eq!(
            why(&call("userId")),
            "`userId`: expected a string or a number, found none (nor an `anonymousId`)"
        );
        assert_eq!(
            why(&call("timestamp")),
            "`timestamp`: expected a value, found none"
        );
        let anonymous = json!({"type":"track","event":"Demo Requested","messageId":"m-1",
            "anonymousId":"A-1","timestamp":"2026-06-01T10:00:00Z"});
        assert_eq!(
            text(&segment_call(&seed(), &mapping(), &anonymous))["lead"],
            "A-1"
        );
    }

    #[test]
    fn lines_are_taken_in_order_and_numbered_by_their_place_in_the_request() {
        let mapped = vec![
            Mapped::Line("b".into()),
            Mapped::Skipped,
            malformed(&json!({}), "why".into()),
            Mapped::Line("a".into()),
        ];
        let (lines, indices) = lines(mapped, &[3, 0, 1, 2]);
        assert_eq!(indices, [3, 0, 2]);
        let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [4, 1, 3]);
        assert_eq!(lines[0].text, Ok("a".to_owned()));
        assert!(lines[2].text.is_err());
    }
}
