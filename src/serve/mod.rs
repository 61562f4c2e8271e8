//! `handoff serve`: the durable live runner behind HTTP (`docs/serve.md`).
//!
//! One writer thread owns the deployment (store and ledger) and commits the lines of concurrent
//! requests together ([`writer`]); the HTTP side (axum on tokio) authenticates, limits and
//! parses requests and answers each once its lines are committed ([`router`], [`handlers`],
//! [`adapters`]); delivery posts the outbox to a receiver, signed, with retries ([`delivery`]).

pub mod adapters;
pub mod auth;
pub mod coerce;
pub mod delivery;
pub mod handlers;
pub mod ingest;
pub mod mapping;
pub mod metrics;
pub mod outbox;
pub mod router;
pub mod writer;

use crate::ir::Playbook;
use crate::live::deployment::{DeployOptions, Deployment};
use crate::live::{RunError, RunReport};
use auth::Auth;
use delivery::{Channels, DeliveryOptions};
use mapping::Mapping;
use metrics::Metrics;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify, Semaphore};
use writer::{Batching, Job};

/// Limits on requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body read.
    pub body_bytes: usize,
    /// Longest a request may take.
    pub timeout: Duration,
    /// Most ingestion requests at once.
    pub concurrent: usize,
}

/// Everything `handoff serve` is told.
pub struct ServeOptions {
    /// How the deployment is opened.
    pub deploy: DeployOptions,
    /// Where to listen.
    pub listen: SocketAddr,
    /// How the writer batches.
    pub batching: Batching,
    /// Who may post.
    pub auth: Auth,
    /// Limits on requests.
    pub limits: Limits,
    /// Where actions go; without it they wait in the outbox.
    pub delivery: Option<DeliveryOptions>,
    /// How the adapters map payloads.
    pub mapping: Mapping,
}

/// What the handlers share.
pub struct AppState {
    /// The writer's jobs.
    pub jobs: Sender<Job>,
    /// Who may post.
    pub auth: Auth,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Limits on requests.
    pub limits: Limits,
    /// Free places for ingestion requests.
    pub slots: Arc<Semaphore>,
    /// The store, which `/metrics` reads beside the writer.
    pub store: PathBuf,
    /// How the adapters map payloads.
    pub mapping: Mapping,
    /// The playbook, whose field types the adapters convert sent text to.
    pub playbook: Playbook,
}

/// Why the server did not start or stopped with an error (exit 2).
#[derive(Debug)]
pub enum ServeError {
    /// Listening beyond loopback with nothing to authenticate requests.
    Unprotected(SocketAddr),
    /// The deployment failed.
    Run(RunError),
    /// Binding or serving failed.
    Io(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Unprotected(addr) => write!(
                f,
                "refusing to listen on `{addr}` beyond loopback without authentication; \
                 give tokens with `--token-file` or `HANDOFF_TOKENS`, or a `--webhook-secret-file`"
            ),
            ServeError::Run(e) => e.fmt(f),
            ServeError::Io(e) => f.write_str(e),
        }
    }
}

impl From<RunError> for ServeError {
    fn from(e: RunError) -> Self {
        ServeError::Run(e)
    }
}

/// Serves `playbook` until SIGTERM or SIGINT; `listening` is told the bound address once the
/// server accepts connections.
pub fn serve(
    playbook: &Playbook,
    options: ServeOptions,
    listening: impl FnOnce(SocketAddr),
) -> Result<RunReport, ServeError> {
    if !options.listen.ip().is_loopback() && !options.auth.is_configured() {
        return Err(ServeError::Unprotected(options.listen));
    }
    let deployment = Deployment::open(playbook, &options.deploy)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Io(format!("cannot start the runtime: {e}")))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(options.listen))
        .map_err(|e| ServeError::Io(format!("cannot listen on `{}`: {e}", options.listen)))?;
    let bound = listener
        .local_addr()
        .map_err(|e| ServeError::Io(e.to_string()))?;
    let (jobs, received) = channel();
    let metrics = Arc::new(Metrics::default());
    let committed = Arc::new(Notify::new());
    // A writer that stops on a store failure stops the server, which then exits with it.
    let writer_stopped = Arc::new(Notify::new());
    let writer = {
        let (metrics, committed) = (Arc::clone(&metrics), Arc::clone(&committed));
        let stopped = Arc::clone(&writer_stopped);
        let batching = options.batching;
        std::thread::spawn(move || {
            let result = writer::run(deployment, &received, &batching, &metrics, &committed);
            stopped.notify_one();
            result
        })
    };
    let state = Arc::new(AppState {
        jobs: jobs.clone(),
        auth: options.auth,
        metrics: Arc::clone(&metrics),
        limits: options.limits,
        slots: Arc::new(Semaphore::new(options.limits.concurrent)),
        store: options.deploy.store.clone(),
        mapping: options.mapping,
        playbook: playbook.clone(),
    });
    listening(bound);
    let served = runtime.block_on(async {
        let (stop, stopped) = watch::channel(false);
        let delivery = options.delivery.map(|delivery| {
            let channels = Channels {
                jobs: jobs.clone(),
                committed,
                stop: stopped,
                metrics,
            };
            tokio::spawn(delivery::run(delivery, channels))
        });
        let app = router::router(state);
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown(writer_stopped))
            .await;
        let _ = stop.send(true);
        if let Some(delivery) = delivery {
            let _ = delivery.await;
        }
        served
    });
    drop(runtime);
    // Every request and delivery's last round are answered: the writer finishes what is queued.
    drop(jobs);
    let deployment = writer
        .join()
        .map_err(|_| ServeError::Io("the writer thread failed".into()))??;
    served.map_err(|e| ServeError::Io(format!("serving failed: {e}")))?;
    Ok(deployment.into_report())
}

/// Resolves on SIGTERM, SIGINT, or when the writer stopped.
async fn shutdown(writer_stopped: Arc<Notify>) {
    tokio::select! {
        () = signal() => {}
        () = writer_stopped.notified() => {}
    }
}

/// Resolves on SIGTERM or SIGINT.
async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
