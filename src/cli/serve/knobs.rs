//! The teaching page's knobs: what a model lets a class change (ambulances per station,
//! satellites open or closed, doctors on duty, demand growth, a doctor car), and how one set of
//! settings becomes an experiment variant — an overlay of the model, validated afterwards by the
//! experiment loader like any variant written in a file.

use crate::input::scenario::overlay::ModelTable;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most road or boat ambulances one station may be given on the page.
pub const MAX_AMBULANCES: u32 = 12;
/// Most doctors the page adds to a legevakt's rota while it is open.
pub const MAX_EXTRA_DOCTORS: u32 = 4;
/// Demand growth the page accepts [%].
pub const DEMAND_GROWTH_RANGE: (f64, f64) = (-50.0, 200.0);

/// An adjustable ambulance station: the count of its first vehicle entry.
#[derive(Debug, Clone, Serialize)]
pub struct StationKnob {
    /// Station name.
    pub name: String,
    /// "road" or "boat".
    pub kind: String,
    /// Vehicles of the first entry in the model.
    pub count: u32,
    /// The first entry's staffed hours, e.g. "all 00:00–24:00".
    pub hours: String,
    /// The station's other vehicle entries (left as they are).
    pub other_entries: usize,
}

/// A legevakt station whose rota the page can add doctors to.
#[derive(Debug, Clone, Serialize)]
pub struct LegevaktKnob {
    /// Station name.
    pub name: String,
    /// Opening hours, e.g. "mon-fri 16:00–08:00, sat-sun 08:00–08:00".
    pub open: String,
}

/// What a model lets the page change.
#[derive(Debug, Clone, Serialize)]
pub struct Knobs {
    /// Road and boat ambulance stations (air bases are not adjustable).
    pub stations: Vec<StationKnob>,
    /// Satellite legevakter (each can be closed).
    pub satellites: Vec<String>,
    /// Legevakt stations.
    pub legevakter: Vec<LegevaktKnob>,
    /// The model's own doctor cars (switching the car off removes them).
    pub doctor_cars: Vec<String>,
    /// Where a doctor car is added when the model has none: the first legevakt.
    pub doctor_car_at: Option<String>,
}

/// One set of choices on the page. Every field may be left out: the model as it is.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Road or boat ambulances of a station's first vehicle entry, by station name (0 removes
    /// the entry; a station with no other entry closes).
    #[serde(default)]
    pub ambulances: BTreeMap<String, u32>,
    /// Satellites closed.
    #[serde(default)]
    pub satellites_closed: BTreeSet<String>,
    /// Doctors added to a legevakt's rota for all its opening hours, by station name.
    #[serde(default)]
    pub extra_doctors: BTreeMap<String, u32>,
    /// Growth of both demand channels [%].
    #[serde(default)]
    pub demand_growth_percent: f64,
    /// A doctor car on duty: `None` = as the model; `Some(false)` removes the model's cars,
    /// `Some(true)` adds one at the first legevakt when the model has none.
    #[serde(default)]
    pub doctor_car: Option<bool>,
}

/// The array of tables at `key` (empty when absent).
fn tables<'a>(t: &'a toml::Table, key: &str) -> Vec<&'a toml::Table> {
    t.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|e| e.as_table()).collect())
        .unwrap_or_default()
}

/// The entry named `name` of the array of tables at `key`.
fn named_table<'a>(t: &'a toml::Table, key: &str, name: &str) -> Option<&'a toml::Table> {
    tables(t, key)
        .into_iter()
        .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(name))
}

fn name_of(t: &toml::Table) -> Option<String> {
    t.get("name").and_then(|n| n.as_str()).map(str::to_string)
}

/// Shifts as one line: "mon-fri 16:00–08:00, sat-sun 08:00–08:00".
fn shifts_text(v: Option<&toml::Value>) -> String {
    let Some(a) = v.and_then(|v| v.as_array()) else {
        return "all 00:00–24:00".into();
    };
    a.iter()
        .filter_map(|s| s.as_table())
        .map(|s| {
            let f = |k: &str| s.get(k).and_then(|v| v.as_str()).unwrap_or("?");
            format!("{} {}–{}", f("days"), f("from"), f("to"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Knobs {
    /// The knobs of a resolved model table.
    pub fn of(m: &ModelTable) -> Knobs {
        let t = &m.table;
        let stations = tables(t, "ambulance_stations")
            .into_iter()
            .filter_map(|s| {
                let vehicles = s.get("vehicles")?.as_array()?;
                let first = vehicles.first()?.as_table()?;
                let kind = first.get("kind")?.as_str()?;
                (kind == "road" || kind == "boat").then(|| StationKnob {
                    name: name_of(s).unwrap_or_default(),
                    kind: kind.to_string(),
                    count: first
                        .get("count")
                        .and_then(|c| c.as_integer())
                        .map_or(1, |c| c.clamp(0, i64::from(u32::MAX)) as u32),
                    hours: shifts_text(first.get("staffed")),
                    other_entries: vehicles.len() - 1,
                })
            })
            .collect();
        let legevakter: Vec<LegevaktKnob> = tables(t, "legevakt")
            .into_iter()
            .filter_map(|l| {
                Some(LegevaktKnob {
                    name: name_of(l)?,
                    open: shifts_text(l.get("open")),
                })
            })
            .collect();
        let doctor_cars: Vec<String> = tables(t, "doctor_cars")
            .into_iter()
            .filter_map(name_of)
            .collect();
        Knobs {
            stations,
            satellites: tables(t, "satellites")
                .into_iter()
                .filter_map(name_of)
                .collect(),
            doctor_car_at: legevakter.first().map(|l| l.name.clone()),
            legevakter,
            doctor_cars,
        }
    }

    /// The most ambulances the page gives a station: [`MAX_AMBULANCES`], or the model's count
    /// when it has more (a big city station keeps its fleet).
    pub fn max_ambulances(&self, station: &str) -> u32 {
        self.stations
            .iter()
            .find(|k| k.name == station)
            .map_or(MAX_AMBULANCES, |k| k.count.max(MAX_AMBULANCES))
    }

    /// Check settings against the model's knobs: every name exists, every number in range. The
    /// message names the field and the fix.
    pub fn check(&self, s: &Settings, at: &str) -> Result<(), String> {
        let list = |names: Vec<&str>| {
            if names.is_empty() {
                "the model has none".to_string()
            } else {
                format!("use one of: {}", names.join(", "))
            }
        };
        for (name, &n) in &s.ambulances {
            if !self.stations.iter().any(|k| &k.name == name) {
                return Err(format!(
                    "{at}.ambulances: no road or boat ambulance station \"{name}\" — {}",
                    list(self.stations.iter().map(|k| k.name.as_str()).collect())
                ));
            }
            let max = self.max_ambulances(name);
            if n > max {
                return Err(format!(
                    "{at}.ambulances[\"{name}\"] = {n} — give from 0 to {max}"
                ));
            }
        }
        for name in &s.satellites_closed {
            if !self.satellites.contains(name) {
                return Err(format!(
                    "{at}.satellites_closed: no satellite \"{name}\" — {}",
                    list(self.satellites.iter().map(String::as_str).collect())
                ));
            }
        }
        for (name, &n) in &s.extra_doctors {
            if !self.legevakter.iter().any(|k| &k.name == name) {
                return Err(format!(
                    "{at}.extra_doctors: no legevakt \"{name}\" — {}",
                    list(self.legevakter.iter().map(|k| k.name.as_str()).collect())
                ));
            }
            if n > MAX_EXTRA_DOCTORS {
                return Err(format!(
                    "{at}.extra_doctors[\"{name}\"] = {n} — give from 0 to {MAX_EXTRA_DOCTORS}"
                ));
            }
        }
        let g = s.demand_growth_percent;
        let (lo, hi) = DEMAND_GROWTH_RANGE;
        if !(lo..=hi).contains(&g) {
            return Err(format!(
                "{at}.demand_growth_percent = {g} — give from {lo} to {hi} (per cent)"
            ));
        }
        if s.doctor_car == Some(true) && self.doctor_cars.is_empty() && self.doctor_car_at.is_none()
        {
            return Err(format!(
                "{at}.doctor_car: the model has no legevakt to base a doctor car at — leave it off"
            ));
        }
        Ok(())
    }

    /// The experiment variant of these settings (checked with [`Knobs::check`] first): a
    /// table as a `[[variants]]` entry of an experiment file.
    pub fn variant(&self, m: &ModelTable, name: &str, s: &Settings) -> toml::Table {
        let mut over = toml::Table::new();
        let stations: Vec<toml::Value> = s
            .ambulances
            .iter()
            .filter_map(|(station, &n)| {
                let st = named_table(&m.table, "ambulance_stations", station)?;
                let mut vehicles = st.get("vehicles")?.as_array()?.clone();
                if n == 0 && vehicles.len() == 1 {
                    // no vehicle left: the station closes
                    return Some(named(station, [("remove", toml::Value::Boolean(true))]));
                }
                if n == 0 {
                    vehicles.remove(0);
                } else {
                    let first = vehicles.first_mut()?.as_table_mut()?;
                    first.insert("count".into(), toml::Value::Integer(i64::from(n)));
                }
                Some(named(station, [("vehicles", toml::Value::Array(vehicles))]))
            })
            .collect();
        if !stations.is_empty() {
            over.insert("ambulance_stations".into(), stations.into());
        }
        let satellites: Vec<toml::Value> = s
            .satellites_closed
            .iter()
            .map(|n| named(n, [("remove", toml::Value::Boolean(true))]))
            .collect();
        if !satellites.is_empty() {
            over.insert("satellites".into(), satellites.into());
        }
        let legevakter: Vec<toml::Value> = s
            .extra_doctors
            .iter()
            .filter(|(_, n)| **n > 0)
            .filter_map(|(lv, &n)| {
                let t = named_table(&m.table, "legevakt", lv)?;
                let mut doctors = t.get("doctors")?.as_array()?.clone();
                for shift in t.get("open")?.as_array()? {
                    let mut shift = shift.as_table()?.clone();
                    shift.insert("count".into(), toml::Value::Integer(i64::from(n)));
                    doctors.push(shift.into());
                }
                Some(named(lv, [("doctors", toml::Value::Array(doctors))]))
            })
            .collect();
        if !legevakter.is_empty() {
            over.insert("legevakt".into(), legevakter.into());
        }
        match s.doctor_car {
            Some(false) if !self.doctor_cars.is_empty() => {
                let cars: Vec<toml::Value> = self
                    .doctor_cars
                    .iter()
                    .map(|n| named(n, [("remove", toml::Value::Boolean(true))]))
                    .collect();
                over.insert("doctor_cars".into(), cars.into());
            }
            Some(true) if self.doctor_cars.is_empty() => {
                if let Some(car) = self.added_doctor_car(m) {
                    over.insert("doctor_cars".into(), vec![car].into());
                }
            }
            _ => {}
        }
        let mut v = toml::Table::new();
        v.insert("name".into(), name.into());
        if !over.is_empty() {
            v.insert("overrides".into(), over.into());
        }
        if s.demand_growth_percent != 0.0 {
            v.insert(
                "demand_growth_percent".into(),
                s.demand_growth_percent.into(),
            );
        }
        v
    }

    /// The doctor car the page adds to a model without one: at the first legevakt, in its
    /// opening hours, with the settings of the shipped doctor-car models (the Moss model,
    /// Meld. St. 23 (2024–2025) box 4.10; own doctor, 30 min service radius, 70 % of yellow
    /// missions accepted, 40 min on scene and the 60 / 25 / 15 outcome are the A6
    /// assumptions of `models/romsdal-doctor-car.toml`).
    fn added_doctor_car(&self, m: &ModelTable) -> Option<toml::Value> {
        let at = self.doctor_car_at.as_ref()?;
        let lv = named_table(&m.table, "legevakt", at)?;
        let text = format!(
            r#"name = "{at} legevaktbil"
station = "{at}"
own_doctor = true
max_drive_min = 30.0
accept_share = 0.7
yellow = true
red_callouts = true
on_scene_min = {{ dist = "lognormal", median = 40.0, sigma = 0.3 }}
outcome = {{ home = 0.6, hospital = 0.25, legevakt = 0.15 }}
"#,
            at = at.replace('\\', "\\\\").replace('"', "\\\"")
        );
        let mut car: toml::Table = toml::from_str(&text).ok()?;
        car.insert("hours".into(), lv.get("open")?.clone());
        Some(car.into())
    }
}

/// `{ name = "…", key = value, … }`.
fn named<const N: usize>(name: &str, fields: [(&str, toml::Value); N]) -> toml::Value {
    let mut t = toml::Table::new();
    t.insert("name".into(), name.into());
    for (k, v) in fields {
        t.insert(k.into(), v);
    }
    t.into()
}
