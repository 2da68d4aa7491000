//! Times one simulated year of a model (the national one by default, no warm-up) as benchmark (c)
//! does, and prints a SHA-256 of the replication's result, so that a speed change can be checked
//! to leave the output byte-identical.
//! `cargo run --release --example national_year [-- MODEL]`
//!
//! Where a national year's time goes (0.7.0, `perf record` on this example, 25.4 M events,
//! 7.9–10.7 s on a 2-core Intel Xeon; target 2 s): the event loop with its inlined handlers
//! 36 % (heap compares and loads of per-stream RNG states: cache misses), `Travel::road_min`
//! 12 % (returning vehicles' positions), `new_need` 6 %, `Scenario::choose_site` 6 %,
//! `draw_next_need` 5 %, `Pool::observe` 4 %, `Hist::record` 3 %. The calls that carry no new
//! need (AMK other lines, 116117 other calls) are 11.8 M of the events; without them the year
//! takes 6.0–6.7 s, so they alone do not explain the gap.
//!
//! Since then: dispatch skips a returning vehicle whose north–south distance to the scene, at
//! the model's fastest speed, already exceeds the best time found (`Travel::road_min_lower_bound`),
//! so its time is not looked up: `Travel::road_min` fell from 11.7 % to 3.7 % of the samples and
//! the year from 10.0–11.8 s to 8.3–9.6 s (three interleaved runs each on a noisy machine), with
//! the same result hash (9ac173fdcc326233).
use akuttsim::input::{RunSpec, scenario};
use akuttsim::sim;
use sha2::{Digest, Sha256};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/norway.toml".into());
    let scn = scenario::load(std::path::Path::new(&model))?;
    let spec = RunSpec {
        seed: 1,
        days: 365.0,
        warmup_days: 0.0,
        trace: false,
    };
    let t0 = Instant::now();
    let r = sim::run(&scn, &spec, 0)?;
    let s = t0.elapsed().as_secs_f64();
    let digest = Sha256::digest(serde_json::to_vec(&r)?);
    println!(
        "{model}: {s:.2} s, {} events, {:.0} ns/event, result sha256 {}",
        r.events,
        s * 1e9 / r.events as f64,
        hex::encode(&digest[..8])
    );
    Ok(())
}
