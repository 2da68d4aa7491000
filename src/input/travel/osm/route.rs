//! Many-to-many travel times on the car network.
//!
//! [`Router::new`] derives a compact routing graph from the [`RoadGraph`]: ways are cut only at
//! junctions and at the *pinned* nodes (the snapped origins and destinations), so chains of
//! shape points become single edges (typically 3–6× fewer nodes than the full-resolution graph),
//! and only edges inside the given mask (largest SCC) are kept. Edge weights are whole
//! milliseconds (≥ 1, as `fast_paths` needs positive integer weights; with 0.1 s units the
//! rounding let equal-weight paths differ by over a second in true time).
//!
//! Two engines, both from well-kept crates:
//! * [`Engine::Ch`]: contraction hierarchies (`fast_paths`). One preparation, then one
//!   bidirectional query per (origin, destination) pair; the returned node sequence is walked
//!   to sum kilometres and detect ferries.
//! * [`Engine::Dijkstra`]: one `petgraph` Dijkstra per destination on the reversed graph,
//!   stopped once every origin is settled. The cost type carries (weight, seconds, metres,
//!   ferries) and is ordered by (weight, metres), so the kilometres and ferry flag of the
//!   fastest path come out of the search itself (no predecessor map is needed).

use std::cmp::Ordering;
use std::ops::Add;
use std::time::Instant;

use anyhow::{Result, bail};
use fast_paths::{FastGraph, InputGraph, Params};
use petgraph::Directed;
use petgraph::algo::dijkstra::with_dynamic_goal;
use petgraph::csr::Csr;
use rayon::prelude::*;

use super::graph::RoadGraph;

/// Shortest-path engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Contraction hierarchies (`fast_paths`).
    Ch,
    /// Dijkstra per destination on the reversed graph (`petgraph`).
    Dijkstra,
}

/// One matrix cell: the fastest path from an origin to a destination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Leg {
    /// Travel time (sum of the unrounded edge times along the path).
    pub seconds: f64,
    /// Length of that path.
    pub metres: f64,
    /// True if the path uses at least one ferry leg.
    pub ferry: bool,
    /// True if the path uses a one-way stretch (diagnostics: explains asymmetry).
    pub oneway: bool,
}

impl Leg {
    const ZERO: Leg = Leg {
        seconds: 0.0,
        metres: 0.0,
        ferry: false,
        oneway: false,
    };

    /// Travel time \[min\].
    pub fn minutes(&self) -> f64 {
        self.seconds / 60.0
    }

    /// Road distance \[km\].
    pub fn km(&self) -> f64 {
        self.metres / 1000.0
    }
}

/// Sizes and timings of a [`Router`].
#[derive(Clone, Debug, Default)]
pub struct RouterStats {
    /// Nodes of the compact graph.
    pub nodes: usize,
    /// Edges of the compact graph.
    pub edges: usize,
    /// Seconds to derive the compact graph.
    pub compact_s: f64,
    /// Seconds of engine preparation (CH contraction, or CSR building for Dijkstra).
    pub prepare_s: f64,
    /// CH only: edges of the prepared graph (forward + backward, shortcuts included).
    pub ch_edges: usize,
}

/// An edge of the compact routing graph (stored by source node, CSR layout).
#[derive(Clone, Copy, Debug)]
struct REdge {
    to: u32,
    weight: u32, // milliseconds, >= 1
    time_s: f32,
    length_m: f32,
    ferry: bool,
    oneway: bool,
}

/// Accumulated cost of a Dijkstra path, ordered by (weight, metres).
#[derive(Clone, Copy, Debug, Default)]
struct PathCost {
    weight: u64,
    seconds: f64,
    metres: f64,
    ferries: u32,
    oneways: u32,
}

impl PartialEq for PathCost {
    fn eq(&self, other: &Self) -> bool {
        self.partial_cmp(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for PathCost {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match self.weight.cmp(&other.weight) {
            Ordering::Equal => self.metres.partial_cmp(&other.metres),
            o => Some(o),
        }
    }
}

impl Add for PathCost {
    type Output = PathCost;
    fn add(self, o: PathCost) -> PathCost {
        PathCost {
            weight: self.weight + o.weight,
            seconds: self.seconds + o.seconds,
            metres: self.metres + o.metres,
            ferries: self.ferries + o.ferries,
            oneways: self.oneways + o.oneways,
        }
    }
}

impl From<&REdge> for PathCost {
    fn from(e: &REdge) -> Self {
        PathCost {
            weight: e.weight as u64,
            seconds: e.time_s as f64,
            metres: e.length_m as f64,
            ferries: e.ferry as u32,
            oneways: e.oneway as u32,
        }
    }
}

enum EngineState {
    Ch(FastGraph),
    /// Reversed graph: an edge v -> u for every routing edge u -> v.
    Dijkstra(Csr<(), REdge, Directed, u32>),
}

/// Compact routing graph plus a prepared engine.
pub struct Router {
    /// Graph node -> router node (`u32::MAX` if the node is not a routing node).
    node_map: Vec<u32>,
    first_out: Vec<u32>,
    out: Vec<REdge>,
    engine: EngineState,
    /// Sizes and timings.
    pub stats: RouterStats,
}

const NONE: u32 = u32::MAX;

impl Router {
    /// Builds the routing graph of `graph` restricted to `mask` (e.g. the largest SCC), cut at
    /// junctions and at every node of `pinned`, and prepares `engine`. `ch_params` overrides
    /// `fast_paths`' default preparation parameters.
    pub fn new(
        graph: &RoadGraph,
        mask: &[bool],
        pinned: &[u32],
        engine: Engine,
        ch_params: Option<&Params>,
    ) -> Result<Router> {
        let t = Instant::now();
        let mut is_pinned = vec![false; graph.num_nodes()];
        for &p in pinned {
            is_pinned[p as usize] = true;
        }
        let mut edges: Vec<(u32, REdge)> = Vec::new();
        graph.for_each_edge(
            |n| is_pinned[n as usize],
            |e| {
                if mask[e.from as usize] && mask[e.to as usize] {
                    let weight = ((e.time_s as f64) * 1000.0).round().max(1.0) as u32;
                    edges.push((
                        e.from,
                        REdge {
                            to: e.to,
                            weight,
                            time_s: e.time_s,
                            length_m: e.length_m,
                            ferry: e.ferry,
                            oneway: e.oneway,
                        },
                    ));
                }
            },
        );
        drop(is_pinned);
        // Dense router ids in graph-index order (keeps the OSM id locality).
        let mut node_map = vec![NONE; graph.num_nodes()];
        for (from, e) in &edges {
            node_map[*from as usize] = 0;
            node_map[e.to as usize] = 0;
        }
        let mut n = 0u32;
        for m in node_map.iter_mut() {
            if *m == 0 {
                *m = n;
                n += 1;
            }
        }
        for (from, e) in edges.iter_mut() {
            *from = node_map[*from as usize];
            e.to = node_map[e.to as usize];
        }
        edges.par_sort_unstable_by_key(|(from, e)| (*from, e.to, e.weight));
        // Parallel edges: keep the lowest weight (as fast_paths does; petgraph's Csr wants none).
        edges.dedup_by_key(|(from, e)| (*from, e.to));
        let mut first_out = vec![0u32; n as usize + 1];
        for (from, _) in &edges {
            first_out[*from as usize + 1] += 1;
        }
        for i in 0..n as usize {
            first_out[i + 1] += first_out[i];
        }
        let out: Vec<REdge> = edges.iter().map(|(_, e)| *e).collect();
        let mut stats = RouterStats {
            nodes: n as usize,
            edges: out.len(),
            compact_s: t.elapsed().as_secs_f64(),
            ..Default::default()
        };

        let t = Instant::now();
        let engine = match engine {
            Engine::Ch => {
                let mut input = InputGraph::new();
                for (from, e) in &edges {
                    input.add_edge(*from as usize, e.to as usize, e.weight as usize);
                }
                drop(edges);
                input.freeze();
                let fg = match ch_params {
                    Some(p) => fast_paths::prepare_with_params(&input, p),
                    None => fast_paths::prepare(&input),
                };
                stats.ch_edges = fg.get_num_out_edges() + fg.get_num_in_edges();
                EngineState::Ch(fg)
            }
            Engine::Dijkstra => {
                let mut rev: Vec<(u32, u32, REdge)> =
                    edges.iter().map(|(from, e)| (e.to, *from, *e)).collect();
                drop(edges);
                rev.par_sort_unstable_by_key(|(a, b, _)| (*a, *b));
                let csr = Csr::from_sorted_edges(&rev).expect("sorted");
                EngineState::Dijkstra(csr)
            }
        };
        stats.prepare_s = t.elapsed().as_secs_f64();
        Ok(Router {
            node_map,
            first_out,
            out,
            engine,
            stats,
        })
    }

    fn router_node(&self, graph_node: u32) -> Result<u32> {
        match self.node_map.get(graph_node as usize) {
            Some(&r) if r != NONE => Ok(r),
            _ => bail!("node {graph_node} is not in the routing graph (not in the mask?)"),
        }
    }

    /// The edge a -> b (unique: parallel edges were reduced to the lowest weight).
    fn edge(&self, a: u32, b: u32) -> &REdge {
        let range = self.first_out[a as usize] as usize..self.first_out[a as usize + 1] as usize;
        let slice = &self.out[range];
        let i = slice.partition_point(|e| e.to < b);
        assert!(
            i < slice.len() && slice[i].to == b,
            "path uses a missing edge {a}->{b}"
        );
        &slice[i]
    }

    /// Leg along a router-node path.
    fn leg_of_path(&self, nodes: &[usize]) -> Leg {
        let mut leg = Leg::ZERO;
        for p in nodes.windows(2) {
            let e = self.edge(p[0] as u32, p[1] as u32);
            leg.seconds += e.time_s as f64;
            leg.metres += e.length_m as f64;
            leg.ferry |= e.ferry;
            leg.oneway |= e.oneway;
        }
        leg
    }

    /// Travel matrix, row-major: `result[o * dests.len() + d]` is the fastest path from
    /// `origins[o]` to `dests[d]` (graph node indices, which must have been pinned and lie in
    /// the mask), `None` if unreachable. Runs on the rayon thread pool.
    pub fn matrix(&self, origins: &[u32], dests: &[u32]) -> Result<Vec<Option<Leg>>> {
        let ro: Vec<u32> = origins
            .iter()
            .map(|&o| self.router_node(o))
            .collect::<Result<_>>()?;
        let rd: Vec<u32> = dests
            .iter()
            .map(|&d| self.router_node(d))
            .collect::<Result<_>>()?;
        match &self.engine {
            EngineState::Ch(fg) => Ok(ro
                .par_iter()
                .map_init(
                    || fast_paths::create_calculator(fg),
                    |calc, &o| {
                        rd.iter()
                            .map(|&d| {
                                if o == d {
                                    return Some(Leg::ZERO);
                                }
                                calc.calc_path(fg, o as usize, d as usize)
                                    .map(|p| self.leg_of_path(p.get_nodes()))
                            })
                            .collect::<Vec<_>>()
                    },
                )
                .flatten()
                .collect()),
            EngineState::Dijkstra(rev) => {
                let mut wanted: Vec<u32> = ro.clone();
                wanted.sort_unstable();
                wanted.dedup();
                let columns: Vec<Vec<Option<Leg>>> = rd
                    .par_iter()
                    .map(|&d| {
                        // Stop when every (distinct) origin is settled.
                        let mut settled = 0usize;
                        let res = with_dynamic_goal(
                            rev,
                            d,
                            |n| {
                                if wanted.binary_search(n).is_ok() {
                                    settled += 1;
                                }
                                settled == wanted.len()
                            },
                            |e| PathCost::from(e.weight()),
                        );
                        ro.iter()
                            .map(|o| {
                                res.scores.get(o).map(|c| Leg {
                                    seconds: c.seconds,
                                    metres: c.metres,
                                    ferry: c.ferries > 0,
                                    oneway: c.oneways > 0,
                                })
                            })
                            .collect()
                    })
                    .collect();
                let mut out = Vec::with_capacity(ro.len() * rd.len());
                for o in 0..ro.len() {
                    for col in &columns {
                        out.push(col[o]);
                    }
                }
                Ok(out)
            }
        }
    }

    /// Approximate heap memory of the compact graph (excluding the engine), bytes.
    pub fn memory_bytes(&self) -> usize {
        self.node_map.capacity() * 4
            + self.first_out.capacity() * 4
            + self.out.capacity() * std::mem::size_of::<REdge>()
    }
}
