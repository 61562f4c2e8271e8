//! Where event lines come from: a file, resumed at the byte the last committed batch ended at
//! and optionally followed as it grows, or standard input. A thread reads and hands whole lines
//! to the runner, so waiting for input never holds up timers or a commit.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Duration;

/// Where the runner reads event lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file of event lines.
    File(PathBuf),
    /// Standard input.
    Stdin,
}

/// Where a file's reading stopped: the byte after the last line read and that line's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Byte offset of the next line.
    pub offset: u64,
    /// Number of lines before it.
    pub line: usize,
}

impl Position {
    /// As kept in the store's meta table.
    pub fn to_meta(self) -> String {
        format!("{} {}", self.offset, self.line)
    }

    /// Read back from the meta table; anything else starts at the beginning.
    pub fn from_meta(text: &str) -> Position {
        let mut parts = text.split(' ').map(str::parse::<u64>);
        match (parts.next(), parts.next()) {
            (Some(Ok(offset)), Some(Ok(line))) => Position {
                offset,
                line: usize::try_from(line).unwrap_or(0),
            },
            _ => Position::default(),
        }
    }
}

/// A line that cannot be decoded as an event line: its text for the dead letter that records
/// it, and why, so every front end (a file, a request, an adapter's payload) dead-letters the
/// same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The text as received, with bytes that are not UTF-8 replaced.
    pub text: String,
    /// Why it cannot be decoded, without the line number (the commit adds it).
    pub why: String,
}

impl Unreadable {
    /// A line whose bytes are not UTF-8, kept (replaced) for its dead letter.
    pub fn not_utf8(bytes: &[u8]) -> Unreadable {
        Unreadable {
            text: String::from_utf8_lossy(bytes).into_owned(),
            why: "the line is not UTF-8 text".into(),
        }
    }
}

/// One message from the reader.
#[derive(Debug)]
pub enum Message {
    /// A whole line (without its end of line), its number from 1, and the position after it.
    Line {
        /// The line's text, or, for bytes that are not UTF-8, what its dead letter records.
        text: Result<String, Unreadable>,
        /// Its number in the source, from 1.
        number: usize,
        /// Where the next line starts.
        after: Position,
    },
    /// The source ended (never sent when following).
    End,
    /// The source could not be read.
    Failed(String),
}

/// How long a follower waits before looking at a file again.
const POLL: Duration = Duration::from_millis(50);

/// Starts reading `source` from `start` on a thread; lines arrive on the receiver.
pub fn spawn(source: Source, start: Position, follow: bool) -> Receiver<Message> {
    let (tx, rx) = sync_channel(8192);
    std::thread::spawn(move || {
        let result = match source {
            Source::File(path) => read_file(&path, start, follow, &tx),
            Source::Stdin => read(std::io::stdin().lock(), Position::default(), false, &tx),
        };
        let last = match result {
            Ok(()) => Message::End,
            Err(e) => Message::Failed(e),
        };
        let _ = tx.send(last);
    });
    rx
}

fn read_file(
    path: &PathBuf,
    start: Position,
    follow: bool,
    tx: &SyncSender<Message>,
) -> Result<(), String> {
    let mut file =
        File::open(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    // A file shorter than where the last run stopped was replaced: read it from the start.
    let start = if start.offset > len {
        Position::default()
    } else {
        start
    };
    file.seek(SeekFrom::Start(start.offset))
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    read(file, start, follow, tx)
}

/// Sends whole lines; a last line without an end of line is sent only when not following (a
/// follower waits for the writer to finish it).
fn read(
    input: impl Read,
    start: Position,
    follow: bool,
    tx: &SyncSender<Message>,
) -> Result<(), String> {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut position = start;
    let mut buf = Vec::new();
    loop {
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("reading events: {e}"))?;
        let complete = buf.last() == Some(&b'\n');
        if n == 0 || !complete {
            if follow {
                std::thread::sleep(POLL);
                continue;
            }
            if buf.is_empty() {
                return Ok(());
            }
        }
        position.offset += u64::try_from(buf.len()).unwrap_or(0);
        position.line += 1;
        let end = buf.len()
            - buf
                .iter()
                .rev()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
        let bytes = buf.get(..end).unwrap_or_default();
        let text = std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| Unreadable::not_utf8(bytes));
        buf.clear();
        let message = Message::Line {
            text,
            number: position.line,
            after: position,
        };
        if tx.send(message).is_err() {
            return Ok(());
        }
        if !complete {
            return Ok(());
        }
    }
}
