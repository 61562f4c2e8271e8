//! Every HTML report in a real headless browser (Debian's `chromium`): the page renders, logs
//! nothing to the console, raises no error, loads nothing from elsewhere, and does not overflow
//! a 1280 px wide window (issue 20, item 5).
//!
//! The report pages have no scripts of their own; the test loads a copy with a probe added that
//! records errors from the start and, once the page has laid out, writes its measurements into
//! the DOM, which `chromium --dump-dom` prints. Console messages are read from chromium's log.
//!
//! Without chromium the test fails and says how to install it, unless
//! `HANDOFF_SKIP_BROWSER_TESTS=1` opts out explicitly; `.ci/run` installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod report_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use report_support::{report, Kind, KINDS};

/// The opt-out for machines that cannot run a browser; CI never sets it.
const SKIP: &str = "HANDOFF_SKIP_BROWSER_TESTS";
/// A browser binary to use instead of the first of [`BROWSERS`] on the `PATH`.
const BROWSER: &str = "HANDOFF_CHROMIUM";
const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
/// The window the reports must fit.
const WIDTH: u32 = 1280;
/// Longest a page may take before the browser is stopped and the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Records errors (scripts, and resources that fail to load, caught while capturing) from the
/// first moment of the page.
const PROBE_HEAD: &str = "<script>window.__probeErrors=[];\
window.addEventListener('error',function(e){var t=e.target;\
window.__probeErrors.push(e.message||('failed to load '+((t&&(t.src||t.href))||'a resource')));},true);\
</script>";

/// Once the page has loaded (images included, so their errors are in), measures it and writes
/// the result as JSON into `<pre id=\"probe-result\">`; chromium dumps the DOM after that.
const PROBE_TAIL: &str = "<script>window.addEventListener('load',function(){var d=document.documentElement;\
var svgs=Array.prototype.slice.call(document.querySelectorAll('figure svg'));\
var r={scrollWidth:d.scrollWidth,clientWidth:d.clientWidth,errors:window.__probeErrors,\
figures:document.querySelectorAll('figure').length,\
svgs:svgs.map(function(s){var b=s.getBoundingClientRect();return [Math.round(b.width),Math.round(b.height)];}),\
h1:(document.querySelector('h1')||{}).textContent||'',\
mainWidth:Math.round(document.querySelector('main').getBoundingClientRect().width),\
resources:performance.getEntriesByType('resource').map(function(e){return e.name;}),\
wide:Array.prototype.slice.call(document.querySelectorAll('table')).filter(function(t){\
var b=t.getBoundingClientRect();if(b.right<=d.clientWidth+0.5)return false;\
var p=t.parentElement;return !(p&&getComputedStyle(p).overflowX==='auto'&&p.getBoundingClientRect().right<=d.clientWidth+0.5);})\
.map(function(t){return t.className||'table';}),\
scrolls:Array.prototype.slice.call(document.querySelectorAll('.wide')).filter(function(w){\
return w.scrollWidth>w.clientWidth+0.5;}).length};\
var p=document.createElement('pre');p.id='probe-result';p.textContent=JSON.stringify(r);\
document.body.appendChild(p);});</script>";

/// The browser to run, or `None` when the test was explicitly opted out of.
fn browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(BROWSER) {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
            .find(|p| p.is_file())
    });
    if found.is_none() && std::env::var(SKIP).is_ok_and(|v| v == "1") {
        eprintln!("{SKIP}=1: the reports are not checked in a browser");
        return None;
    }
    Some(found.unwrap_or_else(|| {
        panic!(
            "no chromium to check the HTML reports in: install it with \
             `apt-get install -y --no-install-recommends chromium` (as .ci/run does), \
             point {BROWSER} at a Chromium binary, or set {SKIP}=1 to skip this test"
        )
    }))
}

/// What the probe measured, and the console messages from the browser's log.
struct Loaded {
    probe: serde_json::Value,
    console: Vec<String>,
}

/// Loads `report.html` of `dir` with the probe added, in a fresh profile, offline.
fn load(browser: &Path, dir: &Path) -> Loaded {
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<head>") && html.contains("</body>"));
    let probed = html
        .replacen("<head>", &format!("<head>{PROBE_HEAD}"), 1)
        .replacen("</body>", &format!("{PROBE_TAIL}</body>"), 1);
    // Next to the report, so the page sees the same directory as the original.
    let page = dir.join("probe.html");
    fs::write(&page, probed).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--window-size={WIDTH},900"),
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "{} did not finish loading {} in {TIMEOUT:?}",
                browser.display(),
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = fs::read_to_string(out.path()).unwrap();
    let log = fs::read_to_string(err.path()).unwrap();
    assert!(
        status.success(),
        "{} failed: {status}\n{log}",
        browser.display()
    );
    let json = dom
        .split("<pre id=\"probe-result\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}\n{log}"));
    let json = json
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    Loaded {
        probe: serde_json::from_str(&json).unwrap(),
        console: log
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

/// Everything wrong with a loaded page, in words; empty when it is fine.
fn problems(loaded: &Loaded) -> Vec<String> {
    let probe = &loaded.probe;
    let mut out: Vec<String> = loaded
        .console
        .iter()
        .map(|l| format!("console: {l}"))
        .collect();
    let list = |key: &str| -> Vec<String> {
        probe[key]
            .as_array()
            .map(|a| a.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    };
    out.extend(list("errors").into_iter().map(|e| format!("error: {e}")));
    out.extend(list("resources").into_iter().map(|r| format!("loads {r}")));
    out.extend(
        list("wide")
            .into_iter()
            .map(|t| format!("{t} sticks out of the page")),
    );
    let (scroll, client) = (probe["scrollWidth"].as_u64(), probe["clientWidth"].as_u64());
    if scroll > client {
        out.push(format!(
            "the page is {scroll:?} px wide in a {client:?} px window"
        ));
    }
    if probe["h1"].as_str().is_none_or(str::is_empty) {
        out.push("no heading".to_string());
    }
    if probe["mainWidth"].as_u64().is_none_or(|w| w < 600) {
        out.push(format!("the text column is {} px wide", probe["mainWidth"]));
    }
    for size in probe["svgs"].as_array().into_iter().flatten() {
        if size[0].as_u64().is_none_or(|w| w < 300) || size[1].as_u64().is_none_or(|h| h < 150) {
            out.push(format!("a chart is drawn at {size} px"));
        }
    }
    out
}

#[test]
fn every_report_renders_cleanly_at_1280_px() {
    let Some(browser) = browser() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for kind in KINDS {
        let dir = report(kind, tmp.path(), "2");
        let loaded = load(&browser, &dir);
        let what = format!("{kind:?} report: {}", loaded.probe);
        assert_eq!(problems(&loaded), Vec::<String>::new(), "{what}");
        // Wide tables wrap into narrower ones: none of these needs scrolling sideways.
        assert_eq!(
            loaded.probe["scrolls"], 0,
            "{what}: a table scrolls sideways"
        );
        let expected = match kind {
            Kind::Simulate => 5,
            Kind::Compare => 2,
            Kind::Sweep => handoff::sim::kpi::ROWS.len(),
        };
        assert_eq!(loaded.probe["figures"], expected, "{what}");
        assert_eq!(
            loaded.probe["svgs"].as_array().map(Vec::len),
            Some(expected),
            "{what}"
        );
    }
}

/// The check itself: a page that overflows, logs, fails a script and fetches from elsewhere is
/// caught on every count, so a passing report is not a probe that saw nothing.
#[test]
fn the_probe_catches_a_broken_page() {
    let Some(browser) = browser() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("report.html"),
        "<!DOCTYPE html>\n<html><head><title>t</title></head><body><main>\
         <script>console.log('noise'); undefined_function();</script>\
         <img src=\"missing.png\" alt=\"\"/>\
         <table class=\"kpi\" style=\"width: 2000px\"><tr><td>wide</td></tr></table>\
         <figure><svg width=\"20\" height=\"20\"></svg></figure></main></body></html>",
    )
    .unwrap();
    let found = problems(&load(&browser, tmp.path())).join("\n");
    for expected in [
        "console:",
        "undefined_function",
        "missing.png",
        "kpi",
        "px wide in a",
        "no heading",
        "a chart is drawn at",
    ] {
        assert!(found.contains(expected), "`{expected}` not in:\n{found}");
    }
}
