//! The report library end to end: every chart on typical, empty and undefined data, the KPI
//! tables, and the HTML page, each checked to be well-formed and deterministic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use handoff::report::charts::{
    bars_with_ci, cdf, compare_bars, delta_intervals, funnel, sweep_curve, time_series, Axis, Bar,
    CdfSeries, ChartError, CompareRow, DeltaRow, SweepSeries, TimeSeries,
};
use handoff::report::{
    format_ci, html_report, to_csv, to_markdown, HtmlReport, KpiRow, TextTable, Unit,
};
use handoff::sim::stats::Estimate;

fn est(mean: f64, half_width: f64) -> Estimate {
    Estimate {
        mean,
        ci_low: mean - half_width,
        ci_high: mean + half_width,
        n: 20,
    }
}

/// Which data a chart gets: the shapes every chart must survive.
#[derive(Debug, Clone, Copy)]
enum Data {
    Typical,
    Empty,
    AllNan,
    SomeNan,
    Extreme,
    Single,
    Constant,
}

const ALL_DATA: [Data; 7] = [
    Data::Typical,
    Data::Empty,
    Data::AllNan,
    Data::SomeNan,
    Data::Extreme,
    Data::Single,
    Data::Constant,
];

fn values(data: Data) -> Vec<f64> {
    match data {
        Data::Typical => (0..200).map(|i| 30.0 * f64::from(i) + 60.0).collect(),
        Data::Empty => vec![],
        Data::AllNan => vec![f64::NAN; 5],
        Data::SomeNan => vec![120.0, f64::NAN, 600.0, f64::INFINITY, 900.0, f64::NAN],
        Data::Extreme => vec![0.0, 0.0, 1e300, -1e300, f64::MAX, f64::NEG_INFINITY],
        Data::Single => vec![42.0],
        Data::Constant => vec![0.0; 4],
    }
}

fn estimates(data: Data) -> Vec<Estimate> {
    values(data)
        .into_iter()
        .map(|v| est(v / 1000.0, v / 20_000.0))
        .collect()
}

/// Every chart kind on the given data, labelled for failure messages.
fn all_charts(data: Data) -> Vec<(&'static str, Result<String, ChartError>)> {
    let v = values(data);
    let e = estimates(data);
    let labels = ["A <hot>", "B & co", "C \"cold\"", "D\u{0}", "E", "F"];
    vec![
        (
            "cdf",
            cdf(
                "Time to first touch",
                "time to first touch",
                &[
                    CdfSeries {
                        label: "band A".into(),
                        sorted_samples: v.clone(),
                    },
                    CdfSeries {
                        label: "band B".into(),
                        sorted_samples: v.iter().map(|x| x * 3.0).collect(),
                    },
                ],
            ),
        ),
        (
            "bars_with_ci",
            bars_with_ci(
                "SLA attainment by queue",
                &Axis::new("SLA attainment", Unit::Fraction),
                &e.iter()
                    .zip(labels)
                    .map(|(e, l)| Bar {
                        label: l.into(),
                        estimate: e.clone(),
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "funnel",
            funnel(
                "Lead funnel",
                &labels
                    .iter()
                    .zip(v.iter().rev())
                    .map(|(l, v)| ((*l).to_owned(), *v))
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "time_series",
            time_series(
                "Queue length",
                &Axis::new("leads waiting", Unit::Count),
                &[TimeSeries {
                    label: "inbound".into(),
                    points: v
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as f64 / 10.0, *v))
                        .collect(),
                }],
            ),
        ),
        (
            "compare_bars",
            compare_bars(
                "Base <A> & \"B\" vs candidate\u{1b}",
                &e.iter()
                    .zip(labels)
                    .map(|(e, l)| CompareRow {
                        kpi: l.into(),
                        unit: Unit::Seconds,
                        base: e.clone(),
                        candidate: est(e.mean * 0.8, e.mean / 30.0),
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "delta_intervals",
            delta_intervals(
                "Change <A> & \"B\"\u{1b}",
                &e.iter()
                    .zip(labels)
                    .map(|(e, l)| DeltaRow {
                        kpi: l.into(),
                        unit: Unit::Fraction,
                        delta: est(e.mean - 0.01, e.ci_high - e.mean),
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "sweep_curve",
            sweep_curve(
                "SLA sweep",
                &Axis::new("SLA", Unit::Seconds),
                &Axis::new("leakage", Unit::Fraction),
                &[SweepSeries {
                    label: "leakage".into(),
                    points: v.iter().copied().zip(e.iter().cloned()).collect(),
                }],
            ),
        ),
    ]
}

fn parse_svg(name: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name}: SVG does not parse as XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{name}");
}

#[test]
fn every_chart_renders_well_formed_svg_on_every_kind_of_data() {
    for data in ALL_DATA {
        for (name, chart) in all_charts(data) {
            let svg = chart.unwrap_or_else(|e| panic!("{name} on {data:?}: {e}"));
            parse_svg(name, &svg);
            assert!(!svg.contains("NaN"), "{name} on {data:?} leaks NaN");
            assert!(!svg.contains("inf"), "{name} on {data:?} leaks infinity");
        }
    }
}

#[test]
fn empty_and_undefined_data_say_no_data() {
    for data in [Data::Empty, Data::AllNan] {
        for (name, chart) in all_charts(data) {
            let svg = chart.unwrap();
            assert!(svg.contains("no data"), "{name} on {data:?}");
        }
    }
    for (name, chart) in all_charts(Data::Typical) {
        assert!(!chart.unwrap().contains("no data"), "{name}");
    }
}

#[test]
fn charts_are_deterministic() {
    for data in ALL_DATA {
        let first = all_charts(data);
        let second = all_charts(data);
        for ((name, a), (_, b)) in first.into_iter().zip(second) {
            assert_eq!(a.unwrap(), b.unwrap(), "{name} on {data:?}");
        }
    }
}

#[test]
fn cdf_counts_never_touched_leads_and_picks_a_time_unit() {
    let svg = cdf(
        "t",
        "time to first touch",
        &[CdfSeries {
            label: "band A".into(),
            sorted_samples: vec![600.0, 1200.0, 1800.0, f64::INFINITY],
        }],
    )
    .unwrap();
    assert!(svg.contains("time to first touch (minutes)"));
    let long = cdf(
        "t",
        "wait",
        &[CdfSeries {
            label: "band A".into(),
            sorted_samples: vec![3600.0, 20.0 * 3600.0],
        }],
    )
    .unwrap();
    assert!(long.contains("wait (hours)"));
}

#[test]
fn large_samples_keep_the_svg_small() {
    let samples: Vec<f64> = (0..200_000).map(|i| f64::from(i) * 0.37).collect();
    let svg = cdf(
        "t",
        "wait",
        &[CdfSeries {
            label: "band A".into(),
            sorted_samples: samples,
        }],
    )
    .unwrap();
    assert!(svg.len() < 100_000, "{} bytes", svg.len());
}

fn kpi_rows() -> Vec<KpiRow> {
    vec![
        KpiRow {
            name: "SLA attainment".into(),
            unit: Unit::Fraction,
            overall: est(0.953, 0.004),
            by_group: vec![
                ("band A".into(), est(0.981, 0.003)),
                ("band B".into(), est(0.942, 0.006)),
            ],
        },
        KpiRow {
            name: "speed to lead p90".into(),
            unit: Unit::Seconds,
            overall: est(7_500.0, 300.0),
            by_group: vec![("band B".into(), est(9_000.0, 420.0))],
        },
        KpiRow {
            name: "meetings, booked | \"SQL\"".into(),
            unit: Unit::Count,
            overall: est(1_234.5, 40.0),
            by_group: vec![],
        },
        KpiRow {
            name: "leakage".into(),
            unit: Unit::Fraction,
            overall: Estimate {
                mean: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                n: 0,
            },
            by_group: vec![("band A".into(), est(0.0, 0.0))],
        },
    ]
}

/// Splits RFC 4180 CSV into records of fields, honouring quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = vec![];
    let mut record = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => field.push(c),
        }
    }
    records
}

#[test]
fn csv_has_a_header_and_one_record_per_kpi_and_group() {
    let rows = kpi_rows();
    let records = parse_csv(&to_csv(&rows));
    assert_eq!(
        records[0],
        ["kpi", "group", "unit", "mean", "ci_low", "ci_high", "n"]
    );
    let expected: usize = rows.iter().map(|r| 1 + r.by_group.len()).sum();
    assert_eq!(records.len(), 1 + expected);
    assert!(records.iter().all(|r| r.len() == 7));
    assert_eq!(records[6][0], "meetings, booked | \"SQL\"");
    assert_eq!(records[1][..4], ["SLA attainment", "", "fraction", "0.953"]);
    assert_eq!(records[2][1], "band A");
    assert_eq!(records[7][..4], ["leakage", "", "fraction", ""]);
    assert_eq!(parse_csv(&to_csv(&[])).len(), 1);
}

#[test]
fn markdown_table() {
    insta::assert_snapshot!(to_markdown(&kpi_rows()));
}

#[test]
fn intervals_in_every_unit() {
    let cases = [
        est(0.123, 0.0055),
        est(0.0, 0.0),
        est(270.0, 12.0),
        est(7_500.0, 900.0),
        est(200_000.0, 9_000.0),
        est(1_234_567.0, 20_000.0),
        est(0.25, 0.1),
        Estimate {
            mean: 1.0,
            ci_low: f64::NAN,
            ci_high: 2.0,
            n: 1,
        },
        Estimate {
            mean: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            n: 0,
        },
        est(1e300, 1e299),
    ];
    let mut out = String::new();
    for e in &cases {
        for unit in [Unit::Fraction, Unit::Seconds, Unit::Count] {
            out.push_str(&format!(
                "{:>10?} {:<8} -> {}\n",
                e.mean,
                unit.name(),
                format_ci(unit, e)
            ));
        }
    }
    insta::assert_snapshot!(out);
}

fn sample_report() -> HtmlReport {
    let charts = all_charts(Data::Typical)
        .into_iter()
        .map(|(name, svg)| (name.to_owned(), svg.unwrap()))
        .chain([(
            "hand-made".to_owned(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
                .to_owned(),
        )])
        .collect();
    HtmlReport {
        title: "Playbook <inbound> & \"friends\"".into(),
        inputs: vec![
            ("playbook".into(), "playbooks/inbound.playbook".into()),
            ("seed".into(), "42".into()),
            ("scenario".into(), "<script>alert(1)</script>".into()),
        ],
        warnings: vec!["queue `inbound` is overloaded".into()],
        text_tables: vec![targets()],
        tables: vec![("Overall".into(), kpi_rows())],
        charts,
        notes: vec!["band C had no leads & was skipped".into()],
    }
}

fn parse_html(html: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("HTML does not parse as XML: {e}"))
}

#[test]
fn html_report_is_well_formed_and_self_contained() {
    let html = html_report(&sample_report());
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    let doc = parse_html(&html);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html");
    let svgs = root
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .count();
    assert_eq!(svgs, 8);
    assert!(!html.contains("<?xml"));
    for node in root.descendants() {
        assert_ne!(node.tag_name().name(), "script");
        assert_ne!(node.tag_name().name(), "link");
        assert!(node.attribute("src").is_none());
        assert!(node.attribute("href").is_none());
    }
    let title = root
        .descendants()
        .find(|n| n.has_tag_name("h1"))
        .and_then(|n| n.text());
    assert_eq!(title, Some("Playbook <inbound> & \"friends\""));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let cells: Vec<_> = root
        .descendants()
        .filter(|n| n.has_tag_name("tbody"))
        .nth(2)
        .unwrap()
        .children()
        .filter(|n| n.has_tag_name("tr"))
        .collect();
    assert_eq!(cells.len(), 4);
}

#[test]
fn html_report_leaves_out_empty_sections() {
    let html = html_report(&HtmlReport {
        title: "empty".into(),
        ..HtmlReport::default()
    });
    parse_html(&html);
    assert!(!html.contains("<section"));
    assert_eq!(
        html,
        html_report(&HtmlReport {
            title: "empty".into(),
            ..HtmlReport::default()
        })
    );
}

fn targets() -> TextTable {
    TextTable {
        heading: "Targets".into(),
        hint: Some("The playbook's `kpi` targets".into()),
        header: vec![
            "target".into(),
            "goal".into(),
            "simulated".into(),
            String::new(),
        ],
        rows: vec![
            vec![
                "leakage".into(),
                "at most 5.0%".into(),
                "44.8%".into(),
                "missed".into(),
            ],
            vec![
                "sla_attainment".into(),
                "at least 90.0%".into(),
                "93.1%".into(),
                "met".into(),
            ],
        ],
    }
}

/// The text of every element named `tag`, children included.
fn texts(doc: &roxmltree::Document<'_>, tag: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect()
        })
        .collect()
}

/// Issue 20, item 1: the targets (met or missed) and the warnings are on the page.
#[test]
fn html_report_shows_targets_and_warnings() {
    let html = html_report(&sample_report());
    let doc = parse_html(&html);
    let warnings = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("warnings"))
        .expect("a warnings section");
    assert!(warnings
        .descendants()
        .any(|n| n.has_tag_name("code") && n.text() == Some("inbound")));
    let cells = texts(&doc, "td");
    assert!(cells.contains(&"missed".to_string()), "{cells:?}");
    assert!(cells.contains(&"met".to_string()), "{cells:?}");
    assert!(texts(&doc, "h2").contains(&"Targets".to_string()));
}

/// Issue 20, item 2: names quoted in backticks are code in the heading and plain in the title.
#[test]
fn backticks_are_code_in_the_heading_and_plain_in_the_title() {
    let html = html_report(&HtmlReport {
        title: "handoff compare: `a.playbook` → `b.playbook` · scenario `base`".into(),
        ..HtmlReport::default()
    });
    let doc = parse_html(&html);
    assert!(!html.contains('`'), "{html}");
    assert_eq!(
        texts(&doc, "title"),
        ["handoff compare: a.playbook → b.playbook · scenario base"]
    );
    let h1 = doc.descendants().find(|n| n.has_tag_name("h1")).unwrap();
    let code: Vec<_> = h1
        .children()
        .filter(|n| n.has_tag_name("code"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(code, ["a.playbook", "b.playbook", "base"]);
}

/// Issue 20, item 3: a table whose KPIs have no overall value (a sweep) gets no empty `overall`
/// column, and a group named by two settings takes two lines.
#[test]
fn kpi_tables_without_overall_values_have_no_overall_column() {
    let undefined = Estimate {
        mean: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        n: 0,
    };
    let rows = vec![KpiRow {
        name: "leakage".into(),
        unit: Unit::Fraction,
        overall: undefined,
        by_group: vec![
            ("sellers.a=2\nsla.b=5m".into(), est(0.3, 0.01)),
            ("sellers.a=3\nsla.b=5m".into(), est(0.2, 0.01)),
        ],
    }];
    let html = html_report(&HtmlReport {
        title: "sweep".into(),
        tables: vec![("KPIs per point".into(), rows)],
        ..HtmlReport::default()
    });
    let doc = parse_html(&html);
    assert_eq!(
        texts(&doc, "th"),
        [
            "KPI",
            "sellers.a=2sla.b=5m",
            "sellers.a=3sla.b=5m",
            "leakage"
        ]
    );
    assert!(html.contains("sellers.a=2<br/>sla.b=5m"));
    assert!(!html.contains("n/a"));
}

/// Issue 20, item 4: one replication gives no interval, and the page says so instead of
/// printing a zero-width one.
#[test]
fn one_replication_has_no_interval_on_the_page() {
    let single = |mean: f64| Estimate {
        mean,
        ci_low: mean,
        ci_high: mean,
        n: 1,
    };
    let rows = vec![KpiRow {
        name: "leakage".into(),
        unit: Unit::Fraction,
        overall: single(0.395),
        by_group: vec![("band A".into(), single(0.2))],
    }];
    assert_eq!(format_ci(Unit::Fraction, &single(0.395)), "39.5%");
    let html = html_report(&HtmlReport {
        title: "one".into(),
        tables: vec![("Overall".into(), rows)],
        ..HtmlReport::default()
    });
    assert!(html.contains("no interval from 1 replication"), "{html}");
    assert!(!html.contains("95% confidence interval"));
    assert!(!html.contains("[39.5, 39.5]"));
}

/// The tick labels of a chart's text, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

/// Whether any of the numeric labels is not a whole number.
fn fractional_ticks(texts: &[String]) -> bool {
    texts
        .iter()
        .filter_map(|t| t.replace(',', "").parse::<f64>().ok())
        .any(|v| v.fract() != 0.0)
}

/// Issue 20, item 3: a whole-number parameter (sellers) has ticks at whole numbers only.
#[test]
fn integer_sweep_parameters_get_integer_ticks() {
    let points = |scale: f64| -> Vec<(f64, Estimate)> {
        [2.0, 3.0, 4.0]
            .into_iter()
            .map(|x| (x * scale, est(100.0 * x, 10.0)))
            .collect()
    };
    let svg = |scale: f64| {
        sweep_curve(
            "meetings by sellers",
            &Axis::new("sellers.inbound", Unit::Count),
            &Axis::new("meetings", Unit::Count),
            &[SweepSeries {
                label: "meetings".into(),
                points: points(scale),
            }],
        )
        .unwrap()
    };
    let whole = svg_texts(&svg(1.0));
    for tick in ["2", "3", "4"] {
        assert!(whole.contains(&tick.to_string()), "{whole:?}");
    }
    assert!(!fractional_ticks(&whole), "{whole:?}");
    let single = sweep_curve(
        "one point",
        &Axis::new("sellers.inbound", Unit::Count),
        &Axis::new("meetings", Unit::Count),
        &[SweepSeries {
            label: "meetings".into(),
            points: vec![(3.0, est(300.0, 10.0))],
        }],
    )
    .unwrap();
    assert!(!fractional_ticks(&svg_texts(&single)));
    // A fractional parameter keeps its fractional ticks.
    assert!(fractional_ticks(&svg_texts(&svg(0.5))));
}

/// Issue 20, item 2: the compare chart of the paired change: one panel per KPI headed with the
/// change in the terminal's words, and a zero line.
#[test]
fn delta_chart_shows_the_change_in_the_terminal_words() {
    let svg = delta_intervals(
        "change per KPI",
        &[
            DeltaRow {
                kpi: "leakage".into(),
                unit: Unit::Fraction,
                delta: est(-0.102, 0.01),
            },
            DeltaRow {
                kpi: "meetings".into(),
                unit: Unit::Count,
                delta: est(2.5, 4.0),
            },
        ],
    )
    .unwrap();
    let texts = svg_texts(&svg);
    assert!(
        texts.contains(&"leakage: −10.2 pp".to_string()),
        "{texts:?}"
    );
    assert!(texts.contains(&"meetings: +2.50".to_string()), "{texts:?}");
    assert!(texts.contains(&"change (pp)".to_string()), "{texts:?}");
    assert!(texts.contains(&"0".to_string()), "{texts:?}");
}

/// Issue 20, item 3: a sweep over nine points wraps into three tables of three points each,
/// every one repeating the KPI names, instead of one table wider than the page.
#[test]
fn wide_kpi_tables_wrap_into_tables_of_even_width() {
    let points: Vec<(String, Estimate)> = (1..=9)
        .map(|i| (format!("a={i}\nb=5m"), est(0.1 * f64::from(i), 0.01)))
        .collect();
    let undefined = Estimate {
        mean: f64::NAN,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        n: 0,
    };
    let rows = vec![
        KpiRow {
            name: "leakage".into(),
            unit: Unit::Fraction,
            overall: undefined.clone(),
            by_group: points.clone(),
        },
        KpiRow {
            name: "meetings".into(),
            unit: Unit::Count,
            overall: undefined,
            by_group: points,
        },
    ];
    let html = html_report(&HtmlReport {
        title: "sweep".into(),
        tables: vec![("KPIs per point".into(), rows)],
        ..HtmlReport::default()
    });
    let doc = parse_html(&html);
    let tables: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("table"))
        .collect();
    assert_eq!(tables.len(), 3);
    for (t, table) in tables.iter().enumerate() {
        let headings: Vec<String> = table
            .descendants()
            .filter(|n| n.has_tag_name("thead"))
            .flat_map(|h| h.descendants().filter(|n| n.has_tag_name("th")))
            .map(|th| {
                th.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect()
            })
            .collect();
        let expected: Vec<String> = std::iter::once("KPI".to_string())
            .chain((1..=3).map(|i| format!("a={}b=5m", 3 * t + i)))
            .collect();
        assert_eq!(headings, expected);
        let rows = table.descendants().filter(|n| n.has_tag_name("tr")).count();
        assert_eq!(rows, 3, "a heading row and both KPIs");
    }
}
