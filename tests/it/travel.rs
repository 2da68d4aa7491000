//! Issue-11 travel inputs, each on a hand-built model: needs drawn among a zone's population
//! points by weight, the published indicator's kommune-level classification against the zone's
//! own class, the emergency driving factor, and the ferry-aware estimate.

use crate::common::*;
use akuttsim::base::ids::{PointId, SiteId};
use akuttsim::input::travel::PairSource;

/// Great-circle km (haversine, mean Earth radius), computed here independently of the crate.
fn gc_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let (dp, dl) = (p2 - p1, (b.1 - a.1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// The project's rule with this model's settings: km × 1.3 ÷ 65 km/h, in minutes.
fn rule_min(a: (f64, f64), b: (f64, f64)) -> f64 {
    gc_km(a, b) * 1.3 / 65.0 * 60.0
}

/// Red 113 calls only (`per_1000` red per 1000 per year), 40 staffed road ambulances at Base
/// (60.0 N, 10.0 E) so none ever queues; AMK handling 2 min, activation 1 min, every time
/// constant. `zones` and `extra` are TOML.
pub(crate) fn red_model(zones: &str, per_1000: f64, extra: &str) -> String {
    let c = |v: f64| format!("{{ dist = \"constant\", value = {v} }}");
    let per_u = |v: f64| format!("{{ red = {0}, yellow = {0}, green = {0} }}", c(v));
    format!(
        r#"
name = "travel"
[travel]
detour_factor = 1.3
speed_kmh = 65.0
{zones}
[demand.calls_113]
per_1000_per_year = {{ red = {per_1000}, yellow = 0.0, green = 0.0 }}
[[legevaktsentral]]
name = "LVS"
nurses = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
handling_time_min = {c5}
[legevaktsentral.disposition]
red = {{ advice = 1.0, legevakt = 0.0, home_visit = 0.0, forward_113 = 0.0 }}
yellow = {{ advice = 1.0, legevakt = 0.0, home_visit = 0.0, forward_113 = 0.0 }}
green = {{ advice = 1.0, legevakt = 0.0, home_visit = 0.0, forward_113 = 0.0 }}
[[legevakt]]
name = "LV"
lat = 60.0
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
consultation_time_min = {c10}
home_visit_time_min = {c10}
[amk]
name = "AMK"
operators = [{{ days = "all", from = "00:00", to = "24:00", count = 20 }}]
handling_time_min = {h2}
alert_legevakt_red = false
[ambulance]
activation_min = {h1}
on_scene_conveyed_min = {c10}
on_scene_not_conveyed_min = {c10}
conveyance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
handover_min = {h1}
[[ambulance_stations]]
name = "Base"
lat = 60.0
lon = 10.0
vehicles = [{{ kind = "road", count = 40, staffed = [{{ days = "all", from = "00:00", to = "24:00" }}] }}]
[[hospitals]]
name = "Hosp"
lat = 60.0
lon = 10.0
ed_bays = 50
ed_time_min = {c10}
admission_share = {{ red = 0.0, yellow = 0.0, green = 0.0 }}
{extra}
"#,
        c5 = c(5.0),
        c10 = c(10.0),
        h1 = per_u(1.0),
        h2 = per_u(2.0),
    )
}

/// One replication from day 0 (no warm-up), traced or not.
fn one_run(
    scn: &akuttsim::input::scenario::Scenario,
    days: f64,
    seed: u64,
    trace: bool,
) -> akuttsim::sim::ReplicationResult {
    akuttsim::sim::run(
        scn,
        &akuttsim::input::RunSpec {
            trace,
            ..spec(days, 0.0, seed)
        },
        0,
    )
    .expect("runs")
}

#[test]
fn needs_are_drawn_among_a_zones_points_by_weight() {
    // One rural zone, two points weighted 3 : 1: A at the station (response 3 min), B 55.6 km
    // north (response 3 + 67 min, beyond 25). The share within 25 min is the share of needs
    // drawn at A, expected 0.75. With ≈ 4,000 red events the binomial SD is 0.007: the
    // tolerance 0.03 is over 4 SD.
    let zones = r#"
[[zones]]
name = "Dal"
population = 10000
class = "rural"
points = [{ lat = 60.0, lon = 10.0, weight = 3.0, place = "A" }, { lat = 60.5, lon = 10.0, weight = 1.0, place = "B" }]
"#;
    let scn = scenario(&red_model(zones, 3650.0, ""));
    assert_eq!(scn.points.len(), 2);
    assert_eq!(scn.points[PointId::new(1)].name, "Dal · B");
    let s = run(&scn, 4, 10.0, 0.0, 7, 1);
    let within = kpi(&s, "red_response_within_25min_rural_share").0;
    assert!((within - 0.75).abs() < 0.03, "share at A {within}");
    // The weights are relative: 30 : 10 draws the same patients (same seed) as 3 : 1.
    let scaled = scenario(
        &red_model(zones, 3650.0, "")
            .replace("weight = 3.0", "weight = 30.0")
            .replace("weight = 1.0", "weight = 10.0"),
    );
    let s2 = run(&scaled, 4, 10.0, 0.0, 7, 1);
    assert_eq!(kpi(&s2, "red_response_within_25min_rural_share").0, within);
}

/// Zone U is urban by its own class but in a kommune that is not tettbygd; zone R is rural by its
/// own class but in a tettbygd kommune. U is at the station, R 22.2 km north.
fn indicator_model(dir: &std::path::Path, extra: &str) -> String {
    let table = dir.join("tettbygd.csv");
    std::fs::write(&table, "kommune_no,kommune_name\n1111,Byen\n").unwrap();
    let zones = r#"
[[zones]]
name = "U"
population = 5000
lat = 60.0
lon = 10.0
class = "urban"
kommune = "2222"
[[zones]]
name = "R"
population = 5000
lat = 60.2
lon = 10.0
class = "rural"
kommune = "1111"
"#;
    red_model(
        zones,
        365.0,
        &format!(
            "[indicator]\ntettbygd_kommuner_csv = \"{}\"\n{extra}",
            table.display()
        ),
    )
}

#[test]
fn the_indicator_classes_zones_by_their_kommune_not_by_their_own_class() {
    let dir = tempfile::tempdir().unwrap();
    let s = run(
        &scenario(&indicator_model(dir.path(), "")),
        2,
        20.0,
        0.0,
        3,
        1,
    );
    // Every time is constant: U responds in 2 + 1 = 3 min after answer, R in 3 + the drive.
    let far = 3.0 + rule_min((60.0, 10.0), (60.2, 10.0));
    assert!(
        far > 25.0,
        "the hand case needs R beyond both targets ({far})"
    );
    // The model's own classes: U (urban) always within 12, R (rural) never within 25.
    assert_eq!(kpi(&s, "red_response_within_12min_urban_share").0, 1.0);
    assert_eq!(kpi(&s, "red_response_within_25min_rural_share").0, 0.0);
    // The published indicator: R's kommune is tettbygd, so R is the urban part; U is rural.
    assert_eq!(kpi(&s, "indicator_red_urban_within_12min_share").0, 0.0);
    assert_eq!(kpi(&s, "indicator_red_rural_within_25min_share").0, 1.0);
    let (urban, rural) = (
        kpi(&s, "indicator_red_median_min_urban").0,
        kpi(&s, "indicator_red_median_min_rural").0,
    );
    assert!((urban - far).abs() < 0.02, "median urban {urban} vs {far}");
    assert!((rural - 3.0).abs() < 0.02, "median rural {rural} vs 3");
}

#[test]
fn the_emergency_factor_shortens_red_road_legs_only() {
    // With red × 0.5 the drive to R halves; the 3 min of handling and activation do not.
    let dir = tempfile::tempdir().unwrap();
    let text = indicator_model(dir.path(), "").replace(
        "speed_kmh = 65.0",
        "speed_kmh = 65.0\nemergency_travel_factor = { red = 0.5, yellow = 1.0, green = 1.0 }",
    );
    let s = run(&scenario(&text), 2, 20.0, 0.0, 3, 1);
    let expected = 3.0 + 0.5 * rule_min((60.0, 10.0), (60.2, 10.0));
    let got = kpi(&s, "indicator_red_median_min_urban").0;
    assert!((got - expected).abs() < 0.02, "{got} vs {expected}");
}

#[test]
fn a_ferry_estimate_is_the_land_legs_by_the_rule_plus_the_crossing_and_half_the_headway() {
    // Island (60.0, 10.0) is on the far side of a ferry from (60.0, 10.1) to (60.0, 10.2); the
    // station, legevakt and hospital are at (60.0, 10.3) on the near side.
    let zones = r#"
[[zones]]
name = "Island"
population = 1000
lat = 60.0
lon = 10.0
class = "rural"
[[zones]]
name = "Mainland"
population = 1000
lat = 60.0
lon = 10.35
class = "rural"
[[travel.ferries]]
name = "Sundet"
quay_far = { lat = 60.0, lon = 10.1 }
quay_near = { lat = 60.0, lon = 10.2 }
crossing_min = 15.0
headway_min = 30.0
far_side = ["Island"]
"#;
    let text = red_model(zones, 100.0, "")
        .replace("lon = 10.0\nopen", "lon = 10.3\nopen")
        .replace("lon = 10.0\nvehicles", "lon = 10.3\nvehicles")
        .replace("lon = 10.0\ned_bays", "lon = 10.3\ned_bays");
    let scn = scenario(&text);
    let island = scn.travel.point_place(PointId::new(0));
    let mainland = scn.travel.point_place(PointId::new(1));
    let lv = scn.site_place(SiteId::new(0));
    let expected =
        rule_min((60.0, 10.0), (60.0, 10.1)) + 15.0 + 15.0 + rule_min((60.0, 10.2), (60.0, 10.3));
    let got = scn.travel.road_min(island, lv);
    assert!((got - expected).abs() < 1e-3, "{got} vs {expected}");
    assert!(scn.travel.uses_ferry(island, lv));
    // The near side keeps the rule, without a ferry.
    let direct = rule_min((60.0, 10.35), (60.0, 10.3));
    assert!((scn.travel.road_min(mainland, lv) - direct).abs() < 1e-3);
    assert!(!scn.travel.uses_ferry(mainland, lv));
    // `check` counts: 2 places × 3 facilities (+ the facilities among themselves) by source.
    let by: std::collections::HashMap<_, _> = scn.travel.pairs_by_source().into_iter().collect();
    assert_eq!(by[&PairSource::FerryEstimate], 3, "Island to each facility");
    assert_eq!(by[&PairSource::Documented] + by[&PairSource::Routed], 0);
}

/// Two hospitals: "Hosp" at the station and "Far" 44.5 km east (a 53.5-min drive by the rule),
/// and hospital transfers at `per_1000` per year from `hours`; almost no other demand.
fn transfer_model(per_1000: f64, hours: &str) -> String {
    let zones = r#"
[[zones]]
name = "Dal"
population = 10000
lat = 60.0
lon = 10.0
class = "rural"
"#;
    red_model(zones, 0.001, "")
        + &format!(
            r#"
[[hospitals]]
name = "Far"
lat = 60.0
lon = 10.8
ed_bays = 5
ed_time_min = {{ dist = "constant", value = 10 }}
admission_share = {{ red = 0.0, yellow = 0.0, green = 0.0 }}
[demand.hospital_transfers]
per_1000_per_year = {per_1000}
{hours}
"#
        )
}

#[test]
fn hospital_transfers_occupy_an_ambulance_from_one_hospital_to_the_other() {
    // 3650 per 1000 per year for 10,000 people = 100 a day, all sent by "Hosp" (the whole
    // population's nearest hospital) to "Far" (the nearest other). Over 4 × 20 days ≈ 8,000
    // transfers the Poisson SD of the rate is ≈ 1.1 %: the tolerance 5 % is over 4 SD.
    let scn = scenario(&transfer_model(3650.0, ""));
    let s = run(&scn, 4, 20.0, 0.0, 3, 1);
    let rate = kpi(&s, "hospital_transfers_per_1000").0;
    assert!((rate / 3650.0 - 1.0).abs() < 0.05, "{rate}");
    let done = s.outcomes["transferred_to_another_hospital"] as f64;
    assert!(done > 0.98 * rate * 10.0 * 20.0 * 4.0 / 365.0, "{done}");
    // Every transfer is an ambulance mission; none reaches an emergency department.
    assert!(kpi(&s, "ambulance_missions_per_1000").0 >= rate);
    assert_eq!(s.outcomes["admitted"] + s.outcomes["ed_discharged"], 0);
    // A traced day: each mission activates at the station, drives 0 min to "Hosp", loads for
    // the on-scene time (10 min), conveys to "Far" for the rule's drive, hands over, returns.
    let r = one_run(&scn, 1.0, 3, true);
    let tr = &r.trace.as_ref().expect("traced").transitions;
    let drive = rule_min((60.0, 10.0), (60.0, 10.8));
    let mut checked = 0;
    for (i, t) in tr.iter().enumerate() {
        if t.to == akuttsim::sim::VState::Conveying {
            // (a transfer still on the road when the day ends has no arrival)
            let Some(next) = tr[i + 1..].iter().find(|n| n.vehicle == t.vehicle) else {
                continue;
            };
            assert_eq!(next.to, akuttsim::sim::VState::Handover);
            assert!(
                (next.t_min - t.t_min - drive).abs() < 0.01,
                "{} vs {drive}",
                next.t_min - t.t_min
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} transfers traced");
}

#[test]
fn transfers_keep_to_their_hours_and_leave_the_needs_unchanged() {
    let hours = r#"hours = [{ days = "mon-fri", from = "08:00", to = "16:00" }]"#;
    let scn = scenario(&transfer_model(3650.0, hours));
    let r = one_run(&scn, 14.0, 5, true);
    // With 40 free ambulances every transfer is dispatched at once: every activation lies in
    // the ordering hours (the run starts on a Monday at 00:00).
    let tr = &r.trace.as_ref().expect("traced").transitions;
    let starts: Vec<f64> = tr
        .iter()
        .filter(|t| t.to == akuttsim::sim::VState::Activating)
        .map(|t| t.t_min)
        .collect();
    assert!(starts.len() > 500, "{}", starts.len());
    for t in &starts {
        let m = t.rem_euclid(7.0 * 1440.0);
        let (day, min) = ((m / 1440.0) as u32, m % 1440.0);
        assert!(
            day < 5 && (480.0..960.0).contains(&min),
            "activation at {t} min"
        );
    }
    // The needs are the same with and without transfers (common random numbers).
    let without = scenario(&transfer_model(3650.0, hours).replace(
        "[demand.hospital_transfers]\nper_1000_per_year = 3650",
        "[demand.hospital_transfers]\nper_1000_per_year = 0",
    ));
    let w = one_run(&without, 14.0, 5, false);
    assert_eq!(r.demand_fingerprint, w.demand_fingerprint);
}
