//! `replay --explain LEAD`: the lead's story as text for people or JSON for tools.

use super::super::{finish, report_error, CliError, Exit};
use crate::replay::explain::Story;

/// Prints the story; a lead no line created is an error (exit 2).
pub fn print(story: &Story, json: bool) -> Exit {
    if !story.found {
        report_error(&CliError::new(format!(
            "no `handoff.lead.created` line created lead `{}`",
            story.lead
        )));
        return Exit::Failure;
    }
    let text = if json {
        // A story holds only strings, booleans and lists, so serialising cannot fail.
        let mut text = serde_json::to_string_pretty(story).unwrap_or_default();
        text.push('\n');
        text
    } else {
        text(story)
    };
    finish(text.as_bytes(), Exit::Ok)
}

/// The story for people: one paragraph per step, reasons before actions.
fn text(story: &Story) -> String {
    let mut out = format!(
        "lead `{}` · {} · {} steps · stage now: {}\n",
        story.lead,
        story.playbook,
        story.chapters.len(),
        story.stage
    );
    for c in &story.chapters {
        out.push_str(&format!("\n{}  {}", c.at, c.input));
        if c.late {
            out.push_str(" (late: applied at the lead's time)");
        }
        if let Some(why) = c.ignored {
            out.push_str(&format!(" (ignored: {why})"));
        }
        out.push('\n');
        for why in &c.why {
            out.push_str(&format!("  why  {}", why.text));
            if let Some(source) = &why.source {
                out.push_str(&format!("  [{}]", source.at));
            }
            out.push('\n');
        }
        for action in &c.actions {
            out.push_str(&format!("  do   {action}\n"));
        }
    }
    out
}
