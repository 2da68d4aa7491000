//! Regression tests for defects found from outside, each named after what it guards.

use crate::common::*;
use akuttsim::base::kpi::KPI_DEFS;
use std::ffi::OsStr;
use std::path::Path;

fn fjordby() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/fjordby.toml")).unwrap()
}

fn kpi_index(name: &str) -> usize {
    KPI_DEFS.iter().position(|d| d.name == name).unwrap()
}

#[test]
fn no_share_leaves_zero_to_one_in_any_replication() {
    // legevakt_travel_within_60min_population_share was 1.0000000000000002 in fjordby.
    let scn = scenario(&fjordby());
    let res = replications(&scn, 4, &spec(30.0, 1.0, 3), 0);
    for r in &res {
        for (k, d) in KPI_DEFS.iter().enumerate() {
            if d.unit == "share"
                && let Some(v) = r.kpis[k]
            {
                assert!((0.0..=1.0).contains(&v), "{} = {v}", d.name);
            }
        }
    }
    let w60 = res[0].kpis[kpi_index("legevakt_travel_within_60min_population_share")].unwrap();
    assert!(w60 > 0.99, "{w60}");
}

/// Two stations: "Near" (5 km) and "Far" (40 km) from the one zone, open around the clock.
fn two_sites(extra_zone: &str, routing: &str, near_open: &str) -> String {
    format!(
        r#"
name = "two sites"
{routing}
[[zones]]
name = "Town"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
{extra_zone}
[demand.calls_116117]
per_1000_per_year = {{ red = 0, yellow = 0, green = 300 }}
direct_attendance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
[[legevakt]]
name = "Near"
lat = 60.045
lon = 10.0
open = [{near_open}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 3 }}]
consultation_time_min = {{ dist = "constant", value = 10 }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
[[legevakt]]
name = "Far"
lat = 60.36
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 3 }}]
consultation_time_min = {{ dist = "constant", value = 10 }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
"#
    )
}

const ALL_DAY: &str = r#"{ days = "all", from = "00:00", to = "24:00" }"#;

#[test]
fn zone_preferred_travel_figures_use_the_site_patients_use() {
    // The zone prefers "Far" (40.0 km × 1.3 ÷ 65 km/h = 48.0 min): its patients go there, so the
    // population within 40 min is 0, not the 100 % the nearest open site would give.
    let text = two_sites(
        "legevakt = \"Far\"",
        "[routing]\nlegevakt_choice = \"zone_preferred\"",
        ALL_DAY,
    );
    let scn = scenario(&text);
    let tf = &scn.derived.travel_figures;
    assert_eq!(tf.within_40, Some(0.0));
    assert_eq!(tf.within_60, Some(1.0));
    let m = tf.zone_mean_min.iter().next().unwrap().unwrap();
    assert!((m - 48.0).abs() < 0.1, "{m}");
    let near = scenario(&two_sites("", "", ALL_DAY));
    assert_eq!(near.derived.travel_figures.within_40, Some(1.0));
    // The visits themselves go to Far: every drive is 48.0 min.
    let s = run(&scn, 2, 14.0, 0.0, 1, 0);
    assert!((kpi(&s, "legevakt_travel_p90_min_visits").0 - 48.0).abs() < 0.1);
}

#[test]
fn waited_share_does_not_count_triage_as_waiting() {
    // 3 doctors, light load (300 / 1000 / year × 10,000 ≈ 0.34 patients/h, 10-min consultations):
    // almost nobody queues. With a 5-min triage every patient's time to the doctor is ≥ 5 min,
    // which used to count them all as having waited.
    let text = two_sites("", "", ALL_DAY).replacen(
        "consultation_time_min = { dist = \"constant\", value = 10 }",
        "nurses = [{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 2 }]\ntriage_time_min = { dist = \"constant\", value = 5 }\nconsultation_time_min = { dist = \"constant\", value = 10 }",
        1,
    );
    let s = run(&scenario(&text), 2, 60.0, 0.0, 1, 0);
    let waited = kpi(&s, "legevakt_waited_share").0;
    assert!(waited < 0.05, "waited share {waited}");
    // The time to the doctor still includes the triage.
    assert!(kpi(&s, "legevakt_wait_mean_min_green").0 >= 5.0);
}

#[test]
fn patients_are_not_sent_to_a_clinic_that_closes_before_they_arrive() {
    // "Near" (≈ 6 min away) is open 08:00–16:00 only; "Far" around the clock. A patient whose
    // need arises at 15:57 would arrive after 16:00: sent to Far, and counted.
    let near_open = r#"{ days = "all", from = "08:00", to = "16:00" }"#;
    let mut text = two_sites("", "", near_open);
    text = text.replace(
        "per_1000_per_year = { red = 0, yellow = 0, green = 300 }",
        "per_1000_per_year = { red = 0, yellow = 0, green = 3000 }",
    );
    let scn = scenario(&text);
    let near = scn.derived.point_sites.iter().next().unwrap()[0];
    let z = akuttsim::base::ids::PointId::new(0);
    let at = |h: i64, m: i64| akuttsim::base::time::SimTime((h * 60 + m) * 60_000);
    let u = akuttsim::base::urgency::Urgency::Green;
    let c = scn.choose_site(z, u, at(15, 50), 0.0);
    assert_eq!((c.site, c.closing_skipped), (Some(near), false));
    let c = scn.choose_site(z, u, at(15, 57), 0.0);
    assert!(c.closing_skipped && c.site != Some(near));
    // In a run, such redirects are counted (≈ 6 min of every 24 h of demand).
    let s = run(&scn, 2, 30.0, 0.0, 1, 0);
    let redirects = kpi(&s, "legevakt_closing_redirects_per_1000").0;
    let expected = 3000.0 * 6.2 / 1440.0;
    assert!(
        (redirects - expected).abs() < 0.5 * expected,
        "{redirects} vs ≈ {expected}"
    );
}

#[test]
fn utilisation_never_exceeds_one_under_overload() {
    // One doctor open 08–20, twice too much demand: the last doctor works on after closing to
    // clear the queue (doctors 1.357 once). That overtime is available time.
    let text = mmc_station(1, 20.0, [0.0, 0.0, 30000.0])
        .replace(
            r#"open = [{ days = "all", from = "00:00", to = "24:00" }]"#,
            r#"open = [{ days = "all", from = "08:00", to = "20:00" }]"#,
        )
        .replace(
            r#"doctors = [{ days = "all", from = "00:00", to = "24:00", count = 1 }]"#,
            r#"doctors = [{ days = "all", from = "08:00", to = "20:00", count = 1 }]"#,
        );
    assert!(
        text.contains("green = 30000")
            && text.contains("from = \"08:00\", to = \"20:00\", count = 1")
    );
    let s = run(&scenario(&text), 2, 3.0, 0.0, 1, 0);
    let u = kpi(&s, "legevakt_doctor_utilisation");
    assert!(u.0 <= 1.0 && u.2 <= 1.0, "{u:?}");
    assert!(
        u.0 > 0.9,
        "the overloaded doctor is busy nearly all the time: {u:?}"
    );
}

#[test]
fn duplicate_zone_names_with_a_boat_zone_list_do_not_panic() {
    // validate.rs:527 panicked: two zones with one name, and a boat whose zones name it.
    let text = fjordby()
        .replacen("name = \"Dalheim\"", "name = \"Nesvik\"", 1)
        .replacen(
            "vehicles = [\n  { kind = \"road\", count = 1, staffed = [{ days = \"all\", from = \"08:00\", to = \"20:00\" }] },\n]",
            "vehicles = [\n  { kind = \"boat\", speed_kmh = 40, zones = [\"Nesvik\"], staffed = [{ days = \"all\", from = \"08:00\", to = \"20:00\" }] },\n]",
            1,
        );
    assert!(text.contains("kind = \"boat\""), "the test edit applies");
    let p = problems(&text);
    assert!(p.iter().any(|x| x.contains("already used")), "{p:?}");
}

/// Write `text` to a model file in `dir` (the Fjordby model has no relative paths).
fn temp_model(dir: &Path, text: &str) -> std::path::PathBuf {
    let f = dir.join("m.toml");
    std::fs::write(&f, text).unwrap();
    f
}

fn assert_bad_input(args: &[&OsStr], needle: &str) {
    let st = cli(args);
    let err = String::from_utf8_lossy(&st.stderr);
    assert_eq!(st.status.code(), Some(1), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: no \"{needle}\" in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn horizons_replications_and_threads_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = out.as_os_str();
    let m = OsStr::new("models/fjordby.toml");
    let run = OsStr::new("run");
    let flag = |s: &'static str| OsStr::new(s);
    assert_bad_input(
        &[run, m, flag("--days"), flag("1e12"), flag("--out"), o],
        "--days",
    );
    assert_bad_input(
        &[run, m, flag("--days"), flag("1e-9"), flag("--out"), o],
        "one minute",
    );
    assert_bad_input(
        &[
            run,
            m,
            flag("--warmup-days"),
            flag("1e300"),
            flag("--out"),
            o,
        ],
        "--warmup-days",
    );
    assert_bad_input(
        &[run, m, flag("--threads"), flag("10000"), flag("--out"), o],
        "--threads",
    );
    assert_bad_input(
        &[
            run,
            m,
            flag("--replications"),
            flag("1000000"),
            flag("--out"),
            o,
        ],
        "--replications",
    );
    let e = OsStr::new("experiment");
    let exp = tmp.path().join("e.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    for (field, needle) in [
        ("days = 1e308", "days"),
        ("replications = 1000000", "replications"),
    ] {
        std::fs::write(
            &exp,
            format!("name = \"x\"\nbase = \"{}\"\n{field}\n", base.display()),
        )
        .unwrap();
        assert_bad_input(&[e, exp.as_os_str(), flag("--out"), o], needle);
    }
    assert!(!out.exists(), "nothing is written for bad input");
}

#[test]
fn huge_counts_populations_rates_and_durations_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("count = 2,", "count = 4294967295,", "at most 1000 vehicles"),
        (
            "population = 24000",
            "population = 1e308",
            "at most 10000000",
        ),
        ("green = 306.0 }", "green = 1e9 }", "from 0 to 100000"),
        (
            "consultation_time_min = { dist = \"lognormal\", mean = 17.5, sd = 8.0 }",
            "consultation_time_min = { dist = \"constant\", value = 1e15 }",
            "at most 525600",
        ),
        (
            "{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 1 },\n  { days = \"mon-fri\", from = \"16:00\", to = \"23:00\", count = 1 },",
            "{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 2147483648 },\n  { days = \"mon-fri\", from = \"16:00\", to = \"23:00\", count = 2147483648 },",
            "at most 10000",
        ),
    ];
    for (from, to, needle) in cases {
        let text = fjordby().replacen(from, to, 1);
        assert_ne!(text, fjordby(), "the edit {from:?} applies");
        let f = temp_model(tmp.path(), &text);
        let st = cli([OsStr::new("check"), f.as_os_str()]);
        let err = String::from_utf8_lossy(&st.stderr);
        assert_eq!(st.status.code(), Some(1), "{to}: {err}");
        assert!(err.contains(needle), "{to}: no \"{needle}\" in {err}");
    }
    // 168 weights of 1e308 each (the 113 profile): bounded, so the sum cannot overflow to NaN.
    let weights = vec!["1e308"; 168].join(", ");
    let mut lines: Vec<String> = fjordby().lines().map(str::to_string).collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("weekday_hour_weights = [5.0, 2.5"))
        .expect("the 113 profile");
    lines[i] = format!("hour_of_week_weights = [{weights}]");
    if lines[i + 1].starts_with("weekend_day_factor") {
        lines.remove(i + 1);
    }
    let p = problems(&lines.join("\n"));
    assert!(
        p.iter().any(|x| x.contains("from 0 to 1000000000000")),
        "{p:?}"
    );
}

#[test]
fn zone_tables_with_no_inhabitants_or_bad_points_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("z.csv");
    let model = |csv: &Path| {
        format!(
            "name = \"t\"\n[[zone_sources]]\ncsv = \"{}\"\nall = true\n[demand.calls_113]\nper_1000_per_year = {{ red = 1, yellow = 1, green = 1 }}\n",
            csv.display()
        )
    };
    std::fs::write(&csv, "zone_id,kommune_no,kommune_name,population_2025,lat,lon\n1,0001,A,0,60,10\n2,0002,B,0,61,10\n").unwrap();
    let p = problems(&model(&csv));
    assert!(p.iter().any(|x| x.contains("no inhabitants")), "{p:?}");
    std::fs::write(&csv, "zone_id,kommune_no,kommune_name,population_2025,lat,lon\n1,0001,A,10,999,10\n2,0002,B,10,NaN,inf\n").unwrap();
    let p = problems(&model(&csv));
    assert!(
        p.iter().any(|x| x.contains(":2.lat") && x.contains("999")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|x| x.contains(":3.lat") && x.contains("NaN")),
        "{p:?}"
    );
    assert!(
        p.iter().any(|x| x.contains(":3.lon") && x.contains("inf")),
        "{p:?}"
    );
}

#[test]
fn a_station_with_no_duty_time_in_the_run_has_no_nan() {
    // A Sunday-only station in a 2-day run starting Monday: utilisation is undefined (empty),
    // never NaN.
    let text = fjordby().replacen(
        "{ kind = \"road\", count = 1, staffed = [{ days = \"all\", from = \"08:00\", to = \"20:00\" }] },",
        "{ kind = \"road\", count = 1, staffed = [{ days = \"sun\", from = \"08:00\", to = \"20:00\" }] },",
        1,
    );
    let tmp = tempfile::tempdir().unwrap();
    let f = temp_model(tmp.path(), &text);
    let out = tmp.path().join("o");
    let st = cli([
        OsStr::new("run"),
        f.as_os_str(),
        OsStr::new("--days"),
        OsStr::new("2"),
        OsStr::new("--warmup-days"),
        OsStr::new("0"),
        OsStr::new("--replications"),
        OsStr::new("2"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&st);
    let csv = std::fs::read_to_string(out.join("ambulance_stations.csv")).unwrap();
    assert!(!csv.to_lowercase().contains("nan"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.contains("Nesvik") && l.ends_with(",,")),
        "{csv}"
    );
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(!summary.contains("NaN"), "{summary}");
}

#[test]
fn variant_names_give_distinct_readable_file_names_or_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    let exp = tmp.path().join("e.toml");
    let write = |variants: &[&str]| {
        let v: String = variants
            .iter()
            .map(|n| format!("[[variants]]\nname = \"{n}\"\n"))
            .collect();
        std::fs::write(
            &exp,
            format!(
                "name = \"x\"\nbase = \"{}\"\nreplications = 2\ndays = 2\n{v}",
                base.display()
            ),
        )
        .unwrap();
    };
    // "+1"/"-1" and Ørsta/Årsta used to land on one file each.
    write(&["+1 ambulance", "-1 ambulance", "Ørsta", "Årsta"]);
    let e = akuttsim::input::experiment::load(&exp).unwrap();
    let slugs: Vec<&str> = e.variants.iter().map(|v| v.slug.as_str()).collect();
    assert_eq!(
        slugs,
        vec!["plus-1-ambulance", "minus-1-ambulance", "oersta", "aarsta"]
    );
    // Names that still give one file name are an error before anything runs.
    write(&["a b", "a-b"]);
    let p = akuttsim::input::experiment::load(&exp).err().unwrap();
    assert!(p.to_string().contains("gives the same file names"), "{p}");
    // A name too long for a file name is an error too.
    write(&[&"x".repeat(300), "b"]);
    let p = akuttsim::input::experiment::load(&exp).err().unwrap();
    assert!(p.to_string().contains("300 characters"), "{p}");
}

#[test]
fn manifest_records_relative_paths_the_version_and_the_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let st = cli([
        OsStr::new("experiment"),
        OsStr::new("experiments/romsdal-structures.toml"),
        OsStr::new("--replications"),
        OsStr::new("2"),
        OsStr::new("--days"),
        OsStr::new("3"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&st);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let paths: Vec<&str> = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"romsdal-structures.toml"), "{paths:?}");
    assert!(
        paths.contains(&"../models/more-og-romsdal.toml"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"../models/data/norway/delomraader_2025.csv"),
        "{paths:?}"
    );
    assert!(
        paths.iter().all(|p| !p.starts_with('/')),
        "absolute path in {paths:?}"
    );
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert!(m["source_revision"].as_str().is_some_and(|r| !r.is_empty()));
}

#[cfg(target_os = "linux")]
#[test]
fn result_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let st = cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--days"),
        OsStr::new("2"),
        OsStr::new("--replications"),
        OsStr::new("1"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&st);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        .unwrap();
    for f in [
        "summary.json",
        "manifest.json",
        "kpi.csv",
        "response_cdf.png",
        "map_travel.svg",
    ] {
        let mode = std::fs::metadata(out.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !mask, "{f}: {mode:o}");
    }
}

#[test]
fn nobody_is_sent_to_a_clinic_that_is_closed_now_because_it_opens_before_they_arrive() {
    // Molde town (Reknes) at 14:35 on a Monday: Molde IKL opens at 16:00, the Sunndal satellite
    // (86 min away) too. The patient must not be sent to Sunndal because it will be open on
    // arrival: in the daytime the GP answers (no site).
    let scn = akuttsim::input::scenario::load(std::path::Path::new("models/more-og-romsdal.toml"))
        .unwrap();
    let z = scn
        .zones
        .iter_enumerated()
        .find(|(_, z)| z.name == "Molde: Reknes")
        .unwrap()
        .1
        .points[0];
    let t = akuttsim::base::time::SimTime((14 * 60 + 35) * 60_000);
    for u in akuttsim::base::urgency::Urgency::ALL {
        assert_eq!(scn.choose_site(z, u, t, 0.5).site, None, "{u:?}");
    }
    // At 16:05 the town's own legevakt.
    let t = akuttsim::base::time::SimTime((16 * 60 + 5) * 60_000);
    let s = scn
        .choose_site(z, akuttsim::base::urgency::Urgency::Green, t, 0.5)
        .site;
    assert_eq!(
        s.map(|s| scn.site_name(s).to_string()).as_deref(),
        Some("Molde interkommunale legevakt")
    );
}
