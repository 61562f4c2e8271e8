//! The server loop: the initialize handshake, then one request or notification at a time.
//!
//! Requests are answered in order on one thread; every answer is computed from the analysis
//! made when the document last changed, so a request costs a lookup, not a check.

use super::completion;
use super::convert::{completion_kind, Doc};
use super::documents::{Document, Documents};
use super::hover;
use super::navigate;
use super::positions::Encoding;
use super::tokens;
use crate::fmt::{self, FormatError};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{self as lsp, notification as note, request as req};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

/// Why the server stopped before `exit`.
#[derive(Debug)]
pub struct ServerError(pub String);

/// Serves one client over standard input and output until it says `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads
        .join()
        .map_err(|e| ServerError(format!("the connection failed: {e}")))
}

/// Serves one client on a connection: the handshake, then the main loop.
pub fn serve(connection: &Connection) -> Result<(), ServerError> {
    let failed = |e: lsp_server::ProtocolError| ServerError(format!("the handshake failed: {e}"));
    let (id, params) = connection.initialize_start().map_err(failed)?;
    let params: lsp::InitializeParams = serde_json::from_value(params)
        .map_err(|e| ServerError(format!("`initialize` has malformed parameters: {e}")))?;
    let encoding = negotiate(&params);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": { "name": "handoff", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(failed)?;
    let mut server = Server {
        connection,
        documents: Documents::new(encoding),
    };
    for msg in &connection.receiver {
        match msg {
            Message::Request(r) => {
                if connection.handle_shutdown(&r).map_err(failed)? {
                    return Ok(());
                }
                server.request(r)?;
            }
            Message::Notification(n) => server.notification(n)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// UTF-8 when the client offers it (no conversion), else the protocol's UTF-16.
fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    let legend = lsp::SemanticTokensLegend {
        token_types: tokens::TYPES
            .iter()
            .map(|t| lsp::SemanticTokenType::new(t))
            .collect(),
        token_modifiers: tokens::MODIFIERS
            .iter()
            .map(|m| lsp::SemanticTokenModifier::new(m))
            .collect(),
    };
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        // No trigger characters: editors ask as a word is typed, and a popup after every
        // space would cover the line being written.
        completion_provider: Some(lsp::CompletionOptions::default()),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend,
                    full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                    ..lsp::SemanticTokensOptions::default()
                },
            ),
        ),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..lsp::ServerCapabilities::default()
    }
}

struct Server<'c> {
    connection: &'c Connection,
    documents: Documents,
}

/// A request's answer: its result, or a refusal to show the author.
type Answer = Result<serde_json::Value, (ErrorCode, String)>;

impl Server<'_> {
    fn send(&self, msg: Message) -> Result<(), ServerError> {
        self.connection
            .sender
            .send(msg)
            .map_err(|e| ServerError(format!("cannot write to the client: {e}")))
    }

    fn notification(&mut self, n: Notification) -> Result<(), ServerError> {
        use lsp::notification::Notification as _;
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Some(p) = self.read::<lsp::DidOpenTextDocumentParams>(n)? {
                    self.changed(p.text_document.uri, p.text_document.text)?;
                }
            }
            note::DidChangeTextDocument::METHOD => {
                // Full synchronisation: the last change holds the whole text.
                if let Some(p) = self.read::<lsp::DidChangeTextDocumentParams>(n)? {
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.changed(p.text_document.uri, change.text)?;
                    }
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Some(p) = self.read::<lsp::DidCloseTextDocumentParams>(n)? {
                    self.documents.close(&p.text_document.uri);
                    self.publish(p.text_document.uri, Vec::new())?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A notification's parameters; malformed ones are logged to the client, which has no
    /// answer to show them in, rather than dropped unseen.
    fn read<P: serde::de::DeserializeOwned>(
        &self,
        n: Notification,
    ) -> Result<Option<P>, ServerError> {
        match serde_json::from_value(n.params) {
            Ok(p) => Ok(Some(p)),
            Err(e) => {
                self.log(&format!("`{}` has malformed parameters: {e}", n.method))?;
                Ok(None)
            }
        }
    }

    /// An error in the client's log (`window/logMessage`).
    fn log(&self, message: &str) -> Result<(), ServerError> {
        use lsp::notification::Notification as _;
        let params = lsp::LogMessageParams {
            typ: lsp::MessageType::ERROR,
            message: message.to_owned(),
        };
        self.send(Message::Notification(Notification::new(
            note::LogMessage::METHOD.to_owned(),
            params,
        )))
    }

    /// Analyses a document's new text and publishes its findings.
    fn changed(&mut self, uri: lsp::Uri, text: String) -> Result<(), ServerError> {
        let documents = &mut self.documents;
        let updated =
            std::panic::catch_unwind(AssertUnwindSafe(|| documents.update(uri.clone(), text)));
        if updated.is_err() {
            // The document is forgotten rather than kept half-updated; the next edit retries.
            self.documents.close(&uri);
            self.log(&internal_error(&format!("analysing `{}`", uri.as_str())))?;
        }
        let diagnostics = self
            .documents
            .get(&uri)
            .map(|d| d.view(&uri).diagnostics())
            .unwrap_or_default();
        self.publish(uri, diagnostics)
    }

    fn publish(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>) -> Result<(), ServerError> {
        use lsp::notification::Notification as _;
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            note::PublishDiagnostics::METHOD.to_owned(),
            params,
        )))
    }

    /// Answers a request; a failure of the analysis (a bug) fails that request, not the session.
    fn request(&mut self, r: Request) -> Result<(), ServerError> {
        let id = r.id.clone();
        let method = r.method.clone();
        let answer = std::panic::catch_unwind(AssertUnwindSafe(|| self.answer(r)))
            .unwrap_or_else(|_| Err((ErrorCode::InternalError, internal_error(&method))));
        self.respond(id, answer)
    }

    fn respond(&self, id: RequestId, answer: Answer) -> Result<(), ServerError> {
        let response = match answer {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(Message::Response(response))
    }

    fn answer(&self, r: Request) -> Answer {
        use lsp::request::Request as _;
        match r.method.as_str() {
            req::HoverRequest::METHOD => self.at(r, |doc, _, at| {
                let (span, text) = hover::hover(doc.analysis, at)?;
                Some(json(lsp::Hover {
                    contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: text,
                    }),
                    range: Some(doc.range(span)),
                }))
            }),
            req::GotoDefinition::METHOD => self.at(r, |doc, d, at| {
                let text = &doc.analysis.text;
                let span = navigate::definition(&doc.analysis.index, at).or_else(|| {
                    navigate::recovered_definition(&d.last_good, text, at)
                        .filter(|_| !doc.analysis.parses())
                })?;
                Some(json(doc.location(span)))
            }),
            req::References::METHOD => {
                let p: lsp::ReferenceParams = params(r)?;
                let declaration = p.context.include_declaration;
                self.with(&p.text_document_position, |doc, _, at| {
                    let spans = navigate::references(&doc.analysis.index, at, declaration);
                    Some(json(
                        spans
                            .into_iter()
                            .map(|s| doc.location(s))
                            .collect::<Vec<_>>(),
                    ))
                })
            }
            req::Rename::METHOD => self.rename(params(r)?),
            req::PrepareRenameRequest::METHOD => {
                let p: lsp::TextDocumentPositionParams = params(r)?;
                let uri = &p.text_document.uri;
                let d = self.document(uri)?;
                let doc = d.view(uri);
                let span = navigate::prepare_rename(&doc.analysis.index, doc.offset(p.position))
                    .map_err(|e| (ErrorCode::RequestFailed, e.0))?;
                Ok(json(doc.range(span)))
            }
            req::Completion::METHOD => self.at(r, |doc, d, at| {
                let items: Vec<lsp::CompletionItem> = completion::complete(
                    &doc.analysis.text,
                    at,
                    &[&doc.analysis.index, &d.last_good],
                )
                .into_iter()
                .map(|c| lsp::CompletionItem {
                    detail: c.kind.map(|k| k.word().to_owned()),
                    kind: Some(completion_kind(c.kind)),
                    label: c.label,
                    ..lsp::CompletionItem::default()
                })
                .collect();
                Some(json(items))
            }),
            req::DocumentSymbolRequest::METHOD => {
                let p: lsp::DocumentSymbolParams = params(r)?;
                self.whole(&p.text_document.uri, |doc| Ok(json(doc.symbols())))
            }
            req::Formatting::METHOD => {
                let p: lsp::DocumentFormattingParams = params(r)?;
                self.whole(&p.text_document.uri, format)
            }
            req::SemanticTokensFullRequest::METHOD => {
                let p: lsp::SemanticTokensParams = params(r)?;
                self.whole(&p.text_document.uri, |doc| {
                    Ok(json(lsp::SemanticTokens {
                        result_id: None,
                        data: doc.tokens(),
                    }))
                })
            }
            req::CodeLensRequest::METHOD => {
                let p: lsp::CodeLensParams = params(r)?;
                self.whole(&p.text_document.uri, |doc| Ok(json(doc.lenses())))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("`{other}` is not supported"),
            )),
        }
    }

    /// Answers a request about one position of a document; `null` when nothing is there.
    fn at(
        &self,
        r: Request,
        f: impl FnOnce(&Doc<'_>, &Document, usize) -> Option<serde_json::Value>,
    ) -> Answer {
        let p: lsp::TextDocumentPositionParams = params(r)?;
        self.with(&p, f)
    }

    fn with(
        &self,
        p: &lsp::TextDocumentPositionParams,
        f: impl FnOnce(&Doc<'_>, &Document, usize) -> Option<serde_json::Value>,
    ) -> Answer {
        let uri = &p.text_document.uri;
        let d = self.document(uri)?;
        let doc = d.view(uri);
        let at = doc.offset(p.position);
        Ok(f(&doc, d, at).unwrap_or(serde_json::Value::Null))
    }

    fn whole(&self, uri: &lsp::Uri, f: impl FnOnce(&Doc<'_>) -> Answer) -> Answer {
        let d = self.document(uri)?;
        f(&d.view(uri))
    }

    fn document(&self, uri: &lsp::Uri) -> Result<&Document, (ErrorCode, String)> {
        self.documents.get(uri).ok_or_else(|| {
            (
                ErrorCode::InvalidParams,
                format!("`{}` is not open", uri.as_str()),
            )
        })
    }

    fn rename(&self, p: lsp::RenameParams) -> Answer {
        let uri = &p.text_document_position.text_document.uri;
        let d = self.document(uri)?;
        let doc = d.view(uri);
        let at = doc.offset(p.text_document_position.position);
        let edits = navigate::rename(doc.analysis, at, &p.new_name)
            .map_err(|e| (ErrorCode::RequestFailed, e.0))?;
        let edits: Vec<lsp::TextEdit> = edits
            .into_iter()
            .map(|(span, new_text)| lsp::TextEdit {
                range: doc.range(span),
                new_text,
            })
            .collect();
        Ok(json(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..lsp::WorkspaceEdit::default()
        }))
    }
}

/// The whole document formatted by `fmt`, refused while it has syntax errors.
fn format(doc: &Doc<'_>) -> Answer {
    match fmt::format_source(super::analysis::FILE, &doc.analysis.text) {
        Ok(out) if out == doc.analysis.text => Ok(json(Vec::<lsp::TextEdit>::new())),
        Ok(out) => Ok(json(vec![doc.replace_all(out)])),
        Err(FormatError::Syntax(_)) => Err((
            ErrorCode::RequestFailed,
            "cannot format a playbook with syntax errors".to_owned(),
        )),
        Err(e) => Err((ErrorCode::RequestFailed, e.to_string())),
    }
}

/// The message of a request or an analysis that failed inside the server.
fn internal_error(what: &str) -> String {
    format!("`{what}` failed inside the server; this is a bug in handoff, please report it")
}

fn json(v: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn params<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(r.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("`{}` has malformed parameters: {e}", r.method),
        )
    })
}
