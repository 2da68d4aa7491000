//! The researchers' trace (`--trace`): the per-patient event log agrees exactly with the
//! results it came with, costs nothing when off (the results are identical with and without
//! it), names places and resources, and is byte-identical whatever `--threads` is.

use crate::common::*;
use akuttsim::input::RunSpec;
use akuttsim::sim::{self, Detail, Outcome, PatientEvent, ReplicationResult};
use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::path::Path;

const FJORDBY: &str = "models/fjordby.toml";

fn fjordby() -> akuttsim::input::scenario::Scenario {
    scenario(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FJORDBY)).unwrap())
}

fn traced_spec(days: f64, warmup: f64, seed: u64) -> RunSpec {
    RunSpec {
        trace: true,
        ..spec(days, warmup, seed)
    }
}

/// The replication's results without the trace, as JSON (every other field compared at once).
fn without_trace(r: &ReplicationResult) -> serde_json::Value {
    let mut r = r.clone();
    r.trace = None;
    serde_json::to_value(&r).unwrap()
}

#[test]
fn the_patient_trace_agrees_exactly_with_the_results() {
    let scn = fjordby();
    let (days, warmup) = (12.0, 2.0);
    let warmup_ms = (warmup * 86_400_000.0) as i64;
    let res = replications(&scn, 3, &traced_spec(days, warmup, 5), 0);
    for r in &res {
        let t = r.trace.as_ref().expect("traced");
        // One need_arises per patient generated, numbered 1, 2, … in order of arising.
        let arisen: Vec<u32> = t
            .patient_events
            .iter()
            .filter(|e| e.event == PatientEvent::NeedArises)
            .map(|e| e.patient)
            .collect();
        assert_eq!(arisen.len() as u64, r.generated);
        assert_eq!(t.patients.len() as u64, r.generated);
        assert!(arisen.iter().copied().eq(1..=r.generated as u32));
        // One complete per ended path; those of the measured period are the outcome counts.
        let mut completed = HashSet::new();
        let mut measured = vec![0u64; Outcome::ALL.len()];
        for e in t
            .patient_events
            .iter()
            .filter(|e| e.event == PatientEvent::Complete)
        {
            assert!(
                completed.insert(e.patient),
                "patient {} ends twice",
                e.patient
            );
            let o = Outcome::ALL
                .iter()
                .position(|&o| Detail::outcome(o) == e.detail)
                .unwrap_or_else(|| panic!("complete without an outcome: {e:?}"));
            if e.t_ms >= warmup_ms {
                measured[o] += 1;
            }
        }
        assert_eq!(completed.len() as u64, r.completed);
        assert_eq!(measured, r.outcomes);
        // Every event is in time order (so each patient's are); each patient's first is its
        // need_arises, and nothing but the units attending a red event follows its complete.
        let mut first: BTreeMap<u32, PatientEvent> = BTreeMap::new();
        let mut ended = HashSet::new();
        for w in t.patient_events.windows(2) {
            assert!(w[0].t_ms <= w[1].t_ms, "{:?} after {:?}", w[1], w[0]);
        }
        let after_end = [
            PatientEvent::CalloutOnScene,
            PatientEvent::CalloutLeaves,
            PatientEvent::CalloutCancelled,
            PatientEvent::AirOnScene,
            PatientEvent::DoctorCarOnScene,
            PatientEvent::DoctorCarLeaves,
        ];
        for e in &t.patient_events {
            assert!((1..=r.generated as u32).contains(&e.patient), "{e:?}");
            first.entry(e.patient).or_insert(e.event);
            assert!(
                !ended.contains(&e.patient) || after_end.contains(&e.event),
                "{e:?} after the patient's complete"
            );
            if e.event == PatientEvent::Complete {
                ended.insert(e.patient);
            }
        }
        assert!(first.values().all(|&e| e == PatientEvent::NeedArises));
        // The ambulance arrivals at red 113 patients are the red responses traced.
        let red_on_scene = t
            .patient_events
            .iter()
            .filter(|e| {
                e.event == PatientEvent::VehicleOnScene
                    && t.patients[e.patient as usize - 1].urgency
                        == akuttsim::base::urgency::Urgency::Red
            })
            .count();
        assert!(red_on_scene >= t.responses.len(), "{red_on_scene}");
    }
}

#[test]
fn tracing_changes_no_result() {
    let scn = fjordby();
    let plain = replications(&scn, 2, &spec(10.0, 1.0, 9), 0);
    let traced = replications(&scn, 2, &traced_spec(10.0, 1.0, 9), 0);
    for (a, b) in plain.iter().zip(&traced) {
        assert!(a.trace.is_none() && b.trace.is_some());
        assert_eq!(without_trace(a), without_trace(b));
    }
}

#[test]
fn the_vocabulary_is_unique_and_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let events: Vec<&str> = PatientEvent::ALL.iter().map(|e| e.name()).collect();
    let unique: HashSet<&str> = events.iter().copied().collect();
    assert_eq!(unique.len(), events.len(), "event names repeat");
    let undocumented: Vec<&str> = events
        .iter()
        .chain(
            Detail::ALL
                .iter()
                .map(|d| d.name())
                .collect::<Vec<_>>()
                .iter(),
        )
        .copied()
        .filter(|n| !n.is_empty() && !readme.contains(&format!("`{n}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "not in README.md: {undocumented:?}"
    );
    for o in Outcome::ALL {
        assert_eq!(Detail::outcome(o).name(), o.name());
    }
}

fn run_traced(out: &Path, threads: &str) {
    let o = cli([
        OsStr::new("run"),
        OsStr::new(FJORDBY),
        OsStr::new("--replications"),
        OsStr::new("3"),
        OsStr::new("--days"),
        OsStr::new("4"),
        OsStr::new("--warmup-days"),
        OsStr::new("1"),
        OsStr::new("--seed"),
        OsStr::new("11"),
        OsStr::new("--threads"),
        OsStr::new(threads),
        OsStr::new("--trace"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&o);
}

#[test]
fn trace_files_are_named_consistent_and_independent_of_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    run_traced(&one, "1");
    run_traced(&two, "2");
    for f in [
        "trace_patients.csv",
        "trace_vehicles.csv",
        "trace_responses.csv",
        "summary.json",
        "kpi.csv",
    ] {
        let (a, b) = (
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
        );
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("summary.json")).unwrap()).unwrap();
    let mut rd = csv::Reader::from_path(one.join("trace_patients.csv")).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "variant",
            "replication",
            "patient",
            "time_min",
            "day",
            "clock",
            "warmup",
            "event",
            "detail",
            "place",
            "resource",
            "urgency",
            "channel"
        ]
    );
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let scn = fjordby();
    let stations: Vec<&str> = scn.amb_stations.iter().map(|s| s.name.as_str()).collect();
    let mut arisen = 0u64;
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut vehicles = 0;
    for row in rd.records() {
        let row = row.unwrap();
        let t: f64 = row[col("time_min")].parse().unwrap();
        let warm = &row[col("warmup")];
        assert_eq!(warm == "true", t < 1440.0, "warm-up flag at {t} min");
        // day and clock say the same time (to the second, rounded down).
        let day: f64 = row[col("day")].parse().unwrap();
        let hms: Vec<f64> = row[col("clock")]
            .split(':')
            .map(|x| x.parse().unwrap())
            .collect();
        let secs = day * 86_400.0 + hms[0] * 3600.0 + hms[1] * 60.0 + hms[2];
        assert!(
            (t * 60.0 - secs) >= 0.0 && (t * 60.0 - secs) < 1.0,
            "{t} vs {secs}"
        );
        match &row[col("event")] {
            "need_arises" => arisen += 1,
            "complete" => {
                assert!(!row[col("detail")].is_empty(), "complete without outcome");
                if warm == "false" {
                    *outcomes.entry(row[col("detail")].to_string()).or_default() += 1;
                }
            }
            "ambulance_dispatched" | "vehicle_on_scene" | "conveyed" => {
                vehicles += 1;
                let v = &row[col("resource")];
                assert!(
                    stations
                        .iter()
                        .any(|s| v.strip_prefix(s).is_some_and(|n| n.starts_with(" #"))),
                    "vehicle {v:?} is not named by its station"
                );
            }
            _ => {}
        }
        assert!(["red", "yellow", "green"].contains(&&row[col("urgency")]));
        assert!(!row[col("channel")].is_empty());
    }
    assert!(vehicles > 0);
    assert_eq!(arisen, summary["patients"]["generated"].as_u64().unwrap());
    for (name, n) in summary["outcomes"].as_object().unwrap() {
        assert_eq!(
            outcomes.get(name).copied().unwrap_or(0),
            n.as_u64().unwrap(),
            "{name}"
        );
    }
    // trace_vehicles.csv names vehicles by station too.
    let mut rv = csv::Reader::from_path(one.join("trace_vehicles.csv")).unwrap();
    for row in rv.records() {
        let v = row.unwrap()[2].to_string();
        assert!(
            stations.iter().any(|s| v.starts_with(&format!("{s} #"))),
            "{v}"
        );
    }
}

#[test]
fn an_enormous_trace_is_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = cli([
        OsStr::new("run"),
        OsStr::new("models/more-og-romsdal.toml"),
        OsStr::new("--trace"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--trace") && err.contains("--days"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // The suggested length fits.
    let days = err
        .split("--days ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .to_string();
    let scn = akuttsim::input::scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("models/more-og-romsdal.toml"),
    )
    .unwrap();
    let d: f64 = days.parse().unwrap();
    let rows = scn.expected_patients(d + 7.0)
        * 10.0
        * akuttsim::input::scenario::limits::TRACE_ROWS_PER_PATIENT;
    assert!(
        rows <= akuttsim::input::scenario::limits::MAX_TRACE_ROWS,
        "{rows}"
    );
}

#[test]
fn merged_shards_write_the_trace_of_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], out: &Path| {
        let mut args: Vec<&OsStr> = [
            "run",
            FJORDBY,
            "--replications",
            "3",
            "--days",
            "2",
            "--warmup-days",
            "0.5",
            "--trace",
            "--quiet",
        ]
        .iter()
        .chain(extra)
        .map(OsStr::new)
        .collect();
        args.extend([OsStr::new("--out"), out.as_os_str()]);
        assert_ok(&cli(args));
    };
    let p = |n: &str| tmp.path().join(n);
    run(&[], &p("all"));
    run(&["--shard", "1/2"], &p("s1"));
    run(&["--shard", "2/2"], &p("s2"));
    assert_ok(&cli([
        OsStr::new("merge"),
        p("s1").as_os_str(),
        p("s2").as_os_str(),
        OsStr::new("--out"),
        p("m").as_os_str(),
    ]));
    for f in [
        "trace_patients.csv",
        "trace_vehicles.csv",
        "trace_responses.csv",
    ] {
        let (a, b) = (
            std::fs::read(p("all").join(f)).unwrap(),
            std::fs::read(p("m").join(f)).unwrap(),
        );
        assert!(a == b, "{f}: the merged shards differ from the single run");
    }
}

#[test]
fn a_shard_keeps_its_trace_for_merge() {
    // The compact trace survives shard.json (serde), so a merged run could write it.
    let scn = fjordby();
    let r = sim::run(&scn, &traced_spec(2.0, 0.0, 3), 0).unwrap();
    let back: ReplicationResult =
        serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    let (a, b) = (r.trace.unwrap(), back.trace.unwrap());
    assert_eq!(a.patient_events.len(), b.patient_events.len());
    assert!(
        a.patient_events
            .iter()
            .zip(&b.patient_events)
            .all(|(x, y)| x.t_ms == y.t_ms
                && x.patient == y.patient
                && x.event == y.event
                && x.detail == y.detail
                && x.place == y.place
                && x.resource == y.resource)
    );
}
