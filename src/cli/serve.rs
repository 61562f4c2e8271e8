//! `handoff serve PLAYBOOK --store FILE --listen ADDR`: the live runner behind HTTP
//! (`docs/serve.md`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::run::StoreArgs;
use super::{report_error, sim_runner, stdin, write_stderr, CliError, ColorChoice, Exit};
use crate::live::deployment::DeployOptions;
use crate::serve::adapters::HUBSPOT_DISABLED;
use crate::serve::auth::{self, Auth, Secret};
use crate::serve::delivery::DeliveryOptions;
use crate::serve::mapping::Mapping;
use crate::serve::writer::Batching;
use crate::serve::{Limits, ServeOptions};

/// Serve a playbook over HTTP: events posted in, committed to a durable store, actions posted out.
///
/// `POST /v1/events` takes event lines (one JSON object, an array, or JSON lines) and answers
/// once they are committed, with a result for each line; `/v1/hubspot` and `/v1/segment` take
/// those senders' payloads through `--mapping`. Tokens come from `--token-file` or
/// `HANDOFF_TOKENS`, never the command line. SIGTERM or SIGINT stops accepting, finishes the
/// requests in flight, commits and exits 0.
///
/// Exits with 1 when the playbook has errors and 2 when the store, the address or a file given
/// cannot be used, or when listening beyond loopback without authentication.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to serve
    #[arg(value_name = "PLAYBOOK", value_hint = clap::ValueHint::FilePath)]
    pub playbook: PathBuf,
    #[command(flatten)]
    pub stdin: stdin::Name,
    #[command(flatten)]
    pub store: StoreArgs,
    /// The address to listen on; port 0 takes a free port (the address is printed)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Bearer tokens, one a line (`HANDOFF_TOKENS` adds more, separated by commas)
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub token_file: Option<PathBuf>,
    /// The Standard Webhooks secret (`whsec_...`) that signs posts to `/v1/events`
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub webhook_secret_file: Option<PathBuf>,
    /// The HubSpot app secret that signs posts to `/v1/hubspot`
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub hubspot_secret_file: Option<PathBuf>,
    /// How HubSpot and Segment payloads become event lines (TOML, docs/serve.md)
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub mapping: Option<PathBuf>,
    /// Largest request body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body: usize,
    /// Longest a request may take, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Most ingestion requests at once; more are answered 503
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: u32,
    /// Where to POST actions; without it they wait in the store's outbox
    #[arg(long, value_name = "URL")]
    pub deliver: Option<String>,
    /// The Standard Webhooks secret (`whsec_...`) that signs delivered actions
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub deliver_secret_file: Option<PathBuf>,
    /// Attempts at an action before it is given up on (shown by `handoff status`)
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub deliver_max_attempts: u32,
    /// The first retry's longest wait, in milliseconds; doubled for each further one, with jitter
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub deliver_backoff: u64,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// Serves until a signal.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let playbook = match sim_runner::load_file(&args.playbook, &args.stdin, color) {
        Ok(playbook) => playbook,
        Err(exit) => return exit,
    };
    let result = options(args).and_then(|options| {
        let quiet = args.quiet;
        let hubspot_disabled = options.auth.hubspot.is_none() && options.auth.is_configured();
        crate::serve::serve(&playbook, options, |addr| {
            // Always printed: a caller that asked for port 0 needs it.
            write_stderr(&format!("listening on http://{addr}\n"));
            if hubspot_disabled && !quiet {
                write_stderr(&format!("note: {HUBSPOT_DISABLED}\n"));
            }
        })
        .map(|report| (report, quiet))
        .map_err(|e| CliError::new(e.to_string()))
    });
    match result {
        Ok((report, quiet)) => {
            if !quiet {
                write_stderr(&format!(
                    "serve stopped: {} lines: {} accepted, {} duplicates, {} dead letters; {} actions; {} commits\n",
                    report.lines, report.accepted, report.duplicates, report.dead, report.actions, report.commits
                ));
            }
            Exit::Ok
        }
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
    }
}

fn read(path: &Path, what: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read the {what} `{}`: {e}", path.display())))
}

fn secret(path: Option<&PathBuf>, what: &str) -> Result<Option<Secret>, CliError> {
    path.map(|p| {
        let text = read(p, what)?;
        Secret::parse(&text).map_err(|e| CliError::new(format!("`{}`: {e}", p.display())))
    })
    .transpose()
}

/// The receiver's URL, checked before the server starts rather than at every attempt.
fn deliver_url(url: &str) -> Result<String, CliError> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(url.to_owned()),
        Ok(parsed) => Err(CliError::new(format!(
            "`--deliver`: `{url}` is not an http or https URL (its scheme is `{}`)",
            parsed.scheme()
        ))),
        Err(e) => Err(CliError::new(format!(
            "`--deliver`: `{url}` is not a URL: {e}"
        ))),
    }
}

fn options(args: &Args) -> Result<ServeOptions, CliError> {
    let token_text = args
        .token_file
        .as_ref()
        .map(|p| read(p, "token file"))
        .transpose()?;
    let env = std::env::var("HANDOFF_TOKENS").ok();
    let hubspot = (args.hubspot_secret_file.as_ref())
        .map(|p| read(p, "HubSpot secret file").map(|t| Secret::raw(&t)))
        .transpose()?;
    let auth = Auth {
        tokens: auth::tokens(token_text.as_deref(), env.as_deref()),
        webhook: secret(args.webhook_secret_file.as_ref(), "webhook secret file")?,
        hubspot,
    };
    let mapping = match &args.mapping {
        Some(p) => Mapping::parse(&read(p, "mapping file")?)
            .map_err(|e| CliError::new(format!("mapping file `{}`: {e}", p.display())))?,
        None => Mapping::parse("").map_err(CliError::new)?,
    };
    let delivery = match &args.deliver {
        Some(url) => Some(DeliveryOptions {
            url: deliver_url(url)?,
            secret: secret(args.deliver_secret_file.as_ref(), "delivery secret file")?,
            max_attempts: args.deliver_max_attempts,
            backoff: Duration::from_millis(args.deliver_backoff),
            backoff_cap: Duration::from_secs(300),
            timeout: Duration::from_secs(10),
        }),
        None => None,
    };
    Ok(ServeOptions {
        deploy: DeployOptions {
            store: args.store.store.clone(),
            clock: args.store.clock(),
            durability: args.store.durability(),
            renames: args.store.renames()?,
            input_key: None,
        },
        listen: args.listen,
        batching: Batching {
            lines: args.store.batch_lines(),
            wait: args.store.batch_wait(),
        },
        auth,
        limits: Limits {
            body_bytes: args.max_body,
            timeout: Duration::from_millis(args.request_timeout),
            concurrent: usize::try_from(args.max_concurrent).unwrap_or(1),
        },
        delivery,
        mapping,
    })
}
