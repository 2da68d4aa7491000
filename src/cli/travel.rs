//! `akuttsim travel-matrix`: route a model's places over an OpenStreetMap extract and write the
//! travel CSV the model reads.

use super::{Failure, bad_input};
use crate::input::scenario;
use crate::input::travel::osm::graph::RoadParams;
use crate::input::travel::osm::{Endpoint, SNAP_WARN_M, build_matrix};
use crate::output::files::write_atomic;
use std::path::{Path, PathBuf};

/// The routing options of the command line.
pub struct Params {
    /// Mean ferry wait \[min\].
    pub ferry_wait_min: f64,
    /// Ferry speed without a `duration` tag \[km/h\].
    pub ferry_speed_kmh: f64,
    /// Factor on posted limits.
    pub maxspeed_factor: f64,
}

/// Route `model`'s places over `osm` and write the matrix CSV.
pub fn travel_matrix(
    model: &Path,
    osm: &Path,
    out: Option<&Path>,
    p: Params,
) -> Result<(), Failure> {
    for (x, what, lo, hi) in [
        (p.ferry_wait_min, "--ferry-wait-min", 0.0, 1440.0),
        (p.ferry_speed_kmh, "--ferry-speed-kmh", 1.0, 100.0),
        (p.maxspeed_factor, "--maxspeed-factor", 0.1, 3.0),
    ] {
        if !(x.is_finite() && (lo..=hi).contains(&x)) {
            return Err(bad_input(format!(
                "{what} {x} — give a number from {lo} to {hi}"
            )));
        }
    }
    if !osm.is_file() {
        return Err(bad_input(format!(
            "--osm {}: no such file — give an OpenStreetMap extract (.osm.pbf)",
            osm.display()
        )));
    }
    let scn = scenario::load(model)?;
    let travel = &scn.travel;
    let facilities: Vec<Endpoint> = travel
        .places()
        .filter(|(id, _)| matches!(travel.place(*id), crate::input::travel::Place::Facility(_)))
        .map(|(_, pt)| endpoint(pt))
        .collect();
    let origins: Vec<Endpoint> = travel.places().map(|(_, pt)| endpoint(pt)).collect();
    let params = RoadParams {
        ferry_wait_s: p.ferry_wait_min * 60.0,
        ferry_speed_kmh: p.ferry_speed_kmh,
        maxspeed_factor: p.maxspeed_factor,
        ..RoadParams::default()
    };
    let m = build_matrix(osm, &params, &origins, &facilities)
        .map_err(|e| bad_input(format!("{}: {e:#}", osm.display())))?;
    let out: PathBuf = match out {
        Some(o) => o.to_path_buf(),
        None => {
            let stem = model
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("model");
            PathBuf::from("output").join(format!("travel-{stem}.csv"))
        }
    };
    let bytes = crate::output::report::travel_csv(&m)?;
    write_atomic(&out, &bytes)?;
    let s = &m.stats;
    println!(
        "{}: {} OSM nodes, {} road ways, {} ferry ways; largest connected network {} nodes, {} routing nodes",
        osm.display(),
        s.osm_nodes,
        s.road_ways,
        s.ferry_ways,
        s.component_nodes,
        s.routing_nodes
    );
    println!(
        "times: read {:.1} s, snap {:.1} s, prepare {:.1} s, route {:.1} s",
        s.seconds[0], s.seconds[1], s.seconds[2], s.seconds[3]
    );
    let mut far: Vec<_> = m
        .snaps
        .iter()
        .filter(|x| x.distance_m > SNAP_WARN_M)
        .collect();
    far.sort_by(|a, b| b.distance_m.total_cmp(&a.distance_m));
    far.dedup_by(|a, b| a.name == b.name);
    let mut d: Vec<f64> = m.snaps.iter().map(|x| x.distance_m).collect();
    d.sort_by(f64::total_cmp);
    println!(
        "snapped {} points: median {:.0} m, max {:.0} m from the nearest routable node",
        origins.len(),
        d[d.len() / 2],
        d[d.len() - 1]
    );
    for x in &far {
        eprintln!(
            "warning: {} is {:.1} km from the nearest routable road (OSM node {}) — check its point, or the extract's coverage",
            x.name,
            x.distance_m / 1000.0,
            x.osm_node
        );
    }
    for (a, b) in &m.unreachable {
        eprintln!("warning: no route from {a} to {b}");
    }
    println!(
        "wrote {} ({} pairs, {} using a ferry) — set `[travel] matrix_csv = \"…\"` in the model to use it",
        out.display(),
        m.pairs.len(),
        m.pairs.iter().filter(|x| x.ferry).count()
    );
    Ok(())
}

fn endpoint(pt: &crate::input::travel::Point) -> Endpoint {
    Endpoint {
        name: pt.name.clone(),
        lat: pt.lat,
        lon: pt.lon,
    }
}
