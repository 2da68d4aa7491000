//! What a user who cites, packages or upgrades akuttsim relies on: the licence files the
//! `license` field names, a citation for the version they ran, and a changelog entry for it
//! (the CHANGELOG says when results change).

use std::path::Path;

fn read(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_licence_files_are_those_the_manifest_names() {
    let cargo = read("Cargo.toml");
    assert!(
        cargo
            .lines()
            .any(|l| l.trim() == r#"license = "MIT OR Apache-2.0""#),
        "Cargo.toml has no license = \"MIT OR Apache-2.0\""
    );
    assert!(read("LICENSE-MIT").contains("Permission is hereby granted, free of charge"));
    assert!(read("LICENSE-APACHE").contains("Apache License\n                        Version 2.0"));
    let readme = read("README.md");
    assert!(
        readme.contains("LICENSE-MIT") && readme.contains("LICENSE-APACHE"),
        "the README does not say under which licences the code is"
    );
}

#[test]
fn the_citation_and_the_changelog_name_this_version() {
    let version = env!("CARGO_PKG_VERSION");
    let cff = read("CITATION.cff");
    assert!(cff.starts_with("cff-version: 1.2.0\n"));
    assert!(
        cff.lines().any(|l| l == format!("version: {version}")),
        "CITATION.cff does not cite version {version}"
    );
    let changelog = read("CHANGELOG.md");
    // Changes since the release that leave every result as it was (the version is bumped
    // whenever results change) may stand first, under "## Unreleased".
    let headings: Vec<&str> = changelog.lines().filter(|l| l.starts_with("## ")).collect();
    let unreleased = headings.iter().filter(|l| **l == "## Unreleased").count();
    assert!(
        unreleased == 0 || (unreleased == 1 && headings[0] == "## Unreleased"),
        "CHANGELOG.md's Unreleased section, if any, is one and comes first"
    );
    let heading = headings[unreleased..]
        .first()
        .expect("CHANGELOG.md has a version heading");
    assert!(
        heading.starts_with(&format!("## {version} ")),
        "the newest CHANGELOG entry is {heading:?}, not version {version}"
    );
    // The citation's release date is that of the changelog entry.
    let date = heading.rsplit(' ').next().unwrap();
    assert!(
        cff.lines().any(|l| l == format!("date-released: {date}")),
        "CITATION.cff's date-released is not {date}, the date of {heading:?}"
    );
}
