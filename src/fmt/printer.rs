//! Lines, indentation, blank lines and comments: the layout machinery every block printer shares.
//!
//! The printer emits the file in source order and walks the comment list with one cursor, so
//! every comment is looked at a constant number of times and the whole run stays linear.
//! Positions are byte offsets into the original source; they decide where a comment goes and
//! whether the author left a blank line, never what the output says.

use super::expr;
use crate::span::Span;
use crate::syntax::ast::Expr;
use crate::syntax::Comment;

/// Longest statement line, in characters, before a top-level `or`/`and` chain is broken.
const MAX_WIDTH: usize = 100;
/// Spaces per block level.
const INDENT: usize = 2;
/// Extra spaces before a continuation line of a broken condition, so it cannot be mistaken for a
/// statement of a nested block.
const CONTINUATION: usize = 4;

/// What separates the next line from the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gap {
    /// Nothing: the next line opens a block body or closes one.
    Tight,
    /// A blank line if the author left at least one.
    Author,
    /// Always a blank line: the next line follows a top-level block.
    Blank,
}

/// Whether a block that has no statements keeps its braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Braces {
    /// `KIND NAME {}`
    Required,
    /// `event NAME` and `source NAME RATE` drop empty braces.
    Optional,
}

/// One statement's text: a head, an optional condition and a tail, so a long condition can be
/// broken at its top-level `or`/`and` without re-rendering the rest.
pub(super) struct Line<'e> {
    head: String,
    cond: Option<&'e Expr>,
    tail: String,
}

impl<'e> Line<'e> {
    /// A statement without a condition.
    pub(super) fn plain(text: String) -> Self {
        Line {
            head: text,
            cond: None,
            tail: String::new(),
        }
    }

    /// `head COND tail`; `head` ends with its separating space and `tail` starts with one.
    pub(super) fn cond(head: String, cond: &'e Expr, tail: String) -> Self {
        Line {
            head,
            cond: Some(cond),
            tail,
        }
    }

    /// A statement with an optional `where` filter after `head`.
    pub(super) fn filtered(head: String, filter: Option<&'e Expr>) -> Self {
        match filter {
            Some(f) => Line::cond(format!("{head} where "), f, String::new()),
            None => Line::plain(head),
        }
    }

    /// Appends the statement at column `indent`, breaking before each top-level `or`/`and`
    /// when the flat line would be wider than [`MAX_WIDTH`].
    fn render(&self, indent: usize, out: &mut String) {
        let start = out.len();
        out.push_str(&self.head);
        if let Some(cond) = self.cond {
            expr::write(out, cond);
        }
        out.push_str(&self.tail);
        let width = indent + out.get(start..).map_or(0, |s| s.chars().count());
        if width <= MAX_WIDTH {
            return;
        }
        let Some((keyword, parts)) = self.cond.and_then(expr::chain) else {
            return;
        };
        out.truncate(start);
        out.push_str(&self.head);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                spaces(out, indent + CONTINUATION);
                out.push_str(keyword);
                out.push(' ');
            }
            expr::write(out, part);
        }
        out.push_str(&self.tail);
    }
}

/// The output under construction plus a cursor into the source's comments.
pub(super) struct Printer<'s> {
    src: &'s str,
    comments: &'s [Comment],
    next: usize,
    out: String,
    depth: usize,
    gap: Gap,
    last_end: usize,
}

impl<'s> Printer<'s> {
    /// Starts at the top of `src`; `comments` are the source's comments in order.
    pub(super) fn new(src: &'s str, comments: &'s [Comment]) -> Self {
        Printer {
            src,
            comments,
            next: 0,
            out: String::with_capacity(src.len() + src.len() / 4),
            depth: 0,
            gap: Gap::Tight,
            last_end: 0,
        }
    }

    /// The formatted text.
    pub(super) fn finish(self) -> String {
        self.out
    }

    /// Prints the top-level blocks, one blank line apart, then the comments at the end of the file.
    pub(super) fn top_level<T>(
        &mut self,
        items: &[T],
        span_of: impl Fn(&T) -> Span,
        item: impl FnMut(&mut Self, &T),
    ) {
        self.sequence(items, span_of, usize::MAX, Gap::Blank, item);
    }

    /// Prints `head {`, the statements one level deeper and `}`, with the comments that fall
    /// inside; `span` is the whole block as the parser reported it.
    pub(super) fn block<T>(
        &mut self,
        span: Span,
        head: &str,
        braces: Braces,
        children: &[T],
        span_of: impl Fn(&T) -> Span,
        child: impl FnMut(&mut Self, &T),
    ) {
        let start = span.start as usize;
        let end = self.tight_end(span);
        let has_close = self.src.get(..end).is_some_and(|s| s.ends_with('}'));
        let close = if has_close { end - 1 } else { end };
        self.start_line(start);
        self.out.push_str(head);
        let commented = self.peek().is_some_and(|c| begin(c) < close);
        if children.is_empty() && !commented {
            if braces == Braces::Required {
                self.out.push_str(" {}");
            }
            self.out.push('\n');
            self.last_end = end;
            return;
        }
        self.out.push_str(" {\n");
        let first = children
            .first()
            .map_or(close, |c| span_of(c).start as usize);
        if let Some(c) = self.peek().filter(|c| !c.own_line && begin(c) < first) {
            self.attach(c);
        }
        self.depth += 1;
        self.gap = Gap::Tight;
        self.sequence(children, span_of, close, Gap::Author, child);
        self.depth -= 1;
        self.gap = Gap::Tight;
        self.start_line(close);
        self.out.push_str("}\n");
        self.last_end = end;
    }

    /// Prints a one-line statement (broken only for a long condition); comments written inside
    /// it go on their own lines just before it.
    pub(super) fn leaf(&mut self, span: Span, line: &Line) {
        let start = span.start as usize;
        let end = self.tight_end(span);
        let mut inner = false;
        while let Some(c) = self.peek().filter(|c| begin(c) < end) {
            if inner {
                self.gap = Gap::Tight;
            }
            self.comment_line(c, start);
            inner = true;
        }
        if inner {
            self.gap = Gap::Tight;
        }
        self.start_line(start);
        line.render(self.depth * INDENT, &mut self.out);
        self.out.push('\n');
        self.last_end = end;
    }

    /// Prints each child after the comments that precede it, with the comment that trails it;
    /// what is left before `close` ends the sequence.
    fn sequence<T>(
        &mut self,
        children: &[T],
        span_of: impl Fn(&T) -> Span,
        close: usize,
        gap_after: Gap,
        mut child: impl FnMut(&mut Self, &T),
    ) {
        for (i, c) in children.iter().enumerate() {
            let limit = children
                .get(i + 1)
                .map_or(close, |n| span_of(n).start as usize);
            self.comments_before(span_of(c).start as usize);
            child(self, c);
            self.trailing(limit);
            self.gap = gap_after;
        }
        self.comments_before(close);
    }

    /// Prints every comment that starts before `pos` on its own line.
    fn comments_before(&mut self, pos: usize) {
        while let Some(c) = self.peek().filter(|c| begin(c) < pos) {
            self.comment_line(c, begin(c));
        }
    }

    /// Prints `c` on its own line; `anchor` is the source offset the blank-line rule measures
    /// to, which for a comment moved out of a statement is the statement's start.
    fn comment_line(&mut self, c: &Comment, anchor: usize) {
        self.start_line(anchor);
        self.out.push('#');
        self.out.push_str(&c.text);
        self.out.push('\n');
        self.last_end = c.span.end as usize;
        self.next += 1;
    }

    /// Keeps a comment at the end of the line just printed when the author wrote it on the line
    /// where that construct ends, before anything that starts at `limit`.
    fn trailing(&mut self, limit: usize) {
        let end = self.last_end;
        let Some(c) = self.peek() else {
            return;
        };
        let at = begin(c);
        if (end..limit).contains(&at) && self.src.get(end..at).is_some_and(|gap| !breaks(gap)) {
            self.attach(c);
        }
    }

    /// Appends `c` to the last printed line.
    fn attach(&mut self, c: &Comment) {
        if self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out.push_str(" #");
        self.out.push_str(&c.text);
        self.out.push('\n');
        self.last_end = c.span.end as usize;
        self.next += 1;
    }

    /// Starts a line for a construct at source offset `pos`: the separating blank line, then
    /// the indentation.
    fn start_line(&mut self, pos: usize) {
        let blank = match self.gap {
            Gap::Tight => false,
            Gap::Author => self.src.get(self.last_end..pos).is_some_and(has_blank_line),
            Gap::Blank => true,
        };
        if blank {
            self.out.push('\n');
        }
        self.gap = Gap::Author;
        spaces(&mut self.out, self.depth * INDENT);
    }

    fn peek(&self) -> Option<&'s Comment> {
        self.comments.get(self.next)
    }

    /// Where the construct's last token ends: pest spans of rules with an optional tail also
    /// cover the whitespace and comments after it.
    fn tight_end(&self, span: Span) -> usize {
        let floor = span.start as usize;
        let mut end = (span.end as usize).min(self.src.len());
        loop {
            let Some(text) = self.src.get(floor..end) else {
                return end;
            };
            end = floor + text.trim_end_matches(is_blank).len();
            let comment = self
                .comments
                .binary_search_by_key(&end, |c| c.span.end as usize)
                .ok()
                .and_then(|i| self.comments.get(i))
                .filter(|c| begin(c) >= floor);
            match comment {
                Some(c) => end = begin(c),
                None => return end,
            }
        }
    }
}

fn begin(c: &Comment) -> usize {
    c.span.start as usize
}

/// Whitespace as the grammar and the comment scanner see it (the scanner trims Unicode spaces).
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// True when the stretch holds an empty line: two line breaks (LF, CRLF or a lone CR) with only
/// whitespace between them.
fn has_blank_line(gap: &str) -> bool {
    let mut chars = gap.chars().peekable();
    let mut empty_so_far = false;
    while let Some(c) = chars.next() {
        let line_break = c == '\n' || (c == '\r' && chars.peek() != Some(&'\n'));
        if line_break {
            if empty_so_far {
                return true;
            }
            empty_so_far = true;
        } else if !is_blank(c) {
            empty_so_far = false;
        }
    }
    false
}

/// True when the stretch contains any line break.
fn breaks(gap: &str) -> bool {
    gap.contains(['\n', '\r'])
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}
