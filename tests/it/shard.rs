//! Scale-out: `--shard I/N` and `akuttsim merge` give exactly the single-machine run.

use crate::common::*;
use std::path::{Path, PathBuf};

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Run `args` + `--shard i/n --out dir/s<i>` for every i; return the folders.
fn shards(args: &[&str], n: u64, dir: &Path) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let out = dir.join(format!("s{i}"));
            let mut a: Vec<String> = args.iter().map(|x| x.to_string()).collect();
            a.extend([
                "--shard".into(),
                format!("{i}/{n}"),
                "--out".into(),
                s(&out),
                "--quiet".into(),
            ]);
            assert_ok(&cli(&a));
            assert!(
                out.join("shard.json").exists(),
                "shard {i} wrote shard.json"
            );
            out
        })
        .collect()
}

fn merge(dirs: &[PathBuf], out: &Path) -> std::process::Output {
    let mut a = vec!["merge".to_string()];
    a.extend(dirs.iter().map(|d| s(d)));
    a.extend(["--out".into(), s(out)]);
    cli(&a)
}

#[test]
fn four_shards_merged_in_any_order_are_the_single_run_byte_for_byte() {
    // An experiment with assumption sets (20 scenarios) and 6 replications: shard 4/4 holds
    // replication 3 only, shards 1 and 2 two each — the union is every replication once.
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "experiment",
        "experiments/teaching-ambulances.toml",
        "--replications",
        "6",
        "--days",
        "20",
    ];
    let single = tmp.path().join("single");
    let mut a: Vec<&str> = args.to_vec();
    let so = s(&single);
    a.extend(["--out", &so, "--quiet"]);
    assert_ok(&cli(&a));
    let mut dirs = shards(&args, 4, tmp.path());
    dirs.reverse();
    let merged = tmp.path().join("merged");
    assert_ok(&merge(&dirs, &merged));
    for f in [
        "summary.json",
        "kpi.csv",
        "comparison.csv",
        "utilisation_by_hour.csv",
    ] {
        assert!(
            std::fs::read(single.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs between the single run and the merged shards"
        );
    }
}

#[test]
fn a_sharded_model_run_merges_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "models/fjordby.toml",
        "--replications",
        "3",
        "--days",
        "15",
    ];
    let single = tmp.path().join("single");
    let so = s(&single);
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--out", &so, "--quiet"]);
    assert_ok(&cli(&a));
    let dirs = shards(&args, 2, tmp.path());
    let merged = tmp.path().join("merged");
    assert_ok(&merge(&dirs, &merged));
    for f in ["summary.json", "kpi.csv"] {
        assert!(
            std::fs::read(single.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn merge_refuses_missing_repeated_foreign_and_stale_shards() {
    let tmp = tempfile::tempdir().unwrap();
    // A model copied to a folder of its own, so the test can change it afterwards.
    let model = tmp.path().join("fjordby.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fjordby.toml"),
        &model,
    )
    .unwrap();
    let ms = s(&model);
    let args = ["run", ms.as_str(), "--replications", "3", "--days", "5"];
    let dirs = shards(&args, 3, tmp.path());
    let err = |o: std::process::Output| {
        assert_eq!(o.status.code(), Some(1), "bad input exits 1");
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let out = tmp.path().join("m");
    let e = err(merge(&dirs[..2], &out));
    assert!(e.contains("3/3") && e.contains("missing"), "{e}");
    let e = err(merge(
        &[dirs[0].clone(), dirs[0].clone(), dirs[1].clone()],
        &out,
    ));
    assert!(e.contains("given twice"), "{e}");
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let other_dirs = shards(
        &["run", ms.as_str(), "--replications", "3", "--days", "6"],
        3,
        &other,
    );
    let e = err(merge(
        &[dirs[0].clone(), dirs[1].clone(), other_dirs[2].clone()],
        &out,
    ));
    assert!(e.contains("different runs"), "{e}");
    let e = err(merge(&[tmp.path().to_path_buf()], &out));
    assert!(e.contains("shard.json"), "{e}");
    // The model changes after the shards ran: merging would not be the run they are shards of.
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&model, format!("{text}\n# edited\n")).unwrap();
    let e = err(merge(&dirs, &out));
    assert!(e.contains("changed since the shards ran"), "{e}");
    assert!(!out.exists(), "nothing written on a refused merge");
}

#[test]
fn a_bad_shard_argument_names_the_fix() {
    for bad in ["0/4", "5/4", "4", "a/b", "1/0", "2/20000"] {
        let o = cli(["run", "models/fjordby.toml", "--shard", bad, "--days", "1"]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.contains("--shard I/N") && e.contains("e.g. --shard 2/4"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_real_slurm_array_of_four_shards_merges_to_the_single_run() {
    // contrib/slurm/local-cluster-test.sh starts munged, slurmctld and slurmd (Debian's
    // packages, installed when missing and possible) in a temporary folder and a network
    // namespace of their own, submits contrib/slurm/submit.sh's 4-task array and merge job, compares
    // the merged outputs with a single run byte for byte, and stops every daemon it started.
    // Exit 77: Slurm cannot be installed or started here — the test says why and passes.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/slurm/local-cluster-test.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_akuttsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(77) {
        eprintln!("skipped: {}", stdout.trim());
        return;
    }
    assert!(
        out.status.success() && stdout.contains("OK: 4 Slurm array tasks merged"),
        "{stdout}\n{stderr}"
    );
}
