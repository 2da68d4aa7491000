//! `[amk]`, `[ambulance]`, `[[ambulance_stations]]`, `[[hospitals]]` and
//! `[legevakt_referral]`: the emergency part of the chain.

use super::Facilities;
use super::common;
use crate::base::dist::Dist;
use crate::base::ids::{AmbStationId, HospitalId, IdVec, VehicleId, ZoneId};
use crate::base::schedule::Weekly;
use crate::base::urgency::PerUrgency;
use crate::input::problem::Problems;
use crate::input::scenario::de::{Element, closed};
use crate::input::scenario::limits::{
    MAX_DETOUR, MAX_DURATION_MIN, MAX_ED_BAYS, MAX_SPEED_KMH, MAX_VEHICLES, MAX_VEHICLES_PER_ENTRY,
};
use crate::input::scenario::raw::{
    RawAmbStation, RawAmbulance, RawAmk, RawHospital, RawReferral, RawVehicle,
};
use crate::input::scenario::{
    AmbStation, AmbulanceParams, Amk, AmkCentre, Hospital, Referral, Vehicle, VehicleKind,
};
use std::collections::HashMap;

/// Validate `[amk]`.
/// An optional location: both coordinates or neither.
fn location(
    lat: Option<f64>,
    lon: Option<f64>,
    path: &str,
    p: &mut Problems,
) -> Option<(f64, f64)> {
    match (lat, lon) {
        (Some(la), Some(lo)) => {
            common::latlon(la, lo, path, p);
            Some((la, lo))
        }
        (None, None) => None,
        _ => {
            p.push(
                path,
                "give both lat and lon, or neither (the location is only for the maps)",
            );
            None
        }
    }
}

pub fn amk(a: &RawAmk, p: &mut Problems) -> Option<Amk> {
    let ops = common::weekly(&a.operators, "amk.operators", p);
    let h = common::per_urgency_dists(&a.handling_time_min, "amk.handling_time_min", p);
    let g = common::share(a.green_to_116117_share, 1.0, "amk.green_to_116117_share", p);
    // Call-out in 42 % of legevakt alerts (Zakariassen & Hunskaar, BMC Emerg Med 2010;10:5).
    let c = common::share(
        a.legevakt_callout_share,
        0.42,
        "amk.legevakt_callout_share",
        p,
    );
    let on_scene = common::dist_or(
        &a.callout_on_scene_min,
        Dist::constant(30.0),
        "amk.callout_on_scene_min",
        p,
    );
    let abandonment = common::abandonment(&a.abandonment, "amk.abandonment", p);
    let other = super::legevakt::other_calls(a.other_calls_per_1000_per_year, "amk", p);
    let other_min = match (&a.other_call_time_min, other > 0.0) {
        (Some(d), _) => common::dist(d, "amk.other_call_time_min", p),
        (None, false) => Some(Dist::constant(0.0)),
        (None, true) => {
            p.push(
                "amk.other_call_time_min",
                "missing — calls on the other lines need an operator time, e.g. \
                 other_call_time_min = { dist = \"lognormal\", mean = 1.5, sd = 1.0 }",
            );
            None
        }
    };
    let mut centres = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (i, c) in a.centres.iter().flatten().enumerate() {
        let path = format!("amk.centres[{i}]");
        let ops = common::weekly(&c.operators, &format!("{path}.operators"), p);
        if c.kommuner.is_empty() {
            p.push(
                format!("{path}.kommuner"),
                "empty — list the kommuner (4-digit numbers) whose zones call this centre",
            );
        }
        for k in &c.kommuner {
            if let Some(prev) = seen.insert(k.clone(), c.name.clone()) {
                p.push(
                    format!("{path}.kommuner"),
                    format!("kommune {k} is already answered by \"{prev}\" — a kommune calls one AMK centre"),
                );
            }
        }
        if c.name == a.name || centres.iter().any(|x: &AmkCentre| x.name == c.name) {
            p.push(
                format!("{path}.name"),
                format!(
                    "\"{}\" is used twice — every AMK centre needs its own name",
                    c.name
                ),
            );
        }
        let at = location(c.lat, c.lon, &path, p);
        if let Some(o) = ops {
            centres.push(AmkCentre {
                name: c.name.clone(),
                operators: o,
                kommuner: c.kommuner.clone(),
                at,
            });
        }
    }
    Some(Amk {
        at: location(a.lat, a.lon, "amk", p),
        centres,
        other_calls_per_person_hour: other,
        other_call_min: other_min?,
        abandonment: abandonment?,
        name: a.name.clone(),
        operators: ops?,
        handling_min: h?,
        green_to_116117: g,
        alert_red: a.alert_legevakt_red.unwrap_or(true),
        callout_share: c,
        callout_on_scene_min: on_scene?,
        guidance_min: match &a.guidance_after_dispatch_min {
            Some(g) => Some(common::per_urgency_dists(
                g,
                "amk.guidance_after_dispatch_min",
                p,
            )?),
            None => None,
        },
        planned_hours: match &a.planned_transport_hours {
            Some(h) => Some(common::weekly(h, "amk.planned_transport_hours", p)?),
            None => None,
        },
    })
}

/// Validate `[ambulance]`.
pub fn ambulance(a: &RawAmbulance, p: &mut Problems) -> Option<AmbulanceParams> {
    let act = common::per_urgency_dists(&a.activation_min, "ambulance.activation_min", p);
    let extra = common::dist_or(
        &a.on_call_extra_activation_min,
        Dist::constant(0.0),
        "ambulance.on_call_extra_activation_min",
        p,
    );
    let c = common::dist(
        &a.on_scene_conveyed_min,
        "ambulance.on_scene_conveyed_min",
        p,
    );
    let n = common::dist(
        &a.on_scene_not_conveyed_min,
        "ambulance.on_scene_not_conveyed_min",
        p,
    );
    let conv = common::per_urgency_share(&a.conveyance_share, "ambulance.conveyance_share", p);
    let ho = common::per_urgency_dists(&a.handover_min, "ambulance.handover_min", p);
    Some(AmbulanceParams {
        activation_min: act?,
        on_call_extra_min: extra?,
        on_scene_conveyed_min: c?,
        on_scene_not_conveyed_min: n?,
        conveyance: conv,
        handover_min: ho?,
        redispatch: a.redispatch_while_returning.unwrap_or(true),
        divert_for_red: a.divert_for_red.unwrap_or(false),
    })
}

/// Ambulance stations and their vehicles (one entry per vehicle).
pub struct Fleet {
    /// Stations.
    pub stations: IdVec<AmbStationId, AmbStation>,
    /// Vehicles.
    pub vehicles: IdVec<VehicleId, Vehicle>,
}

/// Validate `[[ambulance_stations]]`. `zone_index` resolves boat zone lists; `n_zones` is the
/// number of zones (duplicate zone names, reported elsewhere, make the index shorter).
pub fn stations(
    raw: &[Element<RawAmbStation>],
    zone_index: &HashMap<&str, ZoneId>,
    n_zones: usize,
    fac: &mut Facilities,
    p: &mut Problems,
) -> Fleet {
    let mut fleet = Fleet {
        stations: IdVec::new(),
        vehicles: IdVec::new(),
    };
    let mut total: u64 = 0;
    for (i, st) in raw.iter().enumerate() {
        let Some(st) = &st.value else { continue };
        let path = format!("ambulance_stations[{i}]");
        common::latlon(st.lat, st.lon, &path, p);
        if st.vehicles.is_empty() {
            p.push(
                format!("{path}.vehicles"),
                "no vehicles — add at least one { kind = \"road\", staffed = [...] }",
            );
        }
        let station = AmbStationId::new(fleet.stations.len());
        let at_station: u64 = st
            .vehicles
            .iter()
            .map(|v| u64::from(v.count.unwrap_or(1)))
            .sum();
        if st.reserve_last_for_red == Some(true) && at_station < 2 {
            p.push(
                format!("{path}.reserve_last_for_red"),
                format!("the station has {at_station} vehicle — keeping the last one for red calls needs at least 2 (with one, it would never take a yellow or green call); remove the switch or add a vehicle"),
            );
        }
        for (j, v) in st.vehicles.iter().enumerate() {
            let vp = format!("{path}.vehicles[{j}]");
            let count = v.count.unwrap_or(1);
            total += u64::from(count);
            if let Some(veh) = vehicle(v, station, zone_index, n_zones, &vp, p)
                && total <= MAX_VEHICLES as u64
            {
                for _ in 0..count {
                    fleet.vehicles.push(veh.clone());
                }
            }
        }
        fleet.stations.push(AmbStation {
            name: st.name.clone(),
            facility: fac.add(&st.name, st.lat, st.lon),
            reserve_last_for_red: st.reserve_last_for_red.unwrap_or(false),
        });
    }
    if total > MAX_VEHICLES as u64 {
        p.push(
            "ambulance_stations",
            format!("{total} vehicles in all — at most {MAX_VEHICLES} are supported"),
        );
    }
    fleet
}

fn vehicle(
    v: &RawVehicle,
    station: AmbStationId,
    zone_index: &HashMap<&str, ZoneId>,
    n_zones: usize,
    path: &str,
    p: &mut Problems,
) -> Option<Vehicle> {
    let n0 = p.len();
    let kind = closed(&v.kind, &format!("{path}.kind"), p).unwrap_or(VehicleKind::Road);
    match v.count {
        Some(0) => p.push(
            format!("{path}.count"),
            "0 — give at least 1 vehicle, or remove the entry",
        ),
        Some(n) if n > MAX_VEHICLES_PER_ENTRY => p.push(
            format!("{path}.count"),
            format!("{n} — one entry holds at most {MAX_VEHICLES_PER_ENTRY} vehicles"),
        ),
        _ => {}
    }
    let staffed = v
        .staffed
        .as_ref()
        .map(|s| common::weekly(s, &format!("{path}.staffed"), p));
    let on_call = v
        .on_call
        .as_ref()
        .map(|s| common::weekly(s, &format!("{path}.on_call"), p));
    if v.staffed.is_none() && v.on_call.is_none() {
        p.push(
            format!("{path}.staffed"),
            "no shifts — give staffed = [...] and/or on_call = [...] (e.g. { days = \"all\", from = \"00:00\", to = \"24:00\" })",
        );
    }
    let speed = v.speed_kmh.unwrap_or(0.0);
    if kind != VehicleKind::Road && !(speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED_KMH) {
        p.push(
            format!("{path}.speed_kmh"),
            format!("{speed} — boat and air ambulances need a speed > 0 and at most {MAX_SPEED_KMH} km/h"),
        );
    }
    let detour = common::bounded(
        v.detour_factor.unwrap_or(1.3),
        1.0,
        MAX_DETOUR,
        "a detour factor",
        &format!("{path}.detour_factor"),
        p,
    );
    let zones = v.zones.as_ref().map(|list| {
        let mut mask: IdVec<ZoneId, bool> = IdVec::from(vec![false; n_zones]);
        for (i, z) in list.iter().enumerate() {
            match zone_index.get(z.as_str()) {
                Some(&k) => mask[k] = true,
                None => p.push(
                    format!("{path}.zones[{i}]"),
                    format!("\"{z}\" is not a zone — use a name from [[zones]]"),
                ),
            }
        }
        mask
    });
    let default = if kind == VehicleKind::Air {
        PerUrgency {
            red: true,
            yellow: false,
            green: false,
        }
    } else {
        PerUrgency::splat(true)
    };
    let urgencies = common::urgencies(&v.urgencies, default, &format!("{path}.urgencies"), p);
    let min_road = common::bounded(
        v.min_road_response_min.unwrap_or(0.0),
        0.0,
        MAX_DURATION_MIN,
        "minutes",
        &format!("{path}.min_road_response_min"),
        p,
    );
    let avail = common::share(
        v.availability_share,
        1.0,
        &format!("{path}.availability_share"),
        p,
    );
    let act = v
        .activation_min
        .as_ref()
        .map(|d| common::dist(d, &format!("{path}.activation_min"), p));
    let scene = v
        .on_scene_min
        .as_ref()
        .map(|d| common::dist(d, &format!("{path}.on_scene_min"), p));
    if p.len() > n0 {
        return None;
    }
    Some(Vehicle {
        station,
        kind,
        staffed: staffed.flatten().unwrap_or_else(|| Weekly::constant(0)),
        on_call: on_call.flatten().unwrap_or_else(|| Weekly::constant(0)),
        speed_kmh: speed,
        detour,
        zones,
        urgencies,
        min_road_response_min: min_road,
        availability: avail,
        activation_min: act.flatten(),
        on_scene_min: scene.flatten(),
    })
}

/// Validate `[[hospitals]]`.
pub fn hospitals(
    raw: &[Element<RawHospital>],
    fac: &mut Facilities,
    p: &mut Problems,
) -> IdVec<HospitalId, Hospital> {
    let mut out = IdVec::new();
    for (i, h) in raw.iter().enumerate() {
        let Some(h) = &h.value else { continue };
        let path = format!("hospitals[{i}]");
        common::latlon(h.lat, h.lon, &path, p);
        if h.ed_bays == 0 || h.ed_bays > MAX_ED_BAYS {
            p.push(
                format!("{path}.ed_bays"),
                format!(
                    "{} — an emergency department needs from 1 to {MAX_ED_BAYS} bays",
                    h.ed_bays
                ),
            );
        }
        let ed = common::dist(&h.ed_time_min, &format!("{path}.ed_time_min"), p);
        let adm =
            common::per_urgency_share(&h.admission_share, &format!("{path}.admission_share"), p);
        if let Some(ed) = ed {
            out.push(Hospital {
                name: h.name.clone(),
                facility: fac.add(&h.name, h.lat, h.lon),
                bays: h.ed_bays,
                ed_min: ed,
                admission: adm,
                transfers_to: None,
            });
        }
    }
    // Transfer destinations, by name, once every hospital is known.
    for (i, h) in raw.iter().enumerate() {
        let Some(h) = &h.value else { continue };
        let Some(to) = &h.transfers_to else { continue };
        let path = format!("hospitals[{i}].transfers_to");
        match out.iter_enumerated().find(|(_, x)| &x.name == to) {
            Some((_, x)) if x.name == h.name => p.push(
                path,
                format!("\"{to}\" is this hospital — name another one"),
            ),
            Some((j, _)) => {
                if let Some(me) = out.iter_mut().find(|x| x.name == h.name) {
                    me.transfers_to = Some(j);
                }
            }
            None => p.push(
                path,
                format!(
                    "\"{to}\" is not a [[hospitals]] entry — use one of: {}",
                    out.iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    out
}

/// Validate `[demand.hospital_transfers]` against the hospitals.
pub fn transfers(
    raw: &Option<crate::input::scenario::raw::RawTransfers>,
    hospitals: &IdVec<HospitalId, Hospital>,
    p: &mut Problems,
) -> Option<crate::input::scenario::Transfers> {
    let t = raw.as_ref()?;
    let path = "demand.hospital_transfers";
    let max = crate::input::scenario::limits::MAX_RATE_PER_1000;
    if !(t.per_1000_per_year.is_finite() && (0.0..=max).contains(&t.per_1000_per_year)) {
        p.push(
            format!("{path}.per_1000_per_year"),
            format!(
                "{} — give transfers per 1000 inhabitants per year, from 0 to {max}",
                t.per_1000_per_year
            ),
        );
        return None;
    }
    if hospitals.len() < 2 && hospitals.iter().all(|h| h.transfers_to.is_none()) {
        p.push(
            path,
            "transfers need two hospitals — add another [[hospitals]] entry (it may lie outside the area)",
        );
        return None;
    }
    let profile = match &t.hours {
        None => crate::input::scenario::Profile::flat(),
        Some(h) => {
            let w = common::weekly(h, &format!("{path}.hours"), p)?;
            let mut weights = [0.0; 168];
            for (hour, x) in weights.iter_mut().enumerate() {
                // The share of the hour in the schedule (minute by minute).
                let open = (0..60)
                    .filter(|m| w.level_at_minute(hour as u32 * 60 + m) > 0)
                    .count();
                *x = open as f64 / 60.0;
            }
            if weights.iter().all(|x| *x <= 0.0) {
                p.push(format!("{path}.hours"), "no hour is open — give some hours");
                return None;
            }
            crate::input::scenario::Profile::from_weights(&weights)
        }
    };
    Some(crate::input::scenario::Transfers {
        per_person_hour: t.per_1000_per_year / 1000.0 / (365.0 * 24.0),
        profile,
    })
}

/// Validate `[legevakt_referral]`.
pub fn referral(r: &RawReferral, p: &mut Problems) -> Referral {
    Referral {
        share: common::per_urgency_share(&r.share, "legevakt_referral.share", p),
        by_ambulance: common::per_urgency_share(
            &r.by_ambulance_share,
            "legevakt_referral.by_ambulance_share",
            p,
        ),
    }
}
