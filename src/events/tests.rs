#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::*;
use crate::span::FileId;
use proptest::prelude::*;

/// The seed playbook, compiled once for every test and proptest case.
fn seed() -> Playbook {
    static SEED: std::sync::OnceLock<Playbook> = std::sync::OnceLock::new();
    SEED.get_or_init(|| {
        let src = include_str!("../../playbooks/seed-matrix.playbook");
        crate::check::compile(FileId(0), src).playbook.unwrap()
    })
    .clone()
}

/// A line with the usual attributes and this `type` and `data`.
fn line(kind: &str, data: &str) -> String {
    format!(
        r#"{{"id":"e1","source":"crm","type":"{kind}","lead":"L-1","time":"2026-06-01T10:00:00+01:00","data":{data}}}"#
    )
}

fn decode(text: &str) -> Result<Decoded, EventError> {
    decode_line(&seed(), 7, text)
}

/// The error of a line that must be refused, shown as it is printed.
fn refused(text: &str) -> String {
    decode(text).unwrap_err().to_string()
}

#[test]
fn a_playbook_event_decodes_with_its_fields_by_name() {
    let p = seed();
    let d = decode(&line("form_submit", r#"{"kind":"webinar"}"#)).unwrap();
    assert_eq!(
        (d.source.as_str(), d.id.as_str(), d.lead().unwrap()),
        ("crm", "e1", "L-1")
    );
    assert_eq!(d.time, 1_780_304_400);
    let event = p
        .events
        .iter()
        .position(|e| e.name == "form_submit")
        .unwrap();
    assert_eq!(
        d.input().cloned().unwrap(),
        Input::Event {
            event: EventId(event as u32),
            fields: vec![Value::Enum(3)]
        }
    );
}

#[test]
fn fields_left_out_take_their_default() {
    let d = decode(&line("page_view", "{}")).unwrap();
    assert!(
        matches!(d.input().cloned().unwrap(), Input::Event { fields, .. } if fields == vec![Value::Enum(0)])
    );
    let no_data =
        r#"{"id":"1","source":"s","type":"email_click","lead":"L","time":"2026-06-01T09:00:00Z"}"#;
    assert!(decode(no_data).is_ok());
}

#[test]
fn reserved_types_decode_to_their_inputs() {
    let p = seed();
    let created = r#"{"id":"1","source":"s","type":"handoff.lead.created","lead":"L","time":"2026-06-01T09:00:00Z","campaign":"web","data":{"segment":"enterprise","employees":250,"target_account":true,"title":"CTO"}}"#;
    let Input::Arrive { attributes, source } = decode(created).unwrap().input().cloned().unwrap()
    else {
        panic!("not an arrival");
    };
    assert_eq!(source.as_deref(), Some("web"));
    assert_eq!(attributes.len(), p.fields.len());
    assert_eq!(attributes[0], Value::Enum(2));
    assert_eq!(attributes[2], Value::Number(250.0));
    assert_eq!(attributes[3], Value::text(""));
    let updated = decode(&line(LEAD_UPDATED, r#"{"region":"amer"}"#)).unwrap();
    assert_eq!(
        updated.input().cloned().unwrap(),
        Input::SetField {
            field: FieldId(1),
            value: Value::Enum(1)
        }
    );
    let pickup = decode(&line(SELLER_PICKUP, r#"{"seller":"gwen"}"#)).unwrap();
    let gwen = p.sellers.iter().position(|s| s.name == "gwen").unwrap();
    assert_eq!(
        pickup.input().cloned().unwrap(),
        Input::Pickup {
            seller: Some(SellerId(gwen as u32))
        }
    );
    let anyone = decode(&line(SELLER_PICKUP, "{}")).unwrap();
    assert_eq!(
        anyone.input().cloned().unwrap(),
        Input::Pickup { seller: None }
    );
    let touch = decode(&line(SELLER_TOUCH, r#"{"outcome":"no_answer"}"#)).unwrap();
    assert_eq!(
        touch.input().cloned().unwrap(),
        Input::Touch {
            outcome: TouchOutcome::NoAnswer
        }
    );
    let disposed = decode(&line(SELLER_DISPOSITION, r#"{"reason":"not_now"}"#)).unwrap();
    let not_now = p.reasons.iter().position(|r| r.name == "not_now").unwrap();
    assert_eq!(
        disposed.input().cloned().unwrap(),
        Input::Disposition {
            reason: ReasonId(not_now as u32)
        }
    );
}

#[test]
fn reserved_types_cannot_clash_with_playbook_names() {
    for kind in RESERVED_TYPES {
        assert!(kind.starts_with("handoff.") && kind.contains('.'));
    }
    // Playbook names are identifiers: letters, digits and underscores, so never a dot.
    let p = seed();
    assert!(p.events.iter().all(|e| !e.name.contains('.')));
}

#[test]
fn a_line_that_is_not_a_json_object_is_refused() {
    assert!(refused("{not json").starts_with("line 7: expected a JSON object: "));
    assert_eq!(
        refused("[1, 2]"),
        "line 7: expected a JSON object, found an array"
    );
    assert_eq!(
        refused(""),
        "line 7: expected a JSON object: EOF while parsing a value at line 1 column 0"
    );
}

#[test]
fn missing_or_mistyped_required_attributes_are_named() {
    let base = r#""source":"s","type":"email_click","lead":"L","time":"2026-06-01T09:00:00Z""#;
    assert_eq!(
        refused(&format!("{{{base}}}")),
        "line 7: `id`: expected a non-empty string, found none"
    );
    assert_eq!(
        refused(&format!(r#"{{"id":12,{base}}}"#)),
        "line 7: `id`: expected a non-empty string, found a number"
    );
    assert_eq!(
        refused(r#"{"id":"1","source":"s","lead":"L","time":"2026-06-01T09:00:00Z"}"#),
        "line 7: `type`: expected a non-empty string, found none"
    );
    assert_eq!(
        refused(
            r#"{"id":"1","source":"s","type":"email_click","lead":"","time":"2026-06-01T09:00:00Z"}"#
        ),
        "line 7: `lead`: expected a non-empty string, found a string"
    );
    assert_eq!(
        refused(r#"{"id":"1","source":"s","type":"email_click","lead":"L"}"#),
        "line 7: `time`: expected a non-empty string, found none"
    );
    assert_eq!(
        refused(r#"{"id":"1","type":"email_click","lead":"L","time":"2026-06-01T09:00:00Z"}"#),
        "line 7: `source`: expected a non-empty string, found none"
    );
    // Several faults: the first attribute in the format's order is reported.
    assert_eq!(
        refused(r#"{"type":"nope","time":"later"}"#),
        "line 7: `id`: expected a non-empty string, found none"
    );
    assert_eq!(
        refused(&line("email_click", "[]")),
        "line 7: `data`: expected an object, found an array"
    );
}

#[test]
fn a_time_without_offset_or_not_rfc_3339_is_refused() {
    let text = |time: &str| {
        format!(r#"{{"id":"1","source":"s","type":"email_click","lead":"L","time":"{time}"}}"#)
    };
    assert_eq!(
        refused(&text("2026-06-01T09:00:00")),
        "line 7: `time`: `2026-06-01T09:00:00` has no offset; add `Z` or one like `+01:00` (expected e.g. `2026-06-01T10:00:00+01:00`)"
    );
    assert_eq!(
        refused(&text("yesterday")),
        "line 7: `time`: `yesterday` is not an RFC 3339 time (expected e.g. `2026-06-01T10:00:00+01:00`)"
    );
    assert_eq!(
        decode(&text("2026-06-01T09:00:00.750Z")).unwrap().time,
        1_780_304_400
    );
}

#[test]
fn an_unknown_type_suggests_a_close_name() {
    assert_eq!(
        refused(&line("form_sbumit", "{}")),
        "line 7: `type`: expected an event of the playbook or a reserved `handoff.` type, found `form_sbumit` (did you mean `form_submit`?)"
    );
    assert_eq!(
        refused(&line("handoff.seller.pikcup", "{}")),
        "line 7: `type`: expected an event of the playbook or a reserved `handoff.` type, found `handoff.seller.pikcup` (did you mean `handoff.seller.pickup`?)"
    );
    assert_eq!(
        decode(&line("zzz", "{}")).unwrap_err().kind,
        ErrorKind::UnknownType
    );
}

#[test]
fn unknown_attributes_and_fields_are_refused_with_a_suggestion() {
    let text = r#"{"id":"1","source":"s","type":"email_click","lead":"L","tme":"x"}"#;
    assert_eq!(
        refused(text),
        "line 7: `tme`: unknown attribute (did you mean `time`?); expected `id`, `source`, `type`, `lead`, `time`, `data`, `campaign`, `version`"
    );
    assert_eq!(
        refused(&line("form_submit", r#"{"kin":"demo"}"#)),
        "line 7: `data.kin`: event `form_submit` has no field `kin` (did you mean `kind`?)"
    );
    assert_eq!(
        refused(&line(LEAD_CREATED, r#"{"segmnet":"smb"}"#)),
        "line 7: `data.segmnet`: the lead has no field `segmnet` (did you mean `segment`?)"
    );
    assert_eq!(
        refused(&line(LEAD_UPDATED, r#"{"regoin":"emea"}"#)),
        "line 7: `data.regoin`: the lead has no field `regoin` (did you mean `region`?)"
    );
    assert_eq!(
        refused(&line(SELLER_TOUCH, r#"{"outcome":"connect","notes":"x"}"#)),
        "line 7: `data.notes`: `handoff.seller.touch` has no field `notes`; expected `outcome`"
    );
    let campaign = r#"{"id":"1","source":"s","type":"email_click","lead":"L","time":"2026-06-01T09:00:00Z","campaign":"web"}"#;
    assert_eq!(
        refused(campaign),
        "line 7: `campaign`: only `handoff.lead.created` has a campaign"
    );
}

#[test]
fn values_of_the_wrong_type_say_what_was_expected() {
    assert_eq!(
        refused(&line(LEAD_CREATED, r#"{"employees":"many"}"#)),
        "line 7: `data.employees`: expected a number, found a string"
    );
    assert_eq!(
        refused(&line(LEAD_CREATED, r#"{"target_account":"yes"}"#)),
        "line 7: `data.target_account`: expected true or false, found a string"
    );
    assert_eq!(
        refused(&line(LEAD_CREATED, r#"{"title":null}"#)),
        "line 7: `data.title`: expected a string, found null"
    );
    assert_eq!(
        refused(&line("enrichment", r#"{"valid_domain":1}"#)),
        "line 7: `data.valid_domain`: expected true or false, found a number"
    );
    assert_eq!(
        refused(&line(LEAD_UPDATED, r#"{"region":3}"#)),
        "line 7: `data.region`: expected one of `emea`, `amer`, `apac`, found a number"
    );
    assert_eq!(
        refused(&line(SELLER_DISPOSITION, r#"{"reason":7}"#)),
        "line 7: `data.reason`: expected a string naming a reason code of the playbook, found a number"
    );
}

#[test]
fn unknown_enum_values_reasons_outcomes_and_sellers_are_refused() {
    assert_eq!(
        refused(&line("form_submit", r#"{"kind":"demoo"}"#)),
        "line 7: `data.kind`: expected one of `demo`, `contact_sales`, `content`, `webinar`, found `demoo` (did you mean `demo`?)"
    );
    assert_eq!(
        refused(&line(SELLER_DISPOSITION, r#"{"reason":"not_nwo"}"#)),
        "line 7: `data.reason`: expected a reason code of the playbook, found `not_nwo` (did you mean `not_now`?)"
    );
    assert_eq!(
        refused(&line(SELLER_TOUCH, r#"{"outcome":"noanswer"}"#)),
        "line 7: `data.outcome`: expected one of `connect`, `meeting`, `reply`, `bounce`, `no_answer`, found `noanswer` (did you mean `no_answer`?)"
    );
    assert_eq!(
        refused(&line(SELLER_PICKUP, r#"{"seller":"gwn"}"#)),
        "line 7: `data.seller`: expected a seller of the playbook, found `gwn` (did you mean `gwen`?)"
    );
    assert_eq!(
        refused(&line(SELLER_TOUCH, "{}")),
        "line 7: `data.outcome`: expected a value, found none"
    );
}

#[test]
fn updates_take_exactly_one_attribute_and_merges_are_not_supported_yet() {
    assert_eq!(
        refused(&line(LEAD_UPDATED, r#"{"region":"amer","segment":"smb"}"#)),
        "line 7: `data`: expected exactly one lead attribute, found 2"
    );
    let merged = decode(&line(LEAD_MERGED, "{}")).unwrap_err();
    assert_eq!(merged.kind, ErrorKind::Unsupported);
    assert_eq!(
        merged.to_string(),
        "line 7: `type`: `handoff.lead.merged` is not supported yet: the engine takes no lead merges"
    );
}

#[test]
fn a_line_of_another_version_is_refused() {
    let text = |v: &str| {
        format!(
            r#"{{"version":{v},"id":"1","source":"s","type":"email_click","lead":"L","time":"2026-06-01T09:00:00Z"}}"#
        )
    };
    assert!(decode(&text("1")).is_ok());
    assert_eq!(
        refused(&text("2")),
        "line 7: `version`: expected 1, found 2"
    );
}

proptest! {
    #[test]
    fn random_lines_never_panic(text in "\\PC{0,200}") {
        let _ = decode_line(&seed(), 1, &text);
    }

    #[test]
    fn random_lines_shaped_like_events_never_panic(
        kind in "(handoff\\.(lead|seller)\\.[a-z]{0,12}|form_submit|page_view|[a-z_]{0,10})",
        key in "[a-z_]{0,12}",
        value in "(\"[a-z_]{0,10}\"|-?[0-9]{1,20}(\\.[0-9]+)?|true|null|\\[\\]|\\{\\})",
        time in "(2026-06-01T09:00:00(Z|\\+01:00)?|[0-9T:\\-+Z]{0,30})",
    ) {
        let text = format!(
            r#"{{"id":"1","source":"s","type":"{kind}","lead":"L","time":"{time}","data":{{"{key}":{value}}}}}"#
        );
        let _ = decode_line(&seed(), 1, &text);
    }
}

#[test]
fn a_sellers_away_and_back_lines_name_the_seller_and_no_lead() {
    let p = seed();
    let away = r#"{"id":"s1","source":"crm","type":"handoff.seller.away","time":"2026-06-01T10:00:00Z","data":{"seller":"gwen"}}"#;
    let d = decode(away).unwrap();
    let gwen = p.sellers.iter().position(|s| s.name == "gwen").unwrap();
    assert_eq!(
        d.subject,
        Subject::Seller {
            seller: SellerId(gwen as u32),
            away: true
        }
    );
    assert_eq!((d.lead(), d.input()), (None, None));
    let back = away.replace("seller.away", "seller.back");
    assert!(matches!(
        decode(&back).unwrap().subject,
        Subject::Seller { away: false, .. }
    ));
    let with_lead = away.replace(r#""time""#, r#""lead":"L-1","time""#);
    assert_eq!(
        refused(&with_lead),
        "line 7: `lead`: `handoff.seller.away` is about a seller, not a lead: leave `lead` out"
    );
    let typo = away.replace("gwen", "gwne");
    assert!(
        refused(&typo).contains("did you mean `gwen`"),
        "{}",
        refused(&typo)
    );
}
