//! The architecture rule of `src/lib.rs`, checked on the source: a module uses only the layers
//! above it (base → input → sim → run → analysis → output → cli), never one downstream.

use std::path::{Path, PathBuf};

/// Layers in order; a module of layer i may use layers 0..=i.
const LAYERS: [&str; 7] = ["base", "input", "sim", "run", "analysis", "output", "cli"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layer of a file: the first folder below `src/`.
fn layer_of(src: &Path, file: &Path) -> Option<usize> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first.as_os_str().to_str()?;
    LAYERS.iter().position(|l| *l == name)
}

/// Every `crate::<layer>` a line of code (not a comment) names.
fn layers_used(line: &str) -> Vec<usize> {
    let code = line.split("//").next().unwrap_or_default();
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if let Some(l) = LAYERS.iter().position(|x| *x == name) {
            out.push(l);
        }
        rest = &after[name.len()..];
    }
    out
}

#[test]
fn no_module_uses_a_layer_downstream_of_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut checked = 0;
    let mut violations = Vec::new();
    for f in &files {
        let Some(own) = layer_of(&src, f) else {
            continue; // lib.rs and main.rs sit above every layer
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for used in layers_used(line) {
                checked += 1;
                if used > own {
                    violations.push(format!(
                        "{}:{}: {} uses {} — {}",
                        f.strip_prefix(&src).unwrap().display(),
                        n + 1,
                        LAYERS[own],
                        LAYERS[used],
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "too few crate:: paths found ({checked}): is the scan broken?"
    );
    assert!(
        violations.is_empty(),
        "layer rule broken:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_source_file_belongs_to_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel == Path::new("lib.rs") || rel == Path::new("main.rs");
        assert!(
            top || layer_of(&src, &f).is_some(),
            "{} is in no layer folder",
            rel.display()
        );
    }
}

#[test]
fn the_scan_sees_a_violation() {
    // The checker itself: a downstream path is found, a comment is not.
    assert_eq!(layers_used("use crate::output::plot;"), vec![5]);
    assert!(layers_used("// see crate::cli").is_empty());
}
