//! The routes and the guard in front of the ingestion endpoints: at most so many requests at
//! once (503 beyond, with `Retry-After`) and a deadline for each (503 past it).

use super::handlers::{self, error};
use super::metrics::bump;
use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The server's routes.
pub fn router(state: Arc<AppState>) -> Router {
    let ingest = Router::new()
        .route("/v1/events", post(handlers::events))
        .route("/v1/hubspot", post(super::adapters::hubspot))
        .route("/v1/segment", post(super::adapters::segment))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard));
    Router::new()
        .route("/healthz", get(handlers::healthz))
        .route("/metrics", get(handlers::metrics))
        .merge(ingest)
        .with_state(state)
}

/// Refuses a request beyond the concurrency limit and stops waiting for one past its deadline
/// (its lines may still be committed: a client resends, and repeats are dropped).
async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let Ok(_slot) = Arc::clone(&state.slots).try_acquire_owned() else {
        bump(&state.metrics.refused.overloaded);
        let mut response = error(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many requests at once; retry later",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return response;
    };
    let deadline = state.limits.timeout;
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            bump(&state.metrics.refused.timed_out);
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "the request took longer than {} ms; its events may have been committed: send them again, repeats are dropped",
                    deadline.as_millis()
                ),
            )
            .into_response()
        }
    }
}
