//! Issue-10 mechanisms, each checked by hand on a tiny model with constant times and a travel
//! matrix (tests/data/mechanism_travel.csv): a home visit that becomes an assessment mission, a
//! doctor car that declines, a helicopter in parallel with the ground unit, the dispatch
//! switches — and the invariants across the new paths (conservation, common random numbers).

use crate::common::*;
use akuttsim::base::kpi::Kpi;
use akuttsim::input::RunSpec;
use akuttsim::sim::{self, ReplicationResult, VState};

/// Home (rural, 1000 inhabitants) and Far; legevakt LV open all week with one doctor; ambulance
/// station Base with one road ambulance; hospital Hosp. Drive times: Home–LV 30, Home–Base 10,
/// Home–Hosp 20, Far–Base 40, Base–LV 12, Base–Hosp 15 min. Every time is constant.
fn model(extra: &str, incidents: &[(f64, &str, &str, &str)]) -> String {
    let inc: String = incidents
        .iter()
        .map(|(t, z, ch, u)| {
            format!("{{ at_min = {t}, zone = \"{z}\", channel = \"{ch}\", urgency = \"{u}\" }},")
        })
        .collect();
    let c = |v: f64| format!("{{ dist = \"constant\", value = {v} }}");
    let per_u = |v: f64| format!("{{ red = {0}, yellow = {0}, green = {0} }}", c(v));
    format!(
        r#"
name = "mechanism"
[travel]
matrix_csv = "tests/data/mechanism_travel.csv"
[[zones]]
name = "Home"
population = 1000
lat = 60.0
lon = 10.0
class = "rural"
[[zones]]
name = "Far"
population = 1000
lat = 60.5
lon = 10.0
class = "rural"
[demand]
incidents = [{inc}]
[[legevaktsentral]]
name = "LVS"
nurses = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
handling_time_min = {c5}
[legevaktsentral.disposition]
red = {{ advice = 0.0, legevakt = 0.0, home_visit = 1.0, forward_113 = 0.0 }}
yellow = {{ advice = 0.0, legevakt = 0.0, home_visit = 1.0, forward_113 = 0.0 }}
green = {{ advice = 0.0, legevakt = 0.0, home_visit = 1.0, forward_113 = 0.0 }}
[[legevakt]]
name = "LV"
lat = 60.1
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
consultation_time_min = {c10}
home_visit_time_min = {c30}
[amk]
name = "AMK"
operators = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
handling_time_min = {h2}
alert_legevakt_red = false
[ambulance]
activation_min = {h1}
on_scene_conveyed_min = {c20}
on_scene_not_conveyed_min = {c30}
conveyance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
handover_min = {h15}
[[ambulance_stations]]
name = "Base"
lat = 60.2
lon = 10.0
vehicles = [{{ kind = "road", staffed = [{{ days = "all", from = "00:00", to = "24:00" }}] }}]
[[hospitals]]
name = "Hosp"
lat = 60.3
lon = 10.0
ed_bays = 5
ed_time_min = {c60}
admission_share = {{ red = 0.0, yellow = 0.0, green = 0.0 }}
{extra}
"#,
        c5 = c(5.0),
        c10 = c(10.0),
        c20 = c(20.0),
        c30 = c(30.0),
        c60 = c(60.0),
        h1 = per_u(1.0),
        h2 = per_u(2.0),
        h15 = per_u(15.0),
    )
}

fn traced(text: &str) -> ReplicationResult {
    let scn = scenario(text);
    sim::run(
        &scn,
        &RunSpec {
            seed: 3,
            days: 1.0,
            warmup_days: 0.0,
            trace: true,
        },
        0,
    )
    .expect("runs")
}

/// (time, vehicle index, new state) of every transition.
fn transitions(r: &ReplicationResult) -> Vec<(f64, usize, VState)> {
    r.trace
        .as_ref()
        .expect("traced")
        .transitions
        .iter()
        .map(|t| (t.t_min, t.vehicle.index(), t.to))
        .collect()
}

/// Per 1000 inhabitants per year for one event in a one-day run of 2000 inhabitants.
const ONE_PER_1000: f64 = 365.0 / 2.0;

#[test]
fn a_home_visit_nobody_can_make_in_time_becomes_an_assessment_mission() {
    // Two yellow 116117 needs at Home, at 0 and 1 min. The nurse decides a home visit for each
    // (5-min calls, one after the other: decided at 5 and 10). The one doctor leaves at 5
    // (30 drive + 30 visit + 30 back: out until 95). The second visit waits; its 20-min limit
    // ends at 30, so an ambulance goes instead: activation 1, drive 10, on scene 41–61, then
    // conveyed to the legevakt (to_legevakt_share = 1): 30 min, handover 15 (91–106), back to
    // Base in 12 (118). The patient waits at LV for the doctor, back at 95: consultation 95–105.
    let text = model(
        "[home_visits]\nmax_wait_min = 20\n[assessment]\nto_hospital_share = 0.0\nto_legevakt_share = 1.0\n",
        &[
            (0.0, "Home", "116117", "yellow"),
            (1.0, "Home", "116117", "yellow"),
        ],
    );
    let r = traced(&text);
    use VState::*;
    assert_eq!(
        transitions(&r),
        vec![
            (30.0, 0, Activating),
            (31.0, 0, ToScene),
            (41.0, 0, OnScene),
            (61.0, 0, Conveying),
            (91.0, 0, Handover),
            (106.0, 0, Returning),
            (118.0, 0, Available),
        ]
    );
    let k = |x: Kpi| r.kpis[x as usize];
    assert_eq!(k(Kpi::AssessmentsNoOneFreePer1000), Some(ONE_PER_1000));
    assert_eq!(k(Kpi::AssessmentsPer1000), Some(ONE_PER_1000));
    assert_eq!(k(Kpi::AssessmentsHomeShare), Some(0.0));
    assert_eq!(k(Kpi::HomeVisits), Some(365.0));
    // The patient waited 4 min (91 → 95) at the legevakt: the only consultation.
    assert_eq!(k(Kpi::WaitMeanYellow), Some(4.0));
    // The doctor was out 5–95: the station was open 90 min with nobody in it.
    let st = &r.legevakt_stations[0];
    assert!(
        (st.without_doctor_h - 1.5).abs() < 1e-9,
        "{}",
        st.without_doctor_h
    );
    assert_eq!((st.home_visits, st.consultations), (1, 1));
    let outcomes = |name: &str| {
        let i = sim::Outcome::ALL
            .iter()
            .position(|o| o.name() == name)
            .unwrap();
        r.outcomes[i]
    };
    assert_eq!(outcomes("home_visit"), 1);
    assert_eq!(outcomes("station_consultation"), 1);
    assert_eq!(r.completed, 2);
}

#[test]
fn a_patient_beyond_the_home_visit_drive_gets_an_ambulance_at_once() {
    // One visit decided at 5 for Home (30 min from LV) with max_drive_min = 25: an assessment
    // mission leaves at once (activation 5 → 6) and the doctor stays at the station.
    let text = model(
        "[home_visits]\nmax_drive_min = 25\n",
        &[(0.0, "Home", "116117", "green")],
    );
    let r = traced(&text);
    assert_eq!(transitions(&r)[0], (5.0, 0, VState::Activating));
    assert_eq!(
        r.kpis[Kpi::AssessmentsTooFarPer1000 as usize],
        Some(ONE_PER_1000)
    );
    assert_eq!(r.legevakt_stations[0].without_doctor_h, 0.0);
}

/// A doctor car at LV, on duty all week, with a constant 40-min assessment; every yellow
/// patient it sees stays home.
fn car(own_doctor: bool, max_drive: f64) -> String {
    format!(
        r#"
[[doctor_cars]]
name = "LV legevaktbil"
station = "LV"
hours = [{{ days = "all", from = "00:00", to = "24:00" }}]
own_doctor = {own_doctor}
max_drive_min = {max_drive}
on_scene_min = {{ dist = "constant", value = 40 }}
outcome = {{ home = 1.0, hospital = 0.0, legevakt = 0.0 }}
"#
    )
}

#[test]
fn a_busy_doctor_car_declines_and_the_ambulance_goes_alone() {
    // Yellow 113 calls at 0 and 1 min; one operator, 2-min handling: decided at 2 and 4. The
    // car takes the first (leaves at 2, on scene 32–72, back at 102); it is busy for the second,
    // which gets the ambulance alone: activated at 4, on scene at 15 (response 14 min).
    let text = model(
        &car(true, 60.0),
        &[
            (0.0, "Home", "113", "yellow"),
            (1.0, "Home", "113", "yellow"),
        ],
    );
    let r = traced(&text);
    let t = transitions(&r);
    assert_eq!(t[0], (4.0, 0, VState::Activating));
    assert_eq!(t[2], (15.0, 0, VState::OnScene));
    assert_eq!(
        t.iter().filter(|x| x.2 == VState::Activating).count(),
        1,
        "one ambulance mission"
    );
    let k = |x: Kpi| r.kpis[x as usize];
    assert_eq!(k(Kpi::CarDeclinedShare), Some(0.5));
    assert_eq!(k(Kpi::CarMissionsPer1000), Some(ONE_PER_1000));
    // First unit on scene: the car at 32 (30 min after the call), the ambulance at 15 (14 min).
    assert!(
        (k(Kpi::YellowP90).unwrap() - 32.0).abs() < 0.5,
        "{:?}",
        k(Kpi::YellowP90)
    );
    // The car has its own doctor: the station never lacked one.
    assert_eq!(r.legevakt_stations[0].without_doctor_h, 0.0);
    assert_eq!(r.legevakt_stations[0].car_missions, 1);
}

#[test]
fn a_doctor_car_declines_out_of_its_area_and_when_the_station_doctor_is_busy() {
    // Out of area: Home is 30 min from LV, the car's area 20 min.
    let r = traced(&model(&car(true, 20.0), &[(0.0, "Home", "113", "yellow")]));
    assert_eq!(r.kpis[Kpi::CarDeclinedShare as usize], Some(1.0));
    assert_eq!(transitions(&r)[0], (2.0, 0, VState::Activating));
    // A car that takes the station's doctor: a 116117 home visit has the doctor out from 5, so
    // the yellow 113 call decided at 12 (rings at 10) is declined.
    let r = traced(&model(
        &car(false, 60.0),
        &[
            (0.0, "Home", "116117", "green"),
            (10.0, "Home", "113", "yellow"),
        ],
    ));
    assert_eq!(r.kpis[Kpi::CarDeclinedShare as usize], Some(1.0));
    // When the doctor is free, the car takes them along: the station is without a doctor for
    // the whole mission (2 → 102 min).
    let r = traced(&model(&car(false, 60.0), &[(0.0, "Home", "113", "yellow")]));
    assert_eq!(r.kpis[Kpi::CarDeclinedShare as usize], Some(0.0));
    let st = &r.legevakt_stations[0];
    assert!(
        (st.without_doctor_h - 100.0 / 60.0).abs() < 1e-9,
        "{}",
        st.without_doctor_h
    );
}

/// An air ambulance 0.5° north of Far (≈ 55.6 km), 222.4 km/h (≈ 15 min), activation 5 min,
/// 20 min on scene, sent when the best ground response would exceed 30 min.
const HELI: &str = r#"
[[ambulance_stations]]
name = "Heli"
lat = 61.0
lon = 10.0
vehicles = [{ kind = "air", speed_kmh = 222.4, min_road_response_min = 30, activation_min = { dist = "constant", value = 5 }, on_scene_min = { dist = "constant", value = 20 }, staffed = [{ days = "all", from = "00:00", to = "24:00" }] }]
"#;

#[test]
fn a_helicopter_goes_in_parallel_with_the_ground_ambulance() {
    // Red 113 call in Far at 0; decided at 2. The ground ambulance (Base, 40 min away) always
    // goes: on scene at 43, a 43-min response, beyond the 25-min target. Its expected response
    // (1 + 40 = 41 min) exceeds the helicopter's 30-min threshold, so the helicopter goes too:
    // airborne at 7, on scene at ≈ 22, within the target as first unit of any kind.
    let r = traced(&model(HELI, &[(0.0, "Far", "113", "red")]));
    let t = transitions(&r);
    let heli = 1;
    assert!(t.contains(&(2.0, 0, VState::Activating)), "{t:?}");
    assert!(t.contains(&(2.0, heli, VState::Activating)), "{t:?}");
    assert!(t.contains(&(43.0, 0, VState::OnScene)));
    let heli_on_scene = t
        .iter()
        .find(|x| x.1 == heli && x.2 == VState::OnScene)
        .expect("the helicopter reaches the scene")
        .0;
    assert!((heli_on_scene - 22.0).abs() < 0.1, "{heli_on_scene}");
    // It assists and flies back; the ground ambulance conveys.
    assert!(!t.iter().any(|x| x.1 == heli && x.2 == VState::Conveying));
    let k = |x: Kpi| r.kpis[x as usize];
    assert_eq!(
        k(Kpi::RedRural25),
        Some(0.0),
        "red_response counts the ground unit"
    );
    assert_eq!(k(Kpi::RedP50Rural).map(|x| x.round()), Some(43.0));
    assert_eq!(k(Kpi::RedFirstUnit), Some(1.0), "the helicopter was first");
    assert_eq!(k(Kpi::AirMissionsPer1000), Some(ONE_PER_1000));
    // Under the old rule the helicopter replaced the ground unit; now both are missions.
    assert_eq!(k(Kpi::MissionsPer1000), Some(2.0 * ONE_PER_1000));
}

#[test]
fn a_helicopter_is_not_sent_when_the_ground_unit_is_near() {
    // Home is 10 min from Base: 11 < 30, so only the ground ambulance goes.
    let r = traced(&model(HELI, &[(0.0, "Home", "113", "red")]));
    assert_eq!(r.kpis[Kpi::AirMissionsPer1000 as usize], Some(0.0));
    assert!(!transitions(&r).iter().any(|x| x.1 == 1));
}

#[test]
fn the_last_car_at_a_reserve_station_waits_for_red_calls() {
    // Two cars at Base, the last kept for red. Yellow calls decided at 2 and 4: the first takes
    // a car, the second waits until that car is back (on scene 13–33, hospital 53, handover to
    // 68, back at 83). A red call decided at 6 takes the reserve car at once.
    let two = model("", &[]).replace(
        r#"vehicles = [{ kind = "road", staffed"#,
        r#"reserve_last_for_red = true
vehicles = [{ kind = "road", count = 2, staffed"#,
    );
    let text = two.replace(
        "incidents = []",
        r#"incidents = [{ at_min = 0, zone = "Home", channel = "113", urgency = "yellow" }, { at_min = 1, zone = "Home", channel = "113", urgency = "yellow" }, { at_min = 2, zone = "Home", channel = "113", urgency = "red" }]"#,
    );
    let acts = |r: &ReplicationResult| -> Vec<(f64, usize)> {
        transitions(r)
            .into_iter()
            .filter(|x| x.2 == VState::Activating)
            .map(|x| (x.0, x.1))
            .collect()
    };
    // With the rule: yellow 1 takes car 0 at 2; yellow 2 (decided at 4) may not take car 1, the
    // last at Base; the red call (decided at 6) takes it; yellow 2 goes with car 0 when it
    // turns back from the hospital (re-dispatched while returning at 68).
    let r = traced(&text);
    assert_eq!(acts(&r), vec![(2.0, 0), (6.0, 1)]);
    assert!(transitions(&r).contains(&(68.0, 0, VState::ToScene)));
    // Without it both yellows get a car at once and the red call waits for car 0.
    let r = traced(&text.replace("reserve_last_for_red = true\n", ""));
    assert_eq!(acts(&r), vec![(2.0, 0), (4.0, 1)]);
    assert!(transitions(&r).contains(&(68.0, 0, VState::ToScene)));
}

#[test]
fn a_red_call_takes_a_car_driving_to_a_planned_transport() {
    // A green 113 call at 0 gets a planned transport (green_to_116117_share = 0): activated at 2,
    // driving from 3. A red call decided at 5 finds no car free and diverts it; the planned
    // transport waits again and goes when the car is free.
    let base = model("", &[]).replace(
        "alert_legevakt_red = false",
        "alert_legevakt_red = false\ngreen_to_116117_share = 0.0",
    );
    let text = base.replace(
        "incidents = []",
        r#"incidents = [{ at_min = 0, zone = "Far", channel = "113", urgency = "green" }, { at_min = 3, zone = "Home", channel = "113", urgency = "red" }]"#,
    );
    let divert = text.replace("handover_min =", "divert_for_red = true\nhandover_min =");
    let r = traced(&divert);
    let t = transitions(&r);
    // 2 Activating, 3 ToScene (to Far, 40 min), 5 ToScene again (diverted to Home).
    assert_eq!(
        &t[..3],
        &[
            (2.0, 0, VState::Activating),
            (3.0, 0, VState::ToScene),
            (5.0, 0, VState::ToScene)
        ]
    );
    assert_eq!(
        r.kpis[Kpi::RedDiversionsPer1000 as usize],
        Some(ONE_PER_1000)
    );
    // From Base–Far, 2 of 40 min driven: ≈ 0.95 × 10 + 0.05 × Far–Home (great-circle) away.
    let on_scene = t.iter().find(|x| x.2 == VState::OnScene).unwrap().0;
    assert!(on_scene < 20.0, "{on_scene}");
    // Without the switch the red call waits for the car to finish the planned transport.
    let r0 = traced(&text);
    let first_scene = transitions(&r0)
        .into_iter()
        .find(|x| x.2 == VState::OnScene)
        .unwrap();
    assert_eq!(first_scene.0, 43.0, "the planned transport is served first");
    assert_eq!(r0.kpis[Kpi::RedDiversionsPer1000 as usize], Some(0.0));
}

#[test]
fn planned_transports_wait_for_their_hours() {
    // A green 113 call at 0 (Monday 00:00) given a planned transport, driven 08–16: the car is
    // activated at 08:00, not at 2 min.
    let text = model("", &[(0.0, "Home", "113", "green")])
        .replace(
            "alert_legevakt_red = false",
            "alert_legevakt_red = false\ngreen_to_116117_share = 0.0\nplanned_transport_hours = [{ days = \"mon-fri\", from = \"08:00\", to = \"16:00\" }]",
        );
    let r = traced(&text);
    assert_eq!(transitions(&r)[0], (480.0, 0, VState::Activating));
}

#[test]
fn the_operator_stays_on_the_line_for_the_guidance_time() {
    // Two red calls at 0 and 1; handling 2 min, then 5 min of guidance on the line: the one
    // operator answers the second call at 7 instead of 2.
    let text = model("", &[(0.0, "Home", "113", "red"), (1.0, "Home", "113", "red")]).replace(
        "alert_legevakt_red = false",
        "alert_legevakt_red = false\nguidance_after_dispatch_min = { red = { dist = \"constant\", value = 5 }, yellow = { dist = \"constant\", value = 0 }, green = { dist = \"constant\", value = 0 } }",
    );
    let r = traced(&text);
    // Answers at 0 and 7 min: the p90 of {0, 360 s} is the larger.
    let p90 = r.kpis[Kpi::AmkP90 as usize].unwrap();
    assert!((p90 - 360.0).abs() < 1.0, "{p90}");
    let r0 = traced(&text.replace("value = 5 }, yellow", "value = 0 }, yellow"));
    assert!((r0.kpis[Kpi::AmkP90 as usize].unwrap() - 60.0).abs() < 1.0);
}

#[test]
fn a_red_116117_need_with_no_legevakt_open_goes_to_113() {
    // The legevakt open only 16–08: a red 116117 need at 10:00 reaches 113, not the GP.
    let text = model(
        "",
        &[
            (600.0, "Home", "116117", "red"),
            (610.0, "Home", "116117", "green"),
        ],
    )
    .replace(
        "open = [{ days = \"all\", from = \"00:00\", to = \"24:00\" }]",
        "open = [{ days = \"all\", from = \"16:00\", to = \"08:00\" }]",
    );
    let r = traced(&text);
    assert_eq!(r.kpis[Kpi::RedTo113Per1000 as usize], Some(ONE_PER_1000));
    assert_eq!(
        r.kpis[Kpi::OutsideHoursPer1000 as usize],
        Some(ONE_PER_1000),
        "the green one"
    );
    assert_eq!(r.kpis[Kpi::Calls113Per1000 as usize], Some(ONE_PER_1000));
}

/// Every 116117 caller is sent to the legevakt (instead of a home visit).
fn to_legevakt(text: &str) -> String {
    ["red", "yellow", "green"]
        .iter()
        .fold(text.to_string(), |t, u| {
            t.replace(
                &format!("{u} = {{ advice = 0.0, legevakt = 0.0, home_visit = 1.0"),
                &format!("{u} = {{ advice = 0.0, legevakt = 1.0, home_visit = 0.0"),
            )
        })
}

/// The model with yellow 116117 demand (no scripted incidents), every caller sent to the
/// legevakt, and six ambulances at Base.
fn demand_model(extra: &str, per_1000: f64) -> String {
    to_legevakt(&model(extra, &[]))
        .replace(
            "incidents = []",
            &format!(
                "incidents = []\n[demand.calls_116117]\nper_1000_per_year = {{ red = 0.0, yellow = {per_1000}, green = 0.0 }}\ndistance_decay_per_km = {{ red = 0.0, yellow = 0.0, green = 0.0 }}\ndirect_attendance_share = {{ red = 0.0, yellow = 0.0, green = 0.0 }}"
            ),
        )
        .replace(
            r#"vehicles = [{ kind = "road", staffed"#,
            r#"vehicles = [{ kind = "road", count = 6, staffed"#,
        )
}

#[test]
fn the_farther_the_legevakt_the_more_patients_go_by_ambulance() {
    // ambulance share 0.10 + 0.05 per 10 km, patient transport 0.05 + 0.02 per 10 km: Home is
    // 30 km from LV (0.25 and 0.11), Far 50 km (0.35 and 0.15); half the patients from each.
    // Expected shares of all sent: ambulance 0.30, patient transport 0.13. With ≈ 4,000
    // patients the binomial SD is ≈ 0.007 and 0.005: the tolerance 0.03 and 0.02 is 4 SD.
    let text = demand_model(
        r#"
[legevakt_transport]
ambulance_share = { red = 0.0, yellow = 0.10, green = 0.0 }
ambulance_share_per_10km = { red = 0.0, yellow = 0.05, green = 0.0 }
patient_transport_share = { red = 0.0, yellow = 0.05, green = 0.0 }
patient_transport_share_per_10km = { red = 0.0, yellow = 0.02, green = 0.0 }
patient_transport_wait_min = { dist = "constant", value = 20 }
ambulance_handover_min = { dist = "constant", value = 10 }
"#,
        36_500.0,
    );
    let scn = scenario(&text);
    let s = run(&scn, 2, 20.0, 0.0, 5, 1);
    let sent = kpi(&s, "lvs_calls_per_1000").0;
    let amb = kpi(&s, "legevakt_arrivals_by_ambulance_per_1000").0 / sent;
    let pt = kpi(&s, "legevakt_arrivals_by_patient_transport_per_1000").0 / sent;
    assert!((amb - 0.30).abs() < 0.03, "ambulance share {amb}");
    assert!((pt - 0.13).abs() < 0.02, "patient-transport share {pt}");
    // Everyone brought by ambulance was seen: nobody is lost on the new path.
    assert_eq!(
        s.patients.generated,
        s.patients.completed + s.patients.in_system_at_end
    );
}

#[test]
fn a_need_kept_away_by_distance_takes_its_stated_fate() {
    // k = 0.05 / km: from Home (30 km) a need stays away with p = 1 − e^−1.5 = 0.78, from Far
    // (50 km) 0.92. Yellow fates 40 % phone / 30 % GP / 20 % 113 / 10 % unmet: with ≈ 6,000
    // suppressed needs each share is within 0.03 (> 4 binomial SD of ≤ 0.0065).
    let text = demand_model("", 36_500.0).replace(
        "distance_decay_per_km = { red = 0.0, yellow = 0.0, green = 0.0 }",
        "distance_decay_per_km = { red = 0.0, yellow = 0.05, green = 0.0 }\nsuppressed_fate = { red = { call_113 = 1.0 }, yellow = { phone = 0.4, gp_next_day = 0.3, call_113 = 0.2, unmet = 0.1 }, green = { unmet = 1.0 } }",
    );
    let s = run(&scenario(&text), 2, 40.0, 0.0, 5, 1);
    let all = kpi(&s, "needs_suppressed_by_distance_per_1000").0;
    let expected_all = 36_500.0 * (1.0 - ((-1.5f64).exp() + (-2.5f64).exp()) / 2.0);
    assert!(
        (all / expected_all - 1.0).abs() < 0.03,
        "{all} vs {expected_all}"
    );
    for (name, share) in [
        ("needs_suppressed_then_phone_per_1000", 0.4),
        ("needs_suppressed_then_gp_next_day_per_1000", 0.3),
        ("needs_suppressed_then_113_per_1000", 0.2),
        ("needs_unmet_by_distance_per_1000", 0.1),
    ] {
        let got = kpi(&s, name).0 / all;
        assert!((got - share).abs() < 0.03, "{name}: {got} vs {share}");
    }
    // The 113 fate reaches AMK, the phone fate the legevaktsentral.
    assert!(kpi(&s, "amk_calls_per_1000").0 > 0.15 * all);
}

/// Fjordby with a line replaced.
fn fjordby(from: &str, to: &str) -> akuttsim::input::scenario::Scenario {
    let m = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    let text = std::fs::read_to_string(m).unwrap();
    assert!(text.contains(from), "fjordby.toml has no {from:?}");
    scenario(&text.replacen(from, to, 1))
}

#[test]
fn decay_to_doctor_stations_ignores_the_satellite_and_none_switches_decay_off() {
    let any = fjordby("", "");
    let doc = fjordby(
        "distance_decay_to = \"any_site\"",
        "distance_decay_to = \"doctor_station\"",
    );
    let none = fjordby(
        "distance_decay_to = \"any_site\"",
        "distance_decay_to = \"none\"",
    );
    let sup = |scn| {
        let r = replications(scn, 2, &spec(60.0, 0.0, 9), 1);
        let a = akuttsim::analysis::analyse(
            "t",
            "",
            &spec(60.0, 0.0, 9),
            2,
            &[akuttsim::analysis::VariantInput {
                name: "v",
                slug: "v",
                scenario: scn,
                results: &r,
            }],
            0,
        );
        // Nesvik (the satellite's zone) in zones.csv.
        a.zones
            .iter()
            .find(|z| z.zone == "Nesvik")
            .unwrap()
            .suppressed_per_1000
    };
    let (a, d, n) = (sup(&any), sup(&doc), sup(&none));
    assert!(
        d > 1.5 * a,
        "to the doctor 57 min away more stay away: {d} vs {a}"
    );
    assert_eq!(n, 0.0);
}

#[test]
fn the_logit_choice_follows_its_formula() {
    // Nesvik: the satellite (≈ 1 min) or Fjordby (≈ 57 min) with a doctor in person: P(station)
    // = 1 / (1 + e^((57 − 1 − bonus) / scale)) among the sites open.
    let scn = fjordby(
        "legevakt_choice = \"nearest_open\"",
        "legevakt_choice = \"logit\"\nlogit = { minutes_scale = 10.0, doctor_in_person_min = 30.0 }",
    );
    let z = scn
        .zones
        .iter_enumerated()
        .find(|(_, z)| z.name == "Nesvik")
        .unwrap()
        .0;
    // Monday 18:00: both open.
    let t = akuttsim::base::time::SimTime(18 * 3_600_000);
    let pt = scn.zones[z].points[0];
    let p = scn.site_probabilities(pt, t);
    assert_eq!(p.len(), 2);
    let total: f64 = p.iter().map(|x| x.1).sum();
    assert!((total - 1.0).abs() < 1e-12);
    let times: Vec<f64> = p.iter().map(|(s, _)| scn.point_site_min(pt, *s)).collect();
    let (sat, st) = if times[0] < times[1] { (0, 1) } else { (1, 0) };
    let expect = 1.0 / (1.0 + ((times[st] - times[sat] - 30.0) / 10.0).exp());
    assert!((p[st].1 - expect).abs() < 1e-12, "{} vs {expect}", p[st].1);
    assert!(p[st].1 > 0.0 && p[sat].1 > p[st].1);
}

#[test]
fn a_video_consultation_can_take_a_share_of_the_host_consultation_time() {
    // A satellite at Home (0 min away), video_time_factor 0.5 of LV's constant 10 min: the one
    // patient holds the doctor 5 min.
    let sat = r#"
[[satellites]]
name = "Sat"
lat = 60.0
lon = 10.0
host = "LV"
open = [{ days = "all", from = "00:00", to = "24:00" }]
nurses = [{ days = "all", from = "00:00", to = "24:00", count = 1 }]
urgencies = ["yellow", "green"]
video_time_factor = 0.5
home_visits = false
"#;
    let r = traced(&to_legevakt(&model(
        sat,
        &[(0.0, "Home", "116117", "green")],
    )));
    let st = &r.legevakt_stations[0];
    assert_eq!(st.video_consultations, 1);
    assert!((st.busy_h - 5.0 / 60.0).abs() < 1e-9, "{}", st.busy_h);
}

#[test]
fn every_switch_on_conserves_patients_keeps_the_demand_and_is_thread_independent() {
    let m = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    let base_text = std::fs::read_to_string(m).unwrap();
    let text = base_text
        .replacen(
            "redispatch_while_returning = true",
            "redispatch_while_returning = true\ndivert_for_red = true",
            1,
        )
        .replacen(
            "green_to_116117_share = 0.5",
            "green_to_116117_share = 0.5\nplanned_transport_hours = [{ days = \"mon-fri\", from = \"08:00\", to = \"16:00\" }]",
            1,
        )
        .replacen(
            "name = \"Fjordby ambulansestasjon\"",
            "name = \"Fjordby ambulansestasjon\"\nreserve_last_for_red = true",
            1,
        )
        .replacen(
            "[legevaktsentral.disposition]",
            "abandonment = { patience_min = { dist = \"exponential\", mean = 0.5 }, redial_share = 0.7, redial_after_min = { dist = \"exponential\", mean = 2 } }\n[legevaktsentral.disposition]",
            1,
        )
        .replacen(
            "[amk]\n",
            "[amk]\nabandonment = { patience_min = { dist = \"exponential\", mean = 0.05 }, redial_share = 0.9, redial_after_min = { dist = \"constant\", value = 0.5 } }\n",
            1,
        )
        .replacen(
            "legevakt_choice = \"nearest_open\"",
            "legevakt_choice = \"logit\"\nlogit = { minutes_scale = 15.0, doctor_in_person_min = 15.0 }",
            1,
        )
        + r#"
[[doctor_cars]]
name = "Fjordby legevaktbil"
station = "Fjordby legevakt"
hours = [{ days = "all", from = "16:00", to = "08:00" }]
own_doctor = false
max_drive_min = 45.0
accept_share = 0.7
on_scene_min = { dist = "lognormal", median = 40.0, sigma = 0.3 }
outcome = { home = 0.6, hospital = 0.25, legevakt = 0.15 }
"#;
    let all = scenario(&text);
    let base = scenario(&base_text);
    let sp = spec(60.0, 0.0, 21);
    let one = replications(&all, 3, &sp, 1);
    let two = replications(&all, 3, &sp, 2);
    let b = replications(&base, 3, &sp, 2);
    for ((x, y), z) in one.iter().zip(&two).zip(&b) {
        assert_eq!(x.generated, x.completed + x.in_system_at_end);
        assert_eq!(
            x.outcomes.iter().sum::<u64>(),
            x.completed,
            "no warm-up: every end counted"
        );
        assert_eq!(
            format!("{:?}", x.kpis),
            format!("{:?}", y.kpis),
            "1 vs 2 threads"
        );
        assert_eq!(
            x.demand_fingerprint, z.demand_fingerprint,
            "same patients (CRN)"
        );
        for k in [
            Kpi::CarMissionsPer1000,
            Kpi::AssessmentsPer1000,
            Kpi::ByAmbulancePer1000,
            Kpi::LvsAbandoned,
            Kpi::AmkAbandoned,
        ] {
            assert!(x.kpis[k as usize].unwrap() > 0.0, "{:?} never happened", k);
        }
    }
}
