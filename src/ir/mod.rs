//! The checked IR: what a playbook means, with none of the syntax's looseness.
//!
//! Names are resolved to dense indices, durations are normalised to seconds (business time is
//! kept symbolic, resolved against a calendar at run time), values are typed, and defaults are
//! filled in. The engine, simulator, live runner and diagram emitters read only this; nothing
//! here points back into the source except the `origin` spans kept for runtime diagnostics.
//! Every type is serde-serializable so `handoff compile --emit ir` is a faithful dump.

pub mod limits;
pub mod scenario;

use crate::calendar::CalendarSpec;
use crate::span::Span;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use scenario::Scenario;

/// Declares a fieldless enum and its source names from one list: the enum, `ALL` (every variant
/// with its source name, in declaration order) and `name`, so a new variant cannot miss its name.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }
    ) => {
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every variant with its source name, in declaration order.
            pub const ALL: [($name, &'static str); [$(stringify!($variant)),*].len()] =
                [$(($name::$variant, $text)),*];

            /// Source name, as written in playbooks.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

pub(crate) use named_enum;

macro_rules! id_type {
    ($($name:ident: $what:literal),* $(,)?) => {$(
        #[doc = concat!("Index of a ", $what, " in its table of [`Playbook`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as `usize`, for table lookups.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id_type! {
    CalendarId: "calendar",
    FieldId: "lead field",
    EventId: "event",
    ScoreId: "score",
    BandSetId: "band set",
    CounterId: "windowed counter",
    TrackId: "track",
    HandoffId: "handoff rule",
    RouterId: "router",
    QueueId: "queue",
    SellerId: "seller",
    AccountsId: "named-account set",
    ContextId: "context package",
    SequenceId: "sequence",
    ReasonId: "reason code",
    ShapeId: "rate shape",
}

// The IR by part of the playbook; every type is re-exported here, so paths stay `ir::X`.
mod cond;
mod fields;
mod handoff;
mod kpi;
mod scoring;
mod tracks;
mod work;

pub use cond::*;
pub use fields::*;
pub use handoff::*;
pub use kpi::*;
pub use scoring::*;
pub use tracks::*;
pub use work::*;

/// A whole checked playbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    /// Name from the `playbook` header, or the file stem when there is none.
    pub name: String,
    /// Human title.
    pub title: Option<String>,
    /// Calendars by [`CalendarId`].
    pub calendars: Vec<CalendarSpec>,
    /// Calendar for business time where a queue names none.
    pub default_calendar: Option<CalendarId>,
    /// Lead attributes by [`FieldId`].
    pub fields: Vec<FieldDef>,
    /// Events by [`EventId`].
    pub events: Vec<EventDef>,
    /// Scores by [`ScoreId`].
    pub scores: Vec<Score>,
    /// Band sets by [`BandSetId`].
    pub band_sets: Vec<BandSet>,
    /// Every distinct `count EVENT where ... within W` in the playbook, by [`CounterId`], so the
    /// engine keeps one sliding window per counter and lead instead of re-scanning history.
    pub counters: Vec<Counter>,
    /// Disqualifiers in declaration order (first match wins).
    pub disqualifiers: Vec<Disqualifier>,
    /// Tracks by [`TrackId`].
    pub tracks: Vec<Track>,
    /// Track for leads that match no `enter when`.
    pub default_track: Option<TrackId>,
    /// Handoff rules by [`HandoffId`], in declaration order.
    pub handoffs: Vec<Handoff>,
    /// Routers by [`RouterId`].
    pub routers: Vec<Router>,
    /// Queues by [`QueueId`].
    pub queues: Vec<Queue>,
    /// Named sellers (queue members) by [`SellerId`].
    pub sellers: Vec<Seller>,
    /// Named-account sets by [`AccountsId`].
    pub accounts: Vec<AccountSet>,
    /// Context packages by [`ContextId`].
    pub contexts: Vec<ContextPackage>,
    /// Manual sequences by [`SequenceId`].
    pub sequences: Vec<Sequence>,
    /// Reason codes by [`ReasonId`].
    pub reasons: Vec<Reason>,
    /// KPI targets declared with `kpi NAME { target ... }`.
    pub kpi_targets: Vec<KpiTarget>,
    /// Shapes of simulated rates through the week; left out of the JSON when there are none,
    /// so playbooks without them keep their fingerprints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shapes: Vec<scenario::Shape>,
    /// Simulation scenarios.
    pub scenarios: Vec<Scenario>,
}

impl Playbook {
    /// A content hash of the checked playbook: SHA-256 of its JSON as the IR is serialised
    /// (source spans included), the same on every build and platform, so a lead state or a
    /// store can say which version of a playbook wrote it.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        // Writing into a hasher cannot fail, and the IR has no map with non-string keys.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), self);
        hasher.finalize().into()
    }

    /// [`Playbook::fingerprint`] as 64 lowercase hex digits.
    pub fn fingerprint_hex(&self) -> String {
        self.fingerprint()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Feeds serialised bytes straight into a hash, without building the JSON text first.
struct HashWriter<'a>(&'a mut sha2::Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(self.0, bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn account_owners_are_found_whatever_the_case() {
        let set = AccountSet {
            name: "strategic".into(),
            key: FieldId(0),
            owners: vec![
                ("globex.com".into(), SellerId(1)),
                ("initech.com".into(), SellerId(2)),
                ("société.fr".into(), SellerId(3)),
                ("umbrella.co.uk".into(), SellerId(4)),
            ],
        };
        assert_eq!(set.owner_of("GLOBEX.com"), Some(SellerId(1)));
        assert_eq!(set.owner_of("initech.com"), Some(SellerId(2)));
        assert_eq!(set.owner_of("Umbrella.Co.UK"), Some(SellerId(4)));
        assert_eq!(set.owner_of("SOCIÉTÉ.FR"), Some(SellerId(3)));
        for missing in ["globex.co", "globex.comm", "", "acme.com", "zzz"] {
            assert_eq!(set.owner_of(missing), None, "{missing}");
        }
    }

    /// The source names `named_enum!` declares are the names the JSON output uses, so a playbook
    /// and the IR or report it produces spell every channel, outcome, KPI and timer the same way.
    #[test]
    fn source_names_match_serialized_names() {
        fn check<T: Copy + Serialize>(all: &[(T, &str)], name: impl Fn(T) -> &'static str) {
            for (value, text) in all {
                assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""));
                assert_eq!(name(*value), *text);
            }
        }
        check(&Channel::ALL, Channel::name);
        check(&Outcome::ALL, Outcome::name);
        check(&Kpi::ALL, Kpi::name);
        check(
            &crate::engine::TimerKind::ALL,
            crate::engine::TimerKind::name,
        );
        assert_eq!(Kpi::parse("queue_length"), Some(Kpi::QueueLength));
    }

    /// The fingerprint is a function of the IR's content only, so it is pinned here: a change
    /// of this value means every stored lead state is taken as written by another playbook.
    #[test]
    fn fingerprint_is_a_pinned_content_hash() {
        let compile = |src: &str| {
            crate::check::compile(crate::span::FileId(0), src)
                .playbook
                .unwrap()
        };
        let a = compile("playbook probe {\n}\n");
        assert_eq!(
            a.fingerprint_hex(),
            "17f07764d913c63decb5394f4a4e4dee73d4258be61b32e7057c597ac635cefb"
        );
        assert_eq!(
            a.fingerprint(),
            compile("playbook probe {\n}\n").fingerprint()
        );
        assert_ne!(
            a.fingerprint(),
            compile("playbook other {\n}\n").fingerprint()
        );
    }
}
