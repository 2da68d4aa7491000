//! Reading and checking a scenario file. Every problem is collected and reported at once.
//!
//! Strategy: parse the file as a TOML table, then deserialize each section — and each element of
//! an array section — on its own, so that a type error in `zones[3]` does not hide one in
//! `legevakt[1]`. Semantic checks (ranges, sums, references) run on everything that parsed.

use super::raw::*;
use super::*;
use crate::dist::{Dist, DistSpec};
use crate::geo::{Point, Travel};
use crate::schedule::{ShiftSpec, Weekly};
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Collects problems with their paths.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<Problem>);

impl Problems {
    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }
}

/// Add a "how to fix" hint to a serde message.
fn serde_hint(msg: &str) -> String {
    let msg = msg.trim();
    if msg.starts_with("unknown field") {
        format!("{msg} — remove it or correct the spelling")
    } else if msg.starts_with("missing field") {
        format!("{msg} — add it (see models/README.md for its meaning and unit)")
    } else if msg.starts_with("invalid type") {
        format!("{msg} — write a value of the expected type")
    } else {
        msg.to_string()
    }
}

/// Deserialize one TOML value into `T`, reporting the exact path of the first type problem.
pub(crate) fn de<T: DeserializeOwned>(v: toml::Value, path: &str, p: &mut Problems) -> Option<T> {
    // serde stops at the first problem. To report every problem of a table at once, the field
    // that failed (a wrong type, an unknown name) is removed from a copy and deserialization is
    // tried again, until it succeeds or a problem cannot be removed (then the rest is unknown).
    let join = |inner: &str| {
        if inner == "." || inner.is_empty() {
            path.to_string()
        } else if inner.starts_with('[') {
            format!("{path}{inner}")
        } else if path.is_empty() {
            inner.to_string()
        } else {
            format!("{path}.{inner}")
        }
    };
    let mut v = v;
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..64 {
        match serde_path_to_error::deserialize::<_, T>(v.clone()) {
            Ok(t) => return removed.is_empty().then_some(t),
            Err(e) => {
                let inner = e.path().to_string();
                let msg = e.inner().to_string();
                if let Some(rest) = msg.strip_prefix("missing field `") {
                    // A field we removed ourselves is "missing" now: already reported.
                    let field = rest.split('`').next().unwrap_or_default();
                    let full = join(&if inner == "." || inner.is_empty() {
                        field.to_string()
                    } else {
                        format!("{inner}.{field}")
                    });
                    if !removed.contains(&full) {
                        p.push(join(&inner), serde_hint(&msg));
                    }
                    return None;
                }
                let full = join(&inner);
                p.push(full.clone(), serde_hint(&msg));
                let segs: Vec<serde_path_to_error::Segment> = e.path().iter().cloned().collect();
                if !remove_at(&mut v, &segs) {
                    return None;
                }
                removed.push(full);
            }
        }
    }
    None
}

/// Remove the map entry at `segs` (only when the path ends in a map key; list entries are not
/// removed, which would shift the positions reported for the entries after them).
fn remove_at(v: &mut toml::Value, segs: &[serde_path_to_error::Segment]) -> bool {
    use serde_path_to_error::Segment;
    let Some((last, init)) = segs.split_last() else {
        return false;
    };
    let mut cur = v;
    for s in init {
        cur = match (s, cur) {
            (Segment::Map { key }, toml::Value::Table(t)) => match t.get_mut(key) {
                Some(x) => x,
                None => return false,
            },
            (Segment::Seq { index }, toml::Value::Array(a)) => match a.get_mut(*index) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, cur) {
        (Segment::Map { key }, toml::Value::Table(t)) => t.remove(key).is_some(),
        _ => false,
    }
}

/// Take an array-of-tables section, deserializing each element separately. Returns, for each
/// element, its name (if readable) and the parsed value.
pub(crate) fn de_array<T: DeserializeOwned>(
    v: Option<toml::Value>,
    key: &str,
    p: &mut Problems,
) -> Vec<(Option<String>, Option<T>)> {
    let Some(v) = v else { return Vec::new() };
    let toml::Value::Array(items) = v else {
        p.push(
            key,
            format!("expected an array of tables — write each entry as [[{key}]]"),
        );
        return Vec::new();
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item
                .get("name")
                .and_then(|n| n.as_str())
                .map(|s| s.to_string());
            (name, de(item, &format!("{key}[{i}]"), p))
        })
        .collect()
}

fn check_dist(spec: &DistSpec, path: &str, p: &mut Problems) -> Option<Dist> {
    match Dist::from_spec(spec) {
        Ok(d) => Some(d),
        Err(es) => {
            for e in es {
                p.push(path, e);
            }
            None
        }
    }
}

fn check_weekly(shifts: &[ShiftSpec], path: &str, p: &mut Problems) -> Option<Weekly> {
    match Weekly::from_shifts(shifts) {
        Ok(w) => Some(w),
        Err(es) => {
            for e in es {
                if let Some(rest) = e.strip_prefix('[') {
                    // "[i].field: msg"
                    let (idx, msg) = rest.split_once(']').unwrap_or(("", rest));
                    let (field, msg) = msg.split_once(": ").unwrap_or(("", msg));
                    p.push(format!("{path}[{idx}]{field}"), msg.to_string());
                } else {
                    p.push(path, e);
                }
            }
            None
        }
    }
}

fn check_latlon(lat: f64, lon: f64, path: &str, p: &mut Problems) {
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        p.push(
            format!("{path}.lat"),
            format!("{lat} is not a latitude — give degrees north between -90 and 90"),
        );
    }
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        p.push(
            format!("{path}.lon"),
            format!("{lon} is not a longitude — give degrees east between -180 and 180"),
        );
    }
}

fn check_urgencies(
    v: &Option<Vec<String>>,
    default: [bool; 3],
    path: &str,
    p: &mut Problems,
) -> [bool; 3] {
    let Some(list) = v else { return default };
    let mut out = [false; 3];
    if list.is_empty() {
        p.push(
            path,
            "the list is empty — name at least one of \"red\", \"yellow\", \"green\"",
        );
    }
    for (i, s) in list.iter().enumerate() {
        match Urgency::parse(s) {
            Some(u) => out[u.idx()] = true,
            None => p.push(
                format!("{path}[{i}]"),
                format!("\"{s}\" is not an urgency — use \"red\", \"yellow\" or \"green\""),
            ),
        }
    }
    out
}

/// Minute-of-week as "Mon 16:00".
fn fmt_minute(m: u32) -> String {
    const D: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!(
        "{} {:02}:{:02}",
        D[(m / 1440) as usize],
        (m % 1440) / 60,
        m % 60
    )
}

/// First minute where `a` is positive and `b` is zero.
fn first_gap(a: &Weekly, b: &Weekly) -> Option<u32> {
    (0..crate::time::MIN_PER_WEEK).find(|&m| a.level_at_minute(m) > 0 && b.level_at_minute(m) == 0)
}

fn check_profile(raw: &Option<RawProfile>, path: &str, p: &mut Problems) -> Option<Profile> {
    let Some(r) = raw else {
        return Some(Profile::flat());
    };
    let mut ok = true;
    let mut check_vec = |v: &Vec<f64>, n: usize, field: &str, p: &mut Problems| {
        if v.len() != n {
            p.push(
                format!("{path}.{field}"),
                format!("has {} values — give exactly {n}", v.len()),
            );
            ok = false;
        }
        for (i, x) in v.iter().enumerate() {
            if !(x.is_finite() && *x >= 0.0) {
                p.push(
                    format!("{path}.{field}[{i}]"),
                    format!("{x} is not a weight — weights are numbers ≥ 0"),
                );
                ok = false;
            }
        }
    };
    let mut w = [0.0f64; 168];
    if let Some(how) = &r.hour_of_week_weights {
        if r.weekday_hour_weights.is_some()
            || r.weekend_hour_weights.is_some()
            || r.weekend_day_factor.is_some()
        {
            p.push(
                path,
                "give either hour_of_week_weights or the weekday/weekend fields, not both",
            );
            return None;
        }
        check_vec(how, 168, "hour_of_week_weights", p);
        if ok {
            w.copy_from_slice(how);
        }
    } else {
        let Some(wd) = &r.weekday_hour_weights else {
            p.push(
                path,
                "no weights — give weekday_hour_weights (24 values) or hour_of_week_weights (168)",
            );
            return None;
        };
        check_vec(wd, 24, "weekday_hour_weights", p);
        let we = r.weekend_hour_weights.clone().unwrap_or_else(|| wd.clone());
        check_vec(&we, 24, "weekend_hour_weights", p);
        let f = r.weekend_day_factor.unwrap_or(1.0);
        if !(f.is_finite() && f > 0.0) {
            p.push(
                format!("{path}.weekend_day_factor"),
                format!("{f} — give a factor > 0 (1.44 = Vakttårn 2022)"),
            );
            ok = false;
        }
        if ok {
            let swd: f64 = wd.iter().sum();
            let swe: f64 = we.iter().sum();
            if swd <= 0.0 || swe <= 0.0 {
                p.push(path, "a day's weights are all zero — give some weight > 0");
                return None;
            }
            for d in 0..7 {
                for h in 0..24 {
                    w[d * 24 + h] = if d < 5 { wd[h] / swd } else { f * we[h] / swe };
                }
            }
        }
    }
    if !ok {
        return None;
    }
    if w.iter().sum::<f64>() <= 0.0 {
        p.push(path, "all weights are zero — give some weight > 0");
        return None;
    }
    Some(Profile::from_weights(&w))
}

fn check_per_urgency_share(v: &PerUrgency<f64>, path: &str, p: &mut Problems) -> [f64; 3] {
    let a = [v.red, v.yellow, v.green];
    for (u, x) in URGENCIES.iter().zip(a) {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            p.push(
                format!("{path}.{}", u.name()),
                format!("{x} is not a share — give a number from 0 to 1"),
            );
        }
    }
    a
}

fn check_channel(r: &RawChannel, path: &str, p: &mut Problems) -> Option<ChannelDemand> {
    let rates = [
        r.per_1000_per_year.red,
        r.per_1000_per_year.yellow,
        r.per_1000_per_year.green,
    ];
    let n0 = p.0.len();
    for (u, x) in URGENCIES.iter().zip(rates) {
        if !(x.is_finite() && x >= 0.0) {
            p.push(
                format!("{path}.per_1000_per_year.{}", u.name()),
                format!("{x} is not a rate — give needs per 1000 inhabitants per year, ≥ 0"),
            );
        }
    }
    if rates.iter().all(|x| *x == 0.0) {
        p.push(
            format!("{path}.per_1000_per_year"),
            "all rates are zero — give a positive rate for at least one urgency, or remove the section",
        );
    }
    let profile = check_profile(&r.profile, &format!("{path}.profile"), p);
    let decay = match &r.distance_decay_per_km {
        Some(d) => {
            let a = [d.red, d.yellow, d.green];
            for (u, x) in URGENCIES.iter().zip(a) {
                if !(x.is_finite() && (0.0..1.0).contains(&x)) {
                    p.push(format!("{path}.distance_decay_per_km.{}", u.name()),
                        format!("{x} is not a decay constant — give k in 1/km, 0 ≤ k < 1 (0.016 halves consultations at 43 km, domain.md §4)"));
                }
            }
            a
        }
        None => [0.0; 3],
    };
    let direct = match &r.direct_attendance_share {
        Some(d) => check_per_urgency_share(d, &format!("{path}.direct_attendance_share"), p),
        None => [0.0; 3],
    };
    if p.0.len() > n0 {
        return None;
    }
    let per_person_hour = |x: f64| x / 1000.0 / (crate::time::DAYS_PER_YEAR * 24.0);
    Some(ChannelDemand {
        rate_per_person_hour: rates.map(per_person_hour),
        profile: profile?,
        decay_per_km: decay,
        direct_share: direct,
        suppressed_red_calls_113: r.suppressed_red_calls_113.unwrap_or(true),
    })
}

fn per_urgency_dists(d: &PerUrgency<DistSpec>, path: &str, p: &mut Problems) -> Option<[Dist; 3]> {
    let r = check_dist(&d.red, &format!("{path}.red"), p);
    let y = check_dist(&d.yellow, &format!("{path}.yellow"), p);
    let g = check_dist(&d.green, &format!("{path}.green"), p);
    Some([r?, y?, g?])
}

fn share(v: Option<f64>, default: f64, path: &str, p: &mut Problems) -> f64 {
    let x = v.unwrap_or(default);
    if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
        p.push(
            path,
            format!("{x} is not a share — give a number from 0 to 1"),
        );
    }
    x
}

fn check_amk(a: &RawAmk, p: &mut Problems) -> Option<Amk> {
    let ops = check_weekly(&a.operators, "amk.operators", p);
    let h = per_urgency_dists(&a.handling_time_min, "amk.handling_time_min", p);
    let g = share(a.green_to_116117_share, 1.0, "amk.green_to_116117_share", p);
    // Zakariassen & Hunskaar 2010 (durations.md C): call-out in 42 % of legevakt alerts.
    let c = share(
        a.legevakt_callout_share,
        0.42,
        "amk.legevakt_callout_share",
        p,
    );
    let dc = share(
        a.doctor_car_convey_share,
        0.5,
        "amk.doctor_car_convey_share",
        p,
    );
    let on_scene = match &a.callout_on_scene_min {
        Some(d) => check_dist(d, "amk.callout_on_scene_min", p),
        None => Some(Dist::constant(30.0)),
    };
    let car_scene = match &a.doctor_car_on_scene_min {
        Some(d) => check_dist(d, "amk.doctor_car_on_scene_min", p),
        None => Some(Dist::constant(30.0)),
    };
    Some(Amk {
        name: a.name.clone(),
        operators: ops?,
        handling_min: h?,
        green_to_116117: g,
        alert_red: a.alert_legevakt_red.unwrap_or(true),
        callout_share: c,
        callout_on_scene_min: on_scene?,
        doctor_car_first: a.yellow_doctor_car_first.unwrap_or(false),
        doctor_car_convey: dc,
        doctor_car_on_scene_min: car_scene?,
    })
}

fn check_ambulance(a: &RawAmbulance, p: &mut Problems) -> Option<AmbulanceParams> {
    let act = per_urgency_dists(&a.activation_min, "ambulance.activation_min", p);
    let extra = match &a.on_call_extra_activation_min {
        Some(d) => check_dist(d, "ambulance.on_call_extra_activation_min", p),
        None => Some(Dist::constant(0.0)),
    };
    let c = check_dist(
        &a.on_scene_conveyed_min,
        "ambulance.on_scene_conveyed_min",
        p,
    );
    let n = check_dist(
        &a.on_scene_not_conveyed_min,
        "ambulance.on_scene_not_conveyed_min",
        p,
    );
    let conv = check_per_urgency_share(&a.conveyance_share, "ambulance.conveyance_share", p);
    let ho = per_urgency_dists(&a.handover_min, "ambulance.handover_min", p);
    Some(AmbulanceParams {
        activation_min: act?,
        on_call_extra_min: extra?,
        on_scene_conveyed_min: c?,
        on_scene_not_conveyed_min: n?,
        conveyance: conv,
        handover_min: ho?,
        redispatch: a.redispatch_while_returning.unwrap_or(true),
    })
}

fn check_vehicle(
    v: &RawVehicle,
    station: usize,
    zone_index: &HashMap<&str, usize>,
    path: &str,
    p: &mut Problems,
) -> Option<Vehicle> {
    let n0 = p.0.len();
    let kind = match v.kind.as_str() {
        "road" => VehicleKind::Road,
        "boat" => VehicleKind::Boat,
        "air" => VehicleKind::Air,
        o => {
            p.push(
                format!("{path}.kind"),
                format!("\"{o}\" — use \"road\", \"boat\" or \"air\""),
            );
            VehicleKind::Road
        }
    };
    if v.count == Some(0) {
        p.push(
            format!("{path}.count"),
            "0 — give at least 1 vehicle, or remove the entry",
        );
    }
    let staffed = v
        .staffed
        .as_ref()
        .map(|s| check_weekly(s, &format!("{path}.staffed"), p));
    let on_call = v
        .on_call
        .as_ref()
        .map(|s| check_weekly(s, &format!("{path}.on_call"), p));
    if v.staffed.is_none() && v.on_call.is_none() {
        p.push(
            format!("{path}.staffed"),
            "no shifts — give staffed = [...] and/or on_call = [...] (e.g. { days = \"all\", from = \"00:00\", to = \"24:00\" })",
        );
    }
    let speed = v.speed_kmh.unwrap_or(0.0);
    if kind != VehicleKind::Road && !(speed.is_finite() && speed > 0.0) {
        p.push(
            format!("{path}.speed_kmh"),
            "boat and air ambulances need a speed > 0 km/h",
        );
    }
    let detour = v.detour_factor.unwrap_or(1.3);
    if !(detour.is_finite() && detour >= 1.0) {
        p.push(
            format!("{path}.detour_factor"),
            format!("{detour} — give ≥ 1"),
        );
    }
    let zones = v.zones.as_ref().map(|list| {
        let mut mask = vec![false; zone_index.len()];
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
    let urg_default = if kind == VehicleKind::Air {
        [true, false, false]
    } else {
        [true; 3]
    };
    let urgencies = check_urgencies(&v.urgencies, urg_default, &format!("{path}.urgencies"), p);
    let min_road = v.min_road_response_min.unwrap_or(0.0);
    if !(min_road.is_finite() && min_road >= 0.0) {
        p.push(
            format!("{path}.min_road_response_min"),
            format!("{min_road} — give minutes ≥ 0"),
        );
    }
    let avail = share(
        v.availability_share,
        1.0,
        &format!("{path}.availability_share"),
        p,
    );
    let act = v
        .activation_min
        .as_ref()
        .map(|d| check_dist(d, &format!("{path}.activation_min"), p));
    let scene = v
        .on_scene_min
        .as_ref()
        .map(|d| check_dist(d, &format!("{path}.on_scene_min"), p));
    if p.0.len() > n0 {
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

/// One row of a zone table.
#[derive(serde::Deserialize)]
struct ZoneRow {
    zone_id: String,
    kommune_no: String,
    kommune_name: String,
    population_2025: f64,
    lat: f64,
    lon: f64,
    delomraade_no: Option<String>,
    delomraade_name: Option<String>,
}

/// Read and select zones from a national (or user) zone table.
fn zones_from_csv(
    src: &RawZoneSource,
    csv_path: &Path,
    path: &str,
    p: &mut Problems,
) -> Option<Vec<Zone>> {
    let mut rdr = match csv::Reader::from_path(csv_path) {
        Ok(r) => r,
        Err(e) => {
            p.push(
                format!("{path}.csv"),
                format!(
                    "cannot read \"{}\": {e} — give a path relative to the scenario file",
                    src.csv
                ),
            );
            return None;
        }
    };
    let mut rows = Vec::new();
    for (i, r) in rdr.deserialize::<ZoneRow>().enumerate() {
        match r {
            Ok(r) => rows.push(r),
            Err(e) => {
                p.push(
                    format!("{}:{}", src.csv, i + 2),
                    format!("{e} — the table needs zone_id, kommune_no, kommune_name, population_2025, lat, lon"),
                );
                return None;
            }
        }
    }
    let kommuner = src.kommuner.clone().unwrap_or_default();
    let dels = src.delomraader.clone().unwrap_or_default();
    let all = src.all.unwrap_or(false);
    if kommuner.is_empty() && dels.is_empty() && !all {
        p.push(
            path,
            "selects nothing — give kommuner = [\"1506\", …], delomraader = [\"15061000\", …] or all = true",
        );
        return None;
    }
    for (j, k) in kommuner.iter().enumerate() {
        if !rows.iter().any(|r| &r.kommune_no == k) {
            p.push(
                format!("{path}.kommuner[{j}]"),
                format!("\"{k}\" is not a kommune number in {} — use the 4-digit 2024 numbers, e.g. \"1506\"", src.csv),
            );
        }
    }
    for (j, d) in dels.iter().enumerate() {
        if !rows
            .iter()
            .any(|r| r.delomraade_no.as_deref() == Some(d.as_str()))
        {
            p.push(
                format!("{path}.delomraader[{j}]"),
                format!("\"{d}\" is not a delområde number in {} — use the 8-digit numbers, e.g. \"15061000\"", src.csv),
            );
        }
    }
    let exclude = src.exclude.clone().unwrap_or_default();
    let name_of = |r: &ZoneRow| match r.delomraade_name.as_deref() {
        Some(d) if !d.is_empty() => format!("{}: {}", r.kommune_name, d),
        _ => r.kommune_name.clone(),
    };
    let selected: Vec<&ZoneRow> = rows
        .iter()
        .filter(|r| {
            all || kommuner.contains(&r.kommune_no)
                || r.delomraade_no.as_ref().is_some_and(|d| dels.contains(d))
        })
        .filter(|r| {
            !exclude.iter().any(|x| {
                Some(x.as_str()) == r.delomraade_no.as_deref()
                    || *x == name_of(r)
                    || *x == r.zone_id
            })
        })
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &selected {
        *count.entry(name_of(r)).or_default() += 1;
    }
    let urban = src.urban.clone().unwrap_or_default();
    let mut out = Vec::new();
    for r in &selected {
        let mut name = name_of(r);
        if count[&name] > 1 {
            name = format!("{name} ({})", r.zone_id);
        }
        let class = if urban.contains(&name) {
            ZoneClass::Urban
        } else {
            ZoneClass::Rural
        };
        out.push(Zone {
            name,
            population: r.population_2025,
            lat: r.lat,
            lon: r.lon,
            class,
            preferred_site: None,
        });
    }
    for (j, u) in urban.iter().enumerate() {
        if !out.iter().any(|z| &z.name == u) {
            let some: Vec<&str> = out.iter().take(4).map(|z| z.name.as_str()).collect();
            p.push(
                format!("{path}.urban[{j}]"),
                format!(
                    "\"{u}\" is not a selected zone — names look like \"{}\"",
                    some.join("\", \"")
                ),
            );
        }
    }
    for z in &out {
        if !(z.population.is_finite() && z.population >= 0.0) {
            p.push(
                path,
                format!(
                    "zone \"{}\" has population {} in the table",
                    z.name, z.population
                ),
            );
        }
    }
    // Zones with no inhabitants generate no demand; drop them rather than fail on population > 0.
    out.retain(|z| z.population > 0.0);
    Some(out)
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "travel",
    "routing",
    "zones",
    "demand",
    "legevaktsentral",
    "legevakt",
    "satellites",
    "amk",
    "ambulance",
    "ambulance_stations",
    "hospitals",
    "legevakt_referral",
    "zone_sources",
];

/// Load and validate a scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
        file: path.display().to_string(),
        source: e,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut s = load_str(&text, dir, &path.display().to_string())?;
    s.inputs.insert(0, path.to_path_buf());
    Ok(s)
}

/// Parse TOML text into a table, reporting a syntax error with its line.
pub(crate) fn parse_toml(text: &str, label: &str) -> Result<toml::Table, LoadError> {
    toml::from_str(text).map_err(|e| {
        let loc = e
            .span()
            .map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                format!("line {line}")
            })
            .unwrap_or_else(|| "file".into());
        LoadError::Invalid {
            file: label.to_string(),
            problems: vec![Problem {
                path: loc,
                message: format!("not valid TOML: {} — fix the syntax", e.message().trim()),
            }],
        }
    })
}

/// Make the relative file paths inside a scenario table relative to `dir` (so that a file that
/// `extends` another, or an experiment variant, finds the base's CSV files).
pub(crate) fn anchor_paths(t: &mut toml::Table, dir: &Path) {
    // Absolute, so that joining with the loading file's folder later leaves them unchanged.
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let fix = |v: &mut toml::Value| {
        if let toml::Value::String(s) = v {
            let p = Path::new(s.as_str());
            if p.is_relative() {
                *s = dir.join(p).to_string_lossy().to_string();
            }
        }
    };
    if let Some(toml::Value::Table(tr)) = t.get_mut("travel")
        && let Some(v) = tr.get_mut("matrix_csv")
    {
        fix(v);
    }
    if let Some(toml::Value::Array(a)) = t.get_mut("zone_sources") {
        for e in a {
            if let toml::Value::Table(z) = e
                && let Some(v) = z.get_mut("csv")
            {
                fix(v);
            }
        }
    }
}

fn named(v: &toml::Value) -> Option<&str> {
    v.as_table()?.get("name")?.as_str()
}

/// Overlay `over` on `base`: tables merge recursively; arrays of named tables (zones, stations,
/// …) merge element by element by `name` — `remove = true` deletes an element, a new name is
/// appended; anything else is replaced. Problems are reported under `path`.
pub(crate) fn merge(base: &mut toml::Table, over: toml::Table, path: &str, p: &mut Problems) {
    for (k, v) in over {
        let kp = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o, &kp, p),
            (Some(toml::Value::Array(b)), toml::Value::Array(o))
                if !o.is_empty() && o.iter().all(|e| named(e).is_some()) =>
            {
                for e in o {
                    let toml::Value::Table(mut et) = e else {
                        unreachable!()
                    };
                    let name = et["name"].as_str().unwrap_or_default().to_string();
                    let remove = matches!(et.remove("remove"), Some(toml::Value::Boolean(true)));
                    match b.iter().position(|x| named(x) == Some(name.as_str())) {
                        Some(i) if remove => {
                            b.remove(i);
                        }
                        Some(i) => {
                            if let toml::Value::Table(bt) = &mut b[i] {
                                merge(bt, et, &format!("{kp}[\"{name}\"]"), p);
                            }
                        }
                        None if remove => p.push(
                            format!("{kp}[\"{name}\"]"),
                            format!("nothing named \"{name}\" to remove — check the name against the base scenario"),
                        ),
                        None => b.push(toml::Value::Table(et)),
                    }
                }
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Resolve `extends = "base.toml"` chains (relative to `dir`), returning the merged table.
pub(crate) fn resolve_extends(
    mut table: toml::Table,
    dir: &Path,
    label: &str,
    inputs: &mut Vec<std::path::PathBuf>,
    depth: usize,
) -> Result<toml::Table, LoadError> {
    let Some(ext) = table.remove("extends") else {
        return Ok(table);
    };
    let invalid = |msg: String| LoadError::Invalid {
        file: label.to_string(),
        problems: vec![Problem {
            path: "extends".into(),
            message: msg,
        }],
    };
    let Some(rel) = ext.as_str() else {
        return Err(invalid(
            "expected a file name, e.g. extends = \"romsdal.toml\"".into(),
        ));
    };
    if depth > 8 {
        return Err(invalid(
            "more than 8 levels of extends — is there a cycle?".into(),
        ));
    }
    let base_path = dir.join(rel);
    let text = std::fs::read_to_string(&base_path).map_err(|e| {
        invalid(format!(
            "cannot read \"{}\": {e} — give a path relative to this file",
            base_path.display()
        ))
    })?;
    inputs.push(base_path.clone());
    let base_dir = base_path.parent().unwrap_or(Path::new("."));
    let base_label = base_path.display().to_string();
    let base = parse_toml(&text, &base_label)?;
    let mut base = resolve_extends(base, base_dir, &base_label, inputs, depth + 1)?;
    anchor_paths(&mut base, base_dir);
    let mut p = Problems::default();
    merge(&mut base, table, "", &mut p);
    if !p.0.is_empty() {
        return Err(LoadError::Invalid {
            file: label.to_string(),
            problems: p.0,
        });
    }
    Ok(base)
}

/// Validate scenario text. `dir` resolves relative paths; `label` names the file in messages.
pub fn load_str(text: &str, dir: &Path, label: &str) -> Result<Scenario, LoadError> {
    let table = parse_toml(text, label)?;
    let mut inputs = Vec::new();
    let table = resolve_extends(table, dir, label, &mut inputs, 0)?;
    load_table(table, dir, label, inputs)
}

/// Validate a parsed (and merged) scenario table.
pub fn load_table(
    mut table: toml::Table,
    dir: &Path,
    label: &str,
    mut inputs: Vec<std::path::PathBuf>,
) -> Result<Scenario, LoadError> {
    let invalid = |problems: Vec<Problem>| LoadError::Invalid {
        file: label.to_string(),
        problems,
    };
    let mut p = Problems::default();
    for k in table.keys() {
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
    let name: Option<String> = table.remove("name").and_then(|v| de(v, "name", &mut p));
    let description: String = table
        .remove("description")
        .and_then(|v| de(v, "description", &mut p))
        .unwrap_or_default();
    if name.is_none() && !p.0.iter().any(|x| x.path == "name") {
        p.push("name", "missing — add name = \"…\" at the top of the file");
    }
    let travel: RawTravel = table
        .remove("travel")
        .and_then(|v| de(v, "travel", &mut p))
        .unwrap_or_default();
    let routing: RawRouting = table
        .remove("routing")
        .and_then(|v| de(v, "routing", &mut p))
        .unwrap_or_default();
    let demand: Option<RawDemand> = table.remove("demand").and_then(|v| de(v, "demand", &mut p));
    let zones_raw: Vec<(Option<String>, Option<RawZone>)> =
        de_array(table.remove("zones"), "zones", &mut p);
    let zone_src_raw: Vec<(Option<String>, Option<RawZoneSource>)> =
        de_array(table.remove("zone_sources"), "zone_sources", &mut p);
    let lvs_raw: Vec<(Option<String>, Option<RawLvs>)> =
        de_array(table.remove("legevaktsentral"), "legevaktsentral", &mut p);
    let st_raw: Vec<(Option<String>, Option<RawStation>)> =
        de_array(table.remove("legevakt"), "legevakt", &mut p);
    let sat_raw: Vec<(Option<String>, Option<RawSatellite>)> =
        de_array(table.remove("satellites"), "satellites", &mut p);
    let amk_raw: Option<RawAmk> = table.remove("amk").and_then(|v| de(v, "amk", &mut p));
    let amb_raw: Option<RawAmbulance> = table
        .remove("ambulance")
        .and_then(|v| de(v, "ambulance", &mut p));
    let amb_st_raw: Vec<(Option<String>, Option<RawAmbStation>)> = de_array(
        table.remove("ambulance_stations"),
        "ambulance_stations",
        &mut p,
    );
    let hosp_raw: Vec<(Option<String>, Option<RawHospital>)> =
        de_array(table.remove("hospitals"), "hospitals", &mut p);
    let referral_raw: Option<RawReferral> = table
        .remove("legevakt_referral")
        .and_then(|v| de(v, "legevakt_referral", &mut p));

    // ---- names: unique across zones and facilities ----
    let mut names: HashMap<String, String> = HashMap::new();
    let mut claim = |n: &Option<String>, path: String, p: &mut Problems| {
        if let Some(n) = n
            && let Some(prev) = names.insert(n.clone(), path.clone())
        {
            p.push(
                    format!("{path}.name"),
                    format!("\"{n}\" is already used by {prev} — names must be unique across zones and facilities"),
                );
        }
    };
    for (i, (n, _)) in zones_raw.iter().enumerate() {
        claim(n, format!("zones[{i}]"), &mut p);
    }
    for (i, (n, _)) in lvs_raw.iter().enumerate() {
        claim(n, format!("legevaktsentral[{i}]"), &mut p);
    }
    for (i, (n, _)) in st_raw.iter().enumerate() {
        claim(n, format!("legevakt[{i}]"), &mut p);
    }
    for (i, (n, _)) in sat_raw.iter().enumerate() {
        claim(n, format!("satellites[{i}]"), &mut p);
    }
    for (i, (n, _)) in amb_st_raw.iter().enumerate() {
        claim(n, format!("ambulance_stations[{i}]"), &mut p);
    }
    for (i, (n, _)) in hosp_raw.iter().enumerate() {
        claim(n, format!("hospitals[{i}]"), &mut p);
    }

    // ---- travel ----
    let detour = travel.detour_factor.unwrap_or(1.3);
    let speed = travel.speed_kmh.unwrap_or(65.0);
    if !(detour.is_finite() && detour >= 1.0) {
        p.push(
            "travel.detour_factor",
            format!("{detour} — road distance cannot be shorter than the great circle; give ≥ 1 (1.3 default, domain.md §4)"),
        );
    }
    if !(speed.is_finite() && speed > 0.0) {
        p.push(
            "travel.speed_kmh",
            format!("{speed} — give an average speed > 0 km/h (65 default, domain.md §4)"),
        );
    }

    // ---- zones ----
    if zones_raw.is_empty()
        && zone_src_raw.is_empty()
        && !p.0.iter().any(|x| x.path.starts_with("zones"))
    {
        p.push(
            "zones",
            "no zones — add at least one [[zones]] with name, population, lat, lon, class",
        );
    }
    let mut zones = Vec::new();
    let mut zone_pref_names = Vec::new();
    for (i, (_, z)) in zones_raw.iter().enumerate() {
        let Some(z) = z else { continue };
        let path = format!("zones[{i}]");
        if !(z.population.is_finite() && z.population > 0.0) {
            p.push(
                format!("{path}.population"),
                format!("{} — give the number of inhabitants, > 0", z.population),
            );
        }
        check_latlon(z.lat, z.lon, &path, &mut p);
        let class = match z.class.as_str() {
            "urban" => ZoneClass::Urban,
            "rural" => ZoneClass::Rural,
            other => {
                p.push(
                    format!("{path}.class"),
                    format!("\"{other}\" — use \"urban\" (tettsted ≥ 10,000: 12-min target) or \"rural\" (25-min target)"),
                );
                ZoneClass::Rural
            }
        };
        zone_pref_names.push((i, z.legevakt.clone()));
        zones.push(Zone {
            name: z.name.clone(),
            population: z.population,
            lat: z.lat,
            lon: z.lon,
            class,
            preferred_site: None,
        });
    }

    for (i, (_, src)) in zone_src_raw.iter().enumerate() {
        let Some(src) = src else { continue };
        let path = format!("zone_sources[{i}]");
        let csv_path = dir.join(&src.csv);
        match zones_from_csv(src, &csv_path, &path, &mut p) {
            Some(zs) => {
                inputs.push(csv_path);
                for z in zs {
                    if zones.iter().any(|x: &Zone| x.name == z.name) {
                        p.push(
                            path.to_string(),
                            format!("zone \"{}\" is defined twice — remove it from [[zones]] or exclude it here", z.name),
                        );
                    }
                    zone_pref_names.push((usize::MAX, None));
                    zones.push(z);
                }
            }
            None => continue,
        }
    }
    for z in &zones {
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

    // ---- demand ----
    let mut chans: [Option<ChannelDemand>; 2] = [None, None];
    match &demand {
        None => {
            if !p.0.iter().any(|x| x.path.starts_with("demand")) {
                p.push(
                    "demand",
                    "missing — add [demand.calls_116117] and/or [demand.calls_113] with per_1000_per_year",
                );
            }
        }
        Some(d) => {
            if d.calls_116117.is_none() && d.calls_113.is_none() && d.incidents.is_none() {
                p.push(
                    "demand",
                    "no channel — add [demand.calls_116117] and/or [demand.calls_113] (or scripted [[demand.incidents]])",
                );
            }
            if let Some(c) = &d.calls_116117 {
                chans[CH_116117] = check_channel(c, "demand.calls_116117", &mut p);
            }
            if let Some(c) = &d.calls_113 {
                chans[CH_113] = check_channel(c, "demand.calls_113", &mut p);
            }
        }
    }

    // ---- legevaktsentraler ----
    let mut lvs = Vec::new();
    let mut lvs_index: HashMap<String, usize> = HashMap::new();
    for (i, (_, l)) in lvs_raw.iter().enumerate() {
        let Some(l) = l else { continue };
        let path = format!("legevaktsentral[{i}]");
        let nurses = check_weekly(&l.nurses, &format!("{path}.nurses"), &mut p);
        let handling = check_dist(
            &l.handling_time_min,
            &format!("{path}.handling_time_min"),
            &mut p,
        );
        let mut disp = [[0.0; 4]; 3];
        for u in URGENCIES {
            let r = match u {
                Urgency::Red => &l.disposition.red,
                Urgency::Yellow => &l.disposition.yellow,
                Urgency::Green => &l.disposition.green,
            };
            let v = [r.advice, r.legevakt, r.home_visit, r.forward_113];
            let dpath = format!("{path}.disposition.{}", u.name());
            let mut bad = false;
            for (name, x) in ["advice", "legevakt", "home_visit", "forward_113"]
                .iter()
                .zip(v)
            {
                if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
                    p.push(
                        format!("{dpath}.{name}"),
                        format!("{x} is not a probability — give a number from 0 to 1"),
                    );
                    bad = true;
                }
            }
            let sum: f64 = v.iter().sum();
            if !bad && (sum - 1.0).abs() > 1e-6 {
                p.push(
                    dpath,
                    format!("probabilities sum to {sum:.6} — they must sum to 1 (advice + legevakt + home_visit + forward_113)"),
                );
            }
            disp[u.idx()] = v;
        }
        let hv_amb = match l.home_visits_by.as_deref() {
            None | Some("legevakt") => false,
            Some("ambulance") => true,
            Some(o) => {
                p.push(
                    format!("{path}.home_visits_by"),
                    format!("\"{o}\" — use \"legevakt\" or \"ambulance\""),
                );
                false
            }
        };
        if let (Some(nurses), Some(handling)) = (nurses, handling) {
            lvs_index.insert(l.name.clone(), lvs.len());
            lvs.push(Lvs {
                name: l.name.clone(),
                nurses,
                handling_min: handling,
                disposition: disp,
                home_visits_by_ambulance: hv_amb,
            });
        }
    }

    // ---- facilities: stations, then satellites ----
    let mut facilities: Vec<Point> = Vec::new();
    let mut stations = Vec::new();
    let mut station_index: HashMap<String, usize> = HashMap::new();
    let station_names: Vec<String> = st_raw.iter().filter_map(|(n, _)| n.clone()).collect();
    for (i, (_, s)) in st_raw.iter().enumerate() {
        let Some(s) = s else { continue };
        let path = format!("legevakt[{i}]");
        check_latlon(s.lat, s.lon, &path, &mut p);
        let open = check_weekly(&s.open, &format!("{path}.open"), &mut p);
        let doctors = check_weekly(&s.doctors, &format!("{path}.doctors"), &mut p);
        let accepts = check_urgencies(
            &s.urgencies,
            [true; 3],
            &format!("{path}.urgencies"),
            &mut p,
        );
        let triage = match (&s.nurses, &s.triage_time_min) {
            (Some(n), Some(t)) => {
                let w = check_weekly(n, &format!("{path}.nurses"), &mut p);
                let d = check_dist(t, &format!("{path}.triage_time_min"), &mut p);
                w.zip(d)
            }
            (Some(_), None) => {
                p.push(
                    format!("{path}.triage_time_min"),
                    "nurses are given but no triage time — add triage_time_min, or remove nurses",
                );
                None
            }
            (None, Some(_)) => {
                p.push(
                    format!("{path}.nurses"),
                    "triage_time_min is given but no nurses — add nurses, or remove triage_time_min",
                );
                None
            }
            (None, None) => None,
        };
        let cons = check_dist(
            &s.consultation_time_min,
            &format!("{path}.consultation_time_min"),
            &mut p,
        );
        let hv = check_dist(
            &s.home_visit_time_min,
            &format!("{path}.home_visit_time_min"),
            &mut p,
        );
        let lvs_i = match &s.legevaktsentral {
            Some(n) => match lvs_index.get(n) {
                Some(&k) => Some(k),
                None => {
                    p.push(
                        format!("{path}.legevaktsentral"),
                        format!(
                            "\"{n}\" is not a [[legevaktsentral]] — use one of: {}",
                            lvs.iter()
                                .map(|l| l.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    None
                }
            },
            None if lvs.len() == 1 => Some(0),
            None if lvs_raw.len() > 1 => {
                p.push(
                    format!("{path}.legevaktsentral"),
                    "there are several legevaktsentraler — say which one answers for this station",
                );
                None
            }
            None => None,
        };
        if let (Some(o), Some(d)) = (&open, &doctors)
            && let Some(m) = first_gap(o, d)
        {
            p.push(
                    format!("{path}.doctors"),
                    format!("the station is open at {} but no doctor is on duty — add a doctor shift covering all opening hours", fmt_minute(m)),
                );
        }
        if let (Some(open), Some(doctors), Some(cons), Some(hv)) = (open, doctors, cons, hv) {
            station_index.insert(s.name.clone(), stations.len());
            stations.push(Station {
                name: s.name.clone(),
                facility: facilities.len(),
                lvs: lvs_i,
                open,
                doctors,
                triage,
                accepts,
                consultation_min: cons,
                home_visit_min: hv,
            });
            facilities.push(Point {
                name: s.name.clone(),
                lat: s.lat,
                lon: s.lon,
            });
        }
    }
    let mut satellites = Vec::new();
    for (i, (_, s)) in sat_raw.iter().enumerate() {
        let Some(s) = s else { continue };
        let path = format!("satellites[{i}]");
        check_latlon(s.lat, s.lon, &path, &mut p);
        let open = check_weekly(&s.open, &format!("{path}.open"), &mut p);
        let nurses = check_weekly(&s.nurses, &format!("{path}.nurses"), &mut p);
        let accepts = check_urgencies(
            &s.urgencies,
            [false, true, true],
            &format!("{path}.urgencies"),
            &mut p,
        );
        let video = check_dist(
            &s.video_consultation_time_min,
            &format!("{path}.video_consultation_time_min"),
            &mut p,
        );
        let host = match station_index.get(&s.host) {
            Some(&h) => Some(h),
            None => {
                if station_names.contains(&s.host) {
                    None // the host exists but has its own problems, reported above
                } else {
                    p.push(
                        format!("{path}.host"),
                        format!(
                            "\"{}\" is not a [[legevakt]] station — use one of: {}",
                            s.host,
                            if station_names.is_empty() {
                                "(none defined: add a [[legevakt]])".to_string()
                            } else {
                                station_names.join(", ")
                            }
                        ),
                    );
                    None
                }
            }
        };
        let hv = match (&s.home_visit_time_min, host) {
            (Some(d), _) => check_dist(d, &format!("{path}.home_visit_time_min"), &mut p),
            (None, Some(h)) => Some(stations[h].home_visit_min.clone()),
            (None, None) => None,
        };
        if let (Some(o), Some(n)) = (&open, &nurses)
            && let Some(m) = first_gap(o, n)
        {
            p.push(
                    format!("{path}.nurses"),
                    format!("the satellite is open at {} but no nurse is on duty — add a nurse shift covering all opening hours", fmt_minute(m)),
                );
        }
        if let (Some(o), Some(h)) = (&open, host)
            && let Some(m) = first_gap(o, &stations[h].doctors)
        {
            p.push(
                    format!("{path}.open"),
                    format!("the satellite is open at {} but its host \"{}\" has no doctor on duty for video — shorten the opening hours or add host doctors", fmt_minute(m), stations[h].name),
                );
        }
        if let (Some(open), Some(nurses), Some(video), Some(host), Some(hv)) =
            (open, nurses, video, host, hv)
        {
            satellites.push(Satellite {
                name: s.name.clone(),
                facility: facilities.len(),
                host,
                open,
                nurses,
                accepts,
                video_min: video,
                home_visits: s.home_visits.unwrap_or(true),
                home_visit_min: hv,
            });
            facilities.push(Point {
                name: s.name.clone(),
                lat: s.lat,
                lon: s.lon,
            });
        }
    }

    // ---- the rest of the chain: AMK, ambulances, hospitals ----
    let zone_index: HashMap<&str, usize> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.name.as_str(), i))
        .collect();
    let amk = amk_raw.as_ref().and_then(|a| check_amk(a, &mut p));
    let ambulance = amb_raw.as_ref().and_then(|a| check_ambulance(a, &mut p));
    let mut amb_stations = Vec::new();
    let mut vehicles = Vec::new();
    for (i, (_, st)) in amb_st_raw.iter().enumerate() {
        let Some(st) = st else { continue };
        let path = format!("ambulance_stations[{i}]");
        check_latlon(st.lat, st.lon, &path, &mut p);
        if st.vehicles.is_empty() {
            p.push(
                format!("{path}.vehicles"),
                "no vehicles — add at least one { kind = \"road\", staffed = [...] }",
            );
        }
        let station = amb_stations.len();
        for (j, v) in st.vehicles.iter().enumerate() {
            if let Some(veh) = check_vehicle(
                v,
                station,
                &zone_index,
                &format!("{path}.vehicles[{j}]"),
                &mut p,
            ) {
                for _ in 0..v.count.unwrap_or(1) {
                    vehicles.push(veh.clone());
                }
            }
        }
        amb_stations.push(AmbStation {
            name: st.name.clone(),
            facility: facilities.len(),
        });
        facilities.push(Point {
            name: st.name.clone(),
            lat: st.lat,
            lon: st.lon,
        });
    }
    let mut hospitals = Vec::new();
    for (i, (_, h)) in hosp_raw.iter().enumerate() {
        let Some(h) = h else { continue };
        let path = format!("hospitals[{i}]");
        check_latlon(h.lat, h.lon, &path, &mut p);
        if h.ed_bays == 0 {
            p.push(
                format!("{path}.ed_bays"),
                "0 — an emergency department needs at least 1 bay",
            );
        }
        let ed = check_dist(&h.ed_time_min, &format!("{path}.ed_time_min"), &mut p);
        let adm = check_per_urgency_share(
            &h.admission_share,
            &format!("{path}.admission_share"),
            &mut p,
        );
        if let Some(ed) = ed {
            hospitals.push(Hospital {
                name: h.name.clone(),
                facility: facilities.len(),
                bays: h.ed_bays,
                ed_min: ed,
                admission: adm,
            });
            facilities.push(Point {
                name: h.name.clone(),
                lat: h.lat,
                lon: h.lon,
            });
        }
    }
    let referral = referral_raw.as_ref().map(|r| Referral {
        share: check_per_urgency_share(&r.share, "legevakt_referral.share", &mut p),
        by_ambulance: check_per_urgency_share(
            &r.by_ambulance_share,
            "legevakt_referral.by_ambulance_share",
            &mut p,
        ),
    });
    if amk_raw.is_some() && amb_st_raw.is_empty() {
        p.push(
            "ambulance_stations",
            "[amk] is given but there is no ambulance — add [[ambulance_stations]] with vehicles",
        );
    }
    if !amb_st_raw.is_empty() {
        if amb_raw.is_none() && !p.0.iter().any(|x| x.path.starts_with("ambulance")) {
            p.push(
                "ambulance",
                "ambulance stations are given but no [ambulance] mission parameters — add them",
            );
        }
        if amk_raw.is_none() && !p.0.iter().any(|x| x.path.starts_with("amk")) {
            p.push(
                "amk",
                "ambulance stations are given but no [amk] to dispatch them — add [amk]",
            );
        }
        if hosp_raw.is_empty() {
            p.push(
                "hospitals",
                "ambulances need a destination — add at least one [[hospitals]]",
            );
        }
    }
    if referral_raw.is_some() && hosp_raw.is_empty() {
        p.push(
            "legevakt_referral",
            "referrals need a hospital — add [[hospitals]] or remove [legevakt_referral]",
        );
    }
    if referral_raw.as_ref().is_some_and(|r| {
        [
            r.by_ambulance_share.red,
            r.by_ambulance_share.yellow,
            r.by_ambulance_share.green,
        ]
        .iter()
        .any(|x| *x > 0.0)
    }) && amk_raw.is_none()
    {
        p.push(
            "legevakt_referral.by_ambulance_share",
            "referrals by ambulance need [amk] and [[ambulance_stations]] — add them or set the shares to 0",
        );
    }
    if lvs.iter().any(|l| l.home_visits_by_ambulance) && amk_raw.is_none() {
        p.push(
            "legevaktsentral",
            "home_visits_by = \"ambulance\" needs [amk] and [[ambulance_stations]]",
        );
    }
    let mut incidents = Vec::new();
    if let Some(list) = demand.as_ref().and_then(|d| d.incidents.as_ref()) {
        for (i, inc) in list.iter().enumerate() {
            let path = format!("demand.incidents[{i}]");
            if !(inc.at_min.is_finite() && inc.at_min >= 0.0) {
                p.push(
                    format!("{path}.at_min"),
                    format!("{} — give minutes ≥ 0 from the start", inc.at_min),
                );
            }
            let zone = zone_index.get(inc.zone.as_str()).copied();
            if zone.is_none() {
                p.push(
                    format!("{path}.zone"),
                    format!("\"{}\" is not a zone — use a name from [[zones]]", inc.zone),
                );
            }
            let channel = match inc.channel.as_str() {
                "113" => Some(CH_113),
                "116117" => Some(CH_116117),
                o => {
                    p.push(
                        format!("{path}.channel"),
                        format!("\"{o}\" — use \"113\" or \"116117\""),
                    );
                    None
                }
            };
            let urgency = Urgency::parse(&inc.urgency);
            if urgency.is_none() {
                p.push(
                    format!("{path}.urgency"),
                    format!("\"{}\" — use \"red\", \"yellow\" or \"green\"", inc.urgency),
                );
            }
            if let (Some(zone), Some(channel), Some(urgency)) = (zone, channel, urgency) {
                incidents.push(Incident {
                    at: crate::time::SimTime::from_minutes(inc.at_min),
                    zone,
                    channel,
                    urgency,
                });
            }
        }
    }
    incidents.sort_by_key(|i| i.at);

    // ---- cross-checks for the 116117 channel ----
    if let Some(c) = &chans[CH_116117] {
        if stations.is_empty() && !p.0.iter().any(|x| x.path.starts_with("legevakt[")) {
            p.push(
                "legevakt",
                "demand.calls_116117 is given but there is no [[legevakt]] station — add one",
            );
        }
        let needs_lvs = (0..3).any(|u| c.rate_per_person_hour[u] > 0.0 && c.direct_share[u] < 1.0);
        if needs_lvs && lvs_raw.is_empty() {
            p.push(
                "legevaktsentral",
                "calls to 116117 need a [[legevaktsentral]] — add one, or set demand.calls_116117.direct_attendance_share to 1",
            );
        }
    }

    let choice = match routing.legevakt_choice.as_deref() {
        None | Some("nearest_open") => ChoiceRule::NearestOpen,
        Some("zone_preferred") => ChoiceRule::ZonePreferred,
        Some(o) => {
            p.push(
                "routing.legevakt_choice",
                format!("\"{o}\" — use \"nearest_open\" or \"zone_preferred\""),
            );
            ChoiceRule::NearestOpen
        }
    };

    // ---- sites and zone preferences ----
    let mut sites: Vec<Site> = (0..stations.len()).map(Site::Station).collect();
    sites.extend((0..satellites.len()).map(Site::Satellite));
    let site_by_name: HashMap<&str, usize> = stations
        .iter()
        .map(|s| s.name.as_str())
        .chain(satellites.iter().map(|s| s.name.as_str()))
        .enumerate()
        .map(|(i, n)| (n, i))
        .collect();
    let all_site_names: HashSet<&str> = st_raw
        .iter()
        .filter_map(|(n, _)| n.as_deref())
        .chain(sat_raw.iter().filter_map(|(n, _)| n.as_deref()))
        .collect();
    for (zi, (raw_i, pref)) in zone_pref_names.iter().enumerate() {
        if let Some(n) = pref {
            match site_by_name.get(n.as_str()) {
                Some(&s) => zones[zi].preferred_site = Some(s),
                None if all_site_names.contains(n.as_str()) => {}
                None => p.push(
                    format!("zones[{raw_i}].legevakt"),
                    format!(
                        "\"{n}\" is not a legevakt station or satellite — use one of: {}",
                        site_by_name.keys().copied().collect::<Vec<_>>().join(", ")
                    ),
                ),
            }
        } else if choice == ChoiceRule::ZonePreferred && *raw_i == usize::MAX {
            p.push(
                "routing.legevakt_choice",
                format!("\"zone_preferred\" needs a legevakt for every zone, but \"{}\" comes from a zone table — use \"nearest_open\"", zones[zi].name),
            );
        } else if choice == ChoiceRule::ZonePreferred {
            p.push(
                format!("zones[{raw_i}].legevakt"),
                "routing.legevakt_choice is \"zone_preferred\" but this zone names no legevakt — add legevakt = \"…\"",
            );
        }
    }

    // ---- travel matrix ----
    let csv_path = travel.matrix_csv.as_ref().map(|c| dir.join(c));
    let travel_m = if p.0.is_empty() {
        let zpts: Vec<Point> = zones
            .iter()
            .map(|z| Point {
                name: z.name.clone(),
                lat: z.lat,
                lon: z.lon,
            })
            .collect();
        let csv = csv_path.as_ref().zip(travel.matrix_csv.as_deref());
        if let Some((pp, _)) = csv {
            inputs.push(pp.clone());
        }
        match Travel::build(
            &zpts,
            &facilities,
            detour,
            speed,
            csv.map(|(a, b)| (a.as_path(), b)),
        ) {
            Ok(t) => Some(t),
            Err(es) => {
                for (path, msg) in es {
                    p.push(path, msg);
                }
                None
            }
        }
    } else {
        None
    };

    if !p.0.is_empty() {
        return Err(invalid(p.0));
    }
    let travel_m = travel_m.expect("built when no problems");
    let n_sites = sites.len();
    let mut scn = Scenario {
        name: name.expect("checked"),
        description,
        inputs,
        zones,
        demand: chans,
        lvs,
        stations,
        satellites,
        sites,
        facilities,
        travel: travel_m,
        zone_sites: Vec::new(),
        zone_lvs: Vec::new(),
        choice,
        amk,
        ambulance,
        amb_stations,
        vehicles,
        hospitals,
        referral,
        incidents,
        place_points: Vec::new(),
        road_detour: detour,
        road_speed_kmh: speed,
        place_vehicles: Vec::new(),
        place_hospital: Vec::new(),
        travel_figures: TravelFigures {
            within_40: None,
            within_60: None,
            zone_mean_min: Vec::new(),
        },
    };
    scn.place_points = scn
        .zones
        .iter()
        .map(|z| (z.lat, z.lon))
        .chain(scn.facilities.iter().map(|f| (f.lat, f.lon)))
        .collect();
    scn.build_dispatch_tables();
    for z in 0..scn.zones.len() {
        let mut order: Vec<u16> = (0..n_sites as u16).collect();
        order.sort_by(|&a, &b| {
            let ta = scn.travel.minutes(z, scn.site_facility(a as usize));
            let tb = scn.travel.minutes(z, scn.site_facility(b as usize));
            ta.total_cmp(&tb).then(a.cmp(&b))
        });
        let lvs_z = order
            .iter()
            .find_map(|&s| match scn.sites[s as usize] {
                Site::Station(i) => Some(scn.stations[i].lvs),
                Site::Satellite(_) => None,
            })
            .flatten();
        scn.zone_sites.push(order);
        scn.zone_lvs.push(lvs_z);
    }
    scn.travel_figures = travel_figures(&scn);
    Ok(scn)
}
