//! `akuttsim region`: a complete, editable model for any set of kommuner, built from the
//! facility tables in `models/data/norway/` (see its README for their sources and gaps).
//!
//! What the tables hold is taken as it is, each entry citing its table row; what they lack is
//! filled by a rule and labelled `[assumption]` in the file, and every such rule is returned so
//! the command can print it:
//!
//! * zones: every delområde of the kommuner, with population points; urban = every zone of a
//!   tettbygd kommune (Helsedirektoratet's rule, `tettbygd_kommuner.csv`);
//! * legevakt: the stations of `legevakt.csv` whose host kommune or listed members are among the
//!   kommuner, each with the kommuner it serves as its district; a kommune served by none gets one
//!   at its own point \[assumption\]; hours, doctors and times \[assumption\] unless the table says 24 h;
//! * one legevaktsentral for the area, nurses sized for ≈ 570 call attempts per 1000 \[assumption\];
//! * the AMK that `amk_kommuner.csv` gives most of the area's people, operators sized for the
//!   area's share \[assumption\];
//! * hospitals: every akuttmottak of `hospitals.csv` in the kommuner, and the nearest outside
//!   (two when the kommuner have none: transfers go between hospitals);
//! * helicopters: the HEMS bases of `air_bases.csv` within 200 km of one of the kommuner;
//! * ambulance stations from `ambulance_stations.csv` in the kommuner; a kommune with none gets
//!   ⌈population / 30,000⌉ 24-h cars at its point \[assumption\].

use anyhow::Context;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::input::tables::ZoneRow;
use crate::input::travel::great_circle_km;

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One line of text for a comment (no line breaks, at most `n` characters).
fn short(s: &str, n: usize) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[derive(Clone, Deserialize)]
struct KommuneRow {
    kommune_no: String,
    kommune_name: String,
    population_2025: f64,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct LegevaktRow {
    name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    host_kommune_no: String,
    member_kommuner: String,
    opening_hours: String,
    source: String,
    confidence: String,
}

#[derive(Deserialize)]
struct HospitalRow {
    name: String,
    kommune_no: String,
    lat: f64,
    lon: f64,
    has_akuttmottak: String,
    level: String,
    source: String,
}

#[derive(Deserialize)]
struct AmkRow {
    name: String,
    lat: Option<f64>,
    lon: Option<f64>,
    source: String,
}

#[derive(Deserialize)]
struct AirRow {
    kind: String,
    name: String,
    lat: f64,
    lon: f64,
    source: String,
}

#[derive(Deserialize)]
struct StationRow {
    station: String,
    kommune_no: String,
    lat: f64,
    lon: f64,
    cars: String,
    staffing: String,
    boat: String,
    source: String,
    confidence: String,
}

#[derive(Deserialize)]
struct AmkKommuneRow {
    kommune_no: String,
    amk: String,
    confidence: String,
}

#[derive(Deserialize)]
struct TettbygdRow {
    kommune_no: String,
}

fn read<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> anyhow::Result<Vec<T>> {
    let p = dir.join(file);
    let mut r =
        csv::Reader::from_path(&p).with_context(|| format!("cannot read {}", p.display()))?;
    r.deserialize()
        .collect::<Result<Vec<T>, _>>()
        .with_context(|| format!("{}: unexpected columns or values", p.display()))
}

/// A bad `--kommuner` list, with the fix.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadKommuner(pub String);

/// The generated model: its text and the assumptions it had to make.
pub struct Generated {
    /// The TOML file.
    pub toml: String,
    /// One line per assumption (also labelled in the file).
    pub assumptions: Vec<String>,
    /// Counts for the console: (zones, legevakt stations, ambulance stations, hospitals).
    pub counts: (usize, usize, usize, usize),
}

/// Check a `--kommuner` list against the kommune table: 4-digit numbers, known, each once.
pub fn parse_kommuner(list: &str, data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let known: Vec<KommuneRow> = read(data_dir, "kommuner_2025.csv")?;
    let names: BTreeMap<&str, &str> = known
        .iter()
        .map(|k| (k.kommune_no.as_str(), k.kommune_name.as_str()))
        .collect();
    let items: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(BadKommuner(
            "--kommuner is empty — give 4-digit kommune numbers (2024), e.g. --kommuner 1505,1554,1560,1557"
                .into(),
        )
        .into());
    }
    let mut seen = BTreeSet::new();
    for k in &items {
        if !names.contains_key(k) {
            return Err(BadKommuner(format!(
                "--kommuner: \"{k}\" is not a kommune number of 2024 — the numbers are in models/data/norway/kommuner_2025.csv (e.g. 1505 Kristiansund)"
            ))
            .into());
        }
        if !seen.insert(*k) {
            return Err(BadKommuner(format!(
                "--kommuner: {k} ({}) is given twice — list each kommune once",
                names[k]
            ))
            .into());
        }
    }
    Ok(items.into_iter().map(String::from).collect())
}

/// A legevakt of the table serves a kommune if it is its host or names it among its members.
fn serves(l: &LegevaktRow, k: &KommuneRow) -> bool {
    l.host_kommune_no == k.kommune_no
        || l.member_kommuner
            .split([';', ',', '('])
            .any(|m| m.trim().eq_ignore_ascii_case(&k.kommune_name))
}

/// Erlang C: P(wait > t) for c servers, arrival rate `lam`, service rate `mu` (same time unit).
fn erlang_c_wait_over(c: u32, lam: f64, mu: f64, t: f64) -> f64 {
    let a = lam / mu;
    if a >= f64::from(c) {
        return 1.0;
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / f64::from(k);
        sum += term;
    }
    let last = term * a / f64::from(c) * f64::from(c) / (f64::from(c) - a);
    let pw = last / (sum + last);
    pw * (-(f64::from(c) * mu - lam) * t).exp()
}

/// The fewest servers with P(wait > t) ≤ `p` at arrival rate `lam` (at least 1).
fn servers_for(lam: f64, mu: f64, t: f64, p: f64) -> u32 {
    (1..200)
        .find(|&c| erlang_c_wait_over(c, lam, mu, t) <= p)
        .unwrap_or(200)
}

/// The kommuner of the model and the tables it is built from.
struct Area {
    kommuner: Vec<String>,
    sel: Vec<KommuneRow>,
    pop: f64,
    clat: f64,
    clon: f64,
    zones: Vec<ZoneRow>,
    tett: BTreeSet<String>,
    legevakter: Vec<LegevaktRow>,
    hospitals: Vec<HospitalRow>,
    amks: Vec<AmkRow>,
    air: Vec<AirRow>,
    stations: Vec<StationRow>,
    amk_of: Vec<AmkKommuneRow>,
    models_rel: String,
    /// The legevaktsentral of the area, or the prefix of one per AMK area (see [`Area::lvs_of`]).
    lvs_name: String,
    /// Do the kommuner belong to more than one AMK area (`amk_kommuner.csv`)?
    several_amk_areas: bool,
    /// Zone id → the name the zone gets when the model loads (see [`zone_names`]).
    names: BTreeMap<String, String>,
}

impl Area {
    fn in_sel(&self, k: &str) -> bool {
        self.kommuner.iter().any(|x| x == k)
    }
    fn d(&self, p: &str) -> String {
        format!("{}{p}", self.models_rel)
    }
    fn list(&self, v: &[String]) -> String {
        v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    }
    /// The AMK area of a kommune (`amk_kommuner.csv`), if the table has it.
    fn amk_area(&self, k: &str) -> Option<&str> {
        self.amk_of
            .iter()
            .find(|r| r.kommune_no == k)
            .map(|r| r.amk.as_str())
    }
    /// The legevaktsentral answering kommune `k`: the area's one, or where the kommuner belong
    /// to several AMK areas, one per AMK area ("… legevaktsentral (AMK Bergen area)").
    fn lvs_of(&self, k: &str) -> String {
        match self.amk_area(k) {
            Some(amk) if self.several_amk_areas => format!("{} ({amk} area)", self.lvs_name),
            _ => self.lvs_name.clone(),
        }
    }
    /// The legevakt of `legevakter` (with a point) that serves kommune `k`, if any: its district.
    fn legevakt_of(&self, k: &KommuneRow) -> Option<usize> {
        self.legevakter
            .iter()
            .position(|l| l.lat.is_some() && l.lon.is_some() && serves(l, k))
    }
    /// The legevakt districts: each table legevakt that serves some of the kommuner, with them
    /// (in the kommuner' order), and the kommuner no legevakt of the table serves.
    fn districts(&self) -> (BTreeMap<usize, Vec<&KommuneRow>>, Vec<&KommuneRow>) {
        let mut district: BTreeMap<usize, Vec<&KommuneRow>> = BTreeMap::new();
        let mut orphans = Vec::new();
        for k in &self.sel {
            match self.legevakt_of(k) {
                Some(i) => district.entry(i).or_default().push(k),
                None => orphans.push(k),
            }
        }
        (district, orphans)
    }
    /// Each legevaktsentral with the inhabitants of the kommuner it answers: a district goes
    /// to the centre of its first kommune, as [`legevakt_section`] writes it.
    fn lvs_populations(&self) -> BTreeMap<String, f64> {
        let (district, orphans) = self.districts();
        let mut m = BTreeMap::new();
        for ks in district
            .values()
            .map(Vec::as_slice)
            .chain(orphans.chunks(1))
        {
            *m.entry(self.lvs_of(&ks[0].kommune_no)).or_default() +=
                ks.iter().map(|k| k.population_2025).sum::<f64>();
        }
        m
    }
}

/// The name each selected zone gets when the model loads: "Kommune: Delområde", with the zone
/// id added where two selected rows share that name (the bydel splits of the big cities).
fn zone_names(zones: &[ZoneRow], kommuner: &[String]) -> BTreeMap<String, String> {
    let sel: Vec<&ZoneRow> = zones
        .iter()
        .filter(|z| kommuner.contains(&z.kommune_no))
        .collect();
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for z in &sel {
        *count.entry(z.zone_name()).or_default() += 1;
    }
    sel.iter()
        .map(|z| {
            let n = z.zone_name();
            let n = if count[&n] > 1 {
                format!("{n} ({})", z.zone_id)
            } else {
                n
            };
            (z.zone_id.clone(), n)
        })
        .collect()
}

/// One `[[ambulance_stations]]` entry: name (with its comment), point and vehicles.
fn station_entry(
    o: &mut Out,
    name: &str,
    comment: &str,
    (lat, lon): (f64, f64),
    vehicles: &str,
) -> std::fmt::Result {
    writeln!(o.body, "\n[[ambulance_stations]]")?;
    writeln!(o.body, "name = {}   # {comment}", q(name))?;
    writeln!(o.body, "lat = {lat}\nlon = {lon}")?;
    writeln!(o.body, "vehicles = {vehicles}")
}

/// What the sections write: the model's body, the assumptions made and the facility counts.
#[derive(Default)]
struct Out {
    body: String,
    assumptions: Vec<String>,
    /// Facilities from a table row (each has some detail set by rule: hours, staffing or
    /// capacity).
    tabled: u32,
    /// Facilities placed by a rule where the tables have no row.
    placed: u32,
}

/// Zones: every delområde of the kommuner, urban = the tettbygd kommuner' zones.
fn zones_section(a: &Area, o: &mut Out) -> anyhow::Result<usize> {
    let urban: Vec<String> = a
        .zones
        .iter()
        .filter(|z| a.in_sel(&z.kommune_no) && a.tett.contains(&z.kommune_no))
        .map(|z| a.names[&z.zone_id].clone())
        .collect();
    let n_zones = a.zones.iter().filter(|z| a.in_sel(&z.kommune_no)).count();
    writeln!(
        o.body,
        "# ---- zones: every delområde of the {} kommuner ({:.0} inhabitants, 1 Jan 2025, [SSB-04317]) ----",
        a.sel.len(),
        a.pop
    )?;
    writeln!(o.body, "[[zone_sources]]")?;
    writeln!(
        o.body,
        "csv = {}",
        q(&a.d("data/norway/delomraader_2025.csv"))
    )?;
    writeln!(
        o.body,
        "points_csv = {}   # population points, SSB 250 m grid 2022 ([SSB-Grid-2022])",
        q(&a.d("data/norway/delomraade_points_2025.csv"))
    )?;
    writeln!(
        o.body,
        "kommuner = [{}]   # {}",
        a.list(&a.kommuner),
        a.sel
            .iter()
            .map(|k| k.kommune_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if !urban.is_empty() {
        writeln!(
            o.body,
            "# urban: every zone of a tettbygd kommune (Helsedirektoratet's rule, tettbygd_kommuner.csv, [Tettbygd-2024]) [assumption: the town's own delområder are not known]"
        )?;
        writeln!(o.body, "urban = [{}]", a.list(&urban))?;
        o.assumptions.push(format!(
            "urban zones: all {} zones of the tettbygd kommuner (the town's own delområder are not in the tables)",
            urban.len()
        ));
    }

    Ok(n_zones)
}

/// Legevakt stations with their districts.
fn legevakt_section(a: &Area, o: &mut Out) -> anyhow::Result<usize> {
    writeln!(
        o.body,
        "\n# ---- legevakt stations (legevakt.csv; districts by the kommuner each serves) ----"
    )?;
    let (district, orphans) = a.districts();
    let default_open = "[{ days = \"mon-fri\", from = \"16:00\", to = \"08:00\" }, { days = \"sat-sun\", from = \"08:00\", to = \"08:00\" }]";
    let all_day = "[{ days = \"all\", from = \"00:00\", to = \"24:00\" }]";
    let station_block = |b: &mut String,
                         name: &str,
                         lat: f64,
                         lon: f64,
                         open: &str,
                         ks: &[&KommuneRow],
                         cite: &str|
     -> std::fmt::Result {
        let pop: f64 = ks.iter().map(|k| k.population_2025).sum();
        let doctors = doctors_for(pop);
        writeln!(b, "\n[[legevakt]]")?;
        writeln!(b, "name = {}   # {cite}", q(name))?;
        writeln!(b, "lat = {lat}\nlon = {lon}")?;
        writeln!(b, "legevaktsentral = {}", q(&a.lvs_of(&ks[0].kommune_no)))?;
        writeln!(
            b,
            "kommuner = [{}]",
            ks.iter()
                .map(|k| q(&k.kommune_no))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        writeln!(b, "open = {open}")?;
        writeln!(
            b,
            "doctors = {}   # whenever open, sized for the district's {pop:.0} inhabitants [assumption]",
            open.replace(" }", &format!(", count = {doctors} }}"))
        )?;
        writeln!(
            b,
            "consultation_time_min = {{ dist = \"lognormal\", mean = 17.5, sd = 8.0 }}   # 15–20 min [assumption]"
        )?;
        writeln!(
            b,
            "home_visit_time_min = {{ dist = \"lognormal\", mean = 30.0, sd = 10.0 }}      # [assumption]"
        )
    };
    let mut n_legevakt = 0;
    for (i, ks) in &district {
        let l = &a.legevakter[*i];
        let open = if l.opening_hours.contains("24 h") && !l.opening_hours.contains("weekend") {
            all_day
        } else {
            default_open
        };
        let cite = format!(
            "legevakt.csv row {} ({} confidence): {}",
            i + 2,
            l.confidence,
            short(&l.source, 90)
        );
        station_block(
            &mut o.body,
            &l.name,
            l.lat.unwrap_or(0.0),
            l.lon.unwrap_or(0.0),
            open,
            ks,
            &cite,
        )?;
        o.tabled += 1;
        n_legevakt += 1;
        // The table's hours are the usual pattern (weekday evenings and nights, weekends 24 h)
        // when it says so; only a station with no or other hours gets the rule.
        let h = l.opening_hours.to_lowercase();
        let usual = h.contains("24 h") && h.contains("weekend");
        if open == default_open && !usual {
            o.assumptions.push(format!(
                "{}: open weekdays 16–08 and weekends 24 h (the table gives \"{}\")",
                l.name,
                short(&l.opening_hours, 60)
            ));
        }
    }
    for k in &orphans {
        let n = format!("{} legevakt", k.kommune_name);
        station_block(
            &mut o.body,
            &n,
            k.lat,
            k.lon,
            default_open,
            std::slice::from_ref(k),
            "[assumption]: no legevakt of legevakt.csv serves this kommune; one at the kommune's point",
        )?;
        o.placed += 1;
        n_legevakt += 1;
        o.assumptions.push(format!(
            "{n}: no legevakt in the table serves {} — one at the kommune's point, weekdays 16–08 and weekends 24 h",
            k.kommune_name
        ));
    }
    o.assumptions.push(
        "every legevakt: doctors whenever open sized for its district (Erlang C: ≈ 165 consultations and home visits per 1000 a year, the busiest hour at 2.5 × the mean, P(wait > 30 min) ≤ 20 %), consultation 17.5 min, home visit 30 min".into(),
    );

    Ok(n_legevakt)
}

/// Legevakt doctors on duty for a district of `pop` inhabitants \[assumption\]: ≈ 165
/// consultations and home visits per 1000 a year (Vakttårn 2023: 330 contacts per 1000, 47.9 %
/// doctor consultations, 1.4 % home visits), the busiest hour at 2.5 × the mean rate, 17.5-min
/// consultations, P(wait > 30 min) ≤ 20 % in that hour (Erlang C); at least one.
fn doctors_for(pop: f64) -> u32 {
    let peak_per_min = pop * 165.0 / 1000.0 / (365.0 * 24.0 * 60.0) * 2.5;
    servers_for(peak_per_min, 1.0 / 17.5, 30.0, 0.2)
}

/// The legevaktsentraler: one for the area, or one per AMK area when the kommuner belong to
/// several (the tables do not say which centre answers; see [`Area::lvs_of`]).
fn lvs_section(a: &Area, o: &mut Out) -> anyhow::Result<()> {
    writeln!(
        o.body,
        "\n# ---- legevaktsentral (116117) [assumption: the tables do not say which centre answers; one per AMK area of the kommuner] ----"
    )?;
    for (name, pop) in a.lvs_populations() {
        lvs_entry(o, &name, pop)?;
    }
    Ok(())
}

/// One `[[legevaktsentral]]` for `pop` inhabitants.
fn lvs_entry(o: &mut Out, name: &str, pop: f64) -> anyhow::Result<()> {
    // ≈ 570 call attempts per 1000 a year; the busiest hour carries ≈ 2.5 × the mean rate; 7.8-min
    // calls; ≥ 80 % answered within 2 min in that hour (Erlang C).
    let peak_per_min = pop * 570.0 / 1000.0 / (365.0 * 24.0 * 60.0) * 2.5;
    let nurses = servers_for(peak_per_min, 1.0 / 7.8, 2.0, 0.2);
    let night = servers_for(peak_per_min / 4.0, 1.0 / 7.8, 2.0, 0.2);
    writeln!(
        o.body,
        "\n# Nurses [assumption]: Erlang C for ≈ 570 call attempts per 1000 a year ([Hdir-Svartid116117-2023]) from {pop:.0} inhabitants, the busiest hour at 2.5 × the mean rate, 7.8-min calls ([Mohammed2012]), 80 % within 2 min: {nurses} 08–23, {night} at night."
    )?;
    writeln!(o.body, "[[legevaktsentral]]\nname = {}", q(name))?;
    o.placed += 1;
    writeln!(
        o.body,
        "nurses = [{{ days = \"all\", from = \"08:00\", to = \"23:00\", count = {nurses} }}, {{ days = \"all\", from = \"23:00\", to = \"08:00\", count = {night} }}]"
    )?;
    writeln!(
        o.body,
        "handling_time_min = {{ dist = \"lognormal\", mean = 7.8, sd = 4.8 }}   # UK OOH proxy ([Mohammed2012])"
    )?;
    writeln!(
        o.body,
        "abandonment = {{ patience_min = {{ dist = \"exponential\", mean = 25.0 }}, redial_share = 0.7, redial_after_min = {{ dist = \"lognormal\", median = 3.0, sigma = 0.5 }} }}   # as the whole-area models [assumption]"
    )?;
    writeln!(
        o.body,
        "other_calls_per_1000_per_year = 235.0   # calls without a new need: the mean of the two whole-area models' fitted values [assumption]"
    )?;
    writeln!(
        o.body,
        "[legevaktsentral.disposition]   # Vakttårn 2023 first actions raked onto Hansen et al. 2009 ([NKLM-Vakttarn-2023], [Hansen2009]), as models/more-og-romsdal.toml"
    )?;
    writeln!(
        o.body,
        "red    = {{ advice = 0.2438, legevakt = 0.2808, home_visit = 0.0140, forward_113 = 0.4614 }}"
    )?;
    writeln!(
        o.body,
        "yellow = {{ advice = 0.2490, legevakt = 0.6927, home_visit = 0.0328, forward_113 = 0.0255 }}"
    )?;
    writeln!(
        o.body,
        "green  = {{ advice = 0.5638, legevakt = 0.4261, home_visit = 0.0088, forward_113 = 0.0013 }}"
    )?;
    o.assumptions.push(format!(
        "{name}: {nurses} nurses 08–23 and {night} at night for {pop:.0} inhabitants (Erlang C), patience and calls without a new need as the whole-area models"
    ));

    Ok(())
}

/// Operators (08–23, night) for `pop` inhabitants [assumption]: ≈ 140 113-attempts per 1000 a
/// year at ≈ 7.3 operator-min and 783 other-line calls at 1.5 min; the busiest hour 1.5 × the
/// mean (night a third of it); ≥ 90 % answered within 10 s (Erlang C).
fn operators_for(pop: f64) -> (u32, u32) {
    let lam = pop / 1000.0 / (365.0 * 24.0 * 60.0) * 1.5 * (140.0 + 783.0);
    let mean_min = (140.0 * 7.3 + 783.0 * 1.5) / (140.0 + 783.0);
    (
        servers_for(lam, 1.0 / mean_min, 10.0 / 60.0, 0.1).max(1),
        servers_for(lam / 3.0, 1.0 / mean_min, 10.0 / 60.0, 0.1).max(1),
    )
}

/// The AMK of the area's kommuner, and further centres for kommuner of other AMK areas.
fn amk_section(a: &Area, o: &mut Out) -> anyhow::Result<()> {
    // The AMK that amk_kommuner.csv gives most of the area's people; else the nearest.
    let mut by_amk: BTreeMap<&str, f64> = BTreeMap::new();
    for k in &a.sel {
        if let Some(r) = a.amk_of.iter().find(|r| r.kommune_no == k.kommune_no) {
            *by_amk.entry(r.amk.as_str()).or_default() += k.population_2025;
        }
    }
    let main = by_amk
        .iter()
        .max_by(|x, y| x.1.total_cmp(y.1).then(y.0.cmp(x.0)))
        .and_then(|(n, _)| a.amks.iter().find(|c| c.name == *n));
    let amk = match main {
        Some(c) => Some((
            c.lat
                .zip(c.lon)
                .map_or(0.0, |(la, lo)| great_circle_km(a.clat, a.clon, la, lo)),
            c,
        )),
        None => a
            .amks
            .iter()
            .filter_map(|c| Some((great_circle_km(a.clat, a.clon, c.lat?, c.lon?), c)))
            .min_by(|a, b| a.0.total_cmp(&b.0)),
    };
    let low: Vec<&str> = a
        .amk_of
        .iter()
        .filter(|r| a.in_sel(&r.kommune_no) && r.confidence == "low")
        .map(|r| r.kommune_no.as_str())
        .collect();
    if !low.is_empty() {
        o.assumptions.push(format!(
            "AMK area of kommune(s) {} is low-confidence in amk_kommuner.csv",
            low.join(", ")
        ));
    }
    let main_name = amk.map_or("AMK", |(_, c)| c.name.as_str());
    let main_pop = by_amk.get(main_name).copied().unwrap_or(a.pop);
    let (ops, ops_night) = operators_for(main_pop);
    writeln!(o.body, "\n# ---- AMK (113) ----")?;
    match amk {
        Some((km, c)) => writeln!(
            o.body,
            "# The AMK of the area's kommuner (amk_kommuner.csv; centre {km:.0} km away): {} ({}). Only this area's calls are simulated.",
            c.name,
            short(&c.source, 80)
        )?,
        None => writeln!(o.body, "# No AMK with a point in amk.csv [assumption]")?,
    }
    writeln!(
        o.body,
        "# Operators [assumption]: this area's share of the centre, Erlang C for ≈ 140 113-calls (7.3 operator-min) and 783 other-line calls (1.5 min) per 1000 a year (as models/more-og-romsdal.toml), the busiest hour at 1.5 × the mean, 90 % within 10 s."
    )?;
    writeln!(o.body, "[amk]")?;
    if amk.is_some() {
        o.tabled += 1;
    } else {
        o.placed += 1;
    }
    writeln!(
        o.body,
        "name = {}",
        q(amk.map_or("AMK", |(_, c)| c.name.as_str()))
    )?;
    if let Some((_, c)) = amk
        && let (Some(la), Some(lo)) = (c.lat, c.lon)
    {
        writeln!(
            o.body,
            "lat = {la}\nlon = {lo}   # where the centre is (amk.csv; for the maps)"
        )?;
    }
    writeln!(
        o.body,
        "operators = [{{ days = \"all\", from = \"08:00\", to = \"23:00\", count = {ops} }}, {{ days = \"all\", from = \"23:00\", to = \"08:00\", count = {ops_night} }}]"
    )?;
    writeln!(
        o.body,
        "other_calls_per_1000_per_year = 783.0   # AMK Møre og Romsdal 2023 ([HMR-AMK], derived) [assumption for other centres]"
    )?;
    writeln!(
        o.body,
        "other_call_time_min = {{ dist = \"lognormal\", mean = 1.5, sd = 1.0 }}   # [assumption]"
    )?;
    o.assumptions.push(format!(
        "AMK: {ops} operators 08–23 and {ops_night} at night for this area's share (Erlang C); other lines at AMK Møre og Romsdal's rate"
    ));
    // Kommuner of other AMK areas call their own centre (amk_kommuner.csv).
    let others: Vec<(&str, f64)> = by_amk
        .iter()
        .filter(|(n, _)| **n != main_name)
        .map(|(n, p)| (*n, *p))
        .collect();
    if !others.is_empty() {
        writeln!(
            o.body,
            "# The kommuner of other AMK areas call their own centre (amk_kommuner.csv), operators as above:"
        )?;
        writeln!(o.body, "centres = [")?;
        for (n, p) in others {
            let (d, night) = operators_for(p);
            let ks: Vec<String> = a
                .amk_of
                .iter()
                .filter(|r| r.amk == n && a.in_sel(&r.kommune_no))
                .map(|r| r.kommune_no.clone())
                .collect();
            let at = a
                .amks
                .iter()
                .find(|c| c.name == n)
                .and_then(|c| Some(format!(", lat = {}, lon = {}", c.lat?, c.lon?)))
                .unwrap_or_default();
            writeln!(
                o.body,
                "  {{ name = {}{at}, operators = [{{ days = \"all\", from = \"08:00\", to = \"23:00\", count = {d} }}, {{ days = \"all\", from = \"23:00\", to = \"08:00\", count = {night} }}], kommuner = [{}] }},",
                q(n),
                a.list(&ks)
            )?;
            o.assumptions.push(format!(
                "{n}: {d} operators 08–23 and {night} at night for its {} kommune(s) here (Erlang C)",
                ks.len()
            ));
            o.tabled += 1;
        }
        writeln!(o.body, "]")?;
    }

    Ok(())
}

/// Ambulance stations and boats of the table; a car in each kommune without one.
fn stations_section(a: &Area, o: &mut Out) -> anyhow::Result<usize> {
    writeln!(
        o.body,
        "\n# ---- ambulance stations (ambulance_stations.csv) ----"
    )?;
    let mut n_stations = 0;
    let mut with_station = BTreeSet::new();
    for (i, s) in a.stations.iter().enumerate() {
        if !a.in_sel(&s.kommune_no) || s.cars.trim() == "0" || s.station.contains("CLOSED") {
            continue;
        }
        let boat = s.boat == "yes";
        let cars: u32 = s
            .cars
            .split_whitespace()
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or(1);
        let kind = if boat { "boat" } else { "road" };
        let extra = if boat {
            let zs: Vec<String> = a
                .zones
                .iter()
                .filter(|z| z.kommune_no == s.kommune_no)
                .map(|z| a.names[&z.zone_id].clone())
                .collect();
            format!(
                ", speed_kmh = 45.0, detour_factor = 1.3, zones = [{}]",
                a.list(&zs)
            )
        } else {
            String::new()
        };
        station_entry(
            o,
            &s.station,
            &format!(
                "ambulance_stations.csv row {} ({} confidence): {}",
                i + 2,
                s.confidence,
                short(&s.source, 80)
            ),
            (s.lat, s.lon),
            &format!(
                "[{{ kind = \"{kind}\", count = {cars}, staffed = [{{ days = \"all\", from = \"00:00\", to = \"24:00\" }}]{extra} }}]   # staffed around the clock [assumption unless the table says: \"{}\"]",
                short(&s.staffing, 50)
            ),
        )?;
        o.assumptions.push(format!(
            "{}: {cars} {kind} vehicle(s) staffed around the clock{}",
            s.station,
            if boat {
                ", serving its kommune's zones at 45 km/h"
            } else {
                ""
            }
        ));
        o.tabled += 1;
        n_stations += 1;
        if !boat {
            with_station.insert(s.kommune_no.clone());
        }
    }
    for k in &a.sel {
        if with_station.contains(&k.kommune_no) {
            continue;
        }
        // ⌈population / 30,000⌉ cars [assumption]: with the tabled stations about 460 cars for
        // Norway, against the 526 that drove the road missions of 2023 ([MeldSt23-2025]).
        let cars = (k.population_2025 / 30_000.0).ceil().max(1.0) as u32;
        station_entry(
            o,
            &format!("Ambulanse {}", k.kommune_name),
            "[assumption]: no station of ambulance_stations.csv in this kommune; ⌈population / 30,000⌉ 24-h cars at its point",
            (k.lat, k.lon),
            &format!(
                "[{{ kind = \"road\", count = {cars}, staffed = [{{ days = \"all\", from = \"00:00\", to = \"24:00\" }}] }}]"
            ),
        )?;
        o.assumptions.push(format!(
            "Ambulanse {}: no station in the table — {cars} 24-h car(s) at the kommune's point (⌈population / 30,000⌉)",
            k.kommune_name
        ));
        o.placed += 1;
        n_stations += 1;
    }

    Ok(n_stations)
}

/// Ambulance helicopters within 200 km of a kommune. The planes of `air_bases.csv` are left out:
/// they fly mostly transfers between hospitals, which the model gives to road ambulances, and
/// the air rule sends the nearest air unit, which near an airport would be a plane.
fn air_section(a: &Area, o: &mut Out) -> anyhow::Result<usize> {
    writeln!(
        o.body,
        "\n# ---- ambulance helicopters within 200 km of a kommune (air_bases.csv; the planes fly mostly transfers, not modelled); dispatch rule and speeds as the shipped models [assumption] ----"
    )?;
    let mut n = 0;
    for (i, b) in a.air.iter().enumerate() {
        // Within 200 km of one of the kommuner (not of the area's centre: a large area has
        // bases far from its middle).
        let near = a
            .sel
            .iter()
            .any(|k| great_circle_km(k.lat, k.lon, b.lat, b.lon) <= 200.0);
        if b.kind != "hems_helicopter" || !near {
            continue;
        }
        station_entry(
            o,
            &format!("Ambulansehelikopter {}", b.name),
            &format!("air_bases.csv row {}: {}", i + 2, short(&b.source, 80)),
            (b.lat, b.lon),
            "[{ kind = \"air\", staffed = [{ days = \"all\", from = \"00:00\", to = \"24:00\" }], speed_kmh = 240.0, activation_min = { dist = \"constant\", value = 9.0 }, on_scene_min = { dist = \"lognormal\", median = 10.0, sigma = 0.86 }, urgencies = [\"red\"], min_road_response_min = 30.0, availability_share = 0.8 }]   # [Heli-DemoConfig], [HEMS-OnScene-2017]",
        )?;
        o.tabled += 1;
        n += 1;
    }

    Ok(n)
}

/// Akuttmottak in the area and the nearest outside.
fn hospitals_section(a: &Area, o: &mut Out) -> anyhow::Result<usize> {
    writeln!(
        o.body,
        "\n# ---- hospitals with an akuttmottak (hospitals.csv): those in the kommuner and the nearest outside ----"
    )?;
    let mut acute: Vec<(f64, usize)> = a
        .hospitals
        .iter()
        .enumerate()
        .filter(|(_, h)| h.has_akuttmottak == "yes")
        .map(|(i, h)| (great_circle_km(a.clat, a.clon, h.lat, h.lon), i))
        .collect();
    acute.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut chosen: Vec<usize> = acute
        .iter()
        .filter(|(_, i)| a.in_sel(&a.hospitals[*i].kommune_no))
        .map(|x| x.1)
        .collect();
    // The nearest outside too, and a second one if the area has none (transfers need two).
    let need = if chosen.is_empty() {
        2
    } else {
        chosen.len() + 1
    };
    for &(_, i) in &acute {
        if chosen.len() >= need {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    // Each hospital's catchment: the kommuner nearest to it (by their points).
    let mut catchment = vec![0.0; chosen.len()];
    for k in &a.sel {
        let near = (0..chosen.len()).min_by(|&x, &y| {
            let d = |j: usize| {
                let h = &a.hospitals[chosen[j]];
                great_circle_km(k.lat, k.lon, h.lat, h.lon)
            };
            d(x).total_cmp(&d(y))
        });
        if let Some(j) = near {
            catchment[j] += k.population_2025;
        }
    }
    for (j, i) in chosen.iter().enumerate() {
        let h = &a.hospitals[*i];
        // 10 + ⌈catchment / 10,000⌉ bays [assumption]: no table gives ED bays.
        let bays = 10 + (catchment[j] / 10_000.0).ceil() as u32;
        writeln!(o.body, "\n[[hospitals]]")?;
        o.tabled += 1;
        writeln!(
            o.body,
            "name = {}   # hospitals.csv row {} ({}): {}",
            q(&h.name),
            i + 2,
            h.level,
            short(&h.source, 80)
        )?;
        writeln!(o.body, "lat = {}\nlon = {}", h.lat, h.lon)?;
        writeln!(
            o.body,
            "ed_bays = {bays}   # 10 + ⌈{:.0} inhabitants nearest / 10,000⌉ [assumption]",
            catchment[j]
        )?;
        writeln!(
            o.body,
            "ed_time_min = {{ dist = \"lognormal\", mean = 240.0, sd = 120.0 }}   # mean ≈ 4 h ([Akershus-ED-2019])"
        )?;
        writeln!(
            o.body,
            "admission_share = {{ red = 0.74, yellow = 0.67, green = 0.61 }}    # 61–74 % (2021, [Nummedal2024])"
        )?;
    }
    o.assumptions.push(
        "hospitals: 10 + ⌈population nearest / 10,000⌉ ED bays each (no table gives ED bays)"
            .into(),
    );

    Ok(chosen.len())
}

/// Write the model for `kommuner` (checked by [`parse_kommuner`]). `models_rel` is the path
/// from the output file's folder to `models/` ("" when the file is in `models/`).
pub fn region_toml(
    data_dir: &Path,
    models_rel: &str,
    kommuner: &[String],
    name: &str,
) -> anyhow::Result<Generated> {
    let all: Vec<KommuneRow> = read(data_dir, "kommuner_2025.csv")?;
    let sel: Vec<KommuneRow> = kommuner
        .iter()
        .filter_map(|k| all.iter().find(|r| &r.kommune_no == k).cloned())
        .collect();
    let pop: f64 = sel.iter().map(|k| k.population_2025).sum();
    let zones: Vec<ZoneRow> = read(data_dir, "delomraader_2025.csv")?;
    let mut a = Area {
        names: zone_names(&zones, kommuner),
        kommuner: kommuner.to_vec(),
        clat: sel.iter().map(|k| k.lat * k.population_2025).sum::<f64>() / pop,
        clon: sel.iter().map(|k| k.lon * k.population_2025).sum::<f64>() / pop,
        pop,
        sel,
        zones,
        tett: read::<TettbygdRow>(data_dir, "tettbygd_kommuner.csv")?
            .into_iter()
            .map(|r| r.kommune_no)
            .collect(),
        legevakter: read(data_dir, "legevakt.csv")?,
        hospitals: read(data_dir, "hospitals.csv")?,
        amks: read(data_dir, "amk.csv")?,
        air: read(data_dir, "air_bases.csv")?,
        stations: read(data_dir, "ambulance_stations.csv")?,
        amk_of: read(data_dir, "amk_kommuner.csv")?,
        models_rel: models_rel.to_string(),
        lvs_name: format!("{name} legevaktsentral"),
        several_amk_areas: false,
    };
    let areas: BTreeSet<Option<&str>> = a.sel.iter().map(|k| a.amk_area(&k.kommune_no)).collect();
    a.several_amk_areas = areas.len() > 1;
    let mut o = Out::default();
    let n_zones = zones_section(&a, &mut o)?;
    let n_legevakt = legevakt_section(&a, &mut o)?;
    lvs_section(&a, &mut o)?;
    amk_section(&a, &mut o)?;
    let n_stations = stations_section(&a, &mut o)? + air_section(&a, &mut o)?;
    let n_hospitals = hospitals_section(&a, &mut o)?;
    let (pop, sel) = (a.pop, &a.sel);
    let d = |p: &str| a.d(p);
    let mut t = String::new();
    writeln!(
        t,
        "# {name} — generated by `akuttsim region` from the tables in models/data/norway/ (their"
    )?;
    writeln!(
        t,
        "# sources and gaps: models/data/norway/README.md). Meant to be edited: every entry cites its table"
    )?;
    writeln!(
        t,
        "# row; what the tables lack is a rule marked [assumption]. National rates and times:"
    )?;
    writeln!(
        t,
        "# common/national-defaults.toml. Travel: the great-circle rule unless you add a matrix_csv."
    )?;
    writeln!(t, "#\n# Assumptions in this model:")?;
    for a in &o.assumptions {
        writeln!(t, "#  - {a}")?;
    }
    writeln!(t, "\nextends = {}", q(&d("common/national-defaults.toml")))?;
    writeln!(t, "name = {}", q(name))?;
    writeln!(
        t,
        "description = {}\n",
        q(&format!(
            "{} kommuner ({pop:.0} inhabitants): {} legevakt stations, {} ambulance stations, {} hospitals (generated).",
            sel.len(),
            n_legevakt,
            n_stations,
            n_hospitals
        ))
    )?;
    writeln!(
        t,
        "# What the tables gave and what a rule placed (the KPI output reports it; update it when you"
    )?;
    writeln!(
        t,
        "# replace assumed facilities with real ones, or remove it): every facility from a table has"
    )?;
    writeln!(
        t,
        "# some detail set by rule (hours, staffing or capacity)."
    )?;
    writeln!(
        t,
        "[generated]\nby = \"akuttsim region\"\nfacilities = {}\nplaced_by_rule = {}\nwith_assumed_details = {}",
        o.tabled + o.placed,
        o.placed,
        o.tabled
    )?;
    t.push_str(&o.body);
    Ok(Generated {
        toml: t,
        assumptions: o.assumptions,
        counts: (n_zones, n_legevakt, n_stations, n_hospitals),
    })
}

/// Every kommune of the kommune table (`kommuner_2025.csv`), in its order: the national model.
pub fn all_kommuner(data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let rows: Vec<KommuneRow> = read(data_dir, "kommuner_2025.csv")?;
    Ok(rows.into_iter().map(|r| r.kommune_no).collect())
}

/// The kommuner of an AMK area (`amk_kommuner.csv`), by the centre's name as in `amk.csv` or
/// its beginning ("AMK Førde", "AMK Oslo").
pub fn amk_kommuner(amk: &str, data_dir: &Path) -> anyhow::Result<Vec<String>> {
    let rows: Vec<AmkKommuneRow> = read(data_dir, "amk_kommuner.csv")?;
    let names: BTreeSet<&str> = rows.iter().map(|r| r.amk.as_str()).collect();
    let want = amk.trim().to_lowercase();
    let hits: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            let n = n.to_lowercase();
            n == want || n.starts_with(&format!("{want} ")) || n.starts_with(&format!("{want}("))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(rows
            .iter()
            .filter(|r| r.amk == *one)
            .map(|r| r.kommune_no.clone())
            .collect()),
        _ => Err(BadKommuner(format!(
            "--amk \"{amk}\" names {} AMK centre(s) — give one of: {}",
            hits.len(),
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}
