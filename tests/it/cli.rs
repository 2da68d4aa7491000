//! The command line keeps its documented contract: exit codes (0 ok, 1 bad input, 2 failure,
//! 130 interrupted), errors printed once, `check` on either kind of file, shared run options,
//! and output folders that always hold one run's complete results.

use crate::common::*;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn code(args: &[&str]) -> (Option<i32>, String, String) {
    let o = cli(args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn help_and_version_exit_0_and_bad_arguments_exit_1() {
    assert_eq!(code(&["--help"]).0, Some(0));
    assert_eq!(code(&["--version"]).0, Some(0));
    assert_eq!(code(&["run", "--help"]).0, Some(0));
    for bad in [
        vec!["frobnicate"],
        vec![],
        vec!["run"],
        vec!["run", "models/fjordby.toml", "--replications", "zero"],
        vec!["run", "models/fjordby.toml", "--no-such-flag"],
        vec![
            "experiment",
            "experiments/teaching-ambulances.toml",
            "--threads",
            "-1",
        ],
    ] {
        let (c, _, err) = code(&bad);
        assert_eq!(c, Some(1), "{bad:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_missing_file_is_bad_input_with_its_cause_printed_once() {
    let (c, _, err) = code(&["run", "models/no-such-model.toml"]);
    assert_eq!(c, Some(1), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    assert!(
        err.contains("models/no-such-model.toml") && err.contains("check the path"),
        "{err}"
    );
    let (c, _, err) = code(&["check", "models/no-such-model.toml"]);
    assert_eq!(c, Some(1), "{err}");
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_path_is_an_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"models/\xff\xfe.toml");
    for cmd in ["run", "experiment", "check"] {
        let o = cli([OsStr::new(cmd), bad]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {err}");
        assert!(!err.contains("panicked"), "{cmd}: {err}");
    }
    let o = cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--out"),
        OsStr::from_bytes(b"/tmp/\xff"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("UTF-8"));
}

#[test]
fn check_knows_an_experiment_file_and_checks_it_as_one() {
    let (c, out, err) = code(&[
        "check",
        "experiments/romsdal-structures.toml",
        "models/fjordby.toml",
    ]);
    assert_eq!(c, Some(0), "{err}");
    assert!(
        out.contains("experiment \"Romsdal legevakt structures\""),
        "{out}"
    );
    assert!(out.contains("5 variants"), "{out}");
    assert!(out.contains("4 assumption sets"), "{out}");
    assert!(out.contains("model \"Fjordby"), "{out}");
    // A broken variant is reported as the experiment's problem, with its path.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("e.toml");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml");
    std::fs::write(
        &f,
        format!("name = \"e\"\nbase = \"{}\"\n[[variants]]\nname = \"v\"\noverrides = {{ amk = {{ legevakt_callout_share = 2.0 }} }}\n", base.display()),
    )
    .unwrap();
    let o = cli([OsStr::new("check"), f.as_os_str()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("variants[0] (\"v\") → amk.legevakt_callout_share"),
        "{err}"
    );
}

#[test]
fn run_and_experiment_share_their_options() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = cli([
        OsStr::new("experiment"),
        OsStr::new("experiments/teaching-ambulances.toml"),
        OsStr::new("--replications"),
        OsStr::new("2"),
        OsStr::new("--days"),
        OsStr::new("3"),
        OsStr::new("--warmup-days"),
        OsStr::new("0.5"),
        OsStr::new("--seed"),
        OsStr::new("77"),
        OsStr::new("--trace"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&o);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["seed"], 77);
    assert_eq!(s["warmup_days"], 0.5);
    assert_eq!(s["horizon_days"], 3.0);
    let trace = std::fs::read_to_string(out.join("trace_vehicles.csv")).unwrap();
    assert!(
        trace.starts_with("variant,replication,vehicle,t_min,from,to,warmup"),
        "{trace:.80}"
    );
    assert!(
        trace.contains("Fjordby ambulansestasjon #1"),
        "vehicles are named by station"
    );
    assert!(
        trace.contains(",true\n") && trace.contains(",false\n"),
        "warm-up rows are flagged"
    );
}

/// Start `akuttsim run MODEL` into `out` in the background.
fn spawn_run(model: &str, reps: &str, seed: &str, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_akuttsim"))
        .args([
            "run",
            model,
            "--replications",
            reps,
            "--days",
            "365",
            "--threads",
            "1",
            "--quiet",
            "--seed",
            seed,
            "--out",
        ])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Files beside `out` (staging folders would show up here).
fn siblings(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn seed_of(out: &Path) -> (u64, u64) {
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(out.join(f)).unwrap()).unwrap()
    };
    (
        read("summary.json")["seed"].as_u64().unwrap(),
        read("manifest.json")["seed"].as_u64().unwrap(),
    )
}

/// Wait until `f` exists (the run has started its work).
fn wait_for(f: impl Fn() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < Duration::from_secs(30), "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn staging_exists(out: &Path) -> bool {
    siblings(out).iter().any(|n| n.contains(".akuttsim-tmp-"))
}

#[cfg(unix)]
#[test]
fn ctrl_c_writes_nothing_and_keeps_the_old_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("res");
    assert_ok(&cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--days"),
        OsStr::new("5"),
        OsStr::new("--replications"),
        OsStr::new("2"),
        OsStr::new("--seed"),
        OsStr::new("1"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]));
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let mut child = spawn_run("models/more-og-romsdal.toml", "400", "2", &out);
    wait_for(|| staging_exists(&out));
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        std::fs::read(out.join("summary.json")).unwrap(),
        before,
        "old results untouched"
    );
    assert_eq!(
        siblings(&out),
        vec!["res".to_string()],
        "no temporary folder left"
    );
}

#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_old_results_and_the_next_run_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("res");
    let mut child = spawn_run("models/more-og-romsdal.toml", "400", "3", &out);
    wait_for(|| staging_exists(&out));
    child.kill().unwrap(); // SIGKILL: no clean-up possible
    child.wait().unwrap();
    assert!(!out.exists(), "a killed first run leaves no half result");
    assert!(staging_exists(&out));
    let mut next = spawn_run("models/fjordby.toml", "2", "4", &out);
    assert!(next.wait().unwrap().success());
    assert_eq!(
        siblings(&out),
        vec!["res".to_string()],
        "the stale staging folder is removed"
    );
    assert_eq!(seed_of(&out), (4, 4));
}

#[test]
fn two_runs_into_one_folder_leave_one_runs_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("res");
    let a = spawn_run("models/fjordby.toml", "3", "11", &out);
    let b = spawn_run("models/fjordby.toml", "3", "12", &out);
    for o in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
        assert!(
            o.status.success(),
            "a run failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (s, m) = seed_of(&out);
    assert_eq!(s, m, "summary and manifest come from the same run");
    assert!(s == 11 || s == 12);
    assert_eq!(siblings(&out), vec!["res".to_string()]);
}

#[test]
fn an_output_folder_with_other_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let o = cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--out"),
        tmp.path().as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not akuttsim results"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn an_overloaded_model_stops_with_a_clear_error() {
    // 10⁵ needs per 1000 per year at one doctor: the queue grows without bound. The run stops at
    // the patient bound with exit 1 and says where they wait, instead of exhausting memory.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("m.toml");
    std::fs::write(&f, mmc_station(1, 30.0, [0.0, 0.0, 100_000.0])).unwrap();
    let o = cli([
        OsStr::new("run"),
        f.as_os_str(),
        OsStr::new("--days"),
        OsStr::new("36500"),
        OsStr::new("--replications"),
        OsStr::new("1"),
        OsStr::new("--quiet"),
        OsStr::new("--out"),
        tmp.path().join("o").as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("overloaded") && err.contains("station doctors"),
        "{err}"
    );
}

#[test]
fn a_folder_that_cannot_be_written_is_a_failure_exit_2() {
    // The parent of --out is a file: the folder cannot be created (not the user's input being
    // wrong in content, but the system refusing): exit 2, with the cause.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let o = cli([
        OsStr::new("run"),
        OsStr::new("models/fjordby.toml"),
        OsStr::new("--days"),
        OsStr::new("1"),
        OsStr::new("--out"),
        file.join("out").as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot create the folder"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "the cause once: {err}");
}
