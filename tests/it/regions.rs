//! Real regions: zones from the national tables, variants by `extends`, the calibration report.

use crate::common::*;
use std::ffi::OsStr;
use std::path::Path;

fn model(name: &str) -> akuttsim::input::scenario::Scenario {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name);
    akuttsim::input::scenario::load(&p).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn zones_from_the_national_table_sum_to_the_published_populations() {
    // SSB table 04317, 1 Jan 2025 (models/SOURCES.md [SSB-04317]):
    // Molde IKL = 33,117 + 13,434 + 3,749 + 7,181 + 7,189 = 64,670;
    // SYS IKL = 22,654 + 2,924 + 2,923 + 1,277 + 3,889 + 1,112 (Balestrand area) = 34,779.
    let r = model("romsdal.toml");
    assert_eq!(r.population(), 64_670.0);
    assert_eq!(r.zones.len(), 27); // 10 + 8 + 1 + 4 + 4 delområder
    let s = model("sunnfjord-ytre-sogn.toml");
    assert_eq!(s.population(), 34_779.0);
    // Per kommune, SSB 04317 (Midsund area = delområde 15061000, 2,004 of Molde's 33,117).
    let pop = |scn: &akuttsim::input::scenario::Scenario, prefix: &str| -> f64 {
        scn.zones
            .iter()
            .filter(|z| z.name.starts_with(prefix))
            .map(|z| z.population)
            .sum()
    };
    assert_eq!(pop(&r, "Molde: "), 33_117.0);
    assert_eq!(pop(&r, "Molde: Midsund"), 2_004.0);
    assert_eq!(pop(&r, "Sunndal: "), 7_189.0);
    assert_eq!(pop(&s, "Sogndal: Balestrand"), 1_112.0);
    assert_eq!(pop(&s, "Askvoll: "), 2_924.0);
    // Urban zones are the ones named in the model; the rest rural.
    let urban: f64 = r
        .zones
        .iter()
        .filter(|z| z.class == akuttsim::input::scenario::ZoneClass::Urban)
        .map(|z| z.population)
        .sum();
    assert_eq!(urban, 23_715.0);
}

#[test]
fn structure_variants_differ_only_where_they_say() {
    let pilot = model("romsdal.toml");
    let central = model("romsdal-central.toml");
    let local = model("romsdal-local.toml");
    let snr = model("romsdal-snr-2025.toml");
    assert_eq!(pilot.satellites.len(), 4);
    assert_eq!(central.satellites.len(), 0);
    assert_eq!((local.satellites.len(), local.stations.len()), (0, 5));
    assert_eq!(snr.hospitals.len(), 1);
    assert_eq!(snr.hospitals.iter().next().unwrap().name, "SNR Hjelset");
    for v in [&central, &local, &snr] {
        assert_eq!(v.population(), pilot.population());
        assert_eq!(v.vehicles.len(), pilot.vehicles.len());
    }
    // The variant's inputs include its base files (for the manifest's hashes).
    assert!(central.inputs.iter().any(|p| p.ends_with("romsdal.toml")));
    assert!(
        central
            .inputs
            .iter()
            .any(|p| p.ends_with("national-defaults.toml"))
    );
    // Same seed, same patients; the satellites' effect shows in travel and suppressed demand.
    let a = run(&pilot, 2, 60.0, 3.0, 1, 0);
    let b = run(&central, 2, 60.0, 3.0, 1, 0);
    assert_eq!(a.patients.generated, b.patients.generated);
    assert!(
        kpi(&a, "legevakt_travel_within_40min_population_share").0
            > kpi(&b, "legevakt_travel_within_40min_population_share").0
    );
    assert!(
        kpi(&a, "needs_suppressed_by_distance_per_1000").0
            < kpi(&b, "needs_suppressed_by_distance_per_1000").0
    );
}

#[test]
fn extends_and_zone_sources_report_their_problems() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let bad = r#"
extends = "romsdal.toml"
name = "x"
[[satellites]]
name = "No such satellite"
remove = true
"#;
    let e = akuttsim::input::scenario::load_str(bad, &dir, "bad.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("satellites[\"No such satellite\"]") && e.contains("nothing named"),
        "{e}"
    );
    let e = akuttsim::input::scenario::load_str(
        "extends = \"nope.toml\"\nname = \"x\"",
        &dir,
        "bad.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("extends") && e.contains("cannot read"), "{e}");
    let bad = r#"
extends = "romsdal.toml"
[[zone_sources]]
csv = "data/norway/delomraader_2025.csv"
kommuner = ["9999"]
urban = ["Nowhere: Centre"]
"#;
    let e = akuttsim::input::scenario::load_str(bad, &dir, "bad.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("zone_sources[0].kommuner[0]") && e.contains("\"9999\" is not a kommune number"),
        "{e}"
    );
    assert!(e.contains("zone_sources[0].urban[0]"), "{e}");
}

#[test]
fn calibration_report_is_generated_from_a_run() {
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("CAL.md");
    let st = cli([
        OsStr::new("calibrate"),
        OsStr::new("models/calibration.toml"),
        OsStr::new("--replications"),
        OsStr::new("2"),
        OsStr::new("--days"),
        OsStr::new("20"),
        OsStr::new("--out"),
        md.as_os_str(),
    ]);
    assert_ok(&st);
    let text = std::fs::read_to_string(&md).unwrap();
    for s in [
        "## Romsdal",
        "## Sunnfjord",
        "red_response_within_12min_urban_share",
        "71.1 %",
        "88.2 %",
        "Parameters tuned",
    ] {
        assert!(text.contains(s), "report lacks {s}");
    }
}

/// Two legevakt districts: "Nord" serves kommune 1111, "Sør" kommune 2222. Zone "Far" (1111)
/// lies next to Sør, zone "Near" (2222) next to Nord; `extra` is added to Nord's entry.
fn districts(extra: &str) -> String {
    let station = |name: &str, lat: f64, k: &str, extra: &str| {
        format!(
            r#"
[[legevakt]]
name = "{name}"
lat = {lat}
lon = 10.0
kommuner = [{k}]
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
consultation_time_min = {{ dist = "constant", value = 15 }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
{extra}"#
        )
    };
    format!(
        r#"
name = "districts"
[[zones]]
name = "Far"
population = 1000
lat = 60.45
lon = 10.0
class = "rural"
kommune = "1111"
[[zones]]
name = "Near"
population = 1000
lat = 60.05
lon = 10.0
class = "rural"
kommune = "2222"
[demand.calls_116117]
per_1000_per_year = {{ red = 0.0, yellow = 0.0, green = 300.0 }}
[[legevaktsentral]]
name = "lvs"
nurses = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
handling_time_min = {{ dist = "constant", value = 5 }}
[legevaktsentral.disposition]
red = {{ advice = 0, legevakt = 1, home_visit = 0, forward_113 = 0 }}
yellow = {{ advice = 0, legevakt = 1, home_visit = 0, forward_113 = 0 }}
green = {{ advice = 0, legevakt = 1, home_visit = 0, forward_113 = 0 }}
{}{}"#,
        station("Nord", 60.0, "\"1111\"", extra),
        station("Sør", 60.5, "\"2222\"", "")
    )
}

#[test]
fn a_legevakt_district_sends_its_zones_to_its_own_legevakt() {
    use akuttsim::base::ids::PointId;
    use akuttsim::base::time::SimTime;
    use akuttsim::base::urgency::Urgency;
    let scn = scenario(&districts(""));
    let name = |pt: usize| {
        let s = scn
            .choose_site(PointId::new(pt), Urgency::Green, SimTime::ZERO, 0.5)
            .site
            .expect("a site is open");
        scn.site_name(s).to_string()
    };
    // By distance alone Far would go to Sør and Near to Nord; the districts say otherwise.
    assert_eq!(name(0), "Nord");
    assert_eq!(name(1), "Sør");
    // Without districts the nearest site wins.
    let open = scenario(
        &districts("")
            .replace("kommuner = [\"1111\"]\n", "")
            .replace("kommuner = [\"2222\"]\n", ""),
    );
    let name_open = |pt: usize| {
        let s = open
            .choose_site(PointId::new(pt), Urgency::Green, SimTime::ZERO, 0.5)
            .site
            .expect("a site is open");
        open.site_name(s).to_string()
    };
    assert_eq!(name_open(0), "Sør");
    assert_eq!(name_open(1), "Nord");
    // Every consultation of a run happens at the district's own station.
    let s = run(&scn, 2, 30.0, 0.0, 1, 1);
    assert!(kpi(&s, "legevakt_consultations_per_1000").0 > 250.0);
}

#[test]
fn a_kommune_in_two_districts_is_an_error_and_a_missing_one_a_warning() {
    let t = districts("").replace("kommuner = [\"2222\"]", "kommuner = [\"2222\", \"1111\"]");
    let p = problems(&t);
    assert!(
        p.iter().any(|x| x.contains("legevakt[1].kommuner")
            && x.contains("already in the district of \"Nord\"")),
        "{p:#?}"
    );
    let t = districts("").replace("kommuner = [\"2222\"]", "kommuner = [\"2222\", \"3333\"]");
    let s = scenario(&t);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("3333") && w.contains("no zone")),
        "{:#?}",
        s.warnings
    );
}
