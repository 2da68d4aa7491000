//! Maps on real geography (`output::plot::map`): kommune borders and coast from
//! `models/data/norway/boundaries/`, zones coloured by their figures, facilities labelled, arrows
//! to facilities outside the view.

use crate::common::*;
use akuttsim::input::experiment::Experiment;
use akuttsim::input::scenario;
use std::path::Path;

/// Run a model shortly (one replication, one day) and draw its plots into a fresh folder.
fn maps_of(model: &str) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scn = scenario::load(&root.join("models").join(model)).unwrap_or_else(|e| panic!("{e}"));
    let exp = Experiment::of_model(scn, spec(1.0, 0.0, 7), 1, root.join("models"));
    let (_, a) = experiment(&exp, 2);
    let out = tempfile::tempdir().expect("temporary folder");
    akuttsim::output::plot::all(&a, out.path()).expect("the plots are written");
    out
}

fn read(out: &tempfile::TempDir, file: &str) -> String {
    std::fs::read_to_string(out.path().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn maps_of_a_whole_area_show_borders_labelled_facilities_and_arrows_to_far_bases() {
    let out = maps_of("sogn-og-fjordane.toml");
    for stem in ["map_response", "map_travel"] {
        let png = std::fs::read(out.path().join(format!("{stem}.png"))).expect("PNG written");
        assert!(png.starts_with(b"\x89PNG"), "{stem}.png is a PNG");
        let svg = read(&out, &format!("{stem}.svg"));
        // Land, filled delområder and borders: hundreds of polygons and border lines.
        assert!(svg.matches("<polygon").count() > 150, "{stem}: polygons");
        assert!(
            svg.matches("<polyline").count() > 100,
            "{stem}: border lines"
        );
        // The credit the boundary tables require (models/data/norway/README.md).
        assert!(
            svg.contains("© Kartverket, Statistisk sentralbyrå"),
            "{stem}: credit"
        );
        assert!(svg.contains("CC BY 4.0"), "{stem}: licence");
        // Facilities in view are labelled; the hospitals rank first.
        for name in [
            "Førde sentralsjukehus",
            "Lærdal sjukehus",
            "Nordfjord sjukehus",
        ] {
            assert!(svg.contains(name), "{stem}: label {name}");
        }
        // The helicopter bases of Bergen and Ålesund lie outside the district: an arrow at the
        // edge with the distance from the nearest zone (Bergen ≈ 80 km from the Gulen border).
        for base in [
            "Ambulansehelikopter Bergen · ",
            "Ambulansehelikopter Ålesund · ",
        ] {
            let at = svg
                .find(base)
                .unwrap_or_else(|| panic!("{stem}: arrow to {base}"));
            let rest = &svg[at + base.len()..];
            let km: f64 = rest
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .expect("km");
            assert!((30.0..200.0).contains(&km), "{stem}: {base}{km} km");
            assert!(rest.starts_with(&format!("{km:.0} km")));
        }
        // Minutes on the colour bar.
        assert!(
            svg.contains("0 min") && svg.contains("[min]"),
            "{stem}: unit"
        );
    }
    // The AMK centre is a facility of the chain: on the map with its own marker and legend entry.
    assert!(read(&out, "map_response.svg").contains("AMK centre (113)"));
    let travel = read(&out, "map_travel.svg");
    assert!(travel.contains("≥ 90 min"));
    assert!(read(&out, "map_response.svg").contains("≥ 40 min"));
}

#[test]
fn invented_zones_are_dots_with_their_names_not_real_areas() {
    // Fjordby's zones are invented places near Molde: no delområde or kommune is named after
    // them, so none is coloured; they are dots, named, over the real borders.
    let out = maps_of("fjordby.toml");
    let svg = read(&out, "map_response.svg");
    assert!(svg.contains("Dots: 4 zone points, area ∝ population"));
    assert!(!svg.contains("Filled:"));
    for name in ["Fjordby sentrum", "Nesvik", "Dalheim", "Fjordby legevakt"] {
        assert!(svg.contains(name), "label {name}");
    }
    assert!(svg.contains("Kartverket"));
    assert!(out.path().join("map_travel.png").is_file());
}
