//! `akuttsim region`: a model for any set of kommuner from the shipped facility tables.

use crate::common::*;
use std::ffi::OsStr;
use std::path::Path;

/// Generate a model for `kommuner` into `dir`, returning its path and the command's output.
fn generate(kommuner: &str, name: &str, dir: &Path) -> (std::path::PathBuf, String) {
    let out = dir.join("model.toml");
    let o = cli([
        OsStr::new("region"),
        OsStr::new("--kommuner"),
        OsStr::new(kommuner),
        OsStr::new("--name"),
        OsStr::new(name),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&o);
    (out, String::from_utf8_lossy(&o.stdout).to_string())
}

#[test]
fn a_town_district_an_island_district_and_a_whole_amk_area_generate_valid_models_that_run() {
    let mr = "1505,1506,1508,1511,1514,1515,1516,1517,1520,1525,1528,1531,1532,1535,1539,1547,1554,1557,1560,1563,1566,1573,1576,1577,1578,1579,1580";
    for (kommuner, name, pop, hospital) in [
        ("1505,1554,1560,1557", "Kristiansund IKL", 36_315.0, "SNR"),
        ("1573,1576", "Smøla and Aure", 5_558.0, ""), // SSB 04317: 2,167 + 3,391
        (
            mr,
            "AMK Møre og Romsdal area",
            272_027.0,
            "Ålesund sjukehus",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (file, stdout) = generate(kommuner, name, tmp.path());
        assert!(
            stdout.contains("it loads") && stdout.contains("assumptions"),
            "{stdout}"
        );
        let text = std::fs::read_to_string(&file).unwrap();
        // Facts cite their table rows; what the tables lack is labelled.
        assert!(text.contains("legevakt.csv row") || text.contains("no legevakt of legevakt.csv"));
        assert!(
            text.contains("hospitals.csv row") && text.contains(hospital),
            "{name}"
        );
        assert!(text.contains("[assumption]") && text.contains("# Assumptions in this model:"));
        let scn = akuttsim::input::scenario::load(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(scn.population(), pop, "{name}");
        assert!(scn.amk.is_some() && scn.hospitals.len() >= 2 && !scn.stations.is_empty());
        let s = run(&scn, 1, 5.0, 1.0, 1, 0);
        assert!(
            kpi(&s, "ambulance_missions_per_1000").0 > 0.0,
            "{name} runs"
        );
    }
}

#[test]
fn the_island_district_keeps_its_ambulance_boat_and_a_kommune_without_a_station_gets_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, stdout) = generate("1573,1576", "Smøla and Aure", tmp.path());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("Øyvakt") && text.contains("kind = \"boat\""),
        "the Smøla boat"
    );
    assert!(
        stdout.contains("Ambulanse Aure: no station in the table"),
        "{stdout}"
    );
}

#[test]
fn bad_kommuner_lists_and_an_existing_file_get_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.toml");
    for (list, expect) in [
        ("9999", "\"9999\" is not a kommune number"),
        ("", "--kommuner is empty"),
        (" , ", "--kommuner is empty"),
        ("1505,1554,1505", "1505 (Kristiansund) is given twice"),
    ] {
        let o = cli([
            OsStr::new("region"),
            OsStr::new("--kommuner"),
            OsStr::new(list),
            OsStr::new("--name"),
            OsStr::new("x"),
            OsStr::new("--out"),
            out.as_os_str(),
        ]);
        assert_eq!(o.status.code(), Some(1), "{list:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(expect), "{list:?}: {e}");
        assert!(!out.exists(), "nothing written for {list:?}");
    }
    std::fs::write(&out, "# my edits\n").unwrap();
    let o = cli([
        OsStr::new("region"),
        OsStr::new("--kommuner"),
        OsStr::new("1505"),
        OsStr::new("--name"),
        OsStr::new("x"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "# my edits\n",
        "the user's file is kept"
    );
}

#[test]
fn a_whole_amk_area_by_name_takes_every_kommune_of_the_area_table() {
    // amk_kommuner.csv: AMK Førde = the 17 kommuner of Helse Førde without Gulen, 107,709
    // inhabitants (SSB 04317), the same area as models/sogn-og-fjordane.toml.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("forde.toml");
    let o = cli([
        OsStr::new("region"),
        OsStr::new("--amk"),
        OsStr::new("AMK Førde"),
        OsStr::new("--name"),
        OsStr::new("AMK Førde area"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    assert_ok(&o);
    let scn = akuttsim::input::scenario::load(&out).unwrap();
    assert_eq!(scn.population(), 107_709.0);
    assert_eq!(scn.amk.as_ref().unwrap().name, "AMK Førde");
    let o = cli([
        OsStr::new("region"),
        OsStr::new("--amk"),
        OsStr::new("AMK Nowhere"),
        OsStr::new("--name"),
        OsStr::new("x"),
        OsStr::new("--out"),
        tmp.path().join("x.toml").as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("give one of") && e.contains("\"AMK Førde\""),
        "{e}"
    );
}

#[test]
fn kommuner_of_two_amk_areas_call_their_own_centres() {
    // Rauma, Sunndal and Surnadal are AMK Møre og Romsdal's, Oppdal and Rennebu AMK
    // Sør-Trøndelag's (amk_kommuner.csv): the model gets one further centre for the two.
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = generate(
        "1539,1563,1566,5021,5022",
        "Across two AMK areas",
        tmp.path(),
    );
    let scn = akuttsim::input::scenario::load(&file).unwrap();
    let amk = scn.amk.as_ref().unwrap();
    assert_eq!(amk.name, "AMK Møre og Romsdal");
    assert_eq!(amk.centres.len(), 1);
    assert!(amk.centres[0].0.starts_with("AMK Sør-Trøndelag"));
    let oppdal = scn
        .zones
        .iter_enumerated()
        .find(|(_, z)| z.kommune.as_deref() == Some("5021"))
        .unwrap()
        .0;
    let rauma = scn
        .zones
        .iter_enumerated()
        .find(|(_, z)| z.kommune.as_deref() == Some("1539"))
        .unwrap()
        .0;
    assert_eq!(
        (scn.derived.zone_amk[oppdal], scn.derived.zone_amk[rauma]),
        (1, 0)
    );
    let s = run(&scn, 1, 5.0, 1.0, 1, 0);
    assert!(kpi(&s, "amk_answered_within_10s_share").0 > 0.0);
}

#[test]
fn a_city_whose_delomraader_are_split_by_bydel_generates_a_model_that_loads() {
    // Oslo's delområder are split by bydel, so several rows share "Oslo: Sentrum 2"; the model
    // names them as the loader does (with the zone id) and marks them all urban (tettbygd).
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = generate("0301", "Oslo", tmp.path());
    let scn = akuttsim::input::scenario::load(&file).unwrap();
    assert_eq!(scn.population(), 722_278.0);
    assert!(
        scn.zones
            .iter()
            .all(|z| z.class == akuttsim::input::scenario::ZoneClass::Urban)
    );
    assert!(
        scn.zones
            .iter()
            .any(|z| z.name.starts_with("Oslo: Sentrum 2 ("))
    );
}
