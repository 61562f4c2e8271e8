//! Finding and reading `handoff.toml` (the settings themselves are read by [`crate::config`]).
//!
//! As with ruff and cargo, the file is searched for upwards: from the first checked path, then
//! from the current directory; `--config FILE` names one and `--no-config` ignores any.

use std::path::{Path, PathBuf};

use super::{files, CliError, Format};
use crate::config::{self, Config, FindingsFormat};

/// The flags that choose the configuration file.
#[derive(Debug, Clone, Default, clap::Args)]
#[group(skip)]
pub struct Args {
    /// Read settings from FILE instead of the nearest `handoff.toml`
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any `handoff.toml`
    #[arg(long, visible_alias = "isolated")]
    pub no_config: bool,
}

/// The settings in force and the directory their relative paths start from.
#[derive(Debug, Clone, Default)]
pub struct Project {
    config: Config,
    root: PathBuf,
}

impl Project {
    /// Finds and reads the configuration the flags and paths select; no file found is no error.
    pub fn load(args: &Args, paths: &[PathBuf]) -> Result<Project, Vec<CliError>> {
        if args.no_config {
            return Ok(Project::default());
        }
        let file = match &args.config {
            Some(named) => named.clone(),
            None => match discover(paths) {
                Some(found) => found,
                None => return Ok(Project::default()),
            },
        };
        let text = files::read_source(&file).map_err(|e| vec![e])?;
        let shown = files::display_path(&file);
        let config = config::parse(&text).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| CliError::new(format!("{shown}:{}:{}: {}", e.line, e.column, e.message)))
                .collect::<Vec<_>>()
        })?;
        let root = file
            .canonicalize()
            .ok()
            .and_then(|f| f.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        Ok(Project { config, root })
    }

    /// The paths to check: those given, else the `include` paths, else the current directory.
    pub fn paths(&self, given: &[PathBuf]) -> Vec<PathBuf> {
        if !given.is_empty() {
            given.to_vec()
        } else if self.config.include.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.config
                .include
                .iter()
                .map(|p| self.root.join(p))
                .collect()
        }
    }

    /// What the directory walk skips besides the defaults.
    pub fn exclusions(&self) -> files::Exclusions {
        files::Exclusions::new(self.root.clone(), self.config.exclude.clone())
    }

    /// The settings, for the lints and `[check]` defaults.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// `--format` if given, else `[check] format`, else human.
    pub fn format(&self, flag: Option<Format>) -> Format {
        flag.or(self.config.check.format.map(|f| match f {
            FindingsFormat::Human => Format::Human,
            FindingsFormat::Json => Format::Json,
            FindingsFormat::Sarif => Format::Sarif,
            FindingsFormat::Github => Format::Github,
        }))
        .unwrap_or_default()
    }
}

/// The nearest `handoff.toml` above the first checked path, else above the current directory.
fn discover(paths: &[PathBuf]) -> Option<PathBuf> {
    let from_path = paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .and_then(|p| p.canonicalize().ok());
    let from_cwd = std::env::current_dir().ok();
    from_path
        .into_iter()
        .chain(from_cwd)
        .find_map(|start| nearest(&start))
}

fn nearest(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(config::FILE_NAME))
        .find(|candidate| candidate.is_file())
}
