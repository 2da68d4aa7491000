//! Times one simulated year of a model (the national one by default, no warm-up) as benchmark (c)
//! does, and prints a SHA-256 of the replication's result, so that a speed change can be checked
//! to leave the output byte-identical.
//! `cargo run --release --example national_year [-- MODEL [DAYS]]`
//!
//! This machine's run times vary by ±20 % from run to run, and it has no hardware counters; the
//! instructions executed are the steadier measure of a change. Callgrind counts them in the
//! simulation alone (not the loading) — 30 days take about half a minute under it:
//! `valgrind --tool=callgrind --toggle-collect='akuttsim::sim::World::run'
//! target/release/examples/national_year models/norway.toml 30` (then `callgrind_annotate`).
//!
//! Where a national year's time goes (0.8.0, `perf record --call-graph dwarf` on this example,
//! 25.4 M events, 4.5–5.5 s on a 2-core AMD EPYC; target 2 s), inclusive: `new_need` 18 % (the
//! zone's points, the site choice 10 %, the distance decay's km 5 %: cache misses on the zone and
//! travel tables), popping the event heap 13 %, ambulance dispatch 13 % (of which ~3,400
//! instructions a request), service-time draws 6 % (log-normal: `exp`), `Pool::observe` 5 %,
//! drawing the demand 5 %. The cost is spread: after the steps below a national 30-day run
//! executes ≈ 830 instructions an event; the 2 s target needs about 420 at the same speed per
//! instruction. The largest single block is the event list: with `push` and `pop` kept out of
//! line, callgrind puts a quarter of the instructions in them (≈ 285 a pop of the 4-ary heap,
//! which holds 600–1,000 entries: about 300 pools' next capacity change, 200–350 patients'
//! emergency-department ends, 100–170 vehicle phases, and the short calls); inlined, less — a
//! calendar queue in its place saved only 1.5 % (below). No part of the chain itself takes more
//! than an eighth: what is left is many small costs (typed-index bounds checks, one log-normal
//! draw per service, the books kept at each change), not one to remove.
//!
//! History, each step checked with the result hash: 0.7.0 skips a returning vehicle whose
//! north–south distance to the scene, at the model's fastest speed, already exceeds the best
//! time found (`Travel::road_min` 11.7 → 3.7 % of the samples, ≈ 10 %). 0.8.0 draws the needs of a
//! channel as one superposed Poisson process instead of 12,800 per-zone streams (results change:
//! the same process in distribution) and gives the calls on the AMK's other lines — 4.3 M of the
//! year's 8.7 M arrivals — no patient record (identical results): 6.0 → 4.5 s, best of three
//! interleaved runs. After 0.8.0, results identical (instructions in a national 30-day run,
//! callgrind): the demand keeps its earliest next arrival instead of the loop scanning the
//! sources at every event (2.03 → 1.88 G); the pools integrate within the hour in integers,
//! inlined (→ 1.81 G); the vehicle hour books step the hour instead of dividing, and the earliest
//! arrival is a plain minimum (→ 1.78 G); returning vehicles are first tested against the
//! latitude band of their trip (→ 1.74 G): −14.5 % in all, 4.33 → 3.93 s for the year (best of
//! five interleaved runs). Tried and not kept (no difference measurable, or slower): the dispatch
//! list carrying each vehicle's time, the travel matrix storing time and distance side by side,
//! a radix heap as the event list (the `radix-heap` crate, and one with a cached minimum: +73 %
//! and +10 % instructions — with keys spanning 2³⁵ ms each entry is moved many times), 3- and
//! 8-ary heaps (+1 %, +8 %), the demand's next times in an array of their own (+0.2 %), a
//! calendar queue (Brown 1988: 4-s slots over 4.6 h, a bit mask of the filled ones, the heap for
//! later events; −1.5 %, not worth its 150 lines).
use akuttsim::input::{RunSpec, scenario};
use akuttsim::sim;
use sha2::{Digest, Sha256};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let model = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/norway.toml".into());
    let days = match std::env::args().nth(2) {
        Some(d) => d
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| anyhow::anyhow!("DAYS must be a positive number of days, not {d:?}"))?,
        None => 365.0,
    };
    let scn = scenario::load(std::path::Path::new(&model))?;
    let spec = RunSpec {
        seed: 1,
        days,
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
