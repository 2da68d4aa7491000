//! Every validation error a user can make is reported with the field's path, what is wrong and
//! how to fix it — all problems at once, never a panic.

use crate::common::*;

/// A valid base scenario; tests break one thing (or several) in it.
fn base() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/fjordby.toml")).unwrap()
}

fn has(problems: &[String], path: &str, words: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("{path}:")) && p.contains(words)),
        "no problem at `{path}` containing \"{words}\" in:\n{}",
        problems.join("\n")
    );
}

#[test]
fn wrong_type_names_the_field() {
    let t = base().replacen("population = 24000", "population = \"many\"", 1);
    has(&problems(&t), "zones[0].population", "invalid type");
}

#[test]
fn unknown_field_is_rejected_with_the_expected_names() {
    let t = base().replacen("population = 6000", "population = 6000\npopulaton = 1", 1);
    let p = problems(&t);
    has(
        &p,
        "zones[1].populaton",
        "unknown field `populaton`, expected one of `name`, `population`",
    );
    has(&p, "zones[1].populaton", "correct the spelling");
    let t = base() + "\n[extras]\nx = 1\n";
    has(&problems(&t), "extras", "unknown section");
}

#[test]
fn negative_and_zero_rates_and_capacities() {
    let t = base().replacen("red = 9.0, yellow = 84.0", "red = -9.0, yellow = 84.0", 1);
    has(
        &problems(&t),
        "demand.calls_116117.per_1000_per_year.red",
        "from 0 to 100000",
    );
    let t = base().replacen(
        "{ red = 27.0, yellow = 39.0, green = 73.0 }",
        "{ red = 0.0, yellow = 0.0, green = 0.0 }",
        1,
    );
    has(
        &problems(&t),
        "demand.calls_113.per_1000_per_year",
        "all rates are zero",
    );
    let t = base().replacen(
        "{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 1 }",
        "{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 0 }",
        1,
    );
    has(
        &problems(&t),
        "legevaktsentral[0].nurses[0].count",
        "at least 1",
    );
    let t = base().replacen("population = 4000", "population = 0", 1);
    has(&problems(&t), "zones[3].population", "> 0");
    let t = base().replacen("mean = 17.5, sd = 8.0", "mean = -17.5, sd = 8.0", 1);
    has(
        &problems(&t),
        "legevakt[0].consultation_time_min",
        "negative",
    );
}

#[test]
fn satellite_with_missing_host() {
    let t = base().replacen(
        "host = \"Fjordby legevakt\"",
        "host = \"Fjordby legevakta\"",
        1,
    );
    let p = problems(&t);
    has(
        &p,
        "satellites[0].host",
        "\"Fjordby legevakta\" is not a [[legevakt]] station",
    );
    has(&p, "satellites[0].host", "Fjordby legevakt");
}

#[test]
fn probabilities_must_sum_to_one() {
    let t = base().replacen("advice = 0.3985", "advice = 0.4985", 1);
    has(
        &problems(&t),
        "legevaktsentral[0].disposition.green",
        "sum to 1.100000",
    );
    let t = base().replacen("advice = 0.3985", "advice = 1.3985", 1);
    has(
        &problems(&t),
        "legevaktsentral[0].disposition.green.advice",
        "not a probability",
    );
}

#[test]
fn empty_schedules_and_uncovered_opening_hours() {
    let t = base().replacen(
        "open = [\n  { days = \"mon-fri\", from = \"16:00\", to = \"22:00\" },\n  { days = \"sat-sun\", from = \"10:00\", to = \"20:00\" },\n]",
        "open = []",
        1,
    );
    has(&problems(&t), "satellites[0].open", "empty");
    // Satellite open longer than its nurses work.
    let t = base().replacen(
        "{ days = \"mon-fri\", from = \"16:00\", to = \"22:00\" }",
        "{ days = \"mon-fri\", from = \"16:00\", to = \"23:00\" }",
        1,
    );
    has(&problems(&t), "satellites[0].nurses", "Mon 22:00");
    let t = base().replacen("from = \"16:00\", to = \"08:00\", count = 1 },\n  { days = \"sat-sun\", from = \"08:00\", to = \"08:00\", count = 1 },\n  { days = \"mon-fri\", from = \"16:00\", to = \"22:00\", count = 1 }", "from = \"16:00\", to = \"07:00\", count = 1 },\n  { days = \"sat-sun\", from = \"08:00\", to = \"08:00\", count = 1 },\n  { days = \"mon-fri\", from = \"16:00\", to = \"22:00\", count = 1 }", 1);
    has(&problems(&t), "legevakt[0].doctors", "no doctor is on duty");
}

#[test]
fn bad_clock_and_day_names() {
    let t = base().replacen(
        "{ days = \"mon-fri\", from = \"16:00\", to = \"22:00\" }",
        "{ days = \"mon-fry\", from = \"16:70\", to = \"22:00\" }",
        1,
    );
    let p = problems(&t);
    has(&p, "satellites[0].open[0].days", "not a day");
    has(&p, "satellites[0].open[0].from", "HH:MM");
}

#[test]
fn unreadable_travel_csv() {
    let t = base().replacen(
        "speed_kmh = 65.0",
        "speed_kmh = 65.0\nmatrix_csv = \"no/such/file.csv\"",
        1,
    );
    has(
        &problems(&t),
        "travel.matrix_csv",
        "cannot read \"no/such/file.csv\"",
    );
}

#[test]
fn travel_csv_rows_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("t.csv");
    std::fs::write(
        &csv,
        "from,to,minutes,km\nNesvik,Nesvik satellitt,5,4\nNowhere,Fjordby legevakt,3,2\nDalheim,Fjordby legevakt,abc,2\n",
    )
    .unwrap();
    let t = base().replacen(
        "speed_kmh = 65.0",
        &format!("speed_kmh = 65.0\nmatrix_csv = \"{}\"", csv.display()),
        1,
    );
    let p = problems(&t);
    has(&p, &format!("{}:4", csv.display()), "minutes");
    // A name the scenario lacks is skipped with a warning that names it (a table shared by the
    // variants of a model names facilities some lack); the other rows still apply.
    assert!(!p.iter().any(|x| x.contains("Nowhere")), "{p:#?}");
    let ok = csv.with_file_name("ok.csv");
    std::fs::write(
        &ok,
        "from,to,minutes,km\nNesvik,Nesvik satellitt,5,4\nNowhere,Fjordby legevakt,3,2\n",
    )
    .unwrap();
    let t = base().replacen(
        "speed_kmh = 65.0",
        &format!("speed_kmh = 65.0\nmatrix_csv = \"{}\"", ok.display()),
        1,
    );
    let s = scenario(&t);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("\"Nowhere\"") && w.contains("skipped")),
        "{:#?}",
        s.warnings
    );
    assert_eq!(s.travel.pairs_by_source()[1].1, 1, "the Nesvik row applies");
    // A table none of whose rows names a place of the scenario is an error.
    std::fs::write(&ok, "from,to,minutes\nNowhere,Fjordby legevakt,3\n").unwrap();
    has(&problems(&t), "travel.matrix_csv", "no row");
}

#[test]
fn many_problems_are_reported_at_once() {
    let t = base()
        .replacen("population = 24000", "population = -1", 1)
        .replacen("class = \"urban\"", "class = \"city\"", 1)
        .replacen("host = \"Fjordby legevakt\"", "host = \"Elsewhere\"", 1)
        .replacen("advice = 0.3985", "advice = 0.5", 1)
        .replacen("lat = 62.950", "lat = 162.950", 1);
    let p = problems(&t);
    has(&p, "zones[0].population", "> 0");
    has(&p, "zones[0].class", "\"city\"");
    has(&p, "satellites[0].host", "Elsewhere");
    has(&p, "legevaktsentral[0].disposition.green", "sum to");
    has(&p, "zones[3].lat", "latitude");
    assert!(p.len() >= 5);
}

#[test]
fn toml_syntax_error_gives_a_line() {
    let t = base().replacen(
        "name = \"Fjordby legevaktdistrikt (synthetic)\"",
        "name = \"unterminated",
        1,
    );
    let p = problems(&t);
    assert!(
        p[0].starts_with("line 10:") && p[0].contains("not valid TOML"),
        "{p:?}"
    );
}

#[test]
fn missing_legevaktsentral_when_callers_need_one() {
    let t = base();
    let start = t.find("[[legevaktsentral]]").unwrap();
    let end = t.find("# ---- legevakt station ----").unwrap();
    let t = format!("{}{}", &t[..start], &t[end..]);
    has(
        &problems(&t),
        "legevaktsentral",
        "need a [[legevaktsentral]]",
    );
}

#[test]
fn chain_sections_are_checked() {
    let t = base()
        .replacen("ed_bays = 8", "ed_bays = 0", 1)
        .replacen("kind = \"road\", count = 2", "kind = \"car\", count = 2", 1)
        .replacen("speed_kmh = 240.0, ", "", 1)
        .replacen(
            "conveyance_share = { red = 0.86",
            "conveyance_share = { red = 1.86",
            1,
        );
    let p = problems(&t);
    has(&p, "hospitals[0].ed_bays", "from 1 to 10000 bays");
    has(&p, "ambulance_stations[0].vehicles[0].kind", "\"car\"");
    has(
        &p,
        "ambulance_stations[2].vehicles[0].speed_kmh",
        "need a speed",
    );
    has(&p, "ambulance.conveyance_share.red", "not a share");
    // AMK with no ambulance at all.
    let cut = base();
    let a = cut.find("# ---- ambulance stations").unwrap();
    let b = cut.find("# ---- hospital ----").unwrap();
    let t = format!("{}{}", &cut[..a], &cut[b..]);
    has(&problems(&t), "ambulance_stations", "no ambulance");
}

#[test]
fn several_type_errors_in_one_entry_are_all_reported() {
    let t = base()
        .replacen("population = 24000", "population = \"many\"", 1)
        .replacen(
            "lat = 62.740\nlon = 7.160\nclass = \"urban\"",
            "lat = \"north\"\nlon = 7.160\nclass = \"urban\"\ncolour = \"blue\"",
            1,
        );
    let p = problems(&t);
    has(&p, "zones[0].population", "invalid type");
    has(&p, "zones[0].lat", "invalid type");
    has(&p, "zones[0].colour", "unknown field");
    // The removed fields are not reported a second time as missing.
    assert!(
        !p.iter().any(|x| x.contains("missing field `population`")),
        "{p:?}"
    );
}

#[test]
fn abandonment_needs_a_redial_time_and_valid_shares() {
    let t = base().replacen(
        "[legevaktsentral.disposition]",
        "abandonment = { patience_min = { dist = \"exponential\", mean = 3 }, redial_share = 0.5 }\n[legevaktsentral.disposition]",
        1,
    );
    has(
        &problems(&t),
        "legevaktsentral[0].abandonment.redial_after_min",
        "missing — give the time from hanging up to calling again",
    );
    let t = base().replacen(
        "[legevaktsentral.disposition]",
        "abandonment = { patience_min = { dist = \"exponential\", mean = -3 }, redial_share = 1.5, redial_after_min = { dist = \"constant\", value = 1 } }\n[legevaktsentral.disposition]",
        1,
    );
    let p = problems(&t);
    has(&p, "legevaktsentral[0].abandonment.patience_min", "mean");
    has(
        &p,
        "legevaktsentral[0].abandonment.redial_share",
        "not a share",
    );
}

#[test]
fn hospital_transfers_need_two_hospitals_and_known_names() {
    // Fjordby has one hospital.
    let t = base() + "\n[demand.hospital_transfers]\nper_1000_per_year = 10\n";
    has(
        &problems(&t),
        "demand.hospital_transfers",
        "transfers need two hospitals",
    );
    let t = base().replacen(
        "admission_share = {",
        "transfers_to = \"Nowhere\"\nadmission_share = {",
        1,
    );
    has(
        &problems(&t),
        "hospitals[0].transfers_to",
        "\"Nowhere\" is not a [[hospitals]] entry",
    );
    let t = base() + "\n[demand.hospital_transfers]\nper_1000_per_year = -1\n";
    has(
        &problems(&t),
        "demand.hospital_transfers.per_1000_per_year",
        "give transfers per 1000",
    );
}

#[test]
fn an_amk_location_needs_both_coordinates_in_range() {
    let lon = "lon = 7.150\n";
    assert!(base().contains("lat = 62.745   # at the hospital, as most AMK centres are"));
    let text = base();
    let amk_lon = text.find("# at the hospital, as most AMK").unwrap();
    let (head, tail) = text.split_at(amk_lon);
    let without_lon = format!("{head}{}", tail.replacen(lon, "", 1));
    has(&problems(&without_lon), "amk", "give both lat and lon");
    let far = base().replacen(
        "lat = 62.745   # at the hospital",
        "lat = 162.745   # at the hospital",
        1,
    );
    has(&problems(&far), "amk.lat", "is not a latitude");
}
