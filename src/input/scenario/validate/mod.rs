//! Validation: one validator per section, each reporting structured problems, and the checks
//! that cross sections. [`scenario`] runs them all on a merged table and, when nothing is wrong,
//! hands the parts to [`super::build`].

mod chain;
mod common;
mod demand;
mod legevakt;
mod policy;
mod travel;
mod zones;

use super::de::{Element, de, de_array, de_section};
use super::limits::{MAX_FACILITIES, MAX_MATRIX_ENTRIES};
use super::raw::*;
use super::{ChoiceRule, HomeVisitsBy, Scenario, Site};
use crate::base::ids::{FacilityId, IdVec, PointId, SiteId, ZoneId};
use crate::input::problem::{LoadError, Problems};
use crate::input::travel::{Point, Travel};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The sections a scenario file may have.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "travel",
    "routing",
    "zones",
    "zone_sources",
    "demand",
    "legevaktsentral",
    "legevakt",
    "satellites",
    "amk",
    "ambulance",
    "ambulance_stations",
    "hospitals",
    "legevakt_referral",
    "legevakt_transport",
    "home_visits",
    "assessment",
    "doctor_cars",
    "costs",
    "indicator",
    "generated",
];

/// Facility points as the validators add them (stations, satellites, ambulance stations,
/// hospitals, in that order).
#[derive(Default)]
pub struct Facilities(IdVec<FacilityId, Point>);

impl Facilities {
    /// Add a facility and return its id.
    pub fn add(&mut self, name: &str, lat: f64, lon: f64) -> FacilityId {
        self.0.push_and_get_key(Point {
            name: name.to_string(),
            lat,
            lon,
        })
    }
}

/// Every section of a file, deserialised.
pub(super) struct RawScenario {
    name: Option<String>,
    description: String,
    travel: RawTravel,
    routing: RawRouting,
    demand: Option<RawDemand>,
    zones: Vec<Element<RawZone>>,
    zone_sources: Vec<Element<RawZoneSource>>,
    lvs: Vec<Element<RawLvs>>,
    stations: Vec<Element<RawStation>>,
    satellites: Vec<Element<RawSatellite>>,
    amk: Option<RawAmk>,
    ambulance: Option<RawAmbulance>,
    amb_stations: Vec<Element<RawAmbStation>>,
    hospitals: Vec<Element<RawHospital>>,
    referral: Option<RawReferral>,
    transport: Option<RawTransport>,
    home_visits: Option<RawHomeVisits>,
    assessment: Option<RawAssessment>,
    doctor_cars: Vec<Element<RawDoctorCar>>,
    costs: Option<RawCosts>,
    indicator: RawIndicator,
    generated: Option<RawGenerated>,
}

fn deserialise(mut t: toml::Table, p: &mut Problems) -> RawScenario {
    for k in t.keys() {
        if !TOP_KEYS.contains(&k.as_str()) {
            p.push(
                k.clone(),
                format!(
                    "unknown section — expected one of: {}; remove it or correct the spelling",
                    TOP_KEYS.join(", ")
                ),
            );
        }
    }
    let name: Option<String> = de_section(&mut t, "name", p);
    if name.is_none() && !p.any_under("name") {
        p.push("name", "missing — add name = \"…\" at the top of the file");
    }
    RawScenario {
        name,
        description: de_section(&mut t, "description", p).unwrap_or_default(),
        travel: de_section(&mut t, "travel", p).unwrap_or_default(),
        routing: de_section(&mut t, "routing", p).unwrap_or_default(),
        demand: de_section(&mut t, "demand", p),
        zones: de_array(t.remove("zones"), "zones", p),
        zone_sources: de_array(t.remove("zone_sources"), "zone_sources", p),
        lvs: de_array(t.remove("legevaktsentral"), "legevaktsentral", p),
        stations: de_array(t.remove("legevakt"), "legevakt", p),
        satellites: de_array(t.remove("satellites"), "satellites", p),
        amk: de_section(&mut t, "amk", p),
        ambulance: de_section(&mut t, "ambulance", p),
        amb_stations: de_array(t.remove("ambulance_stations"), "ambulance_stations", p),
        hospitals: de_array(t.remove("hospitals"), "hospitals", p),
        referral: t
            .remove("legevakt_referral")
            .and_then(|v| de(v, "legevakt_referral", p)),
        transport: de_section(&mut t, "legevakt_transport", p),
        home_visits: de_section(&mut t, "home_visits", p),
        assessment: de_section(&mut t, "assessment", p),
        doctor_cars: de_array(t.remove("doctor_cars"), "doctor_cars", p),
        costs: de_section(&mut t, "costs", p),
        indicator: de_section(&mut t, "indicator", p).unwrap_or_default(),
        generated: de_section(&mut t, "generated", p),
    }
}

/// Names must be unique across zones and facilities (travel tables and overrides use them).
fn unique_names(r: &RawScenario, p: &mut Problems) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    let lists: [(&str, Vec<&Option<String>>); 6] = [
        ("zones", r.zones.iter().map(|e| &e.name).collect()),
        ("legevaktsentral", r.lvs.iter().map(|e| &e.name).collect()),
        ("legevakt", r.stations.iter().map(|e| &e.name).collect()),
        ("satellites", r.satellites.iter().map(|e| &e.name).collect()),
        (
            "ambulance_stations",
            r.amb_stations.iter().map(|e| &e.name).collect(),
        ),
        ("hospitals", r.hospitals.iter().map(|e| &e.name).collect()),
    ];
    for (key, list) in lists {
        for (i, n) in list.into_iter().enumerate() {
            let path = format!("{key}[{i}]");
            if let Some(n) = n
                && let Some(prev) = names.insert(n.clone(), path.clone())
            {
                p.push(
                    format!("{path}.name"),
                    format!("\"{n}\" is already used by {prev} — names must be unique across zones and facilities"),
                );
            }
        }
    }
    names
}

/// Validate a parsed (and merged) scenario table and build the scenario.
pub fn scenario(
    table: toml::Table,
    dir: &Path,
    label: &str,
    mut inputs: Vec<PathBuf>,
) -> Result<Scenario, LoadError> {
    let mut p = Problems::default();
    let r = deserialise(table, &mut p);
    let names = unique_names(&r, &mut p);
    let rule = travel::rule(&r.travel, &mut p);
    let ferries = travel::ferries(&r.travel, &mut p);
    let emergency_speed = travel::emergency(&r.travel, &mut p);
    let zs = zones::validate(&r.zones, &r.zone_sources, dir, &mut p);
    inputs.extend(zs.inputs.iter().cloned());
    for z in &zs.zones {
        if let Some(prev) = names.get(&z.name)
            && !prev.starts_with("zones")
        {
            p.push(
                "zone_sources",
                format!(
                    "zone \"{}\" has the same name as {prev} — rename the facility",
                    z.name
                ),
            );
        }
    }
    let mut warnings = zs.warnings.clone();
    let (mut zone_list, points) = zones::assemble(zs.zones);
    if let Some(csv) = &r.indicator.tettbygd_kommuner_csv {
        let path = dir.join(csv);
        zones::indicator_classes(&path, &mut zone_list, &mut warnings, &mut p);
        inputs.push(path);
    }
    let zone_index: HashMap<&str, ZoneId> = zone_list
        .iter_enumerated()
        .map(|(i, z)| (z.name.as_str(), i))
        .collect();
    let demand = demand::channels(&r.demand, &mut p);
    let incidents = demand::incidents(&r.demand, &zone_index, &mut p);
    let lvs = legevakt::lvs(&r.lvs, &mut p);
    let mut fac = Facilities::default();
    let stations = legevakt::stations(&r.stations, &lvs, r.lvs.len(), &mut fac, &mut p);
    let station_names: Vec<String> = r.stations.iter().filter_map(|e| e.name.clone()).collect();
    let satellites =
        legevakt::satellites(&r.satellites, &stations, &station_names, &mut fac, &mut p);
    let amk = r.amk.as_ref().and_then(|a| chain::amk(a, &mut p));
    let ambulance = r
        .ambulance
        .as_ref()
        .and_then(|a| chain::ambulance(a, &mut p));
    let fleet = chain::stations(
        &r.amb_stations,
        &zone_index,
        zone_list.len(),
        &mut fac,
        &mut p,
    );
    let hospitals = chain::hospitals(&r.hospitals, &mut fac, &mut p);
    let transfers = r
        .demand
        .as_ref()
        .and_then(|d| chain::transfers(&d.hospital_transfers, &hospitals, &mut p));
    let referral = r.referral.as_ref().map(|x| chain::referral(x, &mut p));
    drop(zone_index);
    let pol = policy::all(&r, &stations, &station_names, &mut p);
    cross_checks(&r, &lvs, &demand, &stations, &mut p);
    district_warnings(&stations, &zone_list, &mut warnings);

    let mut sites: IdVec<SiteId, Site> = stations.keys().map(Site::Station).collect();
    sites.extend(satellites.keys().map(Site::Satellite));
    let choice = super::de::closed_or(
        &r.routing.legevakt_choice,
        ChoiceRule::NearestOpen,
        "routing.legevakt_choice",
        &mut p,
    );
    if choice == ChoiceRule::Logit && pol.logit.is_none() {
        p.push(
            "routing.logit",
            "legevakt_choice = \"logit\" needs [routing.logit] with minutes_scale and doctor_in_person_min",
        );
    }
    preferences(
        &r,
        &zs.preferences,
        &mut zone_list,
        &stations,
        &satellites,
        choice,
        &mut p,
    );

    let n_fac = fac.0.len();
    if n_fac > MAX_FACILITIES || (zone_list.len() + n_fac) * n_fac > MAX_MATRIX_ENTRIES {
        p.push(
            "legevakt",
            format!("{} zones and {n_fac} facilities — the travel matrix would exceed {MAX_MATRIX_ENTRIES} entries; split the model", zone_list.len()),
        );
    }
    // The travel matrix is built last, and only when everything else is valid (its CSV names
    // must match the zones and facilities).
    let travel = if p.is_empty() {
        let parts = TravelParts {
            rule,
            ferries: &ferries,
            facilities: fac,
        };
        build_travel(&r, dir, &points, &zone_list, parts, &mut inputs, &mut p)
    } else {
        None
    };
    warnings.extend(travel.as_ref().and_then(unknown_travel_names));
    let name = r.name.clone();
    let description = r.description.clone();
    check_generated(r.generated.as_ref(), &mut p);
    let generated = r.generated.clone();
    p.finish(label, || ())?;
    let scn = Scenario {
        name: name.expect("checked: no problems"),
        description,
        generated,
        inputs,
        zones: zone_list,
        points,
        warnings,
        emergency_speed,
        demand,
        lvs,
        stations,
        satellites,
        sites,
        choice,
        amk,
        ambulance,
        amb_stations: fleet.stations,
        vehicles: fleet.vehicles,
        hospitals,
        transfers,
        referral,
        incidents: incidents.into_iter().collect(),
        travel: travel.expect("built: no problems"),
        logit: pol.logit,
        transport: pol.transport,
        home_visits: pol.home_visits,
        assessment: pol.assessment,
        doctor_cars: pol.doctor_cars,
        costs: pol.costs,
        derived: super::Derived::default(),
    };
    Ok(super::build::derive(scn))
}

/// `[generated]`: the counts must add up.
fn check_generated(g: Option<&RawGenerated>, p: &mut Problems) {
    if let Some(g) = g
        && g.placed_by_rule + g.with_assumed_details > g.facilities
    {
        p.push(
            "generated",
            format!(
                "placed_by_rule ({}) + with_assumed_details ({}) exceed facilities ({}) — correct the counts or remove [generated]",
                g.placed_by_rule, g.with_assumed_details, g.facilities
            ),
        );
    }
}

/// Warnings about legevakt districts: a district kommune with no zone, zones in no district.
fn district_warnings(
    stations: &IdVec<crate::base::ids::StationId, super::Station>,
    zones: &IdVec<ZoneId, super::Zone>,
    warnings: &mut Vec<String>,
) {
    if stations.iter().all(|s| s.district.is_empty()) {
        return;
    }
    let in_model: std::collections::HashSet<&str> =
        zones.iter().filter_map(|z| z.kommune.as_deref()).collect();
    for st in stations.iter() {
        let missing: Vec<&str> = st
            .district
            .iter()
            .map(String::as_str)
            .filter(|k| !in_model.contains(k))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "legevakt \"{}\": kommune(s) {} of its district have no zone in this model",
                st.name,
                missing.join(", ")
            ));
        }
    }
    let districts: std::collections::HashSet<&str> = stations
        .iter()
        .flat_map(|s| s.district.iter().map(String::as_str))
        .collect();
    let outside = zones
        .iter()
        .filter(|z| z.kommune.as_deref().is_none_or(|k| !districts.contains(k)))
        .count();
    if outside > 0 {
        warnings.push(format!(
            "{outside} zone(s) are in no legevakt district: they use every site (give their kommune in a [[legevakt]] kommuner list)"
        ));
    }
}

/// Checks that involve more than one section.
fn cross_checks(
    r: &RawScenario,
    lvs: &IdVec<crate::base::ids::LvsId, super::Lvs>,
    demand: &crate::base::urgency::PerChannel<Option<super::ChannelDemand>>,
    stations: &IdVec<crate::base::ids::StationId, super::Station>,
    p: &mut Problems,
) {
    if r.amk.is_some() && r.amb_stations.is_empty() {
        p.push(
            "ambulance_stations",
            "[amk] is given but there is no ambulance — add [[ambulance_stations]] with vehicles",
        );
    }
    if !r.amb_stations.is_empty() {
        if r.ambulance.is_none() && !p.any_under("ambulance") {
            p.push(
                "ambulance",
                "ambulance stations are given but no [ambulance] mission parameters — add them",
            );
        }
        if r.amk.is_none() && !p.any_under("amk") {
            p.push(
                "amk",
                "ambulance stations are given but no [amk] to dispatch them — add [amk]",
            );
        }
        if r.hospitals.is_empty() {
            p.push(
                "hospitals",
                "ambulances need a destination — add at least one [[hospitals]]",
            );
        }
    }
    if r.referral.is_some() && r.hospitals.is_empty() {
        p.push(
            "legevakt_referral",
            "referrals need a hospital — add [[hospitals]] or remove [legevakt_referral]",
        );
    }
    if r.referral
        .as_ref()
        .is_some_and(|x| x.by_ambulance_share.iter().any(|(_, v)| *v > 0.0))
        && r.amk.is_none()
    {
        p.push(
            "legevakt_referral.by_ambulance_share",
            "referrals by ambulance need [amk] and [[ambulance_stations]] — add them or set the shares to 0",
        );
    }
    let needs_ambulances = [
        (
            r.transport.as_ref().is_some_and(|t| {
                t.ambulance_share.iter().any(|(_, v)| *v > 0.0)
                    || t.ambulance_share_per_10km
                        .as_ref()
                        .is_some_and(|x| x.iter().any(|(_, v)| *v > 0.0))
            }),
            "legevakt_transport.ambulance_share",
            "patients taken to the legevakt by ambulance",
        ),
        (
            r.home_visits.as_ref().is_some_and(|h| {
                h.max_wait_min.is_some()
                    || h.max_drive_min.is_some()
                    || h.when_no_site_open.as_ref().and_then(|c| c.ok())
                        == Some(super::NoVisitSite::Ambulance)
            }),
            "home_visits",
            "assessment missions",
        ),
        (
            !r.doctor_cars.is_empty(),
            "doctor_cars",
            "doctor cars (AMK offers them missions)",
        ),
    ];
    for (used, path, what) in needs_ambulances {
        if used && (r.amk.is_none() || r.amb_stations.is_empty()) {
            p.push(
                path,
                format!("{what} need [amk] and [[ambulance_stations]] — add them, or remove this"),
            );
        }
    }
    if lvs
        .iter()
        .any(|l| l.home_visits_by == HomeVisitsBy::Ambulance)
        && r.amk.is_none()
    {
        p.push(
            "legevaktsentral",
            "home_visits_by = \"ambulance\" needs [amk] and [[ambulance_stations]]",
        );
    }
    if let Some(c) = &demand.lvs {
        if stations.is_empty() && !p.any_under("legevakt") {
            p.push(
                "legevakt",
                "demand.calls_116117 is given but there is no [[legevakt]] station — add one",
            );
        }
        let needs_lvs = c
            .rate_per_person_hour
            .iter()
            .any(|(u, rate)| *rate > 0.0 && c.direct_share[u] < 1.0);
        if needs_lvs && r.lvs.is_empty() {
            p.push(
                "legevaktsentral",
                "calls to 116117 need a [[legevaktsentral]] — add one, or set demand.calls_116117.direct_attendance_share to 1",
            );
        }
    }
}

/// What the travel matrix is built from besides the zones.
struct TravelParts<'a> {
    rule: crate::input::travel::RoadRule,
    ferries: &'a [crate::input::travel::Ferry],
    facilities: Facilities,
}

/// Build the travel matrix: every point and facility, the ferries, the travel CSV.
fn build_travel(
    r: &RawScenario,
    dir: &Path,
    points: &IdVec<PointId, super::ZonePoint>,
    zones: &IdVec<ZoneId, super::Zone>,
    parts: TravelParts,
    inputs: &mut Vec<PathBuf>,
    p: &mut Problems,
) -> Option<Travel> {
    let csv_path = r.travel.matrix_csv.as_ref().map(|c| dir.join(c));
    if let Some(pp) = &csv_path {
        inputs.push(pp.clone());
    }
    let pts = points
        .iter()
        .map(|x| Point {
            name: x.name.clone(),
            lat: x.lat,
            lon: x.lon,
        })
        .collect();
    // A zone's name stands for all of its points in travel tables and ferry sides.
    let aliases: Vec<(String, Vec<PointId>)> = zones
        .iter()
        .filter(|z| z.points.len() > 1)
        .map(|z| (z.name.clone(), z.points.clone()))
        .collect();
    let shown = csv_path.as_deref().map(crate::input::shown_path);
    let csv = csv_path.as_deref().zip(shown.as_deref());
    Travel::build(
        pts,
        &aliases,
        parts.facilities.0.into_iter().collect(),
        parts.rule,
        parts.ferries,
        csv,
        p,
    )
}

/// The warning for names a travel table or ferry gave that the scenario lacks.
fn unknown_travel_names(t: &Travel) -> Option<String> {
    let unknown: Vec<String> = t.unknown_names().map(|n| format!("\"{n}\"")).collect();
    (!unknown.is_empty()).then(|| format!(
        "travel: {} name(s) in the travel table or the ferries are not places of this scenario; their entries were skipped: {} — normal for a table shared by variants, else check the spelling against [[zones]] (\"zone · place\" for one point) and the facilities",
        unknown.len(),
        unknown.join(", ")
    ))
}

/// Resolve each zone's preferred legevakt (`legevakt = "…"`) for the `zone_preferred` rule.
fn preferences(
    r: &RawScenario,
    prefs: &[(Option<usize>, Option<String>)],
    zones: &mut IdVec<ZoneId, super::Zone>,
    stations: &IdVec<crate::base::ids::StationId, super::Station>,
    satellites: &IdVec<crate::base::ids::SatelliteId, super::Satellite>,
    choice: ChoiceRule,
    p: &mut Problems,
) {
    let site_by_name: HashMap<&str, SiteId> = stations
        .iter()
        .map(|s| s.name.as_str())
        .chain(satellites.iter().map(|s| s.name.as_str()))
        .enumerate()
        .map(|(i, n)| (n, SiteId::new(i)))
        .collect();
    let all_site_names: HashSet<&str> = r
        .stations
        .iter()
        .filter_map(|e| e.name.as_deref())
        .chain(r.satellites.iter().filter_map(|e| e.name.as_deref()))
        .collect();
    for (zi, (raw_i, pref)) in prefs.iter().enumerate() {
        let z = ZoneId::new(zi);
        match (pref, raw_i) {
            (Some(n), Some(raw_i)) => match site_by_name.get(n.as_str()) {
                Some(&s) => zones[z].preferred_site = Some(s),
                None if all_site_names.contains(n.as_str()) => {} // has problems of its own
                None => p.push(
                    format!("zones[{raw_i}].legevakt"),
                    format!(
                        "\"{n}\" is not a legevakt station or satellite — use one of: {}",
                        {
                            let mut v: Vec<&str> = site_by_name.keys().copied().collect();
                            v.sort_unstable();
                            v.join(", ")
                        }
                    ),
                ),
            },
            (_, None) if choice == ChoiceRule::ZonePreferred => p.push(
                "routing.legevakt_choice",
                format!("\"zone_preferred\" needs a legevakt for every zone, but \"{}\" comes from a zone table — use \"nearest_open\"", zones[z].name),
            ),
            (None, Some(raw_i)) if choice == ChoiceRule::ZonePreferred => p.push(
                format!("zones[{raw_i}].legevakt"),
                "routing.legevakt_choice is \"zone_preferred\" but this zone names no legevakt — add legevakt = \"…\"",
            ),
            _ => {}
        }
    }
}
