//! The OpenStreetMap travel-matrix builder (`input::travel::osm`, `akuttsim travel-matrix`):
//! properties that hold on any real network, on the real extract
//! `tests/data/osm/finland-test.osm.pbf` (south-east Finland, 14,222 nodes; © OpenStreetMap
//! contributors, ODbL 1.0), an independent shortest-path check, and ferries on a synthetic
//! network (`tests/data/osm/ferry.osm`).

use std::path::{Path, PathBuf};

use akuttsim::input::travel::osm::graph::{RoadGraph, RoadParams, build_graph, haversine_m};
use akuttsim::input::travel::osm::route::{Engine, Leg, Router};
use akuttsim::input::travel::osm::snap::{Snap, Snapper, largest_scc_mask};
use petgraph::graph::{DiGraph, NodeIndex};

fn pbf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm/finland-test.osm.pbf")
}

struct Fixture {
    g: RoadGraph,
    mask: Vec<bool>,
    snaps: Vec<Snap>,
}

/// A 7 x 7 grid of points over the extract's bounding box, snapped (duplicates removed).
fn fixture(params: &RoadParams) -> Fixture {
    let g = build_graph(&pbf(), params).expect("test extract");
    let mask = largest_scc_mask(&g);
    let snapper = Snapper::new(&g, &mask);
    let mut snaps: Vec<Snap> = Vec::new();
    for i in 0..7 {
        for j in 0..7 {
            let lat = 60.521 + 0.018 * i as f64 / 6.0;
            let lon = 26.932 + 0.036 * j as f64 / 6.0;
            let s = snapper.snap(&g, lat, lon).unwrap();
            if !snaps.iter().any(|x| x.node == s.node) {
                snaps.push(s);
            }
        }
    }
    Fixture { g, mask, snaps }
}

fn square_matrix(f: &Fixture, engine: Engine) -> (Vec<u32>, Vec<Option<Leg>>) {
    let nodes: Vec<u32> = f.snaps.iter().map(|s| s.node).collect();
    let router = Router::new(&f.g, &f.mask, &nodes, engine, None).unwrap();
    let m = router.matrix(&nodes, &nodes).unwrap();
    (nodes, m)
}

fn gc_m(g: &RoadGraph, a: u32, b: u32) -> f64 {
    let (la, lo) = g.lat_lon(a).unwrap();
    let (lb, lob) = g.lat_lon(b).unwrap();
    haversine_m(la, lo, lb, lob)
}

#[test]
fn network_is_what_the_tags_say() {
    let g = build_graph(&pbf(), &RoadParams::default()).unwrap();
    // 343 highway ways: 215 car classes (residential 124, service 40, tertiary 20,
    // secondary 14, motorway_link 11, motorway 4, living_street 1, unclassified 1); the
    // cycleways, footways, paths, tracks and the construction way are left out.
    assert_eq!(g.stats.road_ways, 215);
    assert_eq!(g.stats.osm_nodes_in_file, 14_222);
    assert_eq!(g.stats.ferry_ways, 0);
    let edges = g.edges_full();
    assert!(
        edges.iter().any(|e| e.oneway),
        "motorways and oneway=yes ways exist"
    );
    assert!(edges.iter().all(|e| e.time_s > 0.0 && e.length_m > 0.0));
}

#[test]
fn snapping_stays_on_the_largest_scc() {
    let f = fixture(&RoadParams::default());
    assert!(
        f.snaps.len() >= 30,
        "{} distinct snapped nodes",
        f.snaps.len()
    );
    for s in &f.snaps {
        assert!(f.mask[s.node as usize] && f.g.is_snap_candidate(s.node));
        assert!(s.distance_m < 1000.0, "{s:?}");
    }
    // A point in Helsinki, ~130 km away, still snaps (to the nearest node) and says how far.
    let snapper = Snapper::new(&f.g, &f.mask);
    let far = snapper.snap(&f.g, 60.17, 24.94).unwrap();
    assert!(far.distance_m > 100_000.0);
}

#[test]
fn routed_distance_is_at_least_great_circle() {
    let f = fixture(&RoadParams::default());
    let (nodes, m) = square_matrix(&f, Engine::Ch);
    let n = nodes.len();
    for i in 0..n {
        for j in 0..n {
            let leg = m[i * n + j].expect("largest SCC: every pair is reachable");
            let gc = gc_m(&f.g, nodes[i], nodes[j]);
            assert!(
                leg.metres >= gc - 0.5,
                "{i}->{j}: {} m < {gc} m",
                leg.metres
            );
            assert!(!leg.ferry);
            if i == j {
                assert_eq!(leg.seconds, 0.0);
            }
        }
    }
}

#[test]
fn triangle_inequality_holds() {
    let f = fixture(&RoadParams::default());
    let (nodes, m) = square_matrix(&f, Engine::Ch);
    let n = nodes.len();
    let t = |a: usize, b: usize| m[a * n + b].unwrap().seconds;
    let mut worst = 0.0f64;
    for a in 0..n {
        for b in 0..n {
            for c in 0..n {
                let excess = t(a, c) - (t(a, b) + t(b, c));
                worst = worst.max(excess);
                // Weights are rounded to 1 ms per edge, times are not: allow 0.1 s.
                assert!(
                    excess <= 0.1,
                    "t({a},{c}) exceeds t({a},{b}) + t({b},{c}) by {excess} s"
                );
            }
        }
    }
    eprintln!("triangle inequality: {n}^3 triples, worst excess {worst:.3} s");
}

#[test]
fn symmetric_except_where_one_way_streets_matter() {
    // Fully two-way network: the matrix is symmetric (up to rounding).
    let two_way = fixture(&RoadParams {
        respect_oneway: false,
        ..RoadParams::default()
    });
    let (nodes, m) = square_matrix(&two_way, Engine::Ch);
    let n = nodes.len();
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (m[i * n + j].unwrap(), m[j * n + i].unwrap());
            assert!(
                (a.seconds - b.seconds).abs() < 0.05,
                "{i}<->{j}: {} vs {}",
                a.seconds,
                b.seconds
            );
        }
    }
    // With oneway respected, every asymmetric pair has a one-way stretch on one of its paths
    // (if neither path used one, each would be the reverse of a path the other way).
    let f = fixture(&RoadParams::default());
    let (nodes, m) = square_matrix(&f, Engine::Ch);
    let n = nodes.len();
    let (mut asym, mut pairs, mut max_rel) = (0, 0, 0.0f64);
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (m[i * n + j].unwrap(), m[j * n + i].unwrap());
            pairs += 1;
            let diff = (a.seconds - b.seconds).abs();
            if diff > 0.05 {
                asym += 1;
                max_rel = max_rel.max(diff / a.seconds.min(b.seconds));
                assert!(
                    a.oneway || b.oneway,
                    "{i}<->{j} asymmetric without a one-way stretch"
                );
            }
        }
    }
    eprintln!("symmetry: {asym} of {pairs} pairs asymmetric (> 0.05 s), max relative {max_rel:.2}");
    assert!(asym > 0, "the extract has motorways and oneway=yes streets");
}

#[test]
fn engines_agree_and_match_an_independent_petgraph_dijkstra() {
    let f = fixture(&RoadParams::default());
    let (nodes, ch) = square_matrix(&f, Engine::Ch);
    let (_, dj) = square_matrix(&f, Engine::Dijkstra);
    let n = nodes.len();
    for (a, b) in ch.iter().zip(&dj) {
        let (a, b) = (a.unwrap(), b.unwrap());
        // Both minimise the same integer weights; equal-weight ties may pick other paths.
        assert!((a.seconds - b.seconds).abs() < 0.05, "{a:?} vs {b:?}");
    }

    // Independent check: plain petgraph Dijkstra on the full-resolution graph with unrounded
    // f64 seconds (no compaction, no CH, no weight rounding).
    let mut pg: DiGraph<(), f64> = DiGraph::new();
    let idx: Vec<NodeIndex> = (0..f.g.num_nodes()).map(|_| pg.add_node(())).collect();
    for e in f.g.edges_full() {
        pg.add_edge(idx[e.from as usize], idx[e.to as usize], e.time_s as f64);
    }
    for i in [0, n / 3, n / 2, n - 1] {
        let dist = petgraph::algo::dijkstra(&pg, idx[nodes[i] as usize], None, |e| *e.weight());
        for j in 0..n {
            let reference = dist[&idx[nodes[j] as usize]];
            let got = ch[i * n + j].unwrap().seconds;
            assert!(
                (got - reference).abs() <= 0.05 + 1e-4 * reference,
                "{i}->{j}: CH {got:.2} s, petgraph {reference:.2} s"
            );
        }
    }
}

// ---- ferries (synthetic network) ----

fn ferry_pbf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm/ferry.osm.pbf")
}

fn node(g: &RoadGraph, osm: i64) -> u32 {
    g.node_of_osm_id(osm)
        .unwrap_or_else(|| panic!("node {osm}"))
}

/// Great-circle metres between two OSM nodes of the file.
fn d(g: &RoadGraph, a: i64, b: i64) -> f64 {
    let (la, lo) = g.lat_lon(node(g, a)).unwrap();
    let (lb, lob) = g.lat_lon(node(g, b)).unwrap();
    haversine_m(la, lo, lb, lob)
}

/// Legs from OSM node `from` to each OSM node of `to`, for both engines (asserting they agree).
fn legs(g: &RoadGraph, from: i64, to: &[i64]) -> Vec<Option<Leg>> {
    let mask = largest_scc_mask(g);
    let o = [node(g, from)];
    let ds: Vec<u32> = to.iter().map(|&t| node(g, t)).collect();
    let pinned: Vec<u32> = o.iter().chain(&ds).copied().collect();
    let ch = Router::new(g, &mask, &pinned, Engine::Ch, None)
        .unwrap()
        .matrix(&o, &ds)
        .unwrap();
    let dj = Router::new(g, &mask, &pinned, Engine::Dijkstra, None)
        .unwrap()
        .matrix(&o, &ds)
        .unwrap();
    for (a, b) in ch.iter().zip(&dj) {
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!((a.seconds - b.seconds).abs() < 1e-3 && (a.metres - b.metres).abs() < 1e-3);
        assert_eq!(a.ferry, b.ferry);
    }
    ch
}

#[test]
fn ferry_legs_add_crossing_and_wait() {
    let params = RoadParams::default();
    let g = build_graph(&ferry_pbf(), &params).unwrap();
    assert_eq!(
        g.stats.ferry_ways, 3,
        "the motor_vehicle=no ferry is dropped"
    );
    assert_eq!(g.stats.ferry_ways_with_duration, 2);
    let wait = params.ferry_wait_s;
    let (v50, v60) = (50.0 / 3.6, 60.0 / 3.6);

    let r = legs(&g, 1, &[12, 31, 51]);

    // A -> B: road 1-2-3, ferry 3->10 (duration 00:30 + wait), road 10-11-12.
    let b = r[0].unwrap();
    let road_a = d(&g, 1, 2) + d(&g, 2, 3);
    let road_b = d(&g, 10, 11) + d(&g, 11, 12);
    let sea = d(&g, 3, 20) + d(&g, 20, 21) + d(&g, 21, 10);
    let expect = road_a / v50 + 1800.0 + wait + road_b / v60;
    assert!(b.ferry);
    assert!(
        (b.seconds - expect).abs() < 0.5,
        "{} vs {expect}",
        b.seconds
    );
    assert!((b.metres - (road_a + sea + road_b)).abs() < 1.0);

    // A -> C: ferry without duration: length / ferry speed + wait.
    let c = r[1].unwrap();
    let ferry_s = d(&g, 2, 30) / (params.ferry_speed_kmh / 3.6);
    let expect = d(&g, 1, 2) / v50 + ferry_s + wait + d(&g, 30, 31) / v50;
    assert!(c.ferry);
    assert!(
        (c.seconds - expect).abs() < 0.5,
        "{} vs {expect}",
        c.seconds
    );

    // A -> F: the 2.2 km bridge beats the 5-minute ferry plus its wait.
    let f = r[2].unwrap();
    assert!(!f.ferry);
    assert!((f.seconds - (d(&g, 1, 50) + d(&g, 50, 51)) / v50).abs() < 0.5);
}

#[test]
fn ferry_wait_is_configurable() {
    let params = RoadParams {
        ferry_wait_s: 0.0,
        ..RoadParams::default()
    };
    let g = build_graph(&ferry_pbf(), &params).unwrap();
    let r = legs(&g, 1, &[51]);
    // Without a wait, the 5-minute ferry 3->51 beats driving back over the bridge? Road:
    // 3->1 (1.1 km) + bridge (2.2 km) ≈ 240 s < 300 s, so the road still wins.
    assert!(!r[0].unwrap().ferry);
    let r = legs(&g, 3, &[10]);
    assert!((r[0].unwrap().seconds - 1800.0).abs() < 0.5);
}

#[test]
fn passenger_only_island_is_not_routable() {
    let g = build_graph(&ferry_pbf(), &RoadParams::default()).unwrap();
    let mask = largest_scc_mask(&g);
    for osm in [60, 61] {
        assert!(
            !mask[node(&g, osm) as usize],
            "island G node {osm} must be outside the SCC"
        );
    }
    // Ferry shape points at sea are never snap targets.
    for osm in [20, 21] {
        assert!(!g.is_snap_candidate(node(&g, osm)));
    }
    // A point on island G snaps to the nearest node that is routable (on island B), > 1 km away.
    let snapper = Snapper::new(&g, &mask);
    let s = snapper.snap(&g, 60.0105, 10.070).unwrap();
    assert_eq!(g.osm_id(s.node), 12);
    assert!(s.distance_m > 1000.0, "{}", s.distance_m);
}

// ---- akuttsim travel-matrix, end to end ----

/// A small model placed on the Finland extract: three zones, a legevakt, an ambulance station
/// and a hospital.
fn finland_model(matrix: Option<&Path>) -> String {
    let m = matrix.map_or(String::new(), |p| {
        format!("matrix_csv = \"{}\"\n", p.display())
    });
    format!(
        r#"
name = "travel-matrix test"
[travel]
{m}
[[zones]]
name = "North"
population = 1000
lat = 60.538
lon = 26.940
class = "rural"
[[zones]]
name = "South"
population = 1000
lat = 60.522
lon = 26.960
class = "rural"
[[zones]]
name = "Helsinki (off the extract)"
population = 10
lat = 60.17
lon = 24.94
class = "urban"
[demand]
incidents = [{{ at_min = 1, zone = "North", channel = "113", urgency = "red" }}]
[amk]
name = "AMK"
operators = [{{ days = "all", from = "00:00", to = "24:00" }}]
handling_time_min = {{ red = {{ dist = "constant", value = 2 }}, yellow = {{ dist = "constant", value = 2 }}, green = {{ dist = "constant", value = 2 }} }}
[ambulance]
activation_min = {{ red = {{ dist = "constant", value = 1 }}, yellow = {{ dist = "constant", value = 1 }}, green = {{ dist = "constant", value = 1 }} }}
on_scene_conveyed_min = {{ dist = "constant", value = 20 }}
on_scene_not_conveyed_min = {{ dist = "constant", value = 20 }}
conveyance_share = {{ red = 1.0, yellow = 1.0, green = 1.0 }}
handover_min = {{ red = {{ dist = "constant", value = 10 }}, yellow = {{ dist = "constant", value = 10 }}, green = {{ dist = "constant", value = 10 }} }}
[[ambulance_stations]]
name = "Station"
lat = 60.530
lon = 26.950
vehicles = [{{ kind = "road", staffed = [{{ days = "all", from = "00:00", to = "24:00" }}] }}]
[[hospitals]]
name = "Hospital"
lat = 60.527
lon = 26.968
ed_bays = 2
ed_time_min = {{ dist = "constant", value = 60 }}
admission_share = {{ red = 0.5, yellow = 0.5, green = 0.5 }}
"#
    )
}

#[test]
fn travel_matrix_routes_a_model_and_the_model_reads_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.toml");
    std::fs::write(&model, finland_model(None)).unwrap();
    let out = tmp.path().join("travel.csv");
    let o = crate::common::cli([
        "travel-matrix".as_ref(),
        model.as_os_str(),
        "--osm".as_ref(),
        pbf().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    crate::common::assert_ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stdout.contains("14222 OSM nodes"), "{stdout}");
    // The point off the extract is far from any road, and said so.
    assert!(
        stderr.contains("warning: Helsinki (off the extract) is")
            && stderr.contains("km from the nearest routable road"),
        "{stderr}"
    );
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["from", "to", "minutes", "km", "ferry", "source"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    // 3 zones + 2 facilities (the station and the hospital) as origins, 2 facilities as
    // destinations, minus the 2 pairs of a facility with itself.
    assert_eq!(rows.len(), 5 * 2 - 2);
    let coords = [
        ("North", (60.538, 26.940)),
        ("South", (60.522, 26.960)),
        ("Station", (60.530, 26.950)),
        ("Hospital", (60.527, 26.968)),
    ];
    for r in &rows {
        assert_eq!(&r[5], "routed");
        let (km, min): (f64, f64) = (r[3].parse().unwrap(), r[2].parse().unwrap());
        assert!(min > 0.0 && km > 0.0, "{r:?}");
        let at = |n: &str| coords.iter().find(|c| c.0 == n).map(|c| c.1);
        if let (Some(a), Some(b)) = (at(&r[0]), at(&r[1])) {
            // Routed km ≥ great-circle km between the points (snaps are within ~100 m here).
            let gc = haversine_m(a.0, a.1, b.0, b.1) / 1000.0;
            assert!(km >= gc - 0.3, "{r:?}: {km} km < {gc} km great-circle");
        }
    }
    // The model reads the matrix back: every place → facility pair but the two of a facility
    // with itself is routed, those two are trivially 0 by the rule.
    std::fs::write(&model, finland_model(Some(&out))).unwrap();
    let o = crate::common::cli(["check".as_ref(), model.as_os_str()]);
    crate::common::assert_ok(&o);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(
        s.contains("travel pairs: 8 routed, 0 documented, 0 ferry estimate, 2 great-circle"),
        "{s}"
    );
    let scn = akuttsim::input::scenario::load(&model).unwrap();
    let r = akuttsim::sim::run(&scn, &crate::common::spec(1.0, 0.0, 1), 0).unwrap();
    assert_eq!(r.generated, 1);
}

#[test]
fn travel_matrix_refuses_what_is_not_an_osm_extract() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m.toml");
    std::fs::write(&model, finland_model(None)).unwrap();
    let not_osm = tmp.path().join("x.osm.pbf");
    std::fs::write(&not_osm, b"this is not a protobuf").unwrap();
    let out = tmp.path().join("t.csv");
    for (osm, expect) in [
        (not_osm.clone(), "cannot decode"),
        (tmp.path().join("missing.osm.pbf"), "no such file"),
    ] {
        let o = crate::common::cli([
            "travel-matrix".as_ref(),
            model.as_os_str(),
            "--osm".as_ref(),
            osm.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(expect), "{e}");
        assert!(!out.exists(), "nothing is written");
    }
}
