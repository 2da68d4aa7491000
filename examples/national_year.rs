//! Times one simulated year of a model (the national one by default, no warm-up) as benchmark (c)
//! does, and prints a SHA-256 of the replication's result, so that a speed change can be checked
//! to leave the output byte-identical.
//! `cargo run --release --example national_year [-- MODEL]`
//!
//! Where a national year's time goes (0.8.0, `perf record --call-graph dwarf` on this example,
//! 25.4 M events, 4.5–5.5 s on a 2-core AMD EPYC; target 2 s), inclusive: `new_need` 18 % (the
//! zone's points, the site choice 10 %, the distance decay's km 5 %: cache misses on the zone and
//! travel tables), popping the event heap 13 %, ambulance dispatch 13 %, service-time draws 6 %
//! (log-normal: `exp`), `Pool::observe` 5 %, drawing the demand 5 %.
//!
//! History, each step checked with the result hash: 0.7.0 skips a returning vehicle whose
//! north–south distance to the scene, at the model's fastest speed, already exceeds the best
//! time found (`Travel::road_min` 11.7 → 3.7 % of the samples, ≈ 10 %). 0.8.0 draws the needs of a
//! channel as one superposed Poisson process instead of 12,800 per-zone streams (results change:
//! the same process in distribution) and gives the calls on the AMK's other lines — 4.3 M of the
//! year's 8.7 M arrivals — no patient record (identical results): 6.0 → 4.5 s, best of three
//! interleaved runs. Tried and not kept (no difference measurable on this machine, whose run
//! times vary by ±20 %): the dispatch list carrying each vehicle's time, the travel matrix
//! storing time and distance side by side.
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
