//! Car road network from an OpenStreetMap `.osm.pbf`, built in two passes.
//!
//! * **Pass 1** decodes every blob (in parallel, with `osmpbf` + `rayon`) and keeps only the
//!   ways that a car (ambulance) may use: `highway=*` of a class listed in
//!   [`RoadParams::class_speeds_kmh`] and `route=ferry`. Their node references are collected.
//! * The referenced node ids are sorted and de-duplicated; a node's *dense index* is its
//!   position in that sorted `Vec<i64>` (binary search; 8 bytes per node, no hash map).
//! * **Pass 2** decodes the file again and stores the coordinates of only those nodes
//!   (as 1e-7 degree integers, 8 bytes per node).
//!
//! The result, [`RoadGraph`], keeps the selected ways as lists of dense node indices plus
//! per-way attributes (speed, direction, ferry). Directed edges are *derived* from the ways by
//! [`RoadGraph::for_each_edge`], which splits the ways at junctions (nodes used by two or more
//! ways, way ends) and at any further nodes the caller asks for. Splitting at every node gives the
//! full-resolution graph used for connectivity and snapping; splitting only at junctions and at
//! the snapped points gives the small graph used for routing (see `matrix.rs`).
//!
//! Travel time of a road edge = length / speed, where the speed is the parsed `maxspeed`
//! (times [`RoadParams::maxspeed_factor`]) or the class default. A ferry edge (one per leg
//! between two stops of a `route=ferry` way) costs the crossing time — the `duration` tag,
//! shared over the legs by length, or length / [`RoadParams::ferry_speed_kmh`] — plus
//! [`RoadParams::ferry_wait_s`], the mean wait for a departure.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use osmpbf::{BlobDecode, BlobReader};
use rayon::prelude::*;

/// Mean Earth radius in metres (IUGG), used by [`haversine_m`].
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Parameters of the car network.
#[derive(Clone, Debug)]
pub struct RoadParams {
    /// Default speed (km/h) per `highway=*` value. A way whose class is not in this map is not
    /// routable. The default map covers `motorway` … `service` plus `living_street` and `road`;
    /// `track`, `path`, `footway`, `cycleway`, `bridleway`, `steps`, `pedestrian`, `corridor`,
    /// `construction`, `proposed`, `platform`, `raceway`, `bus_guideway`, `busway` are left out.
    pub class_speeds_kmh: BTreeMap<String, f64>,
    /// Factor applied to a parsed `maxspeed` (1.0 = drive at the posted limit).
    pub maxspeed_factor: f64,
    /// Speed on ferry legs whose way has no usable `duration` tag.
    pub ferry_speed_kmh: f64,
    /// Mean wait for a departure, added once to every ferry leg (e.g. half the headway).
    pub ferry_wait_s: f64,
    /// Respect `oneway` (and the implied oneway of motorways and roundabouts). `false` builds a
    /// fully two-way network (used by the symmetry test).
    pub respect_oneway: bool,
    /// If true, a `route=ferry` way is used only when tagged `motorcar`/`motor_vehicle=yes`
    /// (or `designated`). If false (default, as OSRM's car profile), every ferry not tagged
    /// `=no` for cars is used.
    pub ferry_requires_motorcar_tag: bool,
    /// Road classes whose nodes are not snap targets (a house is not reached from a motorway).
    pub no_snap_classes: Vec<String>,
}

impl Default for RoadParams {
    fn default() -> Self {
        // Free-flow speeds (km/h) used when a way has no usable maxspeed. Chosen for Norway:
        // 80 km/h is the general rural limit, 50 km/h the urban one.
        let speeds = [
            ("motorway", 100.0),
            ("motorway_link", 60.0),
            ("trunk", 80.0),
            ("trunk_link", 50.0),
            ("primary", 70.0),
            ("primary_link", 50.0),
            ("secondary", 60.0),
            ("secondary_link", 40.0),
            ("tertiary", 50.0),
            ("tertiary_link", 40.0),
            ("unclassified", 40.0),
            ("residential", 30.0),
            ("living_street", 10.0),
            ("service", 15.0),
            ("road", 30.0),
        ];
        RoadParams {
            class_speeds_kmh: speeds.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            maxspeed_factor: 1.0,
            ferry_speed_kmh: 20.0,
            ferry_wait_s: 15.0 * 60.0,
            respect_oneway: true,
            ferry_requires_motorcar_tag: false,
            no_snap_classes: vec!["motorway".into(), "motorway_link".into()],
        }
    }
}

/// Travel direction(s) allowed on a way, relative to its node order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Both ways.
    Both,
    /// In the way's node order only.
    Forward,
    /// Against the way's node order only.
    Backward,
}

/// What a selected way is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WayKind {
    /// A road, driven at `speed_kmh`.
    Road {
        /// Speed \[km/h\].
        speed_kmh: f32,
    },
    /// A ferry route; `duration_s` is the parsed `duration` tag for the whole way, if any.
    Ferry {
        /// The `duration` tag for the whole way \[s\].
        duration_s: Option<f32>,
    },
}

/// Attributes of a selected way (result of [`classify_way`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WayAttrs {
    /// Road or ferry.
    pub kind: WayKind,
    /// Directions allowed.
    pub dir: Direction,
    /// True if the speed came from a parsed `maxspeed` tag (statistics only).
    pub maxspeed_used: bool,
    /// True if points may snap to this way's nodes (roads not in `no_snap_classes`).
    pub snappable: bool,
}

/// A directed edge derived from the ways.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// From node (dense index).
    pub from: u32,
    /// To node (dense index).
    pub to: u32,
    /// Travel time in seconds (ferry: crossing + mean wait).
    pub time_s: f32,
    /// Length in metres along the way geometry.
    pub length_m: f32,
    /// A ferry leg.
    pub ferry: bool,
    /// True if the opposite direction is not allowed on this stretch.
    pub oneway: bool,
}

/// Counters and timings of a build.
#[derive(Clone, Debug, Default)]
pub struct BuildStats {
    /// Nodes in the file (all of them, seen in pass 2).
    pub osm_nodes_in_file: u64,
    /// Ways in the file (all of them, seen in pass 1).
    pub osm_ways_in_file: u64,
    /// Road ways kept.
    pub road_ways: usize,
    /// Ferry ways kept.
    pub ferry_ways: usize,
    /// Ferry ways with a usable `duration` tag.
    pub ferry_ways_with_duration: usize,
    /// Road ways with a usable `maxspeed` tag.
    pub ways_with_maxspeed: usize,
    /// Distinct nodes referenced by the selected ways.
    pub nodes_used: usize,
    /// Referenced nodes absent from the file (ways cut by the extract boundary).
    pub nodes_missing: usize,
    /// Seconds of pass 1 (ways).
    pub pass1_s: f64,
    /// Seconds of pass 2 (node coordinates).
    pub pass2_s: f64,
}

/// Per-way record: a slice of [`RoadGraph::way_nodes`] plus attributes.
#[derive(Clone, Copy, Debug)]
struct WayRec {
    start: u32,
    len: u32,
    attrs: WayAttrs,
}

const FLAG_JUNCTION: u8 = 1; // used by >= 2 ways (or twice by one), or a way end
const FLAG_SNAP: u8 = 2; // lies on a snappable road way (not only on ferries or motorways)
const MISSING: u64 = u64::MAX; // sentinel for "no coordinates seen"

/// The selected ways of an OSM file, with node coordinates; edges are derived on demand.
pub struct RoadGraph {
    /// Dense node index -> OSM node id (sorted ascending).
    osm_ids: Vec<i64>,
    /// Dense node index -> (lat, lon) in 1e-7 degrees; `i32::MIN` latitude = missing.
    coords: Vec<[i32; 2]>,
    /// Dense node index -> FLAG_* bits.
    flags: Vec<u8>,
    ways: Vec<WayRec>,
    way_nodes: Vec<u32>,
    /// Copied from [`RoadParams`]: needed when edges are derived.
    ferry_speed_kmh: f64,
    ferry_wait_s: f64,
    /// Counters and timings of the build.
    pub stats: BuildStats,
}

/// Great-circle distance in metres between two points given in degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

// ---------------------------------------------------------------------------------------------
// Tag parsing
// ---------------------------------------------------------------------------------------------

/// Parses a `maxspeed` value to km/h. Accepts `"50"`, `"50 km/h"`, `"50 mph"`, `"50mph"`,
/// `"10 knots"`, `"walk"`, lists (`"60;50"`: the first value) and the country-code forms
/// `"NO:urban"` (50), `"NO:rural"` (80), `"XX:living_street"` (10), `"DE:zone30"` /
/// `"DE:zone:30"` (30). Returns `None` for `none`, `signals`, `variable`, `XX:motorway`, and
/// anything unparsable or outside 1..=200 km/h, so the caller falls back to the class default.
pub fn parse_maxspeed(value: &str) -> Option<f64> {
    let first = value.split(';').next()?.trim().to_ascii_lowercase();
    if first.is_empty() {
        return None;
    }
    if let Some((_country, context)) = first.split_once(':') {
        // Implicit limits. The numbers are the common European ones (Norway: 50 / 80).
        let kmh = match context {
            "urban" => Some(50.0),
            "rural" => Some(80.0),
            "living_street" => Some(10.0),
            "walk" => Some(6.0),
            c => {
                let digits: String = c.chars().filter(|ch| ch.is_ascii_digit()).collect();
                if c.starts_with("zone") && !digits.is_empty() {
                    digits.parse::<f64>().ok()
                } else {
                    None // e.g. "NO:motorway", "DE:trunk": use the class default
                }
            }
        };
        return kmh.filter(|v| (1.0..=200.0).contains(v));
    }
    if first == "walk" {
        return Some(6.0);
    }
    // Number followed by an optional unit.
    let split_at = first
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(first.len());
    let (num, unit) = first.split_at(split_at);
    let num: f64 = num.parse().ok()?;
    let kmh = match unit.trim() {
        "" | "km/h" | "kmh" | "kph" => num,
        "mph" => num * 1.609_344,
        "knots" | "kn" => num * 1.852,
        _ => return None,
    };
    (1.0..=200.0).contains(&kmh).then_some(kmh)
}

/// Parses a ferry `duration` tag to seconds: `"HH:MM"`, `"H:MM:SS"`, plain minutes (`"45"`,
/// `"7.5"`), or ISO 8601 (`"PT1H30M"`). Returns `None` for anything else or a zero duration.
pub fn parse_duration_s(value: &str) -> Option<f64> {
    let v = value.trim();
    let secs = if let Some(iso) = v.strip_prefix("PT").or_else(|| v.strip_prefix("pt")) {
        let mut total = 0.0;
        let mut num = String::new();
        for c in iso.chars() {
            match c.to_ascii_uppercase() {
                d if d.is_ascii_digit() || d == '.' => num.push(d),
                'H' => total += num.parse::<f64>().ok()? * 3600.0,
                'M' => total += num.parse::<f64>().ok()? * 60.0,
                'S' => total += num.parse::<f64>().ok()?,
                _ => return None,
            }
            if !c.is_ascii_digit() && c != '.' {
                num.clear();
            }
        }
        if !num.is_empty() {
            return None; // trailing number without unit
        }
        total
    } else if v.contains(':') {
        let parts: Vec<&str> = v.split(':').collect();
        let nums: Option<Vec<f64>> = parts.iter().map(|p| p.trim().parse::<f64>().ok()).collect();
        match nums?.as_slice() {
            [h, m] => h * 3600.0 + m * 60.0,
            [h, m, s] => h * 3600.0 + m * 60.0 + s,
            _ => return None,
        }
    } else {
        v.parse::<f64>().ok()? * 60.0
    };
    (secs > 0.0 && secs.is_finite()).then_some(secs)
}

/// Decides whether a way is part of the car network and with which attributes.
/// `tags` are the way's (key, value) pairs.
pub fn classify_way<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)>,
    params: &RoadParams,
) -> Option<WayAttrs> {
    let (mut highway, mut route, mut oneway, mut junction, mut maxspeed, mut duration) =
        (None, None, None, None, None, None);
    let (mut access, mut vehicle, mut motor_vehicle, mut motorcar) = (None, None, None, None);
    let mut area = false;
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "route" => route = Some(v),
            "oneway" => oneway = Some(v),
            "junction" => junction = Some(v),
            "maxspeed" => maxspeed = Some(v),
            "duration" => duration = Some(v),
            "access" => access = Some(v),
            "vehicle" => vehicle = Some(v),
            "motor_vehicle" => motor_vehicle = Some(v),
            "motorcar" => motorcar = Some(v),
            "area" => area = v == "yes",
            _ => {}
        }
    }
    // The most specific access tag wins. "private"/"destination" stay allowed: an ambulance
    // drives to private addresses.
    let car_access = motorcar.or(motor_vehicle).or(vehicle).or(access);
    let denied = matches!(car_access, Some("no" | "agricultural" | "forestry"));
    let dir_from_tag = |implied: bool| -> Direction {
        if !params.respect_oneway {
            return Direction::Both;
        }
        match oneway {
            Some("yes" | "true" | "1") => Direction::Forward,
            Some("-1" | "reverse") => Direction::Backward,
            Some("no" | "false" | "0") => Direction::Both,
            // "reversible"/"alternating" (time-dependent) are treated as two-way.
            Some("reversible" | "alternating") => Direction::Both,
            _ if implied => Direction::Forward,
            _ => Direction::Both,
        }
    };

    if route == Some("ferry") {
        if denied {
            return None;
        }
        if params.ferry_requires_motorcar_tag
            && !matches!(motorcar.or(motor_vehicle), Some("yes" | "designated"))
        {
            return None;
        }
        let duration_s = duration.and_then(parse_duration_s).map(|d| d as f32);
        return Some(WayAttrs {
            kind: WayKind::Ferry { duration_s },
            dir: dir_from_tag(false),
            maxspeed_used: false,
            snappable: false,
        });
    }

    let class = highway?;
    let default_kmh = *params.class_speeds_kmh.get(class)?;
    if denied || area {
        return None;
    }
    let parsed = maxspeed.and_then(parse_maxspeed);
    let speed = parsed.map_or(default_kmh, |v| v * params.maxspeed_factor);
    let implied = class == "motorway" || matches!(junction, Some("roundabout" | "circular"));
    Some(WayAttrs {
        kind: WayKind::Road {
            speed_kmh: speed as f32,
        },
        dir: dir_from_tag(implied),
        maxspeed_used: parsed.is_some(),
        snappable: !params.no_snap_classes.iter().any(|c| c == class),
    })
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/// Ways selected from one blob in pass 1.
#[derive(Default)]
struct Pass1Chunk {
    refs: Vec<i64>,
    ways: Vec<(u32, u32, WayAttrs)>, // (start in refs, len, attrs)
    ways_in_blob: u64,
}

/// Index of the first element `>= id` in the sorted `ids[from..]` (all of `ids[..from]` must be
/// `< id`), found by exponential then binary search from `from`.
fn gallop(ids: &[i64], from: usize, id: i64) -> usize {
    let (mut lo, mut hi, mut step) = (from, from, 1usize);
    while hi < ids.len() && ids[hi] < id {
        lo = hi + 1;
        hi = from + step;
        step *= 2;
    }
    let hi = hi.min(ids.len());
    lo + ids[lo..hi].partition_point(|&x| x < id)
}

/// The ways of pass 1 with their node refs (OSM ids, concatenated).
struct Pass1 {
    refs: Vec<i64>,
    ways: Vec<WayRec>,
}

/// Pass 1: select the car ways of `pbf` (in parallel over blobs) and keep their node refs.
fn pass1(pbf: &Path, params: &RoadParams, stats: &mut BuildStats) -> Result<Pass1> {
    let reader =
        BlobReader::from_path(pbf).with_context(|| format!("cannot open {}", pbf.display()))?;
    let chunks: Vec<Pass1Chunk> = reader
        .par_bridge()
        .map(|blob| -> Result<Pass1Chunk> {
            let mut chunk = Pass1Chunk::default();
            if let BlobDecode::OsmData(block) = blob?.decode()? {
                for group in block.groups() {
                    for way in group.ways() {
                        chunk.ways_in_blob += 1;
                        if let Some(attrs) = classify_way(way.tags(), params) {
                            let start = chunk.refs.len() as u32;
                            chunk.refs.extend(way.refs());
                            let len = chunk.refs.len() as u32 - start;
                            if len >= 2 {
                                chunk.ways.push((start, len, attrs));
                            } else {
                                chunk.refs.truncate(start as usize);
                            }
                        }
                    }
                }
            }
            Ok(chunk)
        })
        .collect::<Result<_>>()
        .with_context(|| {
            format!(
                "cannot decode {} as an OpenStreetMap .osm.pbf",
                pbf.display()
            )
        })?;
    let total_refs: usize = chunks.iter().map(|c| c.refs.len()).sum();
    let mut refs: Vec<i64> = Vec::with_capacity(total_refs);
    let mut ways: Vec<WayRec> = Vec::new();
    for chunk in chunks {
        stats.osm_ways_in_file += chunk.ways_in_blob;
        let base = refs.len() as u32;
        refs.extend_from_slice(&chunk.refs);
        for (start, len, attrs) in chunk.ways {
            match attrs.kind {
                WayKind::Road { .. } => stats.road_ways += 1,
                WayKind::Ferry { duration_s } => {
                    stats.ferry_ways += 1;
                    stats.ferry_ways_with_duration += usize::from(duration_s.is_some());
                }
            }
            stats.ways_with_maxspeed += usize::from(attrs.maxspeed_used);
            ways.push(WayRec {
                start: base + start,
                len,
                attrs,
            });
        }
    }
    anyhow::ensure!(
        refs.len() < u32::MAX as usize,
        "too many way node references"
    );
    Ok(Pass1 { refs, ways })
}

/// Node flags: junctions (used twice or more, or a way end) and snappable road nodes.
fn node_flags(n: usize, ways: &[WayRec], way_nodes: &[u32]) -> Vec<u8> {
    let mut use_count = vec![0u8; n];
    for &v in way_nodes {
        use_count[v as usize] = use_count[v as usize].saturating_add(1);
    }
    let mut flags: Vec<u8> = use_count
        .iter()
        .map(|&c| if c >= 2 { FLAG_JUNCTION } else { 0 })
        .collect();
    for w in ways {
        let nodes = &way_nodes[w.start as usize..(w.start + w.len) as usize];
        flags[nodes[0] as usize] |= FLAG_JUNCTION;
        flags[nodes[nodes.len() - 1] as usize] |= FLAG_JUNCTION;
        if w.attrs.snappable {
            for &v in nodes {
                flags[v as usize] |= FLAG_SNAP;
            }
        }
    }
    flags
}

/// Pass 2: the coordinates of the nodes in `osm_ids` (sorted), and the number of nodes in the
/// file.
fn pass2(pbf: &Path, osm_ids: &[i64]) -> Result<(Vec<[i32; 2]>, u64)> {
    let packed: Vec<AtomicU64> = (0..osm_ids.len())
        .map(|_| AtomicU64::new(MISSING))
        .collect();
    let reader = BlobReader::from_path(pbf)?;
    let nodes_in_file: u64 = reader
        .par_bridge()
        .map(|blob| -> Result<u64> {
            let mut seen = 0u64;
            if let BlobDecode::OsmData(block) = blob?.decode()? {
                // Nodes of a sorted file come in ascending id order: search forward from the
                // previous hit (galloping); a step back restarts from the beginning.
                let mut cursor = 0usize;
                let mut last_id = i64::MIN;
                let mut store = |id: i64, lat: i32, lon: i32| {
                    if id < last_id {
                        cursor = 0;
                    }
                    last_id = id;
                    cursor = gallop(osm_ids, cursor, id);
                    if cursor < osm_ids.len() && osm_ids[cursor] == id {
                        let v = (u64::from(lat as u32) << 32) | u64::from(lon as u32);
                        packed[cursor].store(v, Ordering::Relaxed);
                    }
                };
                for group in block.groups() {
                    for node in group.dense_nodes() {
                        seen += 1;
                        store(node.id(), node.decimicro_lat(), node.decimicro_lon());
                    }
                    for node in group.nodes() {
                        seen += 1;
                        store(node.id(), node.decimicro_lat(), node.decimicro_lon());
                    }
                }
            }
            Ok(seen)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let coords = packed
        .into_iter()
        .map(|a| {
            let v = a.into_inner();
            if v == MISSING {
                [i32::MIN, 0]
            } else {
                [(v >> 32) as u32 as i32, v as u32 as i32]
            }
        })
        .collect();
    Ok((coords, nodes_in_file))
}

/// Builds the car network of `pbf` (see the module documentation).
pub fn build_graph(pbf: &Path, params: &RoadParams) -> Result<RoadGraph> {
    let mut stats = BuildStats::default();
    let t = Instant::now();
    let Pass1 { refs, ways } = pass1(pbf, params, &mut stats)?;
    // Dense node indices: sorted, de-duplicated ids; index = position (binary search).
    let mut osm_ids = refs.clone();
    osm_ids.par_sort_unstable();
    osm_ids.dedup();
    osm_ids.shrink_to_fit();
    anyhow::ensure!(osm_ids.len() < u32::MAX as usize, "too many nodes");
    let way_nodes: Vec<u32> = refs
        .par_iter()
        .map(|id| osm_ids.binary_search(id).expect("id collected above") as u32)
        .collect();
    drop(refs);
    stats.nodes_used = osm_ids.len();
    let flags = node_flags(osm_ids.len(), &ways, &way_nodes);
    stats.pass1_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (coords, nodes_in_file) = pass2(pbf, &osm_ids)?;
    stats.osm_nodes_in_file = nodes_in_file;
    stats.nodes_missing = coords.iter().filter(|c| c[0] == i32::MIN).count();
    stats.pass2_s = t.elapsed().as_secs_f64();
    Ok(RoadGraph {
        osm_ids,
        coords,
        flags,
        ways,
        way_nodes,
        ferry_speed_kmh: params.ferry_speed_kmh,
        ferry_wait_s: params.ferry_wait_s,
        stats,
    })
}

impl RoadGraph {
    /// Number of dense node indices (all nodes referenced by the selected ways).
    pub fn num_nodes(&self) -> usize {
        self.osm_ids.len()
    }

    /// OSM id of a dense node index.
    pub fn osm_id(&self, node: u32) -> i64 {
        self.osm_ids[node as usize]
    }

    /// Dense index of an OSM node id, if that node is in the network.
    pub fn node_of_osm_id(&self, id: i64) -> Option<u32> {
        self.osm_ids.binary_search(&id).ok().map(|i| i as u32)
    }

    /// (lat, lon) in degrees, or `None` if the node was missing from the file.
    pub fn lat_lon(&self, node: u32) -> Option<(f64, f64)> {
        let [lat, lon] = self.coords[node as usize];
        (lat != i32::MIN).then_some((lat as f64 * 1e-7, lon as f64 * 1e-7))
    }

    /// True if the node lies on a snappable road (not only on ferry lines or motorways).
    pub fn is_snap_candidate(&self, node: u32) -> bool {
        self.flags[node as usize] & FLAG_SNAP != 0
    }

    /// True if the node is used by two or more ways (or is a way end).
    pub fn is_junction(&self, node: u32) -> bool {
        self.flags[node as usize] & FLAG_JUNCTION != 0
    }

    /// Number of selected ways.
    pub fn num_ways(&self) -> usize {
        self.ways.len()
    }

    /// Approximate heap memory of the graph in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.osm_ids.capacity() * 8
            + self.coords.capacity() * 8
            + self.flags.capacity()
            + self.ways.capacity() * std::mem::size_of::<WayRec>()
            + self.way_nodes.capacity() * 4
    }

    fn dist_m(&self, a: u32, b: u32) -> f64 {
        let (la, oa) = self.lat_lon(a).unwrap();
        let (lb, ob) = self.lat_lon(b).unwrap();
        haversine_m(la, oa, lb, ob)
    }

    /// Derives the directed edges. Every way is cut at junctions, at nodes for which
    /// `split(node)` is true (roads only; ferry legs run from stop to stop) and where a node's
    /// coordinates are missing (that stretch is dropped). Closed loops that start and end at the
    /// same node without a cut produce no edge.
    pub fn for_each_edge(&self, split: impl Fn(u32) -> bool, mut emit: impl FnMut(Edge)) {
        for w in &self.ways {
            let nodes = &self.way_nodes[w.start as usize..(w.start + w.len) as usize];
            let (is_ferry, speed_mps, duration) = match w.attrs.kind {
                WayKind::Road { speed_kmh } => (false, speed_kmh as f64 / 3.6, None),
                WayKind::Ferry { duration_s } => (true, 0.0, duration_s),
            };
            // Ferry crossing time per metre: duration shared over the way by length.
            let ferry_s_per_m = if is_ferry {
                let total: f64 = nodes
                    .windows(2)
                    .filter(|p| self.lat_lon(p[0]).is_some() && self.lat_lon(p[1]).is_some())
                    .map(|p| self.dist_m(p[0], p[1]))
                    .sum();
                match duration {
                    Some(d) if total > 0.0 => d as f64 / total,
                    _ => 3.6 / self.ferry_speed_kmh,
                }
            } else {
                0.0
            };
            let mut emit_leg = |a: u32, b: u32, len: f64| {
                if a == b {
                    return;
                }
                let time = if is_ferry {
                    len * ferry_s_per_m + self.ferry_wait_s
                } else {
                    len / speed_mps
                };
                let e = Edge {
                    from: a,
                    to: b,
                    time_s: time as f32,
                    length_m: len as f32,
                    ferry: is_ferry,
                    oneway: w.attrs.dir != Direction::Both,
                };
                match w.attrs.dir {
                    Direction::Forward => emit(e),
                    Direction::Backward => emit(Edge {
                        from: b,
                        to: a,
                        ..e
                    }),
                    Direction::Both => {
                        emit(e);
                        emit(Edge {
                            from: b,
                            to: a,
                            ..e
                        });
                    }
                }
            };
            let mut seg_start: Option<u32> = None;
            let mut prev = 0u32;
            let mut acc = 0.0f64;
            for (i, &n) in nodes.iter().enumerate() {
                if self.lat_lon(n).is_none() {
                    if let Some(s) = seg_start.take() {
                        emit_leg(s, prev, acc); // the way leaves the extract here
                    }
                    continue;
                }
                match seg_start {
                    None => {
                        seg_start = Some(n);
                        acc = 0.0;
                    }
                    Some(s) => {
                        acc += self.dist_m(prev, n);
                        let last = i + 1 == nodes.len();
                        let cut = last || self.is_junction(n) || (!is_ferry && split(n));
                        if cut {
                            emit_leg(s, n, acc);
                            seg_start = Some(n);
                            acc = 0.0;
                        }
                    }
                }
                prev = n;
            }
        }
    }

    /// All full-resolution edges (cut at every node).
    pub fn edges_full(&self) -> Vec<Edge> {
        let mut v = Vec::new();
        self.for_each_edge(|_| true, |e| v.push(e));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxspeed_forms() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert_eq!(parse_maxspeed(" 80 "), Some(80.0));
        assert_eq!(parse_maxspeed("50 km/h"), Some(50.0));
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert!((parse_maxspeed("30mph").unwrap() - 48.28).abs() < 0.01);
        assert!((parse_maxspeed("10 knots").unwrap() - 18.52).abs() < 0.01);
        assert_eq!(parse_maxspeed("60;50"), Some(60.0));
        assert_eq!(parse_maxspeed("NO:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("NO:rural"), Some(80.0));
        assert_eq!(parse_maxspeed("DE:zone30"), Some(30.0));
        assert_eq!(parse_maxspeed("DE:zone:30"), Some(30.0));
        assert_eq!(parse_maxspeed("RU:living_street"), Some(10.0));
        assert_eq!(parse_maxspeed("walk"), Some(6.0));
        for bad in [
            "none",
            "signals",
            "variable",
            "NO:motorway",
            "",
            "fast",
            "0",
            "999",
            "50 furlongs",
        ] {
            assert_eq!(parse_maxspeed(bad), None, "{bad}");
        }
    }

    #[test]
    fn duration_forms() {
        assert_eq!(parse_duration_s("00:30"), Some(1800.0));
        assert_eq!(parse_duration_s("1:05"), Some(3900.0));
        assert_eq!(parse_duration_s("1:05:30"), Some(3930.0));
        assert_eq!(parse_duration_s("45"), Some(2700.0));
        assert_eq!(parse_duration_s("7.5"), Some(450.0));
        assert_eq!(parse_duration_s("PT1H30M"), Some(5400.0));
        assert_eq!(parse_duration_s("PT20M"), Some(1200.0));
        assert_eq!(parse_duration_s("PT90S"), Some(90.0));
        for bad in ["", "0", "00:00", "abc", "1:2:3:4", "PT5", "PTX"] {
            assert_eq!(parse_duration_s(bad), None, "{bad}");
        }
    }

    fn classify(tags: &[(&str, &str)]) -> Option<WayAttrs> {
        classify_way(tags.iter().copied(), &RoadParams::default())
    }

    #[test]
    fn classes_and_access() {
        assert!(classify(&[("highway", "residential")]).is_some());
        assert!(classify(&[("highway", "service"), ("access", "private")]).is_some());
        for excluded in [
            "footway",
            "cycleway",
            "path",
            "steps",
            "track",
            "construction",
            "pedestrian",
        ] {
            assert!(classify(&[("highway", excluded)]).is_none(), "{excluded}");
        }
        assert!(classify(&[("highway", "residential"), ("motor_vehicle", "no")]).is_none());
        assert!(classify(&[("highway", "residential"), ("access", "no")]).is_none());
        // The most specific tag wins.
        assert!(
            classify(&[
                ("highway", "residential"),
                ("access", "no"),
                ("motorcar", "yes")
            ])
            .is_some()
        );
        assert!(classify(&[("highway", "pedestrian"), ("area", "yes")]).is_none());
        assert!(classify(&[("highway", "residential"), ("area", "yes")]).is_none());
        assert!(classify(&[("building", "yes")]).is_none());
        assert!(classify(&[("highway", "residential")]).unwrap().snappable);
        assert!(!classify(&[("highway", "motorway")]).unwrap().snappable);
        assert!(!classify(&[("route", "ferry")]).unwrap().snappable);
    }

    #[test]
    fn speeds() {
        let road = |tags: &[(&str, &str)]| match classify(tags).unwrap().kind {
            WayKind::Road { speed_kmh } => speed_kmh,
            _ => panic!(),
        };
        assert_eq!(road(&[("highway", "residential")]), 30.0);
        assert_eq!(
            road(&[("highway", "residential"), ("maxspeed", "40")]),
            40.0
        );
        assert_eq!(
            road(&[("highway", "primary"), ("maxspeed", "NO:rural")]),
            80.0
        );
        assert_eq!(
            road(&[("highway", "motorway"), ("maxspeed", "none")]),
            100.0
        );
    }

    #[test]
    fn oneway_rules() {
        let dir = |tags: &[(&str, &str)]| classify(tags).unwrap().dir;
        use Direction::*;
        assert_eq!(dir(&[("highway", "residential")]), Both);
        for v in ["yes", "true", "1"] {
            assert_eq!(dir(&[("highway", "residential"), ("oneway", v)]), Forward);
        }
        assert_eq!(
            dir(&[("highway", "residential"), ("oneway", "-1")]),
            Backward
        );
        assert_eq!(dir(&[("highway", "motorway")]), Forward);
        assert_eq!(dir(&[("highway", "motorway"), ("oneway", "no")]), Both);
        assert_eq!(
            dir(&[("highway", "primary"), ("junction", "roundabout")]),
            Forward
        );
        assert_eq!(
            dir(&[("highway", "primary"), ("junction", "circular")]),
            Forward
        );
        assert_eq!(dir(&[("highway", "motorway_link")]), Both);
        let no_oneway = RoadParams {
            respect_oneway: false,
            ..RoadParams::default()
        };
        let a = classify_way([("highway", "motorway")].into_iter(), &no_oneway).unwrap();
        assert_eq!(a.dir, Both);
    }

    #[test]
    fn ferries() {
        let f = classify(&[("route", "ferry"), ("duration", "00:30")]).unwrap();
        assert_eq!(
            f.kind,
            WayKind::Ferry {
                duration_s: Some(1800.0)
            }
        );
        assert_eq!(
            classify(&[("route", "ferry")]).unwrap().kind,
            WayKind::Ferry { duration_s: None }
        );
        assert!(classify(&[("route", "ferry"), ("motor_vehicle", "no")]).is_none());
        let strict = RoadParams {
            ferry_requires_motorcar_tag: true,
            ..RoadParams::default()
        };
        assert!(classify_way([("route", "ferry")].into_iter(), &strict).is_none());
        assert!(
            classify_way(
                [("route", "ferry"), ("motorcar", "yes")].into_iter(),
                &strict
            )
            .is_some()
        );
    }

    #[test]
    fn gallop_finds_lower_bound() {
        let ids: Vec<i64> = (0..1000).map(|i| i * 3).collect();
        for from in [0usize, 5, 500] {
            for id in [ids[from], ids[from] + 1, 1500, 2997, 2998, 5000] {
                let expect = ids.partition_point(|&x| x < id);
                if expect >= from {
                    assert_eq!(gallop(&ids, from, id), expect, "from {from} id {id}");
                }
            }
        }
    }

    #[test]
    fn haversine_known_distance() {
        // One degree of latitude ≈ 111.195 km on the mean sphere.
        assert!((haversine_m(60.0, 10.0, 61.0, 10.0) - 111_195.0).abs() < 5.0);
        assert_eq!(haversine_m(60.0, 10.0, 60.0, 10.0), 0.0);
    }
}
