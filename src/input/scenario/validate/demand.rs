//! `[demand]`: need rates, time-of-week profiles, distance decay and scripted incidents.

use super::common;
use crate::base::ids::ZoneId;
use crate::base::time::{DAYS_PER_YEAR, SimTime};
use crate::base::urgency::Urgency;
use crate::base::urgency::{PerChannel, PerUrgency};
use crate::input::problem::Problems;
use crate::input::scenario::de::closed;
use crate::input::scenario::de::closed_or;
use crate::input::scenario::limits::{MAX_INCIDENTS, MAX_PROFILE_WEIGHT, MAX_RATE_PER_1000};
use crate::input::scenario::raw::{RawChannel, RawDemand, RawFate, RawProfile};
use crate::input::scenario::{ChannelDemand, DecayTarget, Fate, Incident, Profile};
use std::collections::HashMap;

/// Validate both channels. Reports a missing `[demand]` unless it already had problems.
pub fn channels(demand: &Option<RawDemand>, p: &mut Problems) -> PerChannel<Option<ChannelDemand>> {
    let mut out = PerChannel::default();
    match demand {
        None => {
            if !p.any_under("demand") {
                p.push(
                    "demand",
                    "missing — add [demand.calls_116117] and/or [demand.calls_113] with per_1000_per_year",
                );
            }
        }
        Some(d) => {
            if d.calls_116117.is_none() && d.calls_113.is_none() && d.incidents.is_none() {
                p.push(
                    "demand",
                    "no channel — add [demand.calls_116117] and/or [demand.calls_113] (or scripted [[demand.incidents]])",
                );
            }
            if let Some(c) = &d.calls_116117 {
                out.lvs = channel(c, "demand.calls_116117", p);
            }
            if let Some(c) = &d.calls_113 {
                out.amk = channel(c, "demand.calls_113", p);
            }
        }
    }
    out
}

fn channel(r: &RawChannel, path: &str, p: &mut Problems) -> Option<ChannelDemand> {
    let n0 = p.len();
    for (u, x) in r.per_1000_per_year.iter() {
        if !(x.is_finite() && *x >= 0.0 && *x <= MAX_RATE_PER_1000) {
            p.push(
                format!("{path}.per_1000_per_year.{}", u.name()),
                format!("{x} is not a rate — give needs per 1000 inhabitants per year, from 0 to {MAX_RATE_PER_1000}"),
            );
        }
    }
    if r.per_1000_per_year.iter().all(|(_, x)| *x == 0.0) {
        p.push(
            format!("{path}.per_1000_per_year"),
            "all rates are zero — give a positive rate for at least one urgency, or remove the section",
        );
    }
    let profile = profile(&r.profile, &format!("{path}.profile"), p);
    let decay = match &r.distance_decay_per_km {
        Some(d) => {
            for (u, x) in d.iter() {
                if !(x.is_finite() && (0.0..1.0).contains(x)) {
                    p.push(
                        format!("{path}.distance_decay_per_km.{}", u.name()),
                        format!("{x} is not a decay constant — give k in 1/km, 0 ≤ k < 1 (0.016 halves consultations at 43 km, Raknes 2013)"),
                    );
                }
            }
            *d
        }
        None => PerUrgency::splat(0.0),
    };
    let direct = match &r.direct_attendance_share {
        Some(d) => common::per_urgency_share(d, &format!("{path}.direct_attendance_share"), p),
        None => PerUrgency::splat(0.0),
    };
    let decay_to = closed_or(
        &r.distance_decay_to,
        DecayTarget::AnySite,
        &format!("{path}.distance_decay_to"),
        p,
    );
    let fates = match &r.suppressed_fate {
        Some(f) => {
            PerUrgency::from_fn(|u| fate(&f[u], &format!("{path}.suppressed_fate.{}", u.name()), p))
        }
        // The 0.1 behaviour: red calls 113, the rest go unmet.
        None => PerUrgency::from_fn(|u| Fate {
            call_113: if u == Urgency::Red { 1.0 } else { 0.0 },
            phone: 0.0,
            gp_next_day: 0.0,
            unmet: if u == Urgency::Red { 0.0 } else { 1.0 },
        }),
    };
    if p.len() > n0 {
        return None;
    }
    let per_person_hour = |x: f64| x / 1000.0 / (DAYS_PER_YEAR * 24.0);
    Some(ChannelDemand {
        rate_per_person_hour: r.per_1000_per_year.map(per_person_hour),
        profile: profile?,
        decay_per_km: decay,
        direct_share: direct,
        decay_to,
        suppressed_fate: fates,
    })
}

/// The fate shares of one urgency: each a share, together 1.
fn fate(f: &RawFate, path: &str, p: &mut Problems) -> Fate {
    let v = [
        ("call_113", f.call_113.unwrap_or(0.0)),
        ("phone", f.phone.unwrap_or(0.0)),
        ("gp_next_day", f.gp_next_day.unwrap_or(0.0)),
        ("unmet", f.unmet.unwrap_or(0.0)),
    ];
    let mut bad = false;
    for (name, x) in v {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            p.push(
                format!("{path}.{name}"),
                format!("{x} is not a share — give a number from 0 to 1"),
            );
            bad = true;
        }
    }
    let sum: f64 = v.iter().map(|x| x.1).sum();
    if !bad && (sum - 1.0).abs() > 1e-6 {
        p.push(
            path,
            format!("shares sum to {sum:.6} — call_113 + phone + gp_next_day + unmet must be 1"),
        );
    }
    Fate {
        call_113: v[0].1,
        phone: v[1].1,
        gp_next_day: v[2].1,
        unmet: v[3].1,
    }
}

/// Check a list of weights: `n` values, each finite and in 0 ..= the bound.
fn weights(v: &[f64], n: usize, path: &str, p: &mut Problems) -> bool {
    let n0 = p.len();
    if v.len() != n {
        p.push(path, format!("has {} values — give exactly {n}", v.len()));
    }
    for (i, x) in v.iter().enumerate() {
        if !(x.is_finite() && *x >= 0.0 && *x <= MAX_PROFILE_WEIGHT) {
            p.push(
                format!("{path}[{i}]"),
                format!("{x} is not a weight — weights are numbers from 0 to {MAX_PROFILE_WEIGHT}"),
            );
        }
    }
    p.len() == n0
}

fn profile(raw: &Option<RawProfile>, path: &str, p: &mut Problems) -> Option<Profile> {
    let Some(r) = raw else {
        return Some(Profile::flat());
    };
    let mut w = [0.0f64; 168];
    if let Some(how) = &r.hour_of_week_weights {
        if r.weekday_hour_weights.is_some()
            || r.weekend_hour_weights.is_some()
            || r.weekend_day_factor.is_some()
        {
            p.push(
                path,
                "give either hour_of_week_weights or the weekday/weekend fields, not both",
            );
            return None;
        }
        if !weights(how, 168, &format!("{path}.hour_of_week_weights"), p) {
            return None;
        }
        w.copy_from_slice(how);
    } else {
        let Some(wd) = &r.weekday_hour_weights else {
            p.push(
                path,
                "no weights — give weekday_hour_weights (24 values) or hour_of_week_weights (168)",
            );
            return None;
        };
        let we = r.weekend_hour_weights.clone().unwrap_or_else(|| wd.clone());
        let ok_wd = weights(wd, 24, &format!("{path}.weekday_hour_weights"), p);
        let ok_we = weights(&we, 24, &format!("{path}.weekend_hour_weights"), p);
        let f = r.weekend_day_factor.unwrap_or(1.0);
        if !(f.is_finite() && f > 0.0 && f <= 100.0) {
            p.push(
                format!("{path}.weekend_day_factor"),
                format!("{f} — give a factor > 0 and at most 100 (1.44 = Vakttårn 2022)"),
            );
            return None;
        }
        if !(ok_wd && ok_we) {
            return None;
        }
        // Weights are bounded, so these sums are finite.
        let (swd, swe): (f64, f64) = (wd.iter().sum(), we.iter().sum());
        if swd <= 0.0 || swe <= 0.0 {
            p.push(path, "a day's weights are all zero — give some weight > 0");
            return None;
        }
        for d in 0..7 {
            for h in 0..24 {
                w[d * 24 + h] = if d < 5 { wd[h] / swd } else { f * we[h] / swe };
            }
        }
    }
    if w.iter().all(|x| *x <= 0.0) {
        p.push(path, "all weights are zero — give some weight > 0");
        return None;
    }
    Some(Profile::from_weights(&w))
}

/// Scripted incidents, sorted by time.
pub fn incidents(
    demand: &Option<RawDemand>,
    zone_index: &HashMap<&str, ZoneId>,
    p: &mut Problems,
) -> Vec<Incident> {
    let mut out = Vec::new();
    let Some(list) = demand.as_ref().and_then(|d| d.incidents.as_ref()) else {
        return out;
    };
    if list.len() > MAX_INCIDENTS {
        p.push(
            "demand.incidents",
            format!(
                "{} incidents — at most {MAX_INCIDENTS} are supported",
                list.len()
            ),
        );
        return out;
    }
    for (i, inc) in list.iter().enumerate() {
        let path = format!("demand.incidents[{i}]");
        let max_min = crate::input::scenario::limits::MAX_DAYS * 1440.0;
        if !(inc.at_min.is_finite() && inc.at_min >= 0.0 && inc.at_min <= max_min) {
            p.push(
                format!("{path}.at_min"),
                format!(
                    "{} — give minutes from 0 to {max_min} from the start",
                    inc.at_min
                ),
            );
            continue;
        }
        let zone = zone_index.get(inc.zone.as_str()).copied();
        if zone.is_none() {
            p.push(
                format!("{path}.zone"),
                format!("\"{}\" is not a zone — use a name from [[zones]]", inc.zone),
            );
        }
        let channel = closed(&inc.channel, &format!("{path}.channel"), p);
        let urgency = closed(&inc.urgency, &format!("{path}.urgency"), p);
        if let (Some(zone), Some(channel), Some(urgency)) = (zone, channel, urgency) {
            out.push(Incident {
                at: SimTime::from_minutes(inc.at_min),
                zone,
                channel,
                urgency,
            });
        }
    }
    out.sort_by_key(|i| i.at);
    out
}
