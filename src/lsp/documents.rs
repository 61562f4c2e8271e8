//! The open documents: each one's latest analysis, and the index of its last text that parsed.

use super::analysis::Analysis;
use super::convert::Doc;
use super::index::Index;
use super::positions::{Encoding, Positions};
use lsp_types::Uri;
use std::collections::HashMap;

/// One open document.
#[derive(Debug)]
pub struct Document {
    /// The analysis of its current text.
    pub analysis: Analysis,
    /// Its positions in the negotiated encoding.
    pub positions: Positions,
    /// The index of the latest text without syntax errors: names declared in a block the
    /// current edit broke stay known to completion while the author types.
    pub last_good: Index,
}

/// Every open document by address.
#[derive(Debug)]
pub struct Documents {
    encoding: Encoding,
    open: HashMap<Uri, Document>,
}

impl Documents {
    /// No documents yet; positions will count in `encoding`.
    pub fn new(encoding: Encoding) -> Self {
        Documents {
            encoding,
            open: HashMap::new(),
        }
    }

    /// Analyses a document's new text, with its project's lints, and keeps it.
    pub fn update(&mut self, uri: Uri, text: String) {
        let positions = Positions::new(&text, self.encoding);
        let analysis = Analysis::with_lints(text, &super::project::lints(&uri));
        let last_good = if analysis.parses() {
            analysis.index.clone()
        } else {
            self.open
                .remove(&uri)
                .map(|d| d.last_good)
                .unwrap_or_default()
        };
        self.open.insert(
            uri,
            Document {
                analysis,
                positions,
                last_good,
            },
        );
    }

    /// Forgets a closed document.
    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri);
    }

    /// An open document, if any.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }
}

impl Document {
    /// The document seen through its address, for conversions.
    pub fn view<'a>(&'a self, uri: &'a Uri) -> Doc<'a> {
        Doc {
            analysis: &self.analysis,
            positions: &self.positions,
            uri,
        }
    }
}
