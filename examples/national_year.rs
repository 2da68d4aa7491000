//! Times one simulated year of a model (the national one by default, no warm-up) as benchmark (c)
//! does, and prints a SHA-256 of the replication's result, so that a speed change can be checked
//! to leave the output byte-identical.
//! `cargo run --release --example national_year [-- MODEL]`
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
