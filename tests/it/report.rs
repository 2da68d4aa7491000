//! `report.html`, as a planner opens it: in a real browser (headless Chromium), from disk, with
//! no network and no console errors, and showing the numbers of `summary.json` and
//! `comparison.csv` — the page is checked against the data it reports, not against itself.

use crate::common::*;
use std::path::Path;

/// Every `data-kpi … data-mean` cell of a page: (kpi, variant, mean, shown text).
fn cells(dom: &str, attr: &str) -> Vec<(String, String, f64, String)> {
    let mut out = Vec::new();
    for chunk in dom.split("data-kpi=\"").skip(1) {
        let get = |key: &str| -> Option<String> {
            let i = chunk.find(&format!("{key}=\""))? + key.len() + 2;
            Some(chunk[i..i + chunk[i..].find('"')?].to_string())
        };
        let kpi = chunk[..chunk.find('"').unwrap()].to_string();
        let (Some(variant), Some(x)) = (get("data-variant"), get(attr)) else {
            continue;
        };
        let Ok(x) = x.parse::<f64>() else { continue };
        let shown = chunk[chunk.find('>').unwrap() + 1..chunk.find("</td>").unwrap()].to_string();
        out.push((kpi, variant.replace("&amp;", "&"), x, shown));
    }
    out
}

/// The browser loaded the page without complaint.
fn assert_clean_load(log: &str) {
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("ERR_") || l.contains("Uncaught"))
        .collect();
    assert!(bad.is_empty(), "the browser reported: {bad:#?}");
}

/// Self-contained: nothing to fetch, nothing to run.
fn assert_self_contained(html: &str) {
    for bad in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=\"http",
        "href=\"http",
        "@import",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
}

/// `akuttsim COMMAND FILE` for 3 replications × 20 days into `out`, with `extra` options.
fn short_run(command: &str, file: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        command,
        file,
        "--replications",
        "3",
        "--days",
        "20",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    cli(args)
}

#[test]
fn a_run_report_opens_in_a_browser_and_shows_the_summary() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fjordby");
    assert_ok(&short_run("run", "models/fjordby.toml", &out, &[]));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    let url = format!("file://{}", out.join("report.html").display());
    let (dom, log) = chromium_dump(&browser, &url);
    assert_clean_load(&log);
    assert!(dom.contains("<h2 id=\"targets\">The national targets</h2>"));
    for section in ["plots", "maps", "assumptions", "sources"] {
        assert!(
            dom.contains(&format!("id=\"{section}\"")),
            "no {section} section"
        );
    }
    assert!(
        dom.matches("<svg").count() >= 5,
        "the plots and maps are not inline"
    );

    // Every KPI of summary.json with a value is on the page with that value, shown as the
    // console shows it (shares in per cent, one decimal).
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let on_page = cells(&dom, "data-mean");
    let mut checked = 0;
    for (kpi, e) in summary["kpi"].as_object().unwrap() {
        let Some(mean) = e["mean"].as_f64() else {
            continue;
        };
        let cell = on_page
            .iter()
            .find(|c| &c.0 == kpi)
            .unwrap_or_else(|| panic!("{kpi} (mean {mean}) is not on the page"));
        assert_eq!(cell.2, mean, "{kpi}: page and summary.json differ");
        if e["unit"] == "share" {
            assert_eq!(
                cell.3,
                format!("{:.1} %", mean * 100.0),
                "{kpi} is not in per cent"
            );
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} KPIs checked");
    // The verdicts are those of the targets: a share at or above its minimum over the whole CI
    // is "met".
    let e = &summary["kpi"]["legevakt_travel_within_60min_population_share"];
    let lo = e["ci95_low"].as_f64().unwrap();
    let row_start = dom.find("Inhabitants ≤ 60 min to legevakt").unwrap();
    let row = &dom[row_start..row_start + dom[row_start..].find("</tr>").unwrap()];
    assert_eq!(row.contains(">met<"), lo >= 0.95, "{row}");

    // A screenshot, as a planner would see it.
    let shot = dir.path().join("report.png");
    let status = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,2400",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "screenshot empty"
    );
}

#[test]
fn an_experiment_report_shows_the_paired_differences_of_comparison_csv() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("teaching");
    assert_ok(&short_run(
        "experiment",
        "experiments/teaching-ambulances.toml",
        &out,
        &[],
    ));
    let (dom, log) = chromium_dump(
        &browser,
        &format!("file://{}", out.join("report.html").display()),
    );
    assert_clean_load(&log);
    assert!(dom.contains("id=\"differences\""));
    let diffs = cells(&dom, "data-difference");
    let mut rdr = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (v, k, d) = (col("variant"), col("kpi"), col("difference"));
    let mut checked = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let Ok(diff) = r[d].parse::<f64>() else {
            continue;
        };
        let cell = diffs
            .iter()
            .find(|c| c.0 == r[k] && c.1 == r[v])
            .unwrap_or_else(|| panic!("{} / {} missing from the page", &r[v], &r[k]));
        assert_eq!(cell.2, diff, "{} / {}", &r[v], &r[k]);
        checked += 1;
    }
    assert!(checked > 100, "only {checked} differences checked");
    assert!(Path::new(&out.join("report.html")).exists());
}

/// Every line of a command's standard output is at most 100 columns.
fn assert_narrow(out: &std::process::Output) {
    let text = String::from_utf8_lossy(&out.stdout);
    let wide: Vec<&str> = text.lines().filter(|l| l.chars().count() > 100).collect();
    assert!(wide.is_empty(), "lines wider than 100 columns: {wide:#?}");
}

#[test]
fn the_console_is_narrow_and_says_which_targets_are_met_and_json_matches_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let run = |fmt: &str| short_run("run", "models/fjordby.toml", &out, &["--format", fmt]);
    let table = run("table");
    assert_ok(&table);
    assert_narrow(&table);
    let text = String::from_utf8_lossy(&table.stdout);
    for heading in [
        "Legevaktsentral (116117)",
        "AMK (113)",
        "Ambulance response",
        "Cost",
    ] {
        assert!(text.lines().any(|l| l == heading), "no heading {heading}");
    }
    assert!(text.contains("116117 answered within 2 min") && text.contains(" %  "));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();

    // JSON on standard output, and nothing else there; the numbers are summary.json's.
    std::fs::remove_dir_all(&out).unwrap();
    let json = run("json");
    assert_ok(&json);
    let lines: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let lines = lines.as_array().unwrap();
    assert!(lines.len() > 50);
    for l in lines {
        let k = l["kpi"].as_str().unwrap();
        assert_eq!(l["mean"], summary["kpi"][k]["mean"], "{k}");
        if let Some(min) = l["target_min"].as_f64() {
            let (lo, hi) = (
                l["ci95_low"].as_f64().unwrap(),
                l["ci95_high"].as_f64().unwrap(),
            );
            let expect = if lo >= min {
                "met"
            } else if hi < min {
                "not met"
            } else {
                "borderline"
            };
            assert_eq!(l["target_met"], expect, "{k}");
            // The table says the same.
            let label = l["label"].as_str().unwrap();
            let row = text
                .lines()
                .find(|r| r.trim_start().starts_with(label))
                .unwrap();
            assert!(row.contains(&format!("  {expect}")), "{row}");
        }
    }
    assert!(String::from_utf8_lossy(&json.stderr).contains("wrote "));

    // CSV: a header and one row per line.
    std::fs::remove_dir_all(&out).unwrap();
    let csv_out = run("csv");
    assert_ok(&csv_out);
    let mut r = csv::Reader::from_reader(&csv_out.stdout[..]);
    assert_eq!(&r.headers().unwrap()[1], "kpi");
    assert_eq!(r.records().count(), lines.len());
}

#[test]
fn an_experiment_plots_its_sweep_its_differences_and_ambulance_use_by_hour() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let o = short_run(
        "experiment",
        "experiments/teaching-ambulances.toml",
        &out,
        &[],
    );
    assert_ok(&o);
    assert_narrow(&o);
    for f in [
        "sweep_ambulances-in-fjordby",
        "differences",
        "utilisation_by_hour",
        "kpi_targets",
        "response_cdf",
    ] {
        for ext in ["png", "svg"] {
            let p = out.join(format!("{f}.{ext}"));
            assert!(p.exists(), "{} missing", p.display());
        }
    }
    // The sweep plot has the swept values on its axis and the target line.
    let svg = std::fs::read_to_string(out.join("sweep_ambulances-in-fjordby.svg")).unwrap();
    assert!(svg.contains("Red on scene ≤ 12 min, urban [%]"));
    assert!(svg.contains("stroke-dasharray") || svg.matches("<line").count() > 10);
    // The differences plot names the KPIs in full and the shares in percentage points.
    let svg = std::fs::read_to_string(out.join("differences.svg")).unwrap();
    assert!(svg.contains("Red, first unit of any kind"));
    assert!(svg.contains("difference [percentage points]"));
    // Ambulances are in the utilisation table, busy ≤ available in every hour.
    let mut rdr = csv::Reader::from_path(out.join("utilisation_by_hour.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (role, busy, avail) = (
        col("role"),
        col("busy_server_hours_per_week"),
        col("available_server_hours_per_week"),
    );
    let mut rows = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[role] != "ambulances" {
            continue;
        }
        let (b, a): (f64, f64) = (r[busy].parse().unwrap(), r[avail].parse().unwrap());
        assert!(b <= a + 1e-9, "busy {b} > available {a}");
        rows += 1;
    }
    assert!(rows >= 168, "{rows} ambulance rows");
}
