//! `handoff lsp`: the language server editors talk to over standard input and output.
//!
//! The analysis is the checker's: every request runs on the same parse, check and format the
//! CLI uses (no second parser), and the symbol index is built from the AST. Only [`server`]
//! touches the protocol's transport; the other modules are pure functions of a document's text.

pub mod analysis;
pub mod completion;
pub mod convert;
pub mod documents;
pub mod hover;
pub mod index;
pub mod keywords;
pub mod navigate;
pub mod positions;
pub mod project;
pub mod server;
pub mod tokens;
