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
    // SSB table 04317, 1 Jan 2025 (models/SOURCES.md [SSB-04317]): the 27 kommuner of Møre og
    // Romsdal = 272,027; the 17 of Helse Førde without Gulen = 107,709.
    let r = model("more-og-romsdal.toml");
    assert_eq!(r.population(), 272_027.0);
    let kommuner = |scn: &akuttsim::input::scenario::Scenario| {
        scn.zones
            .iter()
            .filter_map(|z| z.kommune.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    assert_eq!(kommuner(&r), 27);
    let s = model("sogn-og-fjordane.toml");
    assert_eq!(s.population(), 107_709.0);
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
    // Molde town: the five central delområder named in the model are urban, the rest rural.
    let urban: f64 = r
        .zones
        .iter()
        .filter(|z| {
            z.name.starts_with("Molde: ") && z.class == akuttsim::input::scenario::ZoneClass::Urban
        })
        .map(|z| z.population)
        .sum();
    assert_eq!(urban, 23_715.0);
}

/// The structure variants of the pilot districts, their whole-area base and the district's
/// kommuner (Molde IKL; SYS IKL with the Balestrand area, which the model files under 4638).
const DISTRICT_VARIANTS: [(&str, &str, &[&str]); 8] = [
    ("romsdal-central.toml", "more-og-romsdal.toml", &ROMSDAL),
    ("romsdal-local.toml", "more-og-romsdal.toml", &ROMSDAL),
    ("romsdal-doctor-car.toml", "more-og-romsdal.toml", &ROMSDAL),
    (
        "romsdal-doctor-car-station-doctor.toml",
        "more-og-romsdal.toml",
        &ROMSDAL,
    ),
    (
        "sunnfjord-ytre-sogn-central.toml",
        "sogn-og-fjordane.toml",
        &SYS,
    ),
    (
        "sunnfjord-ytre-sogn-local.toml",
        "sogn-og-fjordane.toml",
        &SYS,
    ),
    (
        "sunnfjord-ytre-sogn-doctor-car.toml",
        "sogn-og-fjordane.toml",
        &SYS,
    ),
    (
        "sunnfjord-ytre-sogn-doctor-car-station-doctor.toml",
        "sogn-og-fjordane.toml",
        &SYS,
    ),
];
const ROMSDAL: [&str; 5] = ["1506", "1579", "1547", "1539", "1563"];
const SYS: [&str; 5] = ["4647", "4645", "4646", "4637", "4638"];

#[test]
fn district_variants_differ_from_their_whole_area_base_only_in_the_district() {
    // Compared as resolved input tables (the `extends` chain merged): outside the legevakt
    // entries, satellites and doctor cars, everything — zones, demand, call centres, ambulance
    // stations, hospitals, travel — is the base's; and every legevakt, satellite or doctor car
    // that is new, changed or removed belongs to the district.
    use akuttsim::input::scenario::overlay::read_model;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let table = |f: &str| {
        read_model(&dir.join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"))
            .table
    };
    let named = |t: &toml::Table, key: &str| -> std::collections::BTreeMap<String, toml::Value> {
        t.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .map(|e| (e["name"].as_str().unwrap().to_string(), e.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (variant, base, district) in DISTRICT_VARIANTS {
        let (b, v) = (table(base), table(variant));
        let what = format!("{variant} vs {base}");
        let district_keys = [
            "name",
            "description",
            "legevakt",
            "satellites",
            "doctor_cars",
        ];
        for k in b.keys().chain(v.keys()) {
            if !district_keys.contains(&k.as_str()) {
                assert_eq!(b.get(k), v.get(k), "{what}: [{k}] differs");
            }
        }
        // The district's legevakt stations: those whose kommuner lie in the district.
        let in_district = |entry: &toml::Value| {
            entry
                .get("kommuner")
                .and_then(|k| k.as_array())
                .is_some_and(|ks| {
                    !ks.is_empty() && ks.iter().all(|k| district.contains(&k.as_str().unwrap()))
                })
        };
        let (bl, vl) = (named(&b, "legevakt"), named(&v, "legevakt"));
        let mut changed = 0;
        for name in bl.keys().chain(vl.keys()) {
            if bl.get(name) != vl.get(name) {
                changed += 1;
                let e = vl.get(name).or(bl.get(name)).unwrap();
                assert!(
                    in_district(e),
                    "{what}: legevakt {name} outside the district changed"
                );
            }
        }
        let district_stations: Vec<&String> = bl
            .iter()
            .chain(vl.iter())
            .filter(|(_, e)| in_district(e))
            .map(|(n, _)| n)
            .collect();
        for key in ["satellites", "doctor_cars"] {
            let (bs, vs) = (named(&b, key), named(&v, key));
            for name in bs.keys().chain(vs.keys()) {
                if bs.get(name) != vs.get(name) {
                    changed += 1;
                }
                let e = vs.get(name).or(bs.get(name)).unwrap();
                let host = e
                    .get("host")
                    .or(e.get("station"))
                    .and_then(|h| h.as_str())
                    .unwrap();
                assert!(
                    district_stations.iter().any(|s| s.as_str() == host),
                    "{what}: {key} {name} is hosted outside the district ({host})"
                );
            }
        }
        assert!(
            changed > 0,
            "{what}: the variant changes nothing in the district"
        );
        // And the resolved scenarios keep the same people and vehicles.
        let (bs, vs) = (model(base), model(variant));
        assert_eq!(bs.population(), vs.population(), "{what}");
        assert_eq!(bs.vehicles.len(), vs.vehicles.len(), "{what}");
    }
}

#[test]
fn structure_variants_keep_the_patients_and_move_the_travel() {
    let pilot = model("sogn-og-fjordane.toml");
    let central = model("sunnfjord-ytre-sogn-central.toml");
    let snr = model("romsdal-snr-2025.toml");
    assert_eq!(pilot.satellites.len(), 5);
    assert_eq!(central.satellites.len(), 0);
    assert!(snr.hospitals.iter().any(|h| h.name == "SNR Hjelset"));
    assert!(!snr.hospitals.iter().any(|h| h.name == "Molde sjukehus"));
    // The variant's inputs include its base files (for the manifest's hashes).
    assert!(
        central
            .inputs
            .iter()
            .any(|p| p.ends_with("sogn-og-fjordane.toml"))
    );
    assert!(
        central
            .inputs
            .iter()
            .any(|p| p.ends_with("national-defaults.toml"))
    );
    // Same seed, same patients; the satellites' effect shows in travel and suppressed demand.
    let a = run(&pilot, 1, 30.0, 1.0, 1, 0);
    let b = run(&central, 1, 30.0, 1.0, 1, 0);
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
extends = "more-og-romsdal.toml"
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
extends = "more-og-romsdal.toml"
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
fn the_calibration_report_regenerates_byte_identically() {
    // models/CALIBRATION.md is what `akuttsim calibrate` writes with its defaults (10
    // replications × 365 days, seed 1): the published comparison cannot drift from the models.
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("CAL.md");
    let st = cli([
        OsStr::new("calibrate"),
        OsStr::new("models/calibration.toml"),
        OsStr::new("--out"),
        md.as_os_str(),
    ]);
    assert_ok(&st);
    let fresh = std::fs::read_to_string(&md).unwrap();
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/CALIBRATION.md"
    ))
    .unwrap();
    assert!(
        fresh == committed,
        "models/CALIBRATION.md is stale: run `cargo run --release -- calibrate` and commit it"
    );
    for s in [
        "## Møre og Romsdal",
        "## Sogn og Fjordane",
        "indicator_red_rural_within_25min_share",
        "76.3 %",
        "red drives at normal pace",
        "Parameters tuned",
    ] {
        assert!(fresh.contains(s), "report lacks {s}");
    }
}

#[test]
fn a_calibration_figure_naming_an_unknown_experiment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cal.toml");
    std::fs::write(
        &f,
        r#"
[[region]]
model = "fjordby.toml"
label = "x"
[[region.figure]]
kpi = "ambulance_missions_per_1000"
published = 1
label = "x"
source = "x"
explanation = "x"
experiments = ["nope"]
"#,
    )
    .unwrap();
    let st = cli([OsStr::new("calibrate"), f.as_os_str()]);
    assert_eq!(st.status.code(), Some(1), "bad input: {st:?}");
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(
        err.contains("cal.toml") && err.contains("experiments") && err.contains("\"nope\""),
        "{err}"
    );
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
fn a_kommune_in_two_districts_uses_both_stations_and_a_missing_one_is_a_warning() {
    use akuttsim::base::ids::PointId;
    use akuttsim::base::time::SimTime;
    use akuttsim::base::urgency::Urgency;
    // Kommune 1111 in the districts of Nord and Sør: its zone Far, nearer to Sør, now goes to
    // Sør (the nearest of its districts' stations, as a local legevakt beside an inter-municipal
    // one in romsdal-local.toml); kommune 2222 is Sør's alone and stays there.
    let t = districts("").replace("kommuner = [\"2222\"]", "kommuner = [\"2222\", \"1111\"]");
    let scn = scenario(&t);
    let name = |pt: usize| {
        scn.choose_site(PointId::new(pt), Urgency::Green, SimTime::ZERO, 0.5)
            .site
            .map(|s| scn.site_name(s).to_string())
    };
    assert_eq!(name(0).as_deref(), Some("Sør"));
    assert_eq!(name(1).as_deref(), Some("Sør"));
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
