//! Connectivity and snapping.
//!
//! Points are snapped only to *snap candidates* (nodes of road ways, excluding ferry lines and
//! the classes in `RoadParams::no_snap_classes`, by default motorways and their links) of the
//! **largest strongly connected component** (SCC)
//! of the full-resolution graph. A weakly connected component is not enough: a node on a
//! one-way stub, a parking lot with a one-way exit or a road cut by the extract boundary can be
//! reachable in one direction only, which would leave holes in the matrix. Islands without a car
//! ferry (and roads behind `access=no`) fall outside the largest SCC; points there snap to the
//! nearest node that is inside it, and the snap distance shows it (warn above 1 km).
//!
//! The R-tree (`rstar`) holds the nodes as 3-D points on the unit sphere (`f32`), so plain
//! Euclidean nearest-neighbour search is exact great-circle nearest-neighbour search at any
//! latitude (no lon/lat distortion at 58–71° N). The reported distance is the haversine distance.

use petgraph::Directed;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{Graph, NodeIndex};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::graph::{RoadGraph, haversine_m};

/// Membership mask of the largest strongly connected component of the full-resolution graph
/// (`mask[node]`), computed with `petgraph`'s Kosaraju SCC.
pub fn largest_scc_mask(graph: &RoadGraph) -> Vec<bool> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    graph.for_each_edge(|_| true, |e| pairs.push((e.from, e.to)));
    pairs.sort_unstable();
    pairs.dedup();
    largest_scc_of_pairs(graph.num_nodes(), &pairs)
}

/// Largest SCC of a graph given by `(from, to)` pairs over `n` nodes.
///
/// `petgraph::algo::kosaraju_scc` is used because it is iterative; `tarjan_scc` / `TarjanScc`
/// are recursive and overflow the stack on road networks (petgraph issue #399; seen here with
/// 1.3 M nodes). Kosaraju needs incoming edges, hence a `Graph` rather than a `Csr`
/// (≈ 8 bytes per node + 16 bytes per edge while it runs).
pub fn largest_scc_of_pairs(n: usize, pairs: &[(u32, u32)]) -> Vec<bool> {
    let mut mask = vec![false; n];
    if pairs.is_empty() {
        return mask;
    }
    let mut g: Graph<(), (), Directed, u32> = Graph::with_capacity(n, pairs.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b) in pairs {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
    }
    let components = kosaraju_scc(&g);
    drop(g);
    if let Some(largest) = components.iter().max_by_key(|c| c.len()) {
        for v in largest {
            mask[v.index()] = true;
        }
    }
    mask
}

/// Unit-sphere position of a (lat, lon) in degrees.
fn unit_vector(lat: f64, lon: f64) -> [f32; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [
        (la.cos() * lo.cos()) as f32,
        (la.cos() * lo.sin()) as f32,
        la.sin() as f32,
    ]
}

/// Result of snapping one point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Snap {
    /// Dense node index in the [`RoadGraph`].
    pub node: u32,
    /// Great-circle distance from the point to the node, metres.
    pub distance_m: f64,
}

/// Nearest-node index over the snap candidates admitted by a mask.
pub struct Snapper {
    tree: RTree<GeomWithData<[f32; 3], u32>>,
}

impl Snapper {
    /// Indexes every snap candidate with `mask[node]` true.
    pub fn new(graph: &RoadGraph, mask: &[bool]) -> Self {
        let items: Vec<_> = (0..graph.num_nodes() as u32)
            .filter(|&n| mask[n as usize] && graph.is_snap_candidate(n))
            .filter_map(|n| {
                graph
                    .lat_lon(n)
                    .map(|(la, lo)| GeomWithData::new(unit_vector(la, lo), n))
            })
            .collect();
        Snapper {
            tree: RTree::bulk_load(items),
        }
    }

    /// Number of indexed nodes.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// No node indexed?
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Nearest indexed node to (lat, lon), or `None` if the index is empty.
    pub fn snap(&self, graph: &RoadGraph, lat: f64, lon: f64) -> Option<Snap> {
        let hit = self.tree.nearest_neighbor(unit_vector(lat, lon))?;
        let (nl, no) = graph
            .lat_lon(hit.data)
            .expect("indexed nodes have coordinates");
        Some(Snap {
            node: hit.data,
            distance_m: haversine_m(lat, lon, nl, no),
        })
    }
}
