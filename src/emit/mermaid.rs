//! The lead lifecycle as a Mermaid flowchart (GitHub renders it in Markdown and pull requests).
//!
//! Node ids are identifiers (`KIND_NAME`) and every label is a quoted string with
//! Mermaid's `#name;` entities for the characters that would end or reinterpret it. Tracks
//! sit in one subgraph, so a handoff or disqualifier that can fire from any track is one arrow
//! from the subgraph. Breach paths are dotted and red, recycles green.

use super::{Edge, EdgeKind, Endpoint, Lifecycle, Node, NodeKind, START};
use crate::ir::Playbook;
use std::fmt::Write;

/// Id of the subgraph holding the tracks; no node id can take it (they all carry a `_`).
const SUBGRAPH: &str = "automation";

/// Renders a checked playbook's lead lifecycle as a Mermaid flowchart, deterministically.
pub fn render(playbook: &Playbook) -> String {
    let g = Lifecycle::build(playbook);
    let mut out = String::new();
    // Writing into a `String` cannot fail, so the `fmt::Result`s below are ignored.
    let _ = writeln!(out, "---\ntitle: {}\n---", yaml_string(&g.title));
    out.push_str("flowchart LR\n");

    // The entry point first, so the layout starts from it.
    for n in g.of_kind(NodeKind::Start) {
        node(&mut out, "  ", n);
    }
    let tracks: Vec<&Node> = g.of_kind(NodeKind::Track).collect();
    if !tracks.is_empty() {
        let _ = writeln!(out, "  subgraph {SUBGRAPH} [\"automated nurture\"]");
        for n in &tracks {
            node(&mut out, "    ", n);
        }
        out.push_str("  end\n");
    }
    for n in g.others() {
        node(&mut out, "  ", n);
    }

    let from_group = if tracks.is_empty() { START } else { SUBGRAPH };
    let mut breaches = Vec::new();
    let mut recycles = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        match e.kind {
            EdgeKind::Flow => {}
            EdgeKind::Breach => breaches.push(i.to_string()),
            EdgeKind::Recycle => recycles.push(i.to_string()),
        }
        edge(&mut out, e, from_group);
    }

    for (kind, style) in CLASSES {
        let members: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.id.as_str())
            .collect();
        if !members.is_empty() {
            let class = class_name(kind);
            let _ = writeln!(out, "  classDef {class} {style}");
            let _ = writeln!(out, "  class {} {class}", members.join(","));
        }
    }
    if !tracks.is_empty() {
        let _ = writeln!(out, "  style {SUBGRAPH} fill:#f4f8fc,stroke:#9bb5d6");
    }
    if !breaches.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#c0392b,color:#c0392b",
            breaches.join(",")
        );
    }
    if !recycles.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#1e8449,color:#1e8449",
            recycles.join(",")
        );
    }
    out
}

/// Fill and stroke per node kind, in the order the class definitions are printed.
const CLASSES: [(NodeKind, &str); 11] = [
    (NodeKind::Start, "fill:#ffffff,stroke:#555555"),
    (NodeKind::Track, "fill:#dbe8f7,stroke:#4a7ab5"),
    (NodeKind::Disqualifier, "fill:#f9e0e0,stroke:#c0392b"),
    (NodeKind::Handoff, "fill:#fdebd0,stroke:#d68910"),
    (NodeKind::Router, "fill:#fef9e7,stroke:#b7950b"),
    (NodeKind::Queue, "fill:#e9f7ef,stroke:#1e8449"),
    (NodeKind::Sequence, "fill:#eaf2f8,stroke:#2471a3"),
    (NodeKind::Reason, "fill:#f4ecf7,stroke:#7d3c98"),
    (NodeKind::Notify, "fill:#fcf3cf,stroke:#b7950b"),
    (NodeKind::Converted, "fill:#abebc6,stroke:#1e8449"),
    (NodeKind::Closed, "fill:#d5d8dc,stroke:#555555"),
];

fn class_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Start => "startNode",
        NodeKind::Track => "trackNode",
        NodeKind::Disqualifier => "disqualifierNode",
        NodeKind::Handoff => "handoffNode",
        NodeKind::Router => "routerNode",
        NodeKind::Queue => "queueNode",
        NodeKind::Sequence => "sequenceNode",
        NodeKind::Reason => "reasonNode",
        NodeKind::Notify => "notifyNode",
        NodeKind::Converted => "convertedNode",
        NodeKind::Closed => "closedNode",
    }
}

fn node(out: &mut String, indent: &str, n: &Node) {
    let (open, close) = match n.kind {
        NodeKind::Start => ("([", "])"),
        NodeKind::Track => ("(", ")"),
        NodeKind::Disqualifier => ("[/", "\\]"),
        NodeKind::Handoff => ("{{", "}}"),
        NodeKind::Router => ("{", "}"),
        NodeKind::Queue => ("[(", ")]"),
        NodeKind::Sequence => ("[[", "]]"),
        NodeKind::Reason => ("[", "]"),
        NodeKind::Notify => (">", "]"),
        NodeKind::Converted | NodeKind::Closed => ("((", "))"),
    };
    let _ = writeln!(out, "{indent}{}{open}{}{close}", n.id, label(&n.lines));
}

fn edge(out: &mut String, e: &Edge, from_group: &str) {
    let from = match &e.from {
        Endpoint::Node(id) => id.as_str(),
        Endpoint::Automation => from_group,
    };
    let arrow = match e.kind {
        EdgeKind::Breach => "-.->",
        EdgeKind::Flow | EdgeKind::Recycle => "-->",
    };
    if e.lines.is_empty() {
        let _ = writeln!(out, "  {from} {arrow} {}", e.to);
    } else {
        let _ = writeln!(out, "  {from} {arrow}|{}| {}", label(&e.lines), e.to);
    }
}

/// Lines of a label as one quoted Mermaid string with `<br>` between lines.
fn label(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|l| escape(l)).collect();
    format!("\"{}\"", escaped.join("<br>"))
}

/// Escapes text for the inside of a quoted Mermaid label. Quotes would end the string, `#`
/// starts an entity, `<`, `>` and `&` are read as HTML, a backtick starts Markdown and `|`
/// ends an edge label; all become numeric or named entities. Line breaks become `<br>`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A YAML double-quoted scalar for the front-matter title.
fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn labels_use_entities_for_characters_that_end_or_change_them() {
        assert_eq!(
            label(&[
                "say \"hi\" #1 <b> & `x` | y".to_string(),
                "next".to_string()
            ]),
            "\"say #quot;hi#quot; #35;1 #lt;b#gt; #amp; #96;x#96; #124; y<br>next\""
        );
        assert_eq!(escape("a\nb\tc"), "a<br>b c");
    }

    #[test]
    fn titles_are_yaml_double_quoted() {
        assert_eq!(yaml_string(r#"A "b" \ c: d"#), r#""A \"b\" \\ c: d""#);
    }
}
