//! `akuttsim region`: a model for any set of kommuner from the shipped facility tables.

use crate::common::*;
use std::ffi::OsStr;
use std::path::Path;

/// Generate a model for `kommuner` into `dir`, returning its path and the command's output.
fn generate(kommuner: &str, name: &str, dir: &Path) -> (std::path::PathBuf, String) {
    generate_with(&["--kommuner", kommuner], name, dir)
}

/// Generate a model for the kommuner `select` chooses (`--kommuner …`, `--amk …`, `--all`) into
/// `dir`, returning its path and the command's output.
fn generate_with(select: &[&str], name: &str, dir: &Path) -> (std::path::PathBuf, String) {
    let out = dir.join("model.toml");
    let mut args: Vec<&OsStr> = vec![OsStr::new("region")];
    args.extend(select.iter().map(OsStr::new));
    args.extend([
        OsStr::new("--name"),
        OsStr::new(name),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let o = cli(args);
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
    let (out, _) = generate_with(&["--amk", "AMK Førde"], "AMK Førde area", tmp.path());
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
    assert!(amk.centres[0].name.starts_with("AMK Sør-Trøndelag"));
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

/// Rows of a facility table as (name column value, lat, lon).
fn table_points(file: &str, name_col: &str) -> Vec<(String, f64, f64)> {
    let mut r = csv::Reader::from_path(Path::new("models/data/norway").join(file)).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |c: &str| h.iter().position(|x| x == c).unwrap();
    let (n, la, lo) = (col(name_col), col("lat"), col("lon"));
    r.records()
        .map(|x| x.unwrap())
        .map(|x| {
            (
                x[n].to_string(),
                x[la].parse().unwrap_or(f64::NAN),
                x[lo].parse().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn every_facility_of_the_national_model_is_a_table_row_or_counted_as_placed_by_rule() {
    // The shipped national model is what `region --all` writes today (so it follows the tables).
    let tmp = tempfile::tempdir().unwrap();
    let (fresh, _) = generate_with(&["--all"], "Norway", tmp.path());
    let shipped = std::fs::read_to_string("models/norway.toml").unwrap();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| {
                !l.starts_with("extends") && !l.contains("models/data") && !l.contains("csv = ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&shipped),
        strip(&std::fs::read_to_string(&fresh).unwrap()),
        "models/norway.toml is stale: akuttsim region --all --name Norway --out models/norway.toml --force"
    );
    let m: toml::Table = toml::from_str(&shipped).unwrap();
    let near = |rows: &[(String, f64, f64)], name: &str, lat: f64, lon: f64| {
        rows.iter().any(|(n, la, lo)| {
            (name.contains(n.as_str()) || n.contains(name))
                && (la - lat).abs() < 1e-4
                && (lo - lon).abs() < 1e-4
        })
    };
    let (legevakt, stations, air, hospitals) = (
        table_points("legevakt.csv", "name"),
        table_points("ambulance_stations.csv", "station"),
        table_points("air_bases.csv", "name"),
        table_points("hospitals.csv", "name"),
    );
    let kommune_points = table_points("kommuner_2025.csv", "kommune_name");
    let mut tabled = 0;
    let mut ruled = 0;
    for (key, rows) in [
        ("legevakt", &legevakt),
        ("ambulance_stations", &stations),
        ("hospitals", &hospitals),
    ] {
        for e in m[key].as_array().unwrap() {
            let name = e["name"].as_str().unwrap();
            let (lat, lon) = (e["lat"].as_float().unwrap(), e["lon"].as_float().unwrap());
            let is_air = name.starts_with("Ambulansehelikopter ");
            let rows = if is_air { &air } else { rows };
            let n = name.trim_start_matches("Ambulansehelikopter ");
            if near(rows, n, lat, lon) {
                tabled += 1;
            } else {
                // Not a table row: then the generator placed it by rule at a kommune's point.
                assert!(
                    kommune_points
                        .iter()
                        .any(|(kn, la, lo)| name.contains(kn.as_str())
                            && (la - lat).abs() < 1e-4
                            && (lo - lon).abs() < 1e-4),
                    "{key} \"{name}\" ({lat}, {lon}) is neither a table row nor at a kommune's point"
                );
                ruled += 1;
            }
        }
    }
    // Every legevaktsentral is placed by rule (the tables do not say which answers); AMK centres
    // are rows of amk.csv.
    let lvs = m["legevaktsentral"].as_array().unwrap().len();
    let amk_rows = table_points("amk.csv", "name");
    let a = m["amk"].as_table().unwrap();
    let mut centres = vec![a["name"].as_str().unwrap().to_string()];
    for c in a["centres"].as_array().unwrap() {
        centres.push(c["name"].as_str().unwrap().to_string());
    }
    assert_eq!(centres.len(), 16, "the 16 AMK centres");
    for c in &centres {
        assert!(
            amk_rows.iter().any(|r| &r.0 == c),
            "AMK {c} is not in amk.csv"
        );
    }
    let g = m["generated"].as_table().unwrap();
    assert_eq!(
        g["placed_by_rule"].as_integer().unwrap() as usize,
        ruled + lvs,
        "[generated] placed_by_rule"
    );
    assert_eq!(
        g["facilities"].as_integer().unwrap() as usize,
        tabled + ruled + lvs + centres.len()
    );
}
