//! Assumption sets (`[[assumptions]]` in experiment files): every variant under every set, common
//! random numbers across sets, comparisons within each set, the robustness table, outputs that
//! do not depend on the thread count, unchanged outputs without sets, and every problem at once.

use crate::common::{assert_ok, cli, experiment as run_exp};
use akuttsim::analysis::robust::{RobustnessRow, Sign};
use akuttsim::analysis::{Analysis, ComparisonRow};
use akuttsim::input::experiment::{self, Experiment};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Two towns 111 km apart (one degree of latitude: far beyond 40 min by road), 10,000 people in
/// North and 100 in South, and one legevakt, open around the clock, in North. Patients walk in;
/// demand is small, so a week runs in milliseconds.
const MODEL: &str = r#"
name = "two towns"
[[zones]]
name = "North"
population = 10000
lat = 61.0
lon = 10.0
class = "urban"
[[zones]]
name = "South"
population = 100
lat = 60.0
lon = 10.0
class = "urban"
[demand.calls_116117]
per_1000_per_year = { red = 5, yellow = 50, green = 200 }
direct_attendance_share = { red = 1.0, yellow = 1.0, green = 1.0 }
[[legevakt]]
name = "station"
lat = 61.0
lon = 10.0
open = [{ days = "all", from = "00:00", to = "24:00" }]
doctors = [{ days = "all", from = "00:00", to = "24:00", count = 1 }]
consultation_time_min = { dist = "exponential", mean = 15 }
home_visit_time_min = { dist = "constant", value = 30 }
"#;

/// The question: keep the legevakt in North (baseline) or move it to South?
const VARIANTS: &str = r#"
name = "where to put the legevakt"
base = "model.toml"
replications = 4
days = 7
warmup_days = 1
seed = 3
baseline = "north"

[[variants]]
name = "north"

[[variants]]
name = "south"
overrides = { legevakt = [{ name = "station", lat = 60.0 }] }
"#;

/// Where people live is the assumption that flips the answer.
const FLIP: &str = r#"
[[assumptions]]
name = "people in the north"

[[assumptions]]
name = "people in the south"
overrides = { zones = [{ name = "North", population = 100 }, { name = "South", population = 10000 }] }
"#;

/// Most people live in North under either assumption: the answer holds.
const HOLD: &str = r#"
[[assumptions]]
name = "people in the north"

[[assumptions]]
name = "most people in the north"
overrides = { zones = [{ name = "North", population = 6000 }, { name = "South", population = 4000 }] }
"#;

/// Distance decay on or off: changes which needs become contacts, not the needs themselves.
const DECAY: &str = r#"
[[assumptions]]
name = "decay to any site"
overrides = { demand = { calls_116117 = { distance_decay_per_km = { red = 0.005, yellow = 0.009, green = 0.009 } } } }

[[assumptions]]
name = "no decay"
overrides = { demand = { calls_116117 = { distance_decay_per_km = { red = 0.0, yellow = 0.0, green = 0.0 } } } }
"#;

const TRAVEL40: &str = "legevakt_travel_within_40min_population_share";
/// Its plain name in the console tables.
const TRAVEL40_LABEL: &str = "Inhabitants ≤ 40 min to legevakt";

/// Write the model and an experiment (the variants, then `sets`) into `dir`; the experiment's
/// path.
fn write(dir: &Path, sets: &str) -> PathBuf {
    std::fs::write(dir.join("model.toml"), MODEL).unwrap();
    let f = dir.join("exp.toml");
    std::fs::write(&f, format!("{VARIANTS}{sets}")).unwrap();
    f
}

fn load(sets: &str) -> (tempfile::TempDir, Experiment) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), sets);
    let exp = experiment::load(&f).unwrap_or_else(|e| panic!("{e}"));
    (dir, exp)
}

fn robustness<'a>(a: &'a Analysis, kpi: &str) -> &'a RobustnessRow {
    a.robustness
        .iter()
        .find(|r| r.variant == "south" && r.kpi == kpi)
        .unwrap_or_else(|| panic!("no robustness row for {kpi}"))
}

fn comparison<'a>(a: &'a Analysis, set: &str, kpi: &str) -> &'a ComparisonRow {
    a.comparison
        .iter()
        .find(|r| r.variant == "south" && r.kpi == kpi && r.assumptions.as_deref() == Some(set))
        .unwrap_or_else(|| panic!("no comparison row for {set} / {kpi}"))
}

/// The exact paired difference of the population share within 40 min when the legevakt moves
/// from North to South: people in South minus people in North, over everybody (it does not vary
/// between replications, so its CI is the point).
fn predicted(north: f64, south: f64) -> f64 {
    (south - north) / (north + south)
}

fn assert_close(got: Option<f64>, want: f64) {
    let got = got.expect("a value");
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

#[test]
fn a_difference_that_flips_sign_between_sets_is_not_robust() {
    let (_dir, exp) = load(FLIP);
    assert_eq!(exp.assumptions.len(), 2);
    assert_eq!(exp.cells().count(), 4);
    let (res, a) = run_exp(&exp, 0);
    assert_eq!(res.len(), 4);
    assert_eq!(a.variants.len(), 4);
    assert_eq!(a.set_variants(1)[1].slug, "people-in-the-south_south");
    // Moving the legevakt south loses 98 % of the population within 40 min under one set and
    // gains 98 % under the other.
    let d_north = comparison(&a, "people in the north", TRAVEL40);
    let d_south = comparison(&a, "people in the south", TRAVEL40);
    assert_close(d_north.difference, predicted(10000.0, 100.0));
    assert_close(d_south.difference, predicted(100.0, 10000.0));
    assert!(d_north.significant() && d_south.significant());
    let r = robustness(&a, TRAVEL40);
    assert_eq!(
        (r.sets, r.significant_sets, r.sign, r.robust),
        (2, 2, Sign::Mixed, false)
    );
    assert_close(r.difference_min, predicted(10000.0, 100.0));
    assert_close(r.difference_max, predicted(100.0, 10000.0));
    // One row per variant × KPI, the baseline excluded.
    assert_eq!(a.robustness.len(), a.comparison.len() / 2);
}

#[test]
fn a_difference_that_holds_in_every_set_is_robust() {
    let (_dir, exp) = load(HOLD);
    let (_, a) = run_exp(&exp, 0);
    let d = comparison(&a, "most people in the north", TRAVEL40);
    assert_close(d.difference, predicted(6000.0, 4000.0));
    let r = robustness(&a, TRAVEL40);
    assert_eq!(
        (r.sets, r.significant_sets, r.sign, r.robust),
        (2, 2, Sign::Negative, true)
    );
    // Nobody is lost to distance in either place (no decay): no difference, not robust.
    let r = robustness(&a, "needs_suppressed_by_distance_per_1000");
    assert_eq!(
        (r.significant_sets, r.sign, r.robust),
        (0, Sign::None, false)
    );
}

#[test]
fn every_set_sees_the_same_demand() {
    let (_dir, exp) = load(DECAY);
    let (res, a) = run_exp(&exp, 0);
    assert_eq!(res.len(), 4);
    for r in 0..exp.replications as usize {
        for cell in &res {
            assert_eq!(
                cell[r].demand_fingerprint, res[0][r].demand_fingerprint,
                "replication {r}: demand differs across (set, variant)"
            );
            assert_eq!(cell[r].generated, res[0][r].generated);
        }
    }
    assert_ne!(res[0][0].demand_fingerprint, res[0][1].demand_fingerprint);
    // The sets did change the model: decay loses needs, no decay loses none.
    let suppressed = |s: usize| {
        a.set_variants(s)[1].summary.kpi["needs_suppressed_by_distance_per_1000"]
            .mean
            .unwrap()
    };
    assert!(suppressed(0) > 0.0, "{}", suppressed(0));
    assert_eq!(suppressed(1), 0.0);
}

fn run_cli(exp: &Path, out: &Path, threads: &str) -> String {
    let st = cli([
        OsStr::new("experiment"),
        exp.as_os_str(),
        OsStr::new("--quiet"),
        OsStr::new("--threads"),
        OsStr::new(threads),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&st);
    String::from_utf8(st.stdout).unwrap()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

fn header(path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.headers().unwrap().iter().map(str::to_string).collect()
}

#[test]
fn outputs_with_sets_are_byte_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), FLIP);
    let dirs: Vec<PathBuf> = (0..2).map(|i| tmp.path().join(format!("t{i}"))).collect();
    let stdout = run_cli(&f, &dirs[0], "1");
    run_cli(&f, &dirs[1], "2");
    let names = file_names(&dirs[0]);
    assert_eq!(names, file_names(&dirs[1]));
    for n in [
        "robustness.csv",
        "comparison.csv",
        "differences.png",
        "map_response_people-in-the-north_north.png",
        "map_travel_people-in-the-south_south.svg",
    ] {
        assert!(names.contains(&n.to_string()), "no {n} in {names:?}");
    }
    for n in &names {
        if n == "manifest.json" {
            continue; // holds timing fields (threads, wall time)
        }
        let a = std::fs::read(dirs[0].join(n)).unwrap();
        let b = std::fs::read(dirs[1].join(n)).unwrap();
        assert!(a == b, "{n} differs between 1 and 2 threads");
    }
    // The layout with sets.
    let d = &dirs[0];
    for (file, first) in [
        ("kpi.csv", ["variant", "assumptions", "replication"]),
        ("comparison.csv", ["variant", "assumptions", "kpi"]),
        (
            "utilisation_by_hour.csv",
            ["variant", "assumptions", "pool"],
        ),
    ] {
        assert_eq!(header(&d.join(file))[..3], first, "{file}");
    }
    assert_eq!(
        header(&d.join("robustness.csv")),
        [
            "variant",
            "kpi",
            "unit",
            "sets",
            "significant_sets",
            "sign",
            "robust",
            "difference_min",
            "difference_max"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(d.join("robustness.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect();
    let travel = rows.iter().find(|r| &r[1] == TRAVEL40).unwrap();
    assert_eq!(
        travel.iter().take(7).collect::<Vec<_>>(),
        ["south", TRAVEL40, "share", "2", "2", "mixed", "no"]
    );
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
    assert!(s.get("variants").is_none());
    let p = &s["assumptions"]["people in the south"]["south"]["kpi"][TRAVEL40]["mean"];
    assert!(
        (p.as_f64().unwrap() - 10000.0 / 10100.0).abs() < 1e-12,
        "{p}"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["variants"], serde_json::json!(["north", "south"]));
    assert_eq!(
        m["assumptions"],
        serde_json::json!(["people in the north", "people in the south"])
    );
    // The console shows the difference under each set and the verdict.
    let line = stdout
        .lines()
        .rfind(|l| l.contains(TRAVEL40_LABEL))
        .unwrap();
    assert!(
        line.contains("Δ −98.0 pp") && line.contains("Δ +98.0 pp"),
        "{line}"
    );
    assert!(line.ends_with("not robust"), "{line}");
    assert!(
        stdout.contains("2 assumption sets × 2 variants"),
        "{stdout}"
    );
}

#[test]
fn the_console_says_robust_when_the_difference_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), HOLD);
    let stdout = run_cli(&f, &tmp.path().join("out"), "0");
    let line = stdout
        .lines()
        .rfind(|l| l.contains(TRAVEL40_LABEL))
        .unwrap();
    assert!(
        line.ends_with(" robust") && !line.contains("not robust"),
        "{line}"
    );
    let st = cli([OsStr::new("check"), f.as_os_str()]);
    assert_ok(&st);
    let out = String::from_utf8_lossy(&st.stdout);
    assert!(
        out.contains("2 assumption sets (people in the north, most people in the north)"),
        "{out}"
    );
}

/// Everything a CSV says, without the `assumptions` column.
fn without_set_column(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != 1)
                .map(|(_, x)| x.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn one_set_without_overrides_gives_the_results_without_sets() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = write(tmp.path(), "");
    let (a, b) = (tmp.path().join("plain"), tmp.path().join("as-is"));
    run_cli(&plain, &a, "0");
    let f = tmp.path().join("as-is.toml");
    std::fs::write(
        &f,
        format!("{VARIANTS}\n[[assumptions]]\nname = \"the model as it is\"\n"),
    )
    .unwrap();
    run_cli(&f, &b, "0");
    for file in ["kpi.csv", "comparison.csv", "utilisation_by_hour.csv"] {
        let plain = csv::Reader::from_path(a.join(file))
            .unwrap()
            .into_records()
            .count();
        assert!(plain > 0);
        let with: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(a.join(file))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(with, without_set_column(&b.join(file)), "{file}");
    }
    let json = |d: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap()
    };
    assert_eq!(
        json(&a)["variants"],
        json(&b)["assumptions"]["the model as it is"]
    );
}

#[test]
fn without_sets_the_files_keep_their_layout() {
    // The files and columns of an experiment without [[assumptions]], as they were before sets
    // existed (checked byte for byte against the binary of the commit before them), with the
    // per-station and per-zone tables added since.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let st = cli([
        "experiment",
        "experiments/teaching-ambulances.toml",
        "--replications",
        "2",
        "--days",
        "7",
        "--warmup-days",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&st);
    let mut expected = vec![
        "ambulance_stations.csv".to_string(),
        "comparison.csv".into(),
        "kpi.csv".into(),
        "legevakt_stations.csv".into(),
        "manifest.json".into(),
        "summary.json".into(),
        "utilisation_by_hour.csv".into(),
        "zones.csv".into(),
    ];
    for stem in [
        "differences",
        "kpi_targets",
        "response_cdf",
        "utilisation_by_hour",
    ] {
        expected.extend(["png", "svg"].map(|e| format!("{stem}.{e}")));
    }
    for n in 1..=4 {
        for map in ["map_response", "map_travel"] {
            expected.extend(["png", "svg"].map(|e| format!("{map}_ambulances-in-fjordby-{n}.{e}")));
        }
    }
    expected.extend(["png", "svg"].map(|e| format!("sweep_ambulances-in-fjordby.{e}")));
    expected.push("report.html".into());
    expected.push(".akuttsim-output".into());
    expected.sort();
    assert_eq!(file_names(&out), expected);
    let h = |f: &str| header(&out.join(f));
    assert_eq!(h("kpi.csv"), ["variant", "replication", "kpi", "value"]);
    assert_eq!(
        h("comparison.csv"),
        [
            "variant",
            "kpi",
            "baseline_mean",
            "variant_mean",
            "difference",
            "ci95_low",
            "ci95_high",
            "unit",
            "unpaired_ci95_low",
            "unpaired_ci95_high",
            "pairs"
        ]
    );
    assert_eq!(
        h("utilisation_by_hour.csv"),
        [
            "variant",
            "pool",
            "role",
            "hour_of_week",
            "busy_server_hours_per_week",
            "scheduled_server_hours_per_week",
            "available_server_hours_per_week",
            "utilisation"
        ]
    );
    assert_eq!(
        h("ambulance_stations.csv"),
        [
            "variant",
            "replication",
            "station",
            "vehicles",
            "missions_per_year",
            "utilisation",
            "standby_share"
        ]
    );
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want = [
        "experiment",
        "description",
        "seed",
        "replications",
        "horizon_days",
        "warmup_days",
        "baseline",
        "variants",
    ];
    want.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, want);
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!m.contains("\"assumptions\""), "{m}");
    let stdout = String::from_utf8_lossy(&st.stdout);
    assert!(!stdout.contains("robust"), "{stdout}");
}

#[test]
fn bad_assumption_sets_report_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        r#"
[[assumptions]]
name = "a"
colour = "red"

[[assumptions]]
name = "no decay"
overrides = { demand = { calls_116117 = { distance_decay_per_km = { red = -1.0, yellow = 0.0, green = 0.0 } } } }

[[assumptions]]
name = "no decay"

[[assumptions]]
name = "No decay!"

[[assumptions]]
name = "???"

[[assumptions]]
name = "remove"
overrides = { zones = [{ name = "Nowhere", remove = true }] }

[[assumptions]]
name = "x"
overrides = 3

[[assumptions]]
name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
"#,
    );
    let e = experiment::load(&f).err().expect("invalid");
    let text: String = e
        .problems()
        .iter()
        .map(|p| format!("{p}\n"))
        .collect::<String>();
    for needle in [
        "assumptions[0].colour: unknown field `colour`",
        "assumptions[6].overrides: invalid type",
        "assumptions[2].name: assumption set name \"no decay\" is used twice (also by assumptions[1])",
        "assumptions[3].name: assumption set name \"No decay!\" gives the same file names (\"no-decay\") as assumptions[1]",
        "assumptions[4].name: assumption set name \"???\" has no letters or digits",
        "assumptions[7].name: the assumption set name has 92 characters",
        "assumptions[1] (\"no decay\") → variants[0] (\"north\") → demand.calls_116117.distance_decay_per_km.red: -1",
        "assumptions[1] (\"no decay\") → variants[1] (\"south\") → demand.calls_116117.distance_decay_per_km.red: -1",
        "assumptions[5] (\"remove\") → variants[1] (\"south\") → overrides.zones[\"Nowhere\"]: nothing named \"Nowhere\"",
    ] {
        assert!(text.contains(needle), "missing {needle} in:\n{text}");
    }
    // An empty list, and a value that is not a list of tables.
    for (sets, needle) in [
        ("assumptions = []", "assumptions: no assumption sets"),
        (
            "assumptions = 5",
            "assumptions: expected an array of tables",
        ),
    ] {
        let f = dir.path().join("e.toml");
        std::fs::write(&f, format!("{sets}\n{VARIANTS}")).unwrap();
        let e = experiment::load(&f).err().expect("invalid");
        let text: Vec<String> = e.problems().iter().map(|p| p.to_string()).collect();
        assert!(
            text.iter().any(|t| t.starts_with(needle)),
            "missing {needle} in {text:?}"
        );
    }
}
