//! Lead and event fields.

use crate::check::Lowerer;
use crate::diagnostics::messages;
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
                self.diags.push(messages::duplicate_field(
                    *f.kind.name.loc,
                    name,
                    owner,
                    previous,
                ));
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
                            self.diags.push(messages::duplicate_value(*v.loc, &v.name));
                        } else {
                            names.push(v.name.clone());
                        }
                    }
                    if names.len() > 64 {
                        self.diags.push(messages::too_many_values(*f.loc));
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
            self.diags.push(messages::duplicate_lead_block(*b.loc));
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
