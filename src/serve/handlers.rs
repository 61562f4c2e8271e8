//! The endpoints: `POST /v1/events`, `GET /healthz` and `GET /metrics` (the adapters are in
//! [`super::adapters`]).

use super::auth::WebhookHeaders;
use super::ingest::{self, BodyError};
use super::metrics::bump;
use super::writer::Job;
use super::AppState;
use crate::live::deployment::{Line, Outcome};
use crate::live::status::status;
use crate::live::store::Store;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A JSON error body with a status code.
pub fn error(code: StatusCode, message: &str) -> Response {
    (code, Json(json!({ "error": message }))).into_response()
}

/// 401, saying nothing of what was wrong.
pub fn unauthorized(state: &AppState) -> Response {
    bump(&state.metrics.refused.unauthorized);
    error(StatusCode::UNAUTHORIZED, "unauthorized")
}

/// A header as text.
pub fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads the body up to the limit; a longer one is answered 413 with a message.
pub async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, Response> {
    let limit = state.limits.body_bytes;
    let too_large = || {
        bump(&state.metrics.refused.too_large);
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the body is larger than the limit of {limit} bytes; send fewer events a request"
            ),
        )
    };
    let declared =
        text(headers, header::CONTENT_LENGTH.as_str()).and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|l| l > limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}

/// `POST /v1/events`: authenticated by a bearer token or a Standard Webhooks signature.
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let bearer = state.auth.bearer(text(&headers, "authorization"));
    // Without a token, only a signature can authenticate: the body is read for it, not before.
    if !bearer && state.auth.webhook.is_none() {
        return unauthorized(&state);
    }
    let bytes = match read_body(&state, &headers, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let signed = WebhookHeaders {
        id: text(&headers, "webhook-id"),
        timestamp: text(&headers, "webhook-timestamp"),
        signature: text(&headers, "webhook-signature"),
    };
    if !bearer
        && !state
            .auth
            .webhook(&signed, &bytes, chrono::Utc::now().timestamp())
    {
        return unauthorized(&state);
    }
    match ingest::lines(text(&headers, "content-type"), &bytes) {
        Ok(lines) => commit(&state, lines).await,
        Err(BodyError::MediaType(why)) => error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &why),
        Err(BodyError::Malformed(why)) => error(StatusCode::BAD_REQUEST, &why),
    }
}

/// Hands lines to the writer and answers once they are committed.
pub async fn commit(state: &AppState, lines: Vec<Line>) -> Response {
    match committed(state, lines).await {
        Ok(outcomes) => {
            let (code, answer) = ingest::answer(outcomes.into_iter().map(Some));
            (code, Json(answer)).into_response()
        }
        Err(response) => response,
    }
}

/// The outcomes of lines once committed, or the answer when they could not be.
pub async fn committed(state: &AppState, lines: Vec<Line>) -> Result<Vec<Outcome>, Response> {
    let stopping = || {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is stopping; send the events again",
        )
    };
    let (reply, answer) = oneshot::channel();
    state.metrics.writer_queue.fetch_add(1, Ordering::Relaxed);
    if state.jobs.send(Job::Lines(lines, reply)).is_err() {
        state.metrics.writer_queue.fetch_sub(1, Ordering::Relaxed);
        return Err(stopping());
    }
    match answer.await {
        Ok(Ok(outcomes)) => Ok(outcomes),
        Ok(Err(why)) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("nothing was committed: {why}"),
        )),
        Err(_) => Err(stopping()),
    }
}

/// `GET /healthz`: the server answers.
pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// `GET /metrics`: the counters, and gauges read from the store beside the writer.
pub async fn metrics(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if !state.auth.tokens.is_empty() && !state.auth.bearer(text(&headers, "authorization")) {
        return unauthorized(&state);
    }
    let path = state.store.clone();
    let read = tokio::task::spawn_blocking(move || {
        Store::open_read(&path).and_then(|store| status(&store, chrono::Utc::now().timestamp()))
    })
    .await;
    match read {
        Ok(Ok(status)) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            state.metrics.render(&status),
        )
            .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
