//! A seeded mutational campaign over the shipped model and experiment files: every mutated
//! input must give exit 0 or 1 — never a panic, a hang or an abort — within bounded time and
//! memory, and every result it writes must be valid, with every share within 0..1.
//!
//! `cargo test` runs a short campaign (`AKUTTSIM_FUZZ_CASES`, default 120 `check` inputs, every
//! sixth also run); set `AKUTTSIM_FUZZ_CASES=26000` for the long one. A failing case is written
//! to `target/fuzz-failures/` with its seed, so it can be replayed by hand.

use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// Wall-time limit of one process: it catches a hang, not slowness (speed is the benchmark's
/// business). The slowest case, an experiment over every variant and assumption set of
/// experiments/sunnfjord-structures.toml with its plots and maps, takes 7 s in a debug build
/// on a quiet 2-core machine, and two to three times that while the rest of the suite runs.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Address-space limit of one process [bytes].
const MEMORY: u64 = 3 << 30;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copy a folder tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Shipped inputs to mutate, in a copy of `models/` and `experiments/` under `work` (the
/// generated national model is too large to run in a test).
fn seeds(work: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["models", "experiments"] {
        copy_tree(&root().join(dir), &work.join(dir));
        for e in std::fs::read_dir(work.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            if n.ends_with(".toml") && n != "calibration.toml" && !n.starts_with("norway") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// Extreme and wrong values a user might write.
fn odd_number(rng: &mut impl Rng) -> toml::Value {
    use toml::Value::*;
    match rng.random_range(0..14) {
        0 => Integer(0),
        1 => Integer(-1),
        2 => Integer(4_294_967_295),
        3 => Integer(i64::MAX),
        4 => Float(1e308),
        5 => Float(-1e308),
        6 => Float(f64::NAN),
        7 => Float(f64::INFINITY),
        8 => Float(1e-9),
        9 => Float(1e15),
        10 => Integer(1_000_000),
        11 => Float(0.5),
        12 => String("many".into()),
        _ => Integer(rng.random_range(-10..1000)),
    }
}

fn odd_string(rng: &mut impl Rng, pool: &[String]) -> toml::Value {
    let s = match rng.random_range(0..7) {
        0 => String::new(),
        1 => "x".repeat(300),
        2 => "Ørsta".into(),
        3 => "Årsta".into(),
        4 => "../../etc/passwd".into(),
        5 if !pool.is_empty() => pool[rng.random_range(0..pool.len())].clone(),
        _ => "nowhere".into(),
    };
    toml::Value::String(s)
}

/// Every string in a value (names to reuse: duplicates and cross-references).
fn strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Count the nodes of a value (to pick one uniformly).
fn count(v: &toml::Value) -> usize {
    1 + match v {
        toml::Value::Array(a) => a.iter().map(count).sum(),
        toml::Value::Table(t) => t.values().map(count).sum(),
        _ => 0,
    }
}

/// Mutate the `k`-th node (depth first) of `v`.
fn mutate_at(v: &mut toml::Value, k: &mut usize, rng: &mut impl Rng, pool: &[String]) -> bool {
    if *k == 0 {
        match v {
            toml::Value::Integer(_) | toml::Value::Float(_) => *v = odd_number(rng),
            toml::Value::String(_) => *v = odd_string(rng, pool),
            toml::Value::Boolean(b) => *b = !*b,
            toml::Value::Array(a) => match rng.random_range(0..3) {
                0 if !a.is_empty() => {
                    let e = a[rng.random_range(0..a.len())].clone();
                    a.push(e); // a duplicate entry (same name)
                }
                1 => a.clear(),
                _ if !a.is_empty() => {
                    let i = rng.random_range(0..a.len());
                    a.remove(i);
                }
                _ => *v = odd_number(rng),
            },
            toml::Value::Table(t) => {
                let keys: Vec<String> = t.keys().cloned().collect();
                if !keys.is_empty() && rng.random_bool(0.5) {
                    t.remove(&keys[rng.random_range(0..keys.len())]);
                } else {
                    t.insert("unexpected_key".into(), odd_number(rng));
                }
            }
            _ => *v = odd_number(rng),
        }
        return true;
    }
    *k -= 1;
    match v {
        toml::Value::Array(a) => a.iter_mut().any(|x| mutate_at(x, k, rng, pool)),
        toml::Value::Table(t) => t.iter_mut().any(|(_, x)| mutate_at(x, k, rng, pool)),
        _ => false,
    }
}

/// A mutated copy of a shipped file (1–3 mutations), as TOML text.
fn mutated(seed_file: &Path, rng: &mut impl Rng) -> String {
    let text = std::fs::read_to_string(seed_file).unwrap();
    let mut v: toml::Value = toml::from_str(&text).unwrap();
    let mut pool = Vec::new();
    strings(&v, &mut pool);
    for _ in 0..rng.random_range(1..=3) {
        let n = count(&v);
        let mut k = rng.random_range(1..n);
        mutate_at(&mut v, &mut k, rng, &pool);
    }
    toml::to_string(&v).unwrap_or(text)
}

/// Run akuttsim with the limits; returns the exit code, or an error for a hang or a crash.
fn akuttsim(args: &[&std::ffi::OsStr], cwd: &Path) -> Result<(i32, String), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_akuttsim"));
    cmd.args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                rlimit::setrlimit(rlimit::Resource::AS, MEMORY, MEMORY)?;
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    match child.wait_timeout(TIMEOUT).map_err(|e| e.to_string())? {
        Some(status) => {
            let err = reader.join().unwrap_or_default();
            match status.code() {
                Some(c) => Ok((c, err)),
                None => Err(format!("killed by a signal (abort?): {err}")),
            }
        }
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("no answer within {TIMEOUT:?} (a hang)"))
        }
    }
}

/// Every share in a summary (of a run, or of each variant of an experiment) lies in 0..1, and
/// no number is NaN.
fn check_summary(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut summaries = Vec::new();
    if let Some(vars) = v.get("variants").and_then(|x| x.as_object()) {
        summaries.extend(vars.values());
    } else if let Some(sets) = v.get("assumptions").and_then(|x| x.as_object()) {
        // Assumption set → variant → summary.
        for set in sets.values() {
            summaries.extend(
                set.as_object()
                    .ok_or("an assumption set without variants")?
                    .values(),
            );
        }
    } else {
        summaries.push(&v);
    }
    for s in summaries {
        for (name, e) in s["kpi"].as_object().ok_or("no kpi")? {
            for f in ["mean", "ci95_low", "ci95_high"] {
                if let Some(x) = e[f].as_f64() {
                    if !x.is_finite() {
                        return Err(format!("{name}.{f} = {x}"));
                    }
                    if e["unit"] == "share" && !(0.0..=1.0).contains(&x) {
                        return Err(format!("{name}.{f} = {x} is not a share"));
                    }
                }
            }
            if let (Some(m), Some(l), Some(h)) = (
                e["mean"].as_f64(),
                e["ci95_low"].as_f64(),
                e["ci95_high"].as_f64(),
            ) && !(l <= m && m <= h)
            {
                return Err(format!("{name}: mean {m} outside its CI {l}–{h}"));
            }
        }
    }
    Ok(())
}

/// One case: check the mutated file, and (when `run` and it is valid) run it briefly.
fn case(seed_file: &Path, text: &str, run: bool, dir: &Path) -> Result<(), String> {
    // The mutated file sits beside the original (in the copy), so its relative paths
    // (extends, tables, the base of an experiment) still resolve.
    let f = seed_file.parent().unwrap().join(".fuzz-case.toml");
    std::fs::write(&f, text).map_err(|e| e.to_string())?;
    let result = (|| {
        let (c, err) = akuttsim(&[std::ffi::OsStr::new("check"), f.as_os_str()], root())?;
        if c != 0 && c != 1 || err.contains("panicked") {
            return Err(format!("check: exit {c}: {err}"));
        }
        if !run || c != 0 {
            return Ok(());
        }
        let out = dir.join("out");
        let kind = if text.contains("\nbase = ") || text.starts_with("base = ") {
            "experiment"
        } else {
            "run"
        };
        let mut args: Vec<&std::ffi::OsStr> = vec![std::ffi::OsStr::new(kind), f.as_os_str()];
        args.extend(
            [
                "--replications",
                "2",
                "--days",
                "2",
                "--warmup-days",
                "0.5",
                "--quiet",
                "--out",
            ]
            .iter()
            .map(std::ffi::OsStr::new),
        );
        args.push(out.as_os_str());
        let (c, err) = akuttsim(&args, root())?;
        if c != 0 && c != 1 || err.contains("panicked") {
            return Err(format!("{kind}: exit {c}: {err}"));
        }
        if c == 0 {
            check_summary(&out.join("summary.json"))?;
            serde_json::from_slice::<serde_json::Value>(
                &std::fs::read(out.join("manifest.json")).map_err(|e| e.to_string())?,
            )
            .map_err(|e| format!("manifest: {e}"))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&f);
    result
}

#[test]
fn mutated_inputs_never_crash_hang_or_lie() {
    let n: usize = std::env::var("AKUTTSIM_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds(tmp.path());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20_261_201);
    let mut failures = Vec::new();
    for i in 0..n {
        let seed_file = &seeds[i % seeds.len()];
        let text = mutated(seed_file, &mut rng);
        if let Err(e) = case(seed_file, &text, i % 6 == 0, tmp.path()) {
            let dir = root().join("target/fuzz-failures");
            let _ = std::fs::create_dir_all(&dir);
            let keep = dir.join(format!("case-{i}.toml"));
            let _ = std::fs::write(&keep, &text);
            failures.push(format!(
                "case {i} (from {}; kept in {}): {e}",
                seed_file.display(),
                keep.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
