//! `[legevakt_transport]`, `[home_visits]`, `[assessment]`, `[[doctor_cars]]`, `[costs]` and
//! `[routing.logit]`: how the legevakt and the ambulance service are coupled, and what things cost.

use super::common;
use crate::base::ids::{DoctorCarId, IdVec, StationId};
use crate::base::urgency::PerUrgency;
use crate::input::problem::Problems;
use crate::input::scenario::de::{Element, closed_or};
use crate::input::scenario::raw::{
    RawAssessment, RawCosts, RawDoctorCar, RawHomeVisits, RawLogit, RawTransport,
};
use crate::input::scenario::{
    AssessmentOutcome, Costs, DoctorCar, HomeVisitPolicy, Logit, NoVisitSite, Station, Transport,
};
use std::collections::HashMap;

/// The coupling, doctor-car, cost and logit sections of a scenario, validated.
pub struct Policies {
    /// `[legevakt_transport]`.
    pub transport: Option<Transport>,
    /// `[home_visits]`.
    pub home_visits: HomeVisitPolicy,
    /// `[assessment]`.
    pub assessment: Option<AssessmentOutcome>,
    /// `[[doctor_cars]]`.
    pub doctor_cars: IdVec<DoctorCarId, DoctorCar>,
    /// `[costs]`.
    pub costs: Option<Costs>,
    /// `[routing.logit]`.
    pub logit: Option<Logit>,
}

/// Validate every section of this room.
pub fn all(
    r: &super::RawScenario,
    stations: &IdVec<StationId, Station>,
    station_names: &[String],
    p: &mut Problems,
) -> Policies {
    Policies {
        transport: r.transport.as_ref().and_then(|t| transport(t, p)),
        home_visits: home_visits(&r.home_visits.clone().unwrap_or_default(), p),
        assessment: assessment(&r.assessment, p),
        doctor_cars: doctor_cars(&r.doctor_cars, stations, station_names, p),
        costs: r.costs.as_ref().map(|c| costs(c, p)),
        logit: r.routing.logit.as_ref().map(|l| logit(l, p)),
    }
}

/// Largest cost rate accepted [NOK per hour, mission, trip or year].
const MAX_NOK: f64 = 1e10;

/// Validate `[legevakt_transport]`.
pub fn transport(t: &RawTransport, p: &mut Problems) -> Option<Transport> {
    let path = "legevakt_transport";
    let per_km = |v: &Option<PerUrgency<f64>>, field: &str, p: &mut Problems| match v {
        Some(x) => {
            common::per_urgency_share(x, &format!("{path}.{field}"), p);
            x.map(|y| y / 10.0)
        }
        None => PerUrgency::splat(0.0),
    };
    let ambulance =
        common::per_urgency_share(&t.ambulance_share, &format!("{path}.ambulance_share"), p);
    let patient_transport = common::per_urgency_share(
        &t.patient_transport_share,
        &format!("{path}.patient_transport_share"),
        p,
    );
    let ambulance_per_km = per_km(&t.ambulance_share_per_10km, "ambulance_share_per_10km", p);
    let patient_transport_per_km = per_km(
        &t.patient_transport_share_per_10km,
        "patient_transport_share_per_10km",
        p,
    );
    let max_share = common::share(t.max_share, 0.9, &format!("{path}.max_share"), p);
    let wait = common::dist(
        &t.patient_transport_wait_min,
        &format!("{path}.patient_transport_wait_min"),
        p,
    );
    let handover = common::dist(
        &t.ambulance_handover_min,
        &format!("{path}.ambulance_handover_min"),
        p,
    );
    Some(Transport {
        ambulance,
        ambulance_per_km,
        patient_transport,
        patient_transport_per_km,
        max_share,
        patient_transport_wait_min: wait?,
        ambulance_handover_min: handover?,
    })
}

/// Validate `[home_visits]` (absent: no limits, and the GP when no site is open).
pub fn home_visits(h: &RawHomeVisits, p: &mut Problems) -> HomeVisitPolicy {
    let limit = |v: Option<f64>, field: &str, p: &mut Problems| {
        v.map(|x| {
            common::bounded(
                x,
                0.0,
                10_000.0,
                "minutes",
                &format!("home_visits.{field}"),
                p,
            )
        })
    };
    HomeVisitPolicy {
        max_wait_min: limit(h.max_wait_min, "max_wait_min", p),
        max_drive_min: limit(h.max_drive_min, "max_drive_min", p),
        when_no_site_open: closed_or(
            &h.when_no_site_open,
            NoVisitSite::Gp,
            "home_visits.when_no_site_open",
            p,
        ),
    }
}

/// Validate `[assessment]` (absent: every assessed patient conveyed by the ambulance's own
/// conveyance share, to hospital, as before).
pub fn assessment(a: &Option<RawAssessment>, p: &mut Problems) -> Option<AssessmentOutcome> {
    let a = a.as_ref()?;
    let h = common::share(
        Some(a.to_hospital_share),
        0.0,
        "assessment.to_hospital_share",
        p,
    );
    let l = common::share(
        Some(a.to_legevakt_share),
        0.0,
        "assessment.to_legevakt_share",
        p,
    );
    if h + l > 1.0 + 1e-9 {
        p.push(
            "assessment",
            format!("to_hospital_share + to_legevakt_share = {:.4} — together at most 1 (the rest stay home)", h + l),
        );
    }
    Some(AssessmentOutcome {
        to_hospital: h,
        to_legevakt: l,
    })
}

/// Validate `[[doctor_cars]]`.
pub fn doctor_cars(
    raw: &[Element<RawDoctorCar>],
    stations: &IdVec<StationId, Station>,
    station_names: &[String],
    p: &mut Problems,
) -> IdVec<DoctorCarId, DoctorCar> {
    let index: HashMap<&str, StationId> = stations
        .iter_enumerated()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut out = IdVec::new();
    for (i, c) in raw.iter().enumerate() {
        let Some(c) = &c.value else { continue };
        let path = format!("doctor_cars[{i}]");
        let station = match index.get(c.station.as_str()) {
            Some(&s) => Some(s),
            None if station_names.contains(&c.station) => None,
            None => {
                p.push(
                    format!("{path}.station"),
                    format!(
                        "\"{}\" is not a [[legevakt]] station — use one of: {}",
                        c.station,
                        station_names.join(", ")
                    ),
                );
                None
            }
        };
        let hours = common::weekly(&c.hours, &format!("{path}.hours"), p);
        let max_drive = common::bounded(
            c.max_drive_min,
            0.0,
            1_000.0,
            "minutes",
            &format!("{path}.max_drive_min"),
            p,
        );
        let accept = common::share(c.accept_share, 1.0, &format!("{path}.accept_share"), p);
        let on_scene = common::dist(&c.on_scene_min, &format!("{path}.on_scene_min"), p);
        let o = &c.outcome;
        for (name, x) in [
            ("home", o.home),
            ("hospital", o.hospital),
            ("legevakt", o.legevakt),
        ] {
            common::share(Some(x), 0.0, &format!("{path}.outcome.{name}"), p);
        }
        let sum = o.home + o.hospital + o.legevakt;
        if (sum - 1.0).abs() > 1e-6 {
            p.push(
                format!("{path}.outcome"),
                format!("shares sum to {sum:.6} — home + hospital + legevakt must be 1"),
            );
        }
        if let (Some(station), Some(hours), Some(on_scene_min)) = (station, hours, on_scene) {
            out.push(DoctorCar {
                name: c.name.clone(),
                station,
                hours,
                own_doctor: c.own_doctor.unwrap_or(true),
                max_drive_min: max_drive,
                accept_share: accept,
                yellow: c.yellow.unwrap_or(true),
                red_callouts: c.red_callouts.unwrap_or(true),
                on_scene_min,
                outcome: (o.home, o.hospital, o.legevakt),
            });
        }
    }
    out
}

/// Validate `[costs]`.
pub fn costs(c: &RawCosts, p: &mut Problems) -> Costs {
    let nok = |x: f64, field: &str, p: &mut Problems| {
        common::bounded(x, 0.0, MAX_NOK, "NOK", &format!("costs.{field}"), p)
    };
    let r = &c.doctor_hour_nok;
    let (wd, we, n, wk) = (
        nok(r.weekday_day, "doctor_hour_nok.weekday_day", p),
        nok(r.weekday_evening, "doctor_hour_nok.weekday_evening", p),
        nok(r.night, "doctor_hour_nok.night", p),
        nok(r.weekend, "doctor_hour_nok.weekend", p),
    );
    // Hour of the week → rate: nights 23–08 every day; weekdays 08–16 day, 16–23 evening;
    // Saturday and Sunday 08–23 weekend.
    let doctor_hour_by_how = (0..168)
        .map(|how| {
            let (day, hour) = (how / 24, how % 24);
            if !(8..23).contains(&hour) {
                n
            } else if day >= 5 {
                wk
            } else if hour < 16 {
                wd
            } else {
                we
            }
        })
        .collect();
    let year_h = 8760.0;
    Costs {
        doctor_hour_by_how,
        nurse_hour: nok(c.nurse_hour_nok, "nurse_hour_nok", p),
        ambulance_staffed_hour: nok(
            c.ambulance_car_year_nok.staffed,
            "ambulance_car_year_nok.staffed",
            p,
        ) / year_h,
        ambulance_on_call_hour: nok(
            c.ambulance_car_year_nok.on_call,
            "ambulance_car_year_nok.on_call",
            p,
        ) / year_h,
        ambulance_mission: nok(c.ambulance_mission_nok, "ambulance_mission_nok", p),
        air_mission: nok(c.air_mission_nok, "air_mission_nok", p),
        satellite_fixed_per_year: nok(
            c.satellite_fixed_nok_per_year,
            "satellite_fixed_nok_per_year",
            p,
        ),
        patient_transport_trip: nok(
            c.patient_transport_trip_nok,
            "patient_transport_trip_nok",
            p,
        ),
        doctor_car_hour: nok(c.doctor_car_year_nok, "doctor_car_year_nok", p) / year_h,
    }
}

/// Validate `[routing.logit]`.
pub fn logit(l: &RawLogit, p: &mut Problems) -> Logit {
    Logit {
        minutes_scale: common::bounded(
            l.minutes_scale,
            0.1,
            1_000.0,
            "minutes",
            "routing.logit.minutes_scale",
            p,
        ),
        doctor_in_person_min: common::bounded(
            l.doctor_in_person_min,
            0.0,
            1_000.0,
            "minutes",
            "routing.logit.doctor_in_person_min",
            p,
        ),
    }
}
