//! The lead lifecycle as a Graphviz DOT digraph (`dot -Tsvg` renders it).
//!
//! Every id and label is a quoted DOT string, so names and human labels with spaces, quotes
//! or backslashes cannot break the file. Tracks sit in one cluster, the automated part of
//! the lifecycle; arrows leaving the cluster are the handoffs and disqualifiers that can fire
//! from any track.

use super::{Edge, EdgeKind, Endpoint, Lifecycle, Node, NodeKind, START};
use crate::ir::Playbook;
use std::fmt::Write;

/// Id of the cluster holding the tracks; DOT treats `cluster_*` subgraphs as boxes.
const CLUSTER: &str = "cluster_automation";

/// Renders a checked playbook's lead lifecycle as DOT, deterministically.
pub fn render(playbook: &Playbook) -> String {
    let g = Lifecycle::build(playbook);
    let mut out = String::new();
    // Writing into a `String` cannot fail, so the `fmt::Result`s below are ignored.
    let _ = writeln!(out, "digraph {} {{", quote(&playbook.name));
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, rankdir=LR, compound=true, fontname=\"Helvetica\"];",
        quote(&g.title)
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");

    // The entry point first, so the layout starts from it.
    out.push('\n');
    for n in g.of_kind(NodeKind::Start) {
        node(&mut out, "  ", n);
    }
    let tracks: Vec<&Node> = g.of_kind(NodeKind::Track).collect();
    if !tracks.is_empty() {
        let _ = writeln!(out, "  subgraph {} {{", quote(CLUSTER));
        out.push_str("    label=\"automated nurture\";\n");
        out.push_str("    style=\"rounded,filled\";\n");
        out.push_str("    color=\"#9bb5d6\";\n");
        out.push_str("    fillcolor=\"#f4f8fc\";\n");
        for n in &tracks {
            node(&mut out, "    ", n);
        }
        out.push_str("  }\n");
    }
    out.push('\n');
    for n in g.others() {
        node(&mut out, "  ", n);
    }
    out.push('\n');
    for e in &g.edges {
        edge(&mut out, e, &tracks);
    }
    out.push_str("}\n");
    out
}

fn node(out: &mut String, indent: &str, n: &Node) {
    let _ = writeln!(
        out,
        "{indent}{} [label={}, {}];",
        quote(&n.id),
        label(&n.lines),
        node_style(n.kind)
    );
}

fn node_style(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Start => "shape=circle, style=filled, fillcolor=\"#ffffff\"",
        NodeKind::Track => "shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f7\"",
        NodeKind::Disqualifier => "shape=octagon, style=filled, fillcolor=\"#f9e0e0\"",
        NodeKind::Handoff => "shape=hexagon, style=filled, fillcolor=\"#fdebd0\"",
        NodeKind::Router => "shape=diamond, style=filled, fillcolor=\"#fef9e7\"",
        NodeKind::Queue => "shape=cylinder, style=filled, fillcolor=\"#e9f7ef\"",
        NodeKind::Sequence => "shape=component, style=filled, fillcolor=\"#eaf2f8\"",
        NodeKind::Reason => "shape=box, style=filled, fillcolor=\"#f4ecf7\"",
        NodeKind::Notify => "shape=note, style=filled, fillcolor=\"#fcf3cf\"",
        NodeKind::Converted => "shape=doublecircle, style=filled, fillcolor=\"#abebc6\"",
        NodeKind::Closed => "shape=doublecircle, style=filled, fillcolor=\"#d5d8dc\"",
    }
}

fn edge(out: &mut String, e: &Edge, tracks: &[&Node]) {
    let mut attrs: Vec<String> = Vec::new();
    let from = match (&e.from, tracks.first().map(|n| n.id.as_str())) {
        (Endpoint::Node(id), _) => id.as_str(),
        // Arrows from the automation group start at its first track, clipped at the cluster.
        (Endpoint::Automation, Some(first)) => {
            attrs.push(format!("ltail={}", quote(CLUSTER)));
            first
        }
        (Endpoint::Automation, None) => START,
    };
    if !e.lines.is_empty() {
        attrs.push(format!("label={}", label(&e.lines)));
    }
    match e.kind {
        EdgeKind::Flow => {}
        EdgeKind::Breach => {
            attrs.push("style=dashed, color=\"#c0392b\", fontcolor=\"#c0392b\"".to_string())
        }
        EdgeKind::Recycle => attrs.push("color=\"#1e8449\", fontcolor=\"#1e8449\"".to_string()),
    }
    // Arrows back into automation run against the flow; left out of ranking, they do not drag
    // handoffs and reasons in front of the tracks they return to.
    if tracks.iter().any(|t| t.id == e.to) {
        attrs.push("constraint=false".to_string());
    }
    let attrs = if attrs.is_empty() {
        String::new()
    } else {
        format!(" [{}]", attrs.join(", "))
    };
    let _ = writeln!(out, "  {} -> {}{attrs};", quote(from), quote(&e.to));
}

/// Lines of a label as one DOT string, separated by centred line breaks.
fn label(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    format!("\"{}\"", escaped.join("\\n"))
}

/// A DOT double-quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// Escapes text for the inside of a DOT string: backslashes are escape characters in labels
/// (`\n`, `\l`, `\N`), so they are doubled; quotes are escaped; a line break in a human label
/// stays a line break and other control characters become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(quote(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
        assert_eq!(quote("two\nlines\tand tab"), r#""two\nlines and tab""#);
        assert_eq!(
            label(&["a \"b\"".to_string(), "c".to_string()]),
            r#""a \"b\"\nc""#
        );
    }
}
