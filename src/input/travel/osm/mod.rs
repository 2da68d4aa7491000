//! Routed travel from an OpenStreetMap extract: `akuttsim travel-matrix`.
//!
//! The way EMS planners build travel matrices: read a `.osm.pbf` (a county or the Norway
//! extract) into a car network ([`graph`]: speeds by road class, `maxspeed` and `oneway`
//! respected, ferries `route=ferry` with their crossing time from `duration` or a ferry speed,
//! plus a stated mean wait), keep its largest strongly connected component, snap every zone point
//! and facility to the nearest routable node ([`snap`]), and compute every pair the model needs
//! (place → facility) by contraction hierarchies ([`route`], `fast_paths`; a `petgraph`
//! Dijkstra is the fallback and test oracle). The result is the `[travel] matrix_csv` a model
//! reads (`from,to,minutes,km,ferry,source`).
//!
//! Crates: `osmpbf` (PBF decoding), `petgraph` (SCC, Dijkstra), `fast_paths` (contraction
//! hierarchies), `rstar` (nearest node). Nothing here decodes protobuf or searches graphs by hand.

pub mod graph;
pub mod route;
pub mod snap;

use anyhow::Result;
use graph::{RoadParams, build_graph};
use route::{Engine, Router};
use snap::{Snapper, largest_scc_mask};
use std::path::Path;

/// Snap distances above this are warned about \[m\].
pub const SNAP_WARN_M: f64 = 1000.0;

/// A point to route from or to.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Name in the travel CSV (a zone point or facility of the model).
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
}

/// Where a point snapped to.
#[derive(Debug, Clone)]
pub struct Snapped {
    /// The point's name.
    pub name: String,
    /// Distance to the routable node \[m\].
    pub distance_m: f64,
    /// OSM id of that node.
    pub osm_node: i64,
}

/// One routed pair.
#[derive(Debug, Clone)]
pub struct Pair {
    /// From (an origin's name).
    pub from: String,
    /// To (a destination's name).
    pub to: String,
    /// Travel time \[min\].
    pub minutes: f64,
    /// Road distance \[km\].
    pub km: f64,
    /// The fastest path uses a ferry.
    pub ferry: bool,
}

/// What [`build_matrix`] found.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Every origin–destination pair with a path, origin by origin.
    pub pairs: Vec<Pair>,
    /// Pairs with no path (cannot happen with snapping to the largest component; listed).
    pub unreachable: Vec<(String, String)>,
    /// Every origin and destination with its snap.
    pub snaps: Vec<Snapped>,
    /// Network statistics: OSM nodes in the file, road ways, ferry ways, routing nodes.
    pub stats: NetworkStats,
}

/// Sizes of the network built.
#[derive(Debug, Clone, Default)]
pub struct NetworkStats {
    /// Nodes in the file.
    pub osm_nodes: u64,
    /// Road ways kept.
    pub road_ways: usize,
    /// Ferry ways kept.
    pub ferry_ways: usize,
    /// Nodes of the largest strongly connected component.
    pub component_nodes: usize,
    /// Nodes of the compact routing graph.
    pub routing_nodes: usize,
    /// Seconds: reading, connectivity + snapping, routing preparation, queries.
    pub seconds: [f64; 4],
}

/// Route every origin to every destination over the car network of `pbf`.
pub fn build_matrix(
    pbf: &Path,
    params: &RoadParams,
    origins: &[Endpoint],
    dests: &[Endpoint],
) -> Result<Matrix> {
    let t = std::time::Instant::now();
    let g = build_graph(pbf, params)?;
    let t_read = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let mask = largest_scc_mask(&g);
    anyhow::ensure!(
        mask.iter().any(|&m| m),
        "{} has no drivable road network (no car ways with nodes) — is it an OpenStreetMap extract of the area?",
        pbf.display()
    );
    let snapper = Snapper::new(&g, &mask);
    let snap_all = |pts: &[Endpoint]| -> Result<Vec<(u32, Snapped)>> {
        pts.iter()
            .map(|p| {
                let s = snapper
                    .snap(&g, p.lat, p.lon)
                    .ok_or_else(|| anyhow::anyhow!("no routable node to snap {} to", p.name))?;
                Ok((
                    s.node,
                    Snapped {
                        name: p.name.clone(),
                        distance_m: s.distance_m,
                        osm_node: g.osm_id(s.node),
                    },
                ))
            })
            .collect()
    };
    let o = snap_all(origins)?;
    let d = snap_all(dests)?;
    let t_snap = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let pinned: Vec<u32> = o.iter().chain(&d).map(|x| x.0).collect();
    let router = Router::new(&g, &mask, &pinned, Engine::Ch, None)?;
    let t_prep = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let on: Vec<u32> = o.iter().map(|x| x.0).collect();
    let dn: Vec<u32> = d.iter().map(|x| x.0).collect();
    let cells = router.matrix(&on, &dn)?;
    let mut pairs = Vec::with_capacity(cells.len());
    let mut unreachable = Vec::new();
    for (i, a) in origins.iter().enumerate() {
        for (j, b) in dests.iter().enumerate() {
            match cells[i * dests.len() + j] {
                Some(leg) => pairs.push(Pair {
                    from: a.name.clone(),
                    to: b.name.clone(),
                    minutes: leg.minutes(),
                    km: leg.km(),
                    ferry: leg.ferry,
                }),
                None => unreachable.push((a.name.clone(), b.name.clone())),
            }
        }
    }
    let stats = NetworkStats {
        osm_nodes: g.stats.osm_nodes_in_file,
        road_ways: g.stats.road_ways,
        ferry_ways: g.stats.ferry_ways,
        component_nodes: mask.iter().filter(|&&m| m).count(),
        routing_nodes: router.stats.nodes,
        seconds: [t_read, t_snap, t_prep, t.elapsed().as_secs_f64()],
    };
    let mut snaps: Vec<Snapped> = o.into_iter().map(|x| x.1).collect();
    snaps.extend(d.into_iter().map(|x| x.1));
    Ok(Matrix {
        pairs,
        unreachable,
        snaps,
        stats,
    })
}
