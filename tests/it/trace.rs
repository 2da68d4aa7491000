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

fn more_og_romsdal() -> akuttsim::input::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/more-og-romsdal.toml");
    akuttsim::input::scenario::load(&path).expect("the shipped model loads")
}

#[test]
fn the_patient_trace_agrees_exactly_with_the_results() {
    trace_agrees_with_results(&fjordby(), 3, 12.0, 2.0);
}

/// The same on a whole AMK area, whose calls on the AMK's other lines (most of its 113
/// traffic) carry no patient record and are traced by their own path, and whose callers hang up.
#[test]
fn the_trace_of_a_whole_area_agrees_exactly_with_the_results() {
    let scn = more_og_romsdal();
    trace_agrees_with_results(&scn, 1, 4.0, 1.0);
    let r = &replications(&scn, 1, &traced_spec(4.0, 1.0, 5), 0)[0];
    let t = r.trace.as_ref().expect("traced");
    let lines: HashSet<u32> = (1..=t.patients.len() as u32)
        .filter(|&n| t.patients[n as usize - 1].channel == sim::TraceChannel::OtherAmk)
        .collect();
    assert!(lines.len() > 1000, "{} other-line calls", lines.len());
    // Each call on the other lines rings, is answered, ends and completes, in that order.
    let mut seen: BTreeMap<u32, Vec<PatientEvent>> = BTreeMap::new();
    for e in t
        .patient_events
        .iter()
        .filter(|e| lines.contains(&e.patient))
    {
        seen.entry(e.patient).or_default().push(e.event);
    }
    let path = [
        PatientEvent::NeedArises,
        PatientEvent::Call113Ring,
        PatientEvent::Call113Answered,
        PatientEvent::Call113End,
        PatientEvent::Complete,
    ];
    let complete = seen.values().filter(|ev| ev[..] == path[..]).count();
    // Those still waiting or on the line at the end have the beginning of the path.
    assert!(seen.values().all(|ev| path.starts_with(ev)), "{seen:?}");
    assert!(complete as f64 > 0.99 * lines.len() as f64, "{complete}");
}

/// Tracing a whole area changes none of its results either.
#[test]
fn tracing_a_whole_area_changes_no_result() {
    let scn = more_og_romsdal();
    let plain = replications(&scn, 1, &spec(3.0, 1.0, 9), 0);
    let traced = replications(&scn, 1, &traced_spec(3.0, 1.0, 9), 0);
    assert_eq!(without_trace(&plain[0]), without_trace(&traced[0]));
}

/// The needs of a channel are drawn as one superposed Poisson process, each arrival given to a
/// zone and urgency by its rate: each zone, channel and urgency gets its share. Over four whole
/// weeks the hour-of-week profile integrates to 672 h at mean intensity, so the cell (zone,
/// channel, urgency) expects E = population × rate × 672 h needs, Poisson and independent of
/// the other cells. The χ² statistic over the cells with E ≥ 20 (the rest pooled into one) has
/// mean k and sd ≈ √(2k); the test allows k + 5√(2k) (an exact χ² tail of 1.2·10⁻⁵ at k = 110,
/// 7·10⁻⁵ at the smallest k allowed, 30). Each (channel, urgency) total must lie within 4
/// Poisson sd (6.3·10⁻⁵ each, two-sided): a false alarm about once in 2,500 seeds, and the seed
/// is fixed. Drawing the members uniformly, or each zone's needs from its neighbour's rate, fails.
#[test]
fn needs_arise_in_each_zone_and_urgency_by_its_rate() {
    use akuttsim::base::urgency::{Channel, Urgency};
    let scn = more_og_romsdal();
    let hours = 28.0 * 24.0;
    let r = &replications(&scn, 1, &traced_spec(28.0, 0.0, 3), 0)[0];
    let t = r.trace.as_ref().expect("traced");
    let cell = |z: usize, ch: Channel, u: Urgency| (z, ch.code(), u as u8);
    let mut observed: BTreeMap<(usize, u8, u8), f64> = BTreeMap::new();
    for info in &t.patients {
        let ch = match info.channel {
            sim::TraceChannel::Lvs => Channel::Lvs,
            sim::TraceChannel::Amk => Channel::Amk,
            _ => continue,
        };
        *observed
            .entry(cell(info.zone.index(), ch, info.urgency))
            .or_default() += 1.0;
    }
    let (mut chi2, mut k, mut pooled): (f64, f64, (f64, f64)) = (0.0, 0.0, (0.0, 0.0));
    for ch in Channel::ALL {
        let Some(d) = &scn.demand[ch] else { continue };
        for u in Urgency::ALL {
            let rate = d.rate_per_person_hour[u];
            let (mut got, mut total) = (0.0, 0.0);
            for (z, zone) in scn.zones.iter_enumerated() {
                let e = zone.population * rate * hours;
                let o = observed
                    .get(&cell(z.index(), ch, u))
                    .copied()
                    .unwrap_or(0.0);
                (got, total) = (got + o, total + e);
                if e >= 20.0 {
                    chi2 += (o - e) * (o - e) / e;
                    k += 1.0;
                } else {
                    pooled = (pooled.0 + o, pooled.1 + e);
                }
            }
            assert!(
                (got - total).abs() <= 4.0 * total.sqrt(),
                "{ch:?} {u:?}: {got} needs against {total:.0} expected"
            );
        }
    }
    if pooled.1 > 0.0 {
        chi2 += (pooled.0 - pooled.1) * (pooled.0 - pooled.1) / pooled.1;
        k += 1.0;
    }
    assert!(k >= 30.0, "only {k} cells expect 20 needs");
    assert!(
        chi2 <= k + 5.0 * (2.0 * k).sqrt(),
        "χ² = {chi2:.1} over {k} cells: the needs are not spread by the zones' and urgencies' rates"
    );
    eprintln!("needs by zone, channel and urgency: χ² = {chi2:.1} over {k} cells");
}

fn trace_agrees_with_results(
    scn: &akuttsim::input::scenario::Scenario,
    reps: u64,
    days: f64,
    warmup: f64,
) {
    let warmup_ms = (warmup * 86_400_000.0) as i64;
    let res = replications(scn, reps, &traced_spec(days, warmup, 5), 0);
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
