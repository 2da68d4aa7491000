//! Checks shared by the section validators: distributions, schedules, coordinates, shares,
//! bounded numbers and urgency lists. Each reports into [`Problems`] under the path it is given.

use crate::base::closed::Closed;
use crate::base::dist::{Dist, DistSpec};
use crate::base::schedule::{ShiftSpec, Weekly};
use crate::base::time::MIN_PER_WEEK;
use crate::base::urgency::{PerUrgency, Urgency};
use crate::input::problem::Problems;
use crate::input::scenario::de::closed;

/// A distribution, or `None` with its problems reported.
pub fn dist(spec: &DistSpec, path: &str, p: &mut Problems) -> Option<Dist> {
    match Dist::from_spec(spec) {
        Ok(d) => Some(d),
        Err(es) => {
            for e in es {
                p.push(path, e);
            }
            None
        }
    }
}

/// A call centre's `abandonment` (outer None: a problem was reported; inner None: not given).
pub fn abandonment(
    raw: &Option<crate::input::scenario::raw::RawAbandonment>,
    path: &str,
    p: &mut Problems,
) -> Option<Option<crate::input::scenario::Abandonment>> {
    let Some(a) = raw else { return Some(None) };
    let before = p.len();
    let patience = dist(&a.patience_min, &format!("{path}.patience_min"), p);
    let redial_share = share(a.redial_share, 0.0, &format!("{path}.redial_share"), p);
    let redial_after = match &a.redial_after_min {
        Some(d) => dist(d, &format!("{path}.redial_after_min"), p),
        None if redial_share > 0.0 => {
            p.push(
                format!("{path}.redial_after_min"),
                "missing — give the time from hanging up to calling again, e.g. { dist = \"exponential\", mean = 2 }",
            );
            None
        }
        None => Some(Dist::constant(0.0)),
    };
    if p.len() > before {
        return None;
    }
    Some(Some(crate::input::scenario::Abandonment {
        patience_min: patience?,
        redial_share,
        redial_after_min: redial_after?,
    }))
}

/// An optional distribution with a default.
pub fn dist_or(
    spec: &Option<DistSpec>,
    default: Dist,
    path: &str,
    p: &mut Problems,
) -> Option<Dist> {
    match spec {
        Some(d) => dist(d, path, p),
        None => Some(default),
    }
}

/// One distribution per urgency.
pub fn per_urgency_dists(
    d: &PerUrgency<DistSpec>,
    path: &str,
    p: &mut Problems,
) -> Option<PerUrgency<Dist>> {
    PerUrgency::from_fn(|u| dist(&d[u], &format!("{path}.{}", u.name()), p)).transpose()
}

/// A weekly schedule, or `None` with every problem reported at its shift and field.
pub fn weekly(shifts: &[ShiftSpec], path: &str, p: &mut Problems) -> Option<Weekly> {
    match Weekly::from_shifts(shifts) {
        Ok(w) => Some(w),
        Err(es) => {
            for e in es {
                let at = match (e.shift, e.field) {
                    (Some(i), Some(f)) => format!("{path}[{i}].{f}"),
                    (Some(i), None) => format!("{path}[{i}]"),
                    _ => path.to_string(),
                };
                p.push(at, e.message);
            }
            None
        }
    }
}

/// Latitude and longitude of `path`.
pub fn latlon(lat: f64, lon: f64, path: &str, p: &mut Problems) {
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        p.push(
            format!("{path}.lat"),
            format!("{lat} is not a latitude — give degrees north between -90 and 90"),
        );
    }
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        p.push(
            format!("{path}.lon"),
            format!("{lon} is not a longitude — give degrees east between -180 and 180"),
        );
    }
}

/// A share (0 ..= 1) with a default.
pub fn share(v: Option<f64>, default: f64, path: &str, p: &mut Problems) -> f64 {
    let x = v.unwrap_or(default);
    check_share(x, path, p);
    x
}

fn check_share(x: f64, path: &str, p: &mut Problems) {
    if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
        p.push(
            path,
            format!("{x} is not a share — give a number from 0 to 1"),
        );
    }
}

/// A share per urgency.
pub fn per_urgency_share(v: &PerUrgency<f64>, path: &str, p: &mut Problems) -> PerUrgency<f64> {
    for (u, x) in v.iter() {
        check_share(*x, &format!("{path}.{}", u.name()), p);
    }
    *v
}

/// A number in `lo ..= hi` (`what` names the quantity and its unit in the message).
pub fn bounded(x: f64, lo: f64, hi: f64, what: &str, path: &str, p: &mut Problems) -> f64 {
    if !(x.is_finite() && (lo..=hi).contains(&x)) {
        p.push(path, format!("{x} — give {what} from {lo} to {hi}"));
    }
    x
}

/// The urgencies a list names (`default` when absent).
pub fn urgencies(
    v: &Option<Vec<Closed<Urgency>>>,
    default: PerUrgency<bool>,
    path: &str,
    p: &mut Problems,
) -> PerUrgency<bool> {
    let Some(list) = v else { return default };
    if list.is_empty() {
        p.push(
            path,
            "the list is empty — name at least one of \"red\", \"yellow\", \"green\"",
        );
    }
    let mut out = PerUrgency::splat(false);
    for (i, u) in list.iter().enumerate() {
        if let Some(u) = closed(u, &format!("{path}[{i}]"), p) {
            out[u] = true;
        }
    }
    out
}

/// Minute of the week as "Mon 16:00".
pub fn fmt_minute(m: u32) -> String {
    const D: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    format!(
        "{} {:02}:{:02}",
        D[(m / 1440) as usize % 7],
        (m % 1440) / 60,
        m % 60
    )
}

/// First minute of the week where `a` is positive and `b` is zero.
pub fn first_gap(a: &Weekly, b: &Weekly) -> Option<u32> {
    (0..MIN_PER_WEEK).find(|&m| a.level_at_minute(m) > 0 && b.level_at_minute(m) == 0)
}
