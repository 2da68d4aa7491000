//! `[travel]`: the great-circle rule, ferries for the ferry-aware estimate, and the emergency
//! driving factor.

use super::common;
use crate::base::urgency::PerUrgency;
use crate::input::problem::Problems;
use crate::input::scenario::limits::{MAX_DETOUR, MAX_DURATION_MIN};
use crate::input::scenario::raw::RawTravel;
use crate::input::travel::{Ferry, RoadRule};

/// The great-circle rule.
pub fn rule(t: &RawTravel, p: &mut Problems) -> RoadRule {
    RoadRule {
        detour: common::bounded(
            t.detour_factor.unwrap_or(1.3),
            1.0,
            MAX_DETOUR,
            "a road detour factor (road ÷ great-circle distance; 1.3 by default)",
            "travel.detour_factor",
            p,
        ),
        speed_kmh: common::bounded(
            t.speed_kmh.unwrap_or(65.0),
            1.0,
            200.0,
            "an average road speed in km/h (65 by default)",
            "travel.speed_kmh",
            p,
        ),
    }
}

/// `[[travel.ferries]]`.
pub fn ferries(t: &RawTravel, p: &mut Problems) -> Vec<Ferry> {
    let mut out = Vec::new();
    for (i, f) in t.ferries.iter().flatten().enumerate() {
        let path = format!("travel.ferries[{i}]");
        common::latlon(
            f.quay_far.lat,
            f.quay_far.lon,
            &format!("{path}.quay_far"),
            p,
        );
        common::latlon(
            f.quay_near.lat,
            f.quay_near.lon,
            &format!("{path}.quay_near"),
            p,
        );
        let crossing = common::bounded(
            f.crossing_min,
            0.0,
            MAX_DURATION_MIN,
            "minutes",
            &format!("{path}.crossing_min"),
            p,
        );
        let headway = common::bounded(
            f.headway_min,
            0.0,
            MAX_DURATION_MIN,
            "minutes",
            &format!("{path}.headway_min"),
            p,
        );
        if f.far_side.is_empty() {
            p.push(
                format!("{path}.far_side"),
                "empty — name the zones and facilities that reach the rest over this ferry",
            );
        }
        out.push(Ferry {
            name: f.name.clone(),
            quay_far: (f.quay_far.lat, f.quay_far.lon),
            quay_near: (f.quay_near.lat, f.quay_near.lon),
            crossing_min: crossing,
            headway_min: headway,
            far_side: f.far_side.clone(),
        });
    }
    out
}

/// `emergency_travel_factor`: an ambulance's road travel time to the scene and to hospital,
/// as a multiple of the matrix time, by urgency (default 1).
pub fn emergency(t: &RawTravel, p: &mut Problems) -> PerUrgency<f64> {
    match &t.emergency_travel_factor {
        Some(f) => PerUrgency::from_fn(|u| {
            common::bounded(
                f[u],
                0.3,
                2.0,
                "a travel-time factor",
                &format!("travel.emergency_travel_factor.{}", u.name()),
                p,
            )
        }),
        None => PerUrgency::splat(1.0),
    }
}
