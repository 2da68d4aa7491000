//! Maps of a run or an experiment on real geography: `map_response[_variant]` (mean red response
//! by zone) and `map_travel[_variant]` (mean drive time to the legevakt used), as PNG and SVG.
//!
//! * Coast, kommune and fylke borders come from the boundary tables shipped in
//!   `models/data/norway/boundaries/` (thohan88/nor-maps, © Kartverket, Statistisk sentralbyrå,
//!   CC BY 4.0; see `models/data/norway/README.md`), read once per process. The folder is looked
//!   for above the model's folder (see [`set_model_dir`]) and above the crate root; without it the
//!   map is drawn without borders and says so.
//! * A zone is a point. Where zones are named after a delområde (else a kommune) as the zone
//!   tables name them ("Kommune: Delområde"), lie near it and add up to its 2025 population
//!   (±20 %), its polygon is filled with the population-weighted mean of their values; every
//!   other zone (e.g. an invented one) is a dot whose area is proportional to its population.
//!   The colour scale is fixed (`lo..hi` minutes) so that the maps of variants compare.
//! * Facilities are markers by kind with labels that do not overlap (facilities at one spot share
//!   a label); the view is fitted to the zones, and a facility outside it is an arrow at the edge,
//!   labelled with its name and its straight-line distance from the nearest zone \[km\].
//!
//! Projection: equirectangular, longitudes scaled by the cosine of the view's mid-latitude.

use super::{Res, ramp, register_font};
use crate::analysis::{Analysis, FacilityKind, MapFacility, MapZone};
use anyhow::Context;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Credit line of every map drawn from the boundary tables (models/data/norway/README.md).
pub const CREDIT: &str =
    "Borders and coast: © Kartverket, Statistisk sentralbyrå (thohan88/nor-maps), CC BY 4.0";

const SEA: RGBColor = RGBColor(214, 230, 242);
const LAND: RGBColor = RGBColor(243, 241, 234);
const NO_BORDERS: RGBColor = RGBColor(250, 250, 250);
const NO_DATA: RGBColor = RGBColor(185, 185, 185);
const KOMMUNE_LINE: RGBColor = RGBColor(140, 140, 140);
const COAST_LINE: RGBColor = RGBColor(100, 120, 140);
const AREA_LABEL: RGBColor = RGBColor(85, 85, 85);

/// Largest map panel \[px\]; the panel keeps the district's aspect ratio within these.
const MAX_W: f64 = 940.0;
const MAX_H: f64 = 860.0;
/// Smallest map panel \[px\] (room for the legend beside it).
const MIN_W: f64 = 520.0;
const MIN_H: f64 = 660.0;
const TITLE_H: i32 = 48;
const FOOT_H: i32 = 32;
const PAD: i32 = 12;
const LEGEND_W: i32 = 320;
/// Pixels per degree of latitude from which filled areas get a light outline (a region, not
/// the whole country: keeps the national SVG small).
const OUTLINE_SCALE: f64 = 250.0;
/// More facility spots in view than this: small markers, only hospitals labelled.
const DENSE: usize = 120;

/// Where the maps look for the boundary tables first: the folder of the model or experiment
/// file (its ancestors are searched for `models/data/norway/boundaries/`). Set once per process,
/// before the first map; later calls are ignored (the tables are national, one copy serves all).
pub fn set_model_dir(dir: &Path) {
    let _ = MODEL_DIR.set(dir.to_path_buf());
}

static MODEL_DIR: OnceLock<PathBuf> = OnceLock::new();
static LAYERS: OnceLock<Result<Layers, String>> = OnceLock::new();

// ---------------------------------------------------------------------------------------------
// Boundary tables
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    geometry: Option<Geometry>,
    #[serde(default)]
    properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// One area of a boundary layer: polygons (outer ring first, then holes) in lon/lat.
#[derive(Debug, Clone)]
struct Area {
    name: String,
    /// The kommune's name (of a delområde: the kommune it lies in).
    kommune: String,
    /// Kommune number (of a delområde: of the kommune it lies in); may be empty.
    kommune_no: String,
    /// Whether the area is a delområde (else a kommune or a fylke).
    delomraade: bool,
    /// Of the part of a delområde in one bydel: "delområde-bydel" numbers, as in the zone
    /// tables' `zone_id`; else empty.
    id: String,
    population: f64,
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
    /// lon0, lat0, lon1, lat1.
    bbox: [f64; 4],
}

impl Area {
    fn new(
        name: String,
        kommune: String,
        population: f64,
        polygons: Vec<Vec<Vec<[f64; 2]>>>,
    ) -> Area {
        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for p in polygons.iter().flatten().flatten() {
            bbox = [
                bbox[0].min(p[0]),
                bbox[1].min(p[1]),
                bbox[2].max(p[0]),
                bbox[3].max(p[1]),
            ];
        }
        Area {
            name,
            kommune,
            kommune_no: String::new(),
            delomraade: false,
            id: String::new(),
            population,
            polygons,
            bbox,
        }
    }

    /// Whether (lon, lat) lies inside (even-odd rule over every ring, so holes are holes).
    fn contains(&self, lon: f64, lat: f64) -> bool {
        let b = self.bbox;
        if !(b[0] <= lon && lon <= b[2] && b[1] <= lat && lat <= b[3]) {
            return false;
        }
        let mut inside = false;
        for ring in self.polygons.iter().flatten() {
            for (a, c) in ring.iter().zip(ring.iter().cycle().skip(1)) {
                if (a[1] > lat) != (c[1] > lat)
                    && lon < (c[0] - a[0]) * (lat - a[1]) / (c[1] - a[1]) + a[0]
                {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// How far (lon, lat) lies from the area's bounding box \[degrees\] (0 inside it).
    fn distance(&self, lon: f64, lat: f64) -> f64 {
        let b = self.bbox;
        let dx = (b[0] - lon).max(lon - b[2]).max(0.0);
        let dy = (b[1] - lat).max(lat - b[3]).max(0.0);
        dx.hypot(dy)
    }

    fn intersects(&self, b: &[f64; 4]) -> bool {
        let a = self.bbox;
        a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
    }
}

/// The three layers of `models/data/norway/boundaries/`.
#[derive(Debug)]
struct Layers {
    delomraader: Vec<Area>,
    kommuner: Vec<Area>,
    fylker: Vec<Area>,
    /// Delområder by "kommune: delområde", kommuner by name (lower case).
    delomraade_index: HashMap<String, Vec<usize>>,
    kommune_index: HashMap<String, Vec<usize>>,
}

impl Layers {
    fn new(delomraader: Vec<Area>, kommuner: Vec<Area>, fylker: Vec<Area>) -> Layers {
        Layers {
            delomraade_index: index(&delomraader, true),
            kommune_index: index(&kommuner, false),
            delomraader,
            kommuner,
            fylker,
        }
    }
}

fn find_folder() -> Option<PathBuf> {
    let starts = MODEL_DIR
        .get()
        .cloned()
        .into_iter()
        .chain(std::iter::once(PathBuf::from(env!("CARGO_MANIFEST_DIR"))));
    for s in starts {
        for a in s.ancestors() {
            for rel in [
                "boundaries",
                "norway/boundaries",
                "data/norway/boundaries",
                "models/data/norway/boundaries",
            ] {
                let d = a.join(rel);
                if d.join("kommuner_2025.geojson").is_file() {
                    return Some(d);
                }
            }
        }
    }
    None
}

fn read_layer(path: &Path, name_key: &str) -> anyhow::Result<Vec<Area>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let fc: FeatureCollection =
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
    Ok(fc
        .features
        .into_iter()
        .filter_map(|f| {
            let polygons = match f.geometry? {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(m) => m,
            };
            let text = |k: &str| {
                let v = f.properties.get(k).and_then(|v| v.as_str());
                v.unwrap_or("").to_string()
            };
            let pop = f.properties.get("population").and_then(|v| v.as_f64());
            let mut a = Area::new(
                text(name_key),
                text("kommune_name"),
                pop.unwrap_or(f64::NAN),
                polygons,
            );
            a.kommune_no = text("kommune_no");
            a.delomraade = name_key == "delomraade_name";
            let (d, b) = (text("delomraade_no"), text("bydel_no"));
            if !d.is_empty() && !b.is_empty() {
                a.id = format!("{d}-{b}");
            }
            Some(a)
        })
        .collect())
}

fn load_layers() -> anyhow::Result<Layers> {
    let dir = find_folder().context(
        "no models/data/norway/boundaries/ above the model's folder or the akuttsim crate",
    )?;
    Ok(Layers::new(
        read_layer(&dir.join("delomraader_2025.geojson"), "delomraade_name")?,
        read_layer(&dir.join("kommuner_2025.geojson"), "kommune_name")?,
        read_layer(&dir.join("fylker_2025.geojson"), "fylke_name")?,
    ))
}

/// The boundary layers, parsed once per process; the error says why there are none.
fn layers() -> Result<&'static Layers, &'static str> {
    LAYERS
        .get_or_init(|| load_layers().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(String::as_str)
}

// ---------------------------------------------------------------------------------------------
// View and projection
// ---------------------------------------------------------------------------------------------

/// The map panel: lon/lat → pixels of the whole image.
#[derive(Debug, Clone, Copy)]
struct View {
    lon0: f64,
    lat1: f64,
    /// cos(mid-latitude).
    k: f64,
    /// Pixels per degree of latitude.
    s: f64,
    x0: i32,
    y0: i32,
    w: i32,
    h: i32,
}

impl View {
    /// The view of the zones (with a margin), or of the facilities without zones, or of Norway.
    fn fit(zones: &[MapZone], facilities: &[MapFacility]) -> View {
        let ok = |lat: f64, lon: f64| lat.is_finite() && lon.is_finite();
        let mut pts: Vec<(f64, f64)> = zones
            .iter()
            .filter(|z| ok(z.lat, z.lon))
            .map(|z| (z.lon, z.lat))
            .collect();
        if pts.is_empty() {
            pts = facilities
                .iter()
                .filter(|f| ok(f.lat, f.lon))
                .map(|f| (f.lon, f.lat))
                .collect();
        }
        if pts.is_empty() {
            pts = vec![(4.5, 57.9), (31.2, 71.2)];
        }
        let (lo0, lo1, la0, la1) = pts.iter().fold(
            (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
            |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
        );
        let k = ((la0 + la1) / 2.0).to_radians().cos().max(0.05);
        // Projected degrees (of latitude).
        let (wd, hd) = ((lo1 - lo0) * k, la1 - la0);
        let pad = 0.06 * wd.max(hd) + 0.03;
        let (wd, hd) = (wd + 2.0 * pad, hd + 2.0 * pad);
        let s = (MAX_W / wd).min(MAX_H / hd);
        let (w, h) = ((wd * s).max(MIN_W), (hd * s).max(MIN_H));
        let (cx, cy) = ((lo0 + lo1) / 2.0, (la0 + la1) / 2.0);
        View {
            lon0: cx - w / 2.0 / (s * k),
            lat1: cy + h / 2.0 / s,
            k,
            s,
            x0: PAD,
            y0: TITLE_H,
            w: w.round() as i32,
            h: h.round() as i32,
        }
    }

    fn pxf(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.x0 as f64 + (lon - self.lon0) * self.k * self.s,
            self.y0 as f64 + (self.lat1 - lat) * self.s,
        )
    }

    fn px(&self, lon: f64, lat: f64) -> (i32, i32) {
        let (x, y) = self.pxf(lon, lat);
        (x.round() as i32, y.round() as i32)
    }

    /// Whether a pixel lies in the panel, `inset` pixels from its edge.
    fn inside(&self, (x, y): (f64, f64), inset: f64) -> bool {
        x >= self.x0 as f64 + inset
            && x <= (self.x0 + self.w) as f64 - inset
            && y >= self.y0 as f64 + inset
            && y <= (self.y0 + self.h) as f64 - inset
    }

    /// The lon/lat box of the panel: lon0, lat0, lon1, lat1.
    fn bbox(&self) -> [f64; 4] {
        [
            self.lon0,
            self.lat1 - self.h as f64 / self.s,
            self.lon0 + self.w as f64 / (self.s * self.k),
            self.lat1,
        ]
    }

    fn ring(&self, ring: &[[f64; 2]]) -> Vec<(i32, i32)> {
        let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
        for p in ring {
            let q = self.px(p[0], p[1]);
            if out.last() != Some(&q) {
                out.push(q);
            }
        }
        out
    }

    /// Image size: title, panel and legend, credit line.
    fn image_size(&self) -> (u32, u32) {
        (
            (self.x0 + self.w + PAD + LEGEND_W) as u32,
            (self.y0 + self.h + FOOT_H) as u32,
        )
    }

    fn km_per_px(&self) -> f64 {
        111.195 / self.s
    }

    fn centre(&self) -> (f64, f64) {
        (
            self.x0 as f64 + self.w as f64 / 2.0,
            self.y0 as f64 + self.h as f64 / 2.0,
        )
    }

    /// Where the ray from the panel's centre towards `p` leaves the panel, `inset` px inside.
    fn edge_towards(&self, p: (f64, f64), inset: f64) -> (f64, f64) {
        let (cx, cy) = self.centre();
        let (dx, dy) = (p.0 - cx, p.1 - cy);
        let hw = self.w as f64 / 2.0 - inset;
        let hh = self.h as f64 / 2.0 - inset;
        let t = [(dx, hw), (dy, hh)]
            .iter()
            .filter(|(d, _)| d.abs() > 1e-9)
            .map(|(d, half)| half / d.abs())
            .fold(f64::MAX, f64::min)
            .min(1.0);
        (cx + dx * t, cy + dy * t)
    }
}

/// Great-circle distance \[km\].
fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

// ---------------------------------------------------------------------------------------------
// What is coloured: polygons the zones stand for, or dots
// ---------------------------------------------------------------------------------------------

/// How the zones are drawn.
#[derive(Debug, Default)]
struct Plan<'a> {
    /// Polygons filled with the population-weighted mean of their zones' values.
    fills: Vec<(&'a Area, Option<f64>)>,
    /// Zones drawn as dots (indices).
    dots: Vec<usize>,
    /// Numbers of the kommuner wholly filled (no plain land to draw under them).
    covered: HashSet<String>,
}

/// Whether zones of `pop` inhabitants have the population of `area` (±20 %).
fn same_population(pop: f64, area: &Area) -> bool {
    area.population.is_finite() && (pop - area.population).abs() <= 0.2 * area.population.max(25.0)
}

/// The key a zone table names an area by, lower case: "kommune: delområde", or "kommune".
fn key(area: &Area, delomraade: bool) -> String {
    if delomraade {
        format!("{}: {}", area.kommune, area.name).to_lowercase()
    } else {
        area.name.to_lowercase()
    }
}

/// A zone's name and the id the tables add to the part of a delområde in one bydel:
/// "Oslo: Sentrum 2 (03010200-030102)" → ("Oslo: Sentrum 2", Some("03010200-030102")).
fn split_zone_name(zone: &str) -> (&str, Option<&str>) {
    match zone.rsplit_once(" (") {
        Some((head, tail)) if tail.len() > 1 && tail.ends_with(')') => {
            let id = &tail[..tail.len() - 1];
            if id.contains('-') && id.chars().all(|c| c.is_ascii_digit() || c == '-') {
                (head, Some(id))
            } else {
                (zone, None)
            }
        }
        _ => (zone, None),
    }
}

fn index(layer: &[Area], delomraade: bool) -> HashMap<String, Vec<usize>> {
    let mut m: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in layer.iter().enumerate() {
        if !a.name.is_empty() {
            m.entry(key(a, delomraade)).or_default().push(i);
        }
        if delomraade && !a.id.is_empty() {
            m.entry(a.id.clone()).or_default().push(i);
        }
    }
    m
}

/// Population-weighted mean of the zones' values (zones without a value left out).
fn weighted_mean(zs: &[usize], zones: &[MapZone], value: &[Option<f64>]) -> Option<f64> {
    let (s, w) = zs.iter().fold((0.0, 0.0), |(s, w), &z| match value[z] {
        Some(v) if v.is_finite() => {
            let p = zones[z].population.max(1.0);
            (s + v * p, w + p)
        }
        _ => (s, w),
    });
    (w > 0.0).then(|| s / w)
}

/// Fill the delområde, else the kommune, that zones are named after ("Kommune: Delområde" or
/// "Kommune", as the zone tables name them), lie near (0.3°) and add up to (population ±20 %);
/// every other zone is a dot.
fn plan<'a>(zones: &[MapZone], value: &[Option<f64>], layers: Option<&'a Layers>) -> Plan<'a> {
    let mut rest: Vec<usize> = (0..zones.len()).collect();
    let mut fills = Vec::new();
    let Some(l) = layers else {
        return Plan {
            fills,
            dots: rest,
            covered: HashSet::new(),
        };
    };
    for (layer, idx, delomraade) in [
        (&l.delomraader, &l.delomraade_index, true),
        (&l.kommuner, &l.kommune_index, false),
    ] {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut left = Vec::new();
        for z in rest {
            let zone = &zones[z];
            let (name, id) = split_zone_name(&zone.name);
            let k = match (delomraade, id) {
                (true, Some(id)) => id.to_string(),
                (true, None) => name.to_lowercase(),
                (false, _) => name.split(": ").next().unwrap_or("").to_lowercase(),
            };
            let near = idx
                .get(&k)
                .into_iter()
                .flatten()
                .map(|&i| (i, layer[i].distance(zone.lon, zone.lat)))
                .filter(|&(_, d)| d < 0.3)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            match near {
                Some((i, _)) => groups.entry(i).or_default().push(z),
                None => left.push(z),
            }
        }
        for (i, zs) in groups {
            let pop: f64 = zs.iter().map(|&z| zones[z].population).sum();
            if same_population(pop, &layer[i]) {
                fills.push((&layer[i], weighted_mean(&zs, zones, value)));
            } else {
                left.extend(zs);
            }
        }
        left.sort_unstable();
        rest = left;
    }
    let covered = covered(&fills, &l.delomraader);
    Plan {
        fills,
        dots: rest,
        covered,
    }
}

/// The kommuner filled themselves or in every delområde.
fn covered(fills: &[(&Area, Option<f64>)], delomraader: &[Area]) -> HashSet<String> {
    let mut filled: HashMap<&str, usize> = HashMap::new();
    let mut out = HashSet::new();
    for (a, _) in fills {
        if a.kommune_no.is_empty() {
            continue;
        }
        if a.delomraade {
            *filled.entry(&a.kommune_no).or_default() += 1;
        } else {
            out.insert(a.kommune_no.clone());
        }
    }
    let mut total: HashMap<&str, usize> = HashMap::new();
    for d in delomraader {
        *total.entry(&d.kommune_no).or_default() += 1;
    }
    for (k, n) in filled {
        if total.get(k) == Some(&n) {
            out.insert(k.to_string());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Facilities
// ---------------------------------------------------------------------------------------------

/// Kinds in the order of importance for labels and legends.
const KINDS: [FacilityKind; 6] = [
    FacilityKind::Hospital,
    FacilityKind::Amk,
    FacilityKind::Legevakt,
    FacilityKind::AirBase,
    FacilityKind::AmbulanceStation,
    FacilityKind::Satellite,
];

fn rank(k: FacilityKind) -> usize {
    KINDS.iter().position(|&x| x == k).unwrap_or(KINDS.len())
}

fn kind_colour(k: FacilityKind) -> RGBColor {
    match k {
        FacilityKind::Hospital => RGBColor(0, 82, 165),
        FacilityKind::Legevakt => RGBColor(204, 0, 0),
        FacilityKind::AirBase => RGBColor(122, 30, 140),
        FacilityKind::AmbulanceStation => RGBColor(0, 118, 58),
        FacilityKind::Satellite => RGBColor(235, 120, 0),
        FacilityKind::Amk => RGBColor(0, 120, 130),
    }
}

fn kind_name(k: FacilityKind) -> &'static str {
    match k {
        FacilityKind::Hospital => "hospital",
        FacilityKind::Legevakt => "legevakt",
        FacilityKind::AirBase => "air ambulance base",
        FacilityKind::AmbulanceStation => "ambulance station",
        FacilityKind::Satellite => "legevakt satellite",
        FacilityKind::Amk => "AMK centre (113)",
    }
}

/// Facilities at one spot (within a few pixels), most important first.
#[derive(Debug)]
struct Cluster<'a> {
    at: (f64, f64),
    members: Vec<&'a MapFacility>,
}

impl Cluster<'_> {
    fn kinds(&self) -> Vec<FacilityKind> {
        let mut k: Vec<FacilityKind> = self.members.iter().map(|f| f.kind).collect();
        k.sort_by_key(|&k| rank(k));
        k.dedup();
        k
    }

    /// The most important name, and how many other names share the spot: "A +2".
    fn label(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for f in &self.members {
            if !f.name.is_empty() && !names.contains(&f.name.as_str()) {
                names.push(&f.name);
            }
        }
        match names.len() {
            0 => String::new(),
            1 => names[0].to_string(),
            n => format!("{} +{}", names[0], n - 1),
        }
    }

    fn rank(&self) -> usize {
        self.members.iter().map(|f| rank(f.kind)).min().unwrap_or(0)
    }
}

fn clusters<'a>(view: &View, facilities: &'a [MapFacility]) -> Vec<Cluster<'a>> {
    let mut fs: Vec<&MapFacility> = facilities
        .iter()
        .filter(|f| f.lat.is_finite() && f.lon.is_finite())
        .collect();
    fs.sort_by_key(|f| rank(f.kind));
    let mut out: Vec<Cluster> = Vec::new();
    for f in fs {
        let p = view.pxf(f.lon, f.lat);
        match out
            .iter_mut()
            .find(|c| (c.at.0 - p.0).hypot(c.at.1 - p.1) < 16.0)
        {
            Some(c) => c.members.push(f),
            None => out.push(Cluster {
                at: p,
                members: vec![f],
            }),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Labels that do not overlap
// ---------------------------------------------------------------------------------------------

/// Boxes taken on the map (markers and labels), x0, y0, x1, y1 in pixels.
#[derive(Debug, Default)]
struct Taken(Vec<[i32; 4]>);

impl Taken {
    fn free(&self, b: [i32; 4]) -> bool {
        self.0
            .iter()
            .all(|o| b[2] <= o[0] || o[2] <= b[0] || b[3] <= o[1] || o[3] <= b[1])
    }
}

/// Place a label of size `(w, h)` beside a marker box `m` (right, left, above, below, or the
/// corners) where it overlaps nothing and stays in the panel; the box, if any.
fn place(view: &View, taken: &Taken, m: [i32; 4], (w, h): (i32, i32)) -> Option<[i32; 4]> {
    let cy = (m[1] + m[3]) / 2 - h / 2;
    let cx = (m[0] + m[2]) / 2 - w / 2;
    let candidates = [
        (m[2] + 3, cy),
        (m[0] - 3 - w, cy),
        (cx, m[1] - 2 - h),
        (cx, m[3] + 2),
        (m[2] + 2, m[1] - h),
        (m[2] + 2, m[3]),
        (m[0] - 2 - w, m[1] - h),
        (m[0] - 2 - w, m[3]),
    ];
    candidates
        .iter()
        .map(|&(x, y)| [x, y, x + w, y + h])
        .find(|b| {
            b[0] >= view.x0 + 2
                && b[1] >= view.y0 + 2
                && b[2] <= view.x0 + view.w - 2
                && b[3] <= view.y0 + view.h - 2
                && taken.free(*b)
        })
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

/// What one map shows.
struct MapSpec<'a> {
    title: String,
    /// Title of the colour bar, with its unit.
    quantity: &'a str,
    /// What a grey zone means.
    no_data: &'a str,
    lo: f64,
    hi: f64,
    value: Vec<Option<f64>>,
    /// Where the figures come from (the footer).
    source: String,
}

/// Everything `draw` needs, computed once for both backends.
struct Scene<'a> {
    spec: &'a MapSpec<'a>,
    view: View,
    zones: &'a [MapZone],
    layers: Result<&'static Layers, &'static str>,
    plan: Plan<'a>,
    clusters: Vec<Cluster<'a>>,
    /// Straight-line distance of each cluster from the nearest zone \[km\].
    distance: Vec<f64>,
}

/// The maps of every variant: `map_response[_variant]` and `map_travel[_variant]`.
pub(super) fn maps(a: &Analysis, out: &Path) -> anyhow::Result<()> {
    use rayon::prelude::*;
    // Maps are the slowest plots (an experiment has two per cell): drawn in parallel.
    let jobs: Vec<(usize, bool)> = (0..a.variants.len())
        .flat_map(|i| [(i, true), (i, false)])
        .collect();
    jobs.par_iter()
        .map(|&(i, response)| variant_map(a, i, response, out))
        .collect::<anyhow::Result<Vec<()>>>()?;
    Ok(())
}

/// The response (or travel) map of variant `i`.
fn variant_map(a: &Analysis, i: usize, response: bool, out: &Path) -> anyhow::Result<()> {
    let v = &a.variants[i];
    // A run's maps need no variant in their name.
    let suffix = if a.variants.len() == 1 {
        String::new()
    } else {
        format!("_{}", v.slug)
    };
    if response {
        let response = MapSpec {
            title: format!("Mean red response time by zone — {}", v.label()),
            quantity: "mean red response [min]",
            no_data: "no red event in the zone",
            lo: 0.0,
            hi: 40.0,
            value: v.zones.iter().map(|z| z.red_response_mean_min).collect(),
            source: format!(
                "akuttsim, {} replication{} × {} days",
                a.replications,
                if a.replications == 1 { "" } else { "s" },
                a.spec.days
            ),
        };
        map(out, &format!("map_response{suffix}"), v, &response)
    } else {
        let travel = MapSpec {
            title: format!("Mean drive time to the legevakt used — {}", v.label()),
            quantity: "mean drive to legevakt [min]",
            no_data: "no legevakt reachable",
            lo: 0.0,
            hi: 90.0,
            value: v.zones.iter().map(|z| z.legevakt_travel_mean_min).collect(),
            source: "the model's drive times to the legevakt used, weighted by demand".into(),
        };
        map(out, &format!("map_travel{suffix}"), v, &travel)
    }
}

fn map(
    out: &Path,
    stem: &str,
    v: &crate::analysis::VariantAnalysis,
    spec: &MapSpec,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        spec.value.len() == v.zones.len(),
        "{stem}: {} values for {} zones",
        spec.value.len(),
        v.zones.len()
    );
    let scene = scene(&v.zones, &v.facilities, spec, layers());
    write_png(out, stem, &scene)?;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, scene.view.image_size()).into_drawing_area();
        let drawn = area.fill(&WHITE).map_err(|e| e.to_string());
        drawn
            .and_then(|_| draw(&area, &scene).map_err(|e| e.to_string()))
            .and_then(|_| area.present().map_err(|e| e.to_string()))
            .map_err(|e| anyhow::anyhow!("{stem}.svg: {e}"))?;
    }
    let path = out.join(format!("{stem}.svg"));
    std::fs::write(&path, svg.as_bytes()).with_context(|| format!("{}", path.display()))
}

/// Draw the map into a pixel buffer and write it as `<stem>.png` with fast compression and a
/// fixed filter (as `both!` does, but plotters' own encoder tries every filter on every row:
/// a quarter of a map's time, and an experiment draws two maps per cell).
fn write_png(out: &Path, stem: &str, scene: &Scene) -> anyhow::Result<()> {
    register_font();
    let (w, h) = scene.view.image_size();
    // White to start with.
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw(&area, scene).map_err(|e| anyhow::anyhow!("{stem}.png: {e}"))?;
        area.present()
            .map_err(|e| anyhow::anyhow!("{stem}.png: {e}"))?;
    }
    let path = out.join(format!("{stem}.png"));
    let file = std::fs::File::create(&path).with_context(|| format!("{}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::FilterType::Sub);
    enc.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let mut wr = enc
        .write_header()
        .with_context(|| format!("{}", path.display()))?;
    wr.write_image_data(&buf)
        .and_then(|_| wr.finish())
        .with_context(|| format!("{}", path.display()))
}

/// Lay a map out: view, fills and dots, facility clusters and their distances.
fn scene<'a>(
    zones: &'a [MapZone],
    facilities: &'a [MapFacility],
    spec: &'a MapSpec<'a>,
    layers: Result<&'static Layers, &'static str>,
) -> Scene<'a> {
    let view = View::fit(zones, facilities);
    let clusters = clusters(&view, facilities);
    let distance = clusters
        .iter()
        .map(|c| {
            let f = c.members[0];
            zones
                .iter()
                .filter(|z| z.lat.is_finite() && z.lon.is_finite())
                .map(|z| km(z.lat, z.lon, f.lat, f.lon))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    Scene {
        spec,
        view,
        zones,
        layers,
        plan: plan(zones, &spec.value, layers.ok()),
        clusters,
        distance,
    }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, sc: &Scene) -> Res
where
    DB::ErrorType: 'static,
{
    let v = &sc.view;
    let panel = [(v.x0, v.y0), (v.x0 + v.w, v.y0 + v.h)];
    let bg = if sc.layers.is_ok() { SEA } else { NO_BORDERS };
    root.draw(&Rectangle::new(panel, bg.filled()))?;
    draw_areas(root, sc)?;
    let mut taken = Taken::default();
    draw_dots(root, sc)?;
    // White over whatever spilled out of the panel, then the frame.
    let (iw, ih) = v.image_size();
    let (iw, ih) = (iw as i32, ih as i32);
    for r in [
        [(0, 0), (iw, v.y0)],
        [(0, v.y0 + v.h), (iw, ih)],
        [(0, 0), (v.x0, ih)],
        [(v.x0 + v.w, 0), (iw, ih)],
    ] {
        root.draw(&Rectangle::new(r, WHITE.filled()))?;
    }
    root.draw(&Rectangle::new(panel, BLACK.stroke_width(1)))?;
    // Facility labels may cover dots (their halo is light); zone and kommune names may not.
    let far = draw_facilities(root, sc, &mut taken)?;
    for &z in &sc.plan.dots {
        if let Some((p, r)) = dot(sc, z) {
            taken.0.push([p.0 - r, p.1 - r, p.0 + r, p.1 + r]);
        }
    }
    draw_area_labels(root, sc, &mut taken)?;
    draw_scale_bar(root, v)?;
    root.draw(&Text::new(
        sc.spec.title.clone(),
        (v.x0, TITLE_H / 2),
        ("sans-serif", 22)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let credit = match sc.layers {
        Ok(_) => CREDIT.to_string(),
        Err(e) => format!("No borders drawn: {e}"),
    };
    root.draw(&Text::new(
        format!(
            "{credit}. Figures: {}. Projection: equirectangular at the mid-latitude.",
            sc.spec.source
        ),
        (v.x0, v.y0 + v.h + FOOT_H / 2),
        ("sans-serif", 12)
            .into_font()
            .color(&AREA_LABEL)
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    draw_legend(root, sc, far)
}

fn value_colour(spec: &MapSpec, x: Option<f64>) -> RGBColor {
    match x {
        Some(x) if x.is_finite() => ramp((x - spec.lo) / (spec.hi - spec.lo)),
        _ => NO_DATA,
    }
}

/// Land, filled zones, kommune and fylke borders.
fn draw_areas<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, sc: &Scene) -> Res
where
    DB::ErrorType: 'static,
{
    let Ok(l) = sc.layers else { return Ok(()) };
    let v = &sc.view;
    let bbox = v.bbox();
    let outer = |a: &Area| -> Vec<Vec<(i32, i32)>> {
        a.polygons
            .iter()
            .filter_map(|p| p.first())
            .map(|r| v.ring(r))
            .filter(|r| r.len() >= 3)
            .collect()
    };
    let frame = [v.x0, v.y0, v.x0 + v.w, v.y0 + v.h];
    let in_view = |layer: &'static [Area]| layer.iter().filter(move |a| a.intersects(&bbox));
    for a in in_view(&l.kommuner).filter(|a| !sc.plan.covered.contains(&a.kommune_no)) {
        for r in outer(a) {
            fill(root, &r, LAND)?;
        }
    }
    for &(a, x) in &sc.plan.fills {
        if !a.intersects(&bbox) {
            continue;
        }
        let c = value_colour(sc.spec, x);
        for r in outer(a) {
            fill(root, &r, c)?;
            // Delområde outlines only where they are more than a few pixels across.
            if v.s >= OUTLINE_SCALE {
                for run in visible_runs(&r, frame) {
                    root.draw(&PathElement::new(run, WHITE.mix(0.5).stroke_width(1)))?;
                }
            }
        }
    }
    for (layer, style) in [
        (&l.kommuner, KOMMUNE_LINE.stroke_width(1)),
        (&l.fylker, COAST_LINE.stroke_width(1)),
    ] {
        for a in in_view(layer) {
            for ring in a.polygons.iter().flatten() {
                for run in visible_runs(&v.ring(ring), frame) {
                    root.draw(&PathElement::new(run, style))?;
                }
            }
        }
    }
    Ok(())
}

/// The dot of zone `z`: centre and radius \[px\], area ∝ population.
fn dot(sc: &Scene, z: usize) -> Option<((i32, i32), i32)> {
    let zone = &sc.zones[z];
    if !(zone.lat.is_finite() && zone.lon.is_finite()) {
        return None;
    }
    let max_pop = sc
        .plan
        .dots
        .iter()
        .map(|&z| sc.zones[z].population)
        .fold(1.0, f64::max);
    let r = (4.0 + 20.0 * (zone.population.max(0.0) / max_pop).sqrt()) as i32;
    Some((sc.view.px(zone.lon, zone.lat), r))
}

/// Fill a polygon \[px\]. Plotters fills a polygon wider than tall column by column, pixel by
/// pixel, and one taller than wide row by row, much faster: a wide polygon is cut into strips
/// no wider than it is tall.
fn fill<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ring: &[(i32, i32)], c: RGBColor) -> Res
where
    DB::ErrorType: 'static,
{
    let (x0, x1, y0, y1) = ring.iter().fold(
        (i32::MAX, i32::MIN, i32::MAX, i32::MIN),
        |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
    );
    let (w, h) = (x1 - x0, y1 - y0);
    if w <= h || h < 2 {
        root.draw(&Polygon::new(ring.to_vec(), c.filled()))?;
        return Ok(());
    }
    let n = (w / h + 1).min(64);
    let step = (w + n - 1) / n;
    for i in 0..n {
        let a = x0 + i * step;
        let strip = clip_x(ring, a, (a + step).min(x1));
        if strip.len() >= 3 {
            root.draw(&Polygon::new(strip, c.filled()))?;
        }
    }
    Ok(())
}

/// A polygon cut to `a ≤ x ≤ b` (Sutherland–Hodgman against two sides).
fn clip_x(ring: &[(i32, i32)], a: i32, b: i32) -> Vec<(i32, i32)> {
    let mut pts: Vec<(f64, f64)> = ring.iter().map(|&(x, y)| (x as f64, y as f64)).collect();
    for (edge, keep_above) in [(a as f64, true), (b as f64, false)] {
        let inside = |p: (f64, f64)| if keep_above { p.0 >= edge } else { p.0 <= edge };
        let input = std::mem::take(&mut pts);
        for (i, &q) in input.iter().enumerate() {
            let p = input[(i + input.len() - 1) % input.len()];
            let cross = || (edge, p.1 + (q.1 - p.1) * (edge - p.0) / (q.0 - p.0));
            match (inside(p), inside(q)) {
                (true, true) => pts.push(q),
                (true, false) => pts.push(cross()),
                (false, true) => {
                    pts.push(cross());
                    pts.push(q);
                }
                (false, false) => {}
            }
        }
    }
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len());
    for (x, y) in pts {
        let q = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}

/// The outline of a closed ring in pieces that touch the rectangle `r` (x0, y0, x1, y1):
/// segments wholly beyond one of its sides are left out, as the rasteriser walks every pixel of
/// a line, seen or not.
fn visible_runs(ring: &[(i32, i32)], r: [i32; 4]) -> Vec<Vec<(i32, i32)>> {
    let beyond = |a: (i32, i32), b: (i32, i32)| {
        (a.0 < r[0] && b.0 < r[0])
            || (a.0 > r[2] && b.0 > r[2])
            || (a.1 < r[1] && b.1 < r[1])
            || (a.1 > r[3] && b.1 > r[3])
    };
    let mut runs = Vec::new();
    let mut run: Vec<(i32, i32)> = Vec::new();
    for (&a, &b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
        if beyond(a, b) {
            if run.len() >= 2 {
                runs.push(std::mem::take(&mut run));
            }
            run.clear();
        } else {
            if run.is_empty() {
                run.push(a);
            }
            run.push(b);
        }
    }
    if run.len() >= 2 {
        // A piece that runs on through the ring's first point continues the first piece.
        match runs.first_mut() {
            Some(first) if ring.first() == first.first() && run.last() == first.first() => {
                run.extend_from_slice(&first[1..]);
                *first = run;
            }
            _ => runs.push(run),
        }
    }
    runs
}

/// Zones that are not filled polygons: dots, area ∝ population.
fn draw_dots<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, sc: &Scene) -> Res
where
    DB::ErrorType: 'static,
{
    for &z in &sc.plan.dots {
        let Some((p, r)) = dot(sc, z) else { continue };
        let c = value_colour(sc.spec, sc.spec.value[z]);
        root.draw(&Circle::new(p, r, c.filled()))?;
        root.draw(&Circle::new(p, r, BLACK.mix(0.6).stroke_width(1)))?;
    }
    Ok(())
}

/// A facility marker centred at `p`, `r` pixels in radius.
fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    kind: FacilityKind,
    p: (i32, i32),
    r: i32,
) -> Res
where
    DB::ErrorType: 'static,
{
    let c = kind_colour(kind);
    let (x, y) = p;
    let pts: Vec<(i32, i32)> = match kind {
        FacilityKind::Hospital => vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ],
        FacilityKind::Legevakt => (0..16)
            .map(|i| {
                let a = i as f64 * std::f64::consts::TAU / 16.0;
                (
                    x + (r as f64 * a.cos()).round() as i32,
                    y + (r as f64 * a.sin()).round() as i32,
                )
            })
            .collect(),
        FacilityKind::Satellite => vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)],
        FacilityKind::AmbulanceStation => vec![
            (x, y - r - 1),
            (x + r + 1, y),
            (x, y + r + 1),
            (x - r - 1, y),
        ],
        FacilityKind::Amk => (0..6)
            .map(|i| {
                let a = i as f64 * std::f64::consts::TAU / 6.0;
                let rr = r as f64 + 1.0;
                (
                    x + (rr * a.cos()).round() as i32,
                    y + (rr * a.sin()).round() as i32,
                )
            })
            .collect(),
        FacilityKind::AirBase => (0..10)
            .map(|i| {
                let a = i as f64 * std::f64::consts::TAU / 10.0 - std::f64::consts::FRAC_PI_2;
                let rr = if i % 2 == 0 {
                    r as f64 + 3.0
                } else {
                    r as f64 * 0.55
                };
                (
                    x + (rr * a.cos()).round() as i32,
                    y + (rr * a.sin()).round() as i32,
                )
            })
            .collect(),
    };
    let mut closed = pts.clone();
    closed.push(pts[0]);
    root.draw(&PathElement::new(closed, WHITE.stroke_width(3)))?;
    root.draw(&Polygon::new(pts, c.filled()))?;
    if kind == FacilityKind::Hospital {
        root.draw(&Text::new(
            "H",
            p,
            ("sans-serif", (2 * r) as f64)
                .into_font()
                .style(FontStyle::Bold)
                .color(&WHITE)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A label with a light halo box.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    b: [i32; 4],
    style: &TextStyle,
) -> Res
where
    DB::ErrorType: 'static,
{
    root.draw(&Rectangle::new(
        [(b[0], b[1]), (b[2], b[3])],
        WHITE.mix(0.6).filled(),
    ))?;
    root.draw(&Text::new(
        text.to_string(),
        (b[0] + 2, b[1] + 1),
        style.pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    Ok(())
}

fn text_size<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> Result<(i32, i32), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let (w, h) = root.estimate_text_size(text, style)?;
    Ok((w as i32 + 4, h as i32 + 2))
}

/// Facilities in view (markers and labels, most important first) and arrows at the edge for
/// those outside. Returns how many facilities outside could not get an arrow.
fn draw_facilities<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sc: &Scene,
    taken: &mut Taken,
) -> Result<usize, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let v = &sc.view;
    let mut order: Vec<usize> = (0..sc.clusters.len()).collect();
    order.sort_by_key(|&i| sc.clusters[i].rank());
    let (inside, outside): (Vec<usize>, Vec<usize>) = order
        .into_iter()
        .partition(|&i| v.inside(sc.clusters[i].at, 0.0));
    // Markers first, so that no label hides one. Many facilities (a national map): small
    // markers, and only the hospitals named.
    let dense = inside.len() > DENSE;
    let (r, half) = if dense { (3, 4) } else { (6, 9) };
    let mut boxes = Vec::new();
    for &i in &inside {
        let c = &sc.clusters[i];
        let kinds = c.kinds();
        let n = kinds.len() as i32;
        let (x, y) = (c.at.0.round() as i32, c.at.1.round() as i32);
        for (j, &k) in kinds.iter().enumerate() {
            let dx = (2 * j as i32 - (n - 1)) * half;
            marker(root, k, (x + dx, y), r)?;
        }
        let b = [x - half * n - 1, y - half, x + half * n + 1, y + half];
        taken.0.push(b);
        boxes.push(b);
    }
    for (&i, &b) in inside.iter().zip(&boxes) {
        let c = &sc.clusters[i];
        if dense && c.rank() > 0 {
            continue;
        }
        let style = if c.rank() <= 1 {
            ("sans-serif", 13)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK)
        } else {
            ("sans-serif", 12).into_font().color(&BLACK)
        };
        let text = c.label();
        if text.is_empty() {
            continue;
        }
        if let Some(lb) = place(v, taken, b, text_size(root, &text, &style)?) {
            label(root, &text, lb, &style)?;
            taken.0.push(lb);
        }
    }
    let mut tips: Vec<(f64, f64)> = Vec::new();
    let mut skipped = 0;
    let mut outside = outside;
    outside.sort_by(|&a, &b| {
        (sc.clusters[a].rank(), sc.distance[a])
            .partial_cmp(&(sc.clusters[b].rank(), sc.distance[b]))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for i in outside {
        if !arrow(root, sc, i, &mut tips, taken)? {
            skipped += sc.clusters[i].members.len();
        }
    }
    Ok(skipped)
}

/// An arrow at the panel's edge towards the facilities of cluster `i`, with their kind's marker,
/// names and distance. False when another arrow already takes the spot.
fn arrow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sc: &Scene,
    i: usize,
    tips: &mut Vec<(f64, f64)>,
    taken: &mut Taken,
) -> Result<bool, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let v = &sc.view;
    let c = &sc.clusters[i];
    let tip = v.edge_towards(c.at, 6.0);
    if tips.iter().any(|t| (t.0 - tip.0).hypot(t.1 - tip.1) < 30.0) {
        return Ok(false);
    }
    tips.push(tip);
    let (cx, cy) = v.centre();
    let d = (c.at.0 - cx).hypot(c.at.1 - cy).max(1e-9);
    let u = ((c.at.0 - cx) / d, (c.at.1 - cy) / d);
    let at = |t: f64, n: f64| -> (i32, i32) {
        (
            (tip.0 - u.0 * t - u.1 * n).round() as i32,
            (tip.1 - u.1 * t + u.0 * n).round() as i32,
        )
    };
    let shaft = vec![at(0.0, 0.0), at(34.0, 0.0)];
    root.draw(&PathElement::new(shaft.clone(), WHITE.stroke_width(5)))?;
    root.draw(&PathElement::new(shaft, BLACK.stroke_width(2)))?;
    root.draw(&Polygon::new(
        vec![at(-2.0, 0.0), at(12.0, 7.0), at(12.0, -7.0)],
        BLACK.filled(),
    ))?;
    let kind = c.kinds()[0];
    let m = at(44.0, 0.0);
    marker(root, kind, m, 6)?;
    let mb = [m.0 - 10, m.1 - 10, m.0 + 10, m.1 + 10];
    let tb = {
        let (a, b) = (at(0.0, 0.0), at(34.0, 0.0));
        [
            a.0.min(b.0) - 4,
            a.1.min(b.1) - 4,
            a.0.max(b.0) + 4,
            a.1.max(b.1) + 4,
        ]
    };
    taken.0.push(mb);
    taken.0.push(tb);
    let text = format!("{} · {:.0} km", c.label(), sc.distance[i]);
    let style = ("sans-serif", 12).into_font().color(&BLACK);
    if let Some(lb) = place(v, taken, mb, text_size(root, &text, &style)?) {
        label(root, &text, lb, &style)?;
        taken.0.push(lb);
    }
    Ok(true)
}

/// Names of the kommuner in view (largest population first), and of zones drawn as dots, where
/// there is room.
fn draw_area_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sc: &Scene,
    taken: &mut Taken,
) -> Res
where
    DB::ErrorType: 'static,
{
    let v = &sc.view;
    let dark = ("sans-serif", 12).into_font().color(&BLACK);
    if sc.plan.dots.len() <= 40 {
        for &z in &sc.plan.dots {
            let zone = &sc.zones[z];
            let Some((p, r)) = dot(sc, z) else { continue };
            let m = [p.0 - r, p.1 - r, p.0 + r, p.1 + r];
            let size = text_size(root, &zone.name, &dark)?;
            if let Some(b) = place(v, taken, m, size) {
                label(root, &zone.name, b, &dark)?;
                taken.0.push(b);
            }
        }
    }
    let Ok(l) = sc.layers else { return Ok(()) };
    let bbox = v.bbox();
    let grey = ("sans-serif", 12).into_font().color(&AREA_LABEL);
    let mut ks: Vec<&Area> = l.kommuner.iter().filter(|a| a.intersects(&bbox)).collect();
    ks.sort_by(|a, b| {
        b.population
            .partial_cmp(&a.population)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for a in ks {
        let Some((lon, lat)) = label_point(a) else {
            continue;
        };
        let p = v.pxf(lon, lat);
        if !v.inside(p, 20.0) {
            continue;
        }
        let (w, h) = text_size(root, &a.name, &grey)?;
        let (x, y) = (p.0.round() as i32 - w / 2, p.1.round() as i32 - h / 2);
        let b = [x, y, x + w, y + h];
        if taken.free(b) {
            label(root, &a.name, b, &grey)?;
            taken.0.push(b);
        }
    }
    Ok(())
}

/// A point to label an area at: the centroid of its largest ring, if it lies inside.
fn label_point(a: &Area) -> Option<(f64, f64)> {
    let ring_area = |r: &Vec<[f64; 2]>| -> (f64, f64, f64) {
        let (mut s, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for (p, q) in r.iter().zip(r.iter().cycle().skip(1)) {
            let cr = p[0] * q[1] - q[0] * p[1];
            s += cr;
            cx += (p[0] + q[0]) * cr;
            cy += (p[1] + q[1]) * cr;
        }
        (s / 2.0, cx, cy)
    };
    let (s, cx, cy) = a
        .polygons
        .iter()
        .filter_map(|p| p.first())
        .map(ring_area)
        .max_by(|x, y| {
            x.0.abs()
                .partial_cmp(&y.0.abs())
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
    if s.abs() < 1e-12 {
        return None;
    }
    let (lon, lat) = (cx / (6.0 * s), cy / (6.0 * s));
    a.contains(lon, lat).then_some((lon, lat))
}

/// A scale bar of a round number of km in the lower left of the panel.
fn draw_scale_bar<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, v: &View) -> Res
where
    DB::ErrorType: 'static,
{
    let want = v.w as f64 / 5.0 * v.km_per_px();
    let mag = 10f64.powf(want.log10().floor());
    let len_km = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * mag)
        .find(|&x| x <= want)
        .unwrap_or(mag);
    let len = (len_km / v.km_per_px()).round() as i32;
    let (x, y) = (v.x0 + 16, v.y0 + v.h - 18);
    root.draw(&Rectangle::new(
        [(x - 6, y - 22), (x + len + 8, y + 8)],
        WHITE.mix(0.75).filled(),
    ))?;
    root.draw(&PathElement::new(
        vec![(x, y - 5), (x, y), (x + len, y), (x + len, y - 5)],
        BLACK.stroke_width(2),
    ))?;
    root.draw(&Text::new(
        format!("{len_km} km"),
        (x + len / 2, y - 7),
        ("sans-serif", 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;
    Ok(())
}

/// Colour bar in minutes, what fills and dots mean, the kinds of facility, borders, arrows.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sc: &Scene,
    far_skipped: usize,
) -> Res
where
    DB::ErrorType: 'static,
{
    let v = &sc.view;
    let spec = sc.spec;
    let x0 = v.x0 + v.w + PAD + 8;
    let mut y = v.y0 + 4;
    let font = ("sans-serif", 13).into_font().color(&BLACK);
    let left_top = |f: &TextStyle<'static>| f.pos(Pos::new(HPos::Left, VPos::Center));
    let text = |s: String, x: i32, y: i32| Text::new(s, (x, y), left_top(&font));
    root.draw(&Text::new(
        spec.quantity.to_string(),
        (x0, y + 6),
        left_top(
            &("sans-serif", 15)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK),
        ),
    ))?;
    y += 24;
    let bar_h = 200;
    for i in 0..bar_h {
        let t = 1.0 - i as f64 / bar_h as f64;
        root.draw(&Rectangle::new(
            [(x0, y + i), (x0 + 24, y + i + 1)],
            ramp(t).filled(),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(x0, y), (x0 + 24, y + bar_h)],
        BLACK.stroke_width(1),
    ))?;
    let step = if spec.hi - spec.lo <= 50.0 {
        10.0
    } else {
        15.0
    };
    let mut t = spec.lo;
    while t <= spec.hi + 1e-9 {
        let ty = y + bar_h - ((t - spec.lo) / (spec.hi - spec.lo) * bar_h as f64).round() as i32;
        root.draw(&PathElement::new(
            vec![(x0 + 24, ty), (x0 + 30, ty)],
            BLACK.stroke_width(1),
        ))?;
        let s = if (t - spec.hi).abs() < 1e-9 {
            format!("≥ {t:.0} min")
        } else {
            format!("{t:.0} min")
        };
        root.draw(&text(s, x0 + 34, ty))?;
        t += step;
    }
    y += bar_h + 18;
    root.draw(&Rectangle::new(
        [(x0, y - 7), (x0 + 24, y + 7)],
        NO_DATA.filled(),
    ))?;
    root.draw(&text(format!("no data ({})", spec.no_data), x0 + 34, y))?;
    y += 22;
    if sc.layers.is_ok() {
        for (c, s) in [
            (LAND, "other land (no zone polygon)"),
            (SEA, "sea, or outside Norway"),
        ] {
            root.draw(&Rectangle::new([(x0, y - 7), (x0 + 24, y + 7)], c.filled()))?;
            root.draw(&Rectangle::new(
                [(x0, y - 7), (x0 + 24, y + 7)],
                KOMMUNE_LINE.stroke_width(1),
            ))?;
            root.draw(&text(s.to_string(), x0 + 34, y))?;
            y += 22;
        }
    }
    let (fills, dots) = (sc.plan.fills.len(), sc.plan.dots.len());
    let mut lines = Vec::new();
    if fills > 0 {
        lines.push("Filled: the delområde or kommune whose".to_string());
        lines.push("2025 population the zones stand for".to_string());
        lines.push("(population-weighted mean of its zones)".to_string());
    }
    if dots > 0 {
        lines.push(format!("Dots: {dots} zone points, area ∝ population"));
    }
    for l in lines {
        root.draw(&text(l, x0, y))?;
        y += 17;
    }
    y += 12;
    let present: Vec<FacilityKind> = KINDS
        .iter()
        .copied()
        .filter(|k| {
            sc.clusters
                .iter()
                .any(|c| c.members.iter().any(|f| f.kind == *k))
        })
        .collect();
    for k in present {
        marker(root, k, (x0 + 10, y), 6)?;
        root.draw(&text(kind_name(k).to_string(), x0 + 34, y))?;
        y += 22;
    }
    y += 6;
    root.draw(&PathElement::new(
        vec![(x0, y), (x0 + 24, y)],
        BLACK.stroke_width(2),
    ))?;
    root.draw(&Polygon::new(
        vec![(x0 + 28, y), (x0 + 18, y - 5), (x0 + 18, y + 5)],
        BLACK.filled(),
    ))?;
    root.draw(&text("outside the map: straight-line".into(), x0 + 34, y))?;
    root.draw(&text("km from the nearest zone".into(), x0 + 34, y + 16))?;
    y += 38;
    if far_skipped > 0 {
        root.draw(&text(
            format!("{far_skipped} more outside, not shown"),
            x0 + 34,
            y,
        ))?;
        y += 22;
    }
    if sc.layers.is_ok() {
        for (s, c) in [
            ("kommune border", KOMMUNE_LINE.stroke_width(1)),
            ("coast and fylke border", COAST_LINE.stroke_width(2)),
        ] {
            root.draw(&PathElement::new(vec![(x0, y), (x0 + 24, y)], c))?;
            root.draw(&text(s.to_string(), x0 + 34, y))?;
            y += 20;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, lat: f64, lon: f64, population: f64) -> MapZone {
        MapZone {
            name: name.into(),
            lat,
            lon,
            population,
            red_response_mean_min: Some(10.0),
            legevakt_travel_mean_min: None,
        }
    }

    fn square(name: &str, kommune: &str, x0: f64, y0: f64, d: f64, population: f64) -> Area {
        let r = vec![
            [x0, y0],
            [x0 + d, y0],
            [x0 + d, y0 + d],
            [x0, y0 + d],
            [x0, y0],
        ];
        Area::new(name.into(), kommune.into(), population, vec![vec![r]])
    }

    #[test]
    fn outlines_skip_what_lies_beyond_the_panel() {
        // A square from inside the panel out past its right edge, and back.
        let ring = [(50, 10), (300, 10), (300, 90), (50, 90)];
        let runs = visible_runs(&ring, [0, 0, 200, 100]);
        assert_eq!(runs, [vec![(300, 90), (50, 90), (50, 10), (300, 10)]]);
        // Wholly outside: nothing.
        assert!(visible_runs(&[(300, 10), (400, 10), (400, 90)], [0, 0, 200, 100]).is_empty());
        // Wholly inside: the closed ring.
        let inside = [(10, 10), (20, 10), (20, 20)];
        assert_eq!(
            visible_runs(&inside, [0, 0, 200, 100]),
            [vec![(10, 10), (20, 10), (20, 20), (10, 10)]]
        );
    }

    #[test]
    fn wide_polygons_are_cut_into_strips() {
        let c = clip_x(&[(0, 0), (100, 0), (100, 10), (0, 10)], 20, 40);
        let mut c2 = c.clone();
        c2.sort();
        assert_eq!(c2, [(20, 0), (20, 10), (40, 0), (40, 10)]);
        assert!(clip_x(&[(0, 0), (10, 0), (10, 10)], 20, 40).is_empty());
    }

    #[test]
    fn point_in_polygon_respects_holes() {
        let outer = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]];
        let hole = vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]];
        let a = Area::new("a".into(), "a".into(), 1.0, vec![vec![outer, hole]]);
        assert!(a.contains(0.5, 0.5));
        assert!(!a.contains(2.0, 2.0));
        assert!(!a.contains(5.0, 2.0));
    }

    #[test]
    fn zones_fill_the_area_whose_population_they_add_up_to() {
        // Delområde 0 holds two zones that make up its population; delområde 1 does not
        // match the one zone in it, nor does its kommune: a dot.
        let layers = Layers::new(
            vec![
                square("d0", "k", 0.0, 0.0, 1.0, 100.0),
                square("d1", "k", 1.0, 0.0, 1.0, 900.0),
            ],
            vec![square("k", "k", 0.0, 0.0, 2.0, 1000.0)],
            vec![],
        );
        let zones = [
            zone("K: D0", 0.5, 0.2, 60.0),
            zone("K: D0", 0.5, 0.8, 40.0),
            zone("K: D1", 0.5, 1.5, 300.0),
            zone("sea", 5.0, 5.0, 10.0),
            // The right population, but not named after the area (an invented zone).
            zone("Nesvik", 0.5, 1.5, 900.0),
        ];
        let value = [Some(10.0), Some(20.0), Some(5.0), None, Some(1.0)];
        let p = plan(&zones, &value, Some(&layers));
        assert_eq!(p.fills.len(), 1);
        assert_eq!(p.fills[0].0.name, "d0");
        assert!((p.fills[0].1.unwrap() - 14.0).abs() < 1e-9);
        assert_eq!(p.dots, vec![2, 3, 4]);
        assert_eq!(plan(&zones, &value, None).dots, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn bydel_parts_of_a_delomraade_are_named_after_it() {
        let split = split_zone_name;
        assert_eq!(
            split("Oslo: Sentrum 2 (03010200-030102)"),
            ("Oslo: Sentrum 2", Some("03010200-030102"))
        );
        let heroy = "Herøy (Møre og Romsdal): Indre Herøy";
        assert_eq!(split(heroy), (heroy, None));
        assert_eq!(
            split("Vestre Slidre (2025)"),
            ("Vestre Slidre (2025)", None)
        );
    }

    #[test]
    fn the_view_fits_the_zones_and_far_facilities_get_an_edge_arrow() {
        let zones = [zone("a", 62.7, 7.1, 1.0), zone("b", 62.9, 7.5, 1.0)];
        let far = MapFacility {
            name: "Base".into(),
            kind: FacilityKind::AirBase,
            lat: 63.4,
            lon: 10.4,
        };
        let v = View::fit(&zones, std::slice::from_ref(&far));
        let b = v.bbox();
        assert!(b[0] < 7.1 && b[2] > 7.5 && b[1] < 62.7 && b[3] > 62.9);
        let p = v.pxf(far.lon, far.lat);
        assert!(!v.inside(p, 0.0));
        let tip = v.edge_towards(p, 6.0);
        assert!(v.inside(tip, 5.0));
        assert!(
            (tip.0 - (v.x0 + v.w) as f64 + 6.0).abs() < 1.0
                || (tip.1 - v.y0 as f64 - 6.0).abs() < 1.0
        );
        // No stretching: a degree of longitude is cos(lat) of a degree of latitude.
        let (x0, _) = v.pxf(7.0, 62.8);
        let (x1, _) = v.pxf(8.0, 62.8);
        assert!(((x1 - x0) / v.s - 62.8f64.to_radians().cos()).abs() < 0.01);
        // Great-circle distance Molde–Trondheim ≈ 180 km.
        assert!((km(62.74, 7.16, 63.43, 10.39) - 180.0).abs() < 3.0);
    }

    #[test]
    fn labels_do_not_overlap_and_stay_in_the_panel() {
        let v = View::fit(&[zone("a", 62.7, 7.1, 1.0)], &[]);
        let mut taken = Taken::default();
        let m = [v.x0 + 100, v.y0 + 100, v.x0 + 110, v.y0 + 110];
        taken.0.push(m);
        let a = place(&v, &taken, m, (60, 14)).expect("room");
        taken.0.push(a);
        let b = place(&v, &taken, m, (60, 14)).expect("room");
        assert!(taken.free(b));
        // At the panel's right edge the label goes left.
        let e = [v.x0 + v.w - 12, v.y0 + 300, v.x0 + v.w - 2, v.y0 + 310];
        let c = place(&v, &Taken::default(), e, (60, 14)).expect("room");
        assert!(c[2] <= e[0]);
    }

    #[test]
    fn without_boundary_tables_the_map_is_drawn_and_says_so() {
        register_font();
        let zones = [zone("Fjordby", 62.74, 7.16, 1000.0)];
        let far = [MapFacility {
            name: "Far base".into(),
            kind: FacilityKind::AirBase,
            lat: 63.4,
            lon: 10.4,
        }];
        let spec = MapSpec {
            title: "Test map".into(),
            quantity: "mean red response [min]",
            no_data: "none",
            lo: 0.0,
            hi: 40.0,
            value: vec![Some(12.0)],
            source: "a test".into(),
        };
        let sc = scene(&zones, &far, &spec, Err("no boundary folder"));
        assert_eq!(sc.plan.dots, [0]);
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, sc.view.image_size()).into_drawing_area();
            draw(&area, &sc).expect("drawn");
            area.present().expect("written");
        }
        assert!(svg.contains("No borders drawn: no boundary folder"));
        assert!(svg.contains("Figures: a test"));
        assert!(
            svg.contains(">Fjordby<") || svg.contains("Fjordby\n"),
            "zone label"
        );
        // Far base: 179 km from the zone by the haversine formula.
        assert!(svg.contains("Far base · 179 km"), "arrow label with km");
        assert!(!svg.contains("kommune border"));
    }

    #[test]
    fn co_located_facilities_share_one_label() {
        let f = |name: &str, kind| MapFacility {
            name: name.into(),
            kind,
            lat: 62.74,
            lon: 7.16,
        };
        let fs = [
            f("Molde", FacilityKind::AmbulanceStation),
            f("Molde sjukehus", FacilityKind::Hospital),
            f("Molde", FacilityKind::Legevakt),
        ];
        let v = View::fit(&[zone("a", 62.7, 7.1, 1.0)], &fs);
        let c = clusters(&v, &fs);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].label(), "Molde sjukehus +1");
        assert_eq!(
            c[0].kinds(),
            [
                FacilityKind::Hospital,
                FacilityKind::Legevakt,
                FacilityKind::AmbulanceStation
            ]
        );
    }
}
