//! Lead and event fields.

use crate::check::Lowerer;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Stmt};
use std::collections::HashMap;

impl Lowerer<'_> {
    /// Lowers field declarations, dropping repeated names and values so field indices stay unique.
    fn field_defs(&mut self, fields: &[Stmt<ast::FieldDecl>], owner: &str) -> Vec<ir::FieldDef> {
        let mut out: Vec<ir::FieldDef> = Vec::new();
        let mut latest: HashMap<&str, Span> = HashMap::new();
        for f in fields {
            let name = f.kind.name.name.as_str();
            if let Some(previous) = latest.insert(name, *f.kind.name.loc) {
                self.diags.push(
                    Diagnostic::new(
                        Code::Duplicate,
                        *f.kind.name.loc,
                        format!("field `{name}` of {owner} is declared twice"),
                    )
                    .with_primary_message("declared again here")
                    .with_label(previous, "previously declared here"),
                );
                continue;
            }
            let ty = match &f.kind.ty {
                ast::FieldType::Text => ir::FieldType::Text,
                ast::FieldType::Number => ir::FieldType::Number,
                ast::FieldType::Flag => ir::FieldType::Flag,
                ast::FieldType::OneOf(values) => {
                    let mut names: Vec<String> = Vec::new();
                    for v in values {
                        if names.contains(&v.name) {
                            self.diags.push(
                                Diagnostic::new(
                                    Code::Duplicate,
                                    *v.loc,
                                    format!("value `{}` is listed twice", v.name),
                                )
                                .with_primary_message("repeated value"),
                            );
                        } else {
                            names.push(v.name.clone());
                        }
                    }
                    if names.len() > 64 {
                        self.diags.push(
                            Diagnostic::new(
                                Code::BadLiteral,
                                *f.loc,
                                "a `one of` field may list at most 64 values",
                            )
                            .with_primary_message("too many values")
                            .with_help("use a `text` field for open-ended values"),
                        );
                        names.truncate(64);
                    }
                    ir::FieldType::OneOf { values: names }
                }
            };
            out.push(ir::FieldDef {
                name: f.kind.name.name.clone(),
                ty,
            });
        }
        out
    }

    /// Lowers the `lead` block; a second one is reported but still read, so its fields resolve.
    pub(super) fn lead(&mut self, b: &Block<ast::FieldDecl>) {
        if !self.playbook.fields.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    Code::Duplicate,
                    *b.loc,
                    "the `lead` block is declared twice",
                )
                .with_primary_message("second `lead` block")
                .with_help("declare every lead field in one `lead` block"),
            );
        }
        let fields = self.field_defs(&b.body, "the lead");
        self.playbook.fields.extend(fields);
    }

    /// Lowers an `event` block's fields.
    pub(super) fn event(&mut self, b: &Block<ast::FieldDecl>) {
        let fields = self.field_defs(&b.body, &format!("event `{}`", b.name.name));
        self.playbook.events.push(ir::EventDef {
            name: b.name.name.clone(),
            fields,
        });
    }
}
