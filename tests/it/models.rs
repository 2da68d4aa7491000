//! Shipped models, determinism, conservation of patients, common random numbers, and the CLI.

use crate::common::*;
use akuttsim::output::report::to_json;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

fn shipped_models() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        // calibration.toml lists published figures for `akuttsim calibrate`; it is no model (its
        // own test is regions::calibration_report_is_generated_from_a_run).
        .filter(|p| !p.ends_with("calibration.toml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no models shipped");
    v
}

#[test]
fn every_shipped_model_validates_and_runs() {
    for m in shipped_models() {
        let scn = akuttsim::input::scenario::load(&m).unwrap_or_else(|e| panic!("{e}"));
        let s = run(&scn, 2, 28.0, 2.0, 1, 0);
        assert!(s.patients.generated > 0, "{}: no patients", m.display());
        assert_eq!(
            s.patients.generated,
            s.patients.completed + s.patients.in_system_at_end,
            "{}: patients lost",
            m.display()
        );
    }
}

#[test]
fn summary_is_byte_identical_across_thread_counts() {
    let m = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    let scn = akuttsim::input::scenario::load(&m).unwrap();
    let one = to_json(&run(&scn, 6, 60.0, 3.0, 42, 1)).unwrap();
    let two = to_json(&run(&scn, 6, 60.0, 3.0, 42, 2)).unwrap();
    assert_eq!(one, two);
    let other_seed = to_json(&run(&scn, 6, 60.0, 3.0, 43, 2)).unwrap();
    assert_ne!(one, other_seed, "the seed must matter");
}

#[test]
fn every_patient_is_accounted_for() {
    // A short, overloaded run leaves patients in the chain at the end: they must be counted.
    let scn = scenario(&mmc_station(1, 20.0, [0.0, 0.0, 30_000.0]));
    let s = run(&scn, 3, 10.0, 0.0, 5, 0);
    assert!(
        s.patients.in_system_at_end > 0,
        "overload should leave patients waiting"
    );
    assert_eq!(
        s.patients.generated,
        s.patients.completed + s.patients.in_system_at_end
    );
}

#[test]
fn structures_on_one_seed_see_the_same_needs() {
    // Common random numbers: removing the satellite changes where patients go, not who they are.
    let m = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    let text = std::fs::read_to_string(&m).unwrap();
    let with = scenario(&text);
    let cut = text.find("# ---- satellite ----").unwrap();
    let without = scenario(&text[..cut]);
    let a = run(&with, 3, 60.0, 0.0, 9, 0);
    let b = run(&without, 3, 60.0, 0.0, 9, 0);
    assert_eq!(a.patients.generated, b.patients.generated);
    assert!(kpi(&a, "satellite_consultations").0 > 0.0);
    assert!(b.kpi["satellite_consultations"].mean == Some(0.0));
    // Nesvik is 57 min from Fjordby: without the satellite more of its needs are suppressed.
    assert!(
        kpi(&b, "needs_suppressed_by_distance_per_1000").0
            > kpi(&a, "needs_suppressed_by_distance_per_1000").0
    );
}

#[test]
fn cli_run_writes_summary_and_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let st = cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--replications"),
        OsStr::new("3"),
        OsStr::new("--days"),
        OsStr::new("20"),
        OsStr::new("--warmup-days"),
        OsStr::new("1"),
        OsStr::new("--seed"),
        OsStr::new("5"),
        OsStr::new("--threads"),
        OsStr::new("2"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&st);
    let stdout = String::from_utf8_lossy(&st.stdout);
    assert!(stdout.contains("116117 answered within 2 min") && stdout.contains("95 % CI"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "seed",
        "replications",
        "horizon_days",
        "warmup_days",
        "patients",
        "kpi",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    for k in [
        "lvs_answered_within_2min_share",
        "lvs_answer_time_p90_s",
        "legevakt_wait_p90_min_red",
        "legevakt_wait_p90_min_yellow",
        "legevakt_wait_p90_min_green",
        "legevakt_travel_within_40min_population_share",
        "legevakt_travel_within_60min_population_share",
        "legevakt_doctor_utilisation",
        "legevakt_consultations_per_1000",
        "satellite_consultations",
        "video_consultations",
        "home_visits",
    ] {
        let e = &summary["kpi"][k];
        for f in ["mean", "ci95_low", "ci95_high", "unit"] {
            assert!(e.get(f).is_some(), "kpi {k} lacks {f}");
        }
    }
    let share = summary["kpi"]["lvs_answered_within_2min_share"]["mean"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&share));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let sha = manifest["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn cli_check_reports_problems_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml"))
            .unwrap()
            .replacen("population = 24000", "population = -5", 1)
            .replacen("host = \"Fjordby legevakt\"", "host = \"Nowhere\"", 1);
    std::fs::write(&bad, text).unwrap();
    let st = cli([OsStr::new("check"), bad.as_os_str()]);
    assert_eq!(st.status.code(), Some(1));
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(err.contains("2 problems found"), "{err}");
    assert!(
        err.contains("zones[0].population") && err.contains("satellites[0].host"),
        "{err}"
    );
    // `run` validates first and writes nothing.
    let out = dir.path().join("out");
    let st = cli([
        OsStr::new("run"),
        bad.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(st.status.code(), Some(1));
    assert!(!out.exists());
}

#[test]
fn every_source_key_cited_is_in_the_source_list() {
    // Comments and KPI sources cite publications by [Key]; a clone must find each one in
    // models/SOURCES.md.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = std::fs::read_to_string(root.join("models/SOURCES.md")).unwrap();
    let mut files = vec![root.join("src/base/kpi.rs")];
    for dir in ["models", "models/common", "experiments"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    for e in std::fs::read_dir(root.join("models/data/travel")).unwrap() {
        files.push(e.unwrap().path());
    }
    let mut missing = Vec::new();
    let mut cited = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, _) in text.match_indices('[') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find(']') else { continue };
            let key = &rest[..end];
            // A key: a capital letter, then letters, digits and hyphens (not Rust paths or
            // TOML arrays, which have spaces, quotes or lower-case starts).
            let is_key = key.len() > 2
                && key.starts_with(|c: char| c.is_ascii_uppercase())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && key != "KpiDef";
            if is_key {
                cited += 1;
                if !sources.contains(&format!("**[{key}]**")) {
                    missing.push(format!("{}: [{key}]", f.display()));
                }
            }
        }
    }
    assert!(
        cited > 100,
        "only {cited} citations found: the scan is broken"
    );
    assert!(missing.is_empty(), "not in models/SOURCES.md: {missing:#?}");
}

#[test]
fn the_readme_kpi_table_is_what_akuttsim_kpis_prints() {
    // The README's KPI reference is copied from `akuttsim kpis`: every row must be there, so a
    // new or renamed KPI cannot leave the documentation behind.
    let out = cli(["kpis"]);
    assert_ok(&out);
    let table = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let missing: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter(|l| !readme.contains(l))
        .collect();
    assert!(
        table.lines().filter(|l| l.starts_with("| `")).count() > 70,
        "the kpis table looks empty"
    );
    assert!(missing.is_empty(), "not in README.md: {missing:#?}");
}
