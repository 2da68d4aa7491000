//! `[[legevaktsentral]]`, `[[legevakt]]` and `[[satellites]]`: the out-of-hours service.

use super::Facilities;
use super::common::{self, fmt_minute};
use crate::base::ids::{IdVec, LvsId, StationId};
use crate::base::urgency::{PerUrgency, Urgency};
use crate::input::problem::Problems;
use crate::input::scenario::de::{Element, closed_or};
use crate::input::scenario::raw::{RawLvs, RawSatellite, RawStation};
use crate::input::scenario::{
    DispositionShares, HomeVisitsBy, Lvs, Satellite, Station, Triage, VideoTime,
};
use std::collections::HashMap;

/// Validate the legevaktsentraler.
pub fn lvs(raw: &[Element<RawLvs>], p: &mut Problems) -> IdVec<LvsId, Lvs> {
    let mut out = IdVec::new();
    for (i, l) in raw.iter().enumerate() {
        let Some(l) = &l.value else { continue };
        let path = format!("legevaktsentral[{i}]");
        let nurses = common::weekly(&l.nurses, &format!("{path}.nurses"), p);
        let handling = common::dist(
            &l.handling_time_min,
            &format!("{path}.handling_time_min"),
            p,
        );
        let disposition = PerUrgency::from_fn(|u| disposition(l, u, &path, p));
        let abandonment = common::abandonment(&l.abandonment, &format!("{path}.abandonment"), p);
        if let (Some(nurses), Some(handling), Some(abandonment)) = (nurses, handling, abandonment) {
            out.push(Lvs {
                name: l.name.clone(),
                nurses,
                handling_min: handling,
                disposition,
                home_visits_by: closed_or(
                    &l.home_visits_by,
                    HomeVisitsBy::Legevakt,
                    &format!("{path}.home_visits_by"),
                    p,
                ),
                abandonment,
                other_calls_per_person_hour: other_calls(l.other_calls_per_1000_per_year, &path, p),
            });
        }
    }
    out
}

/// Calls with no new need: per 1000 per year → per person per hour.
pub(super) fn other_calls(v: Option<f64>, path: &str, p: &mut Problems) -> f64 {
    let x = v.unwrap_or(0.0);
    let max = crate::input::scenario::limits::MAX_RATE_PER_1000;
    if !(x.is_finite() && (0.0..=max).contains(&x)) {
        p.push(
            format!("{path}.other_calls_per_1000_per_year"),
            format!("{x} — give calls per 1000 inhabitants per year, from 0 to {max}"),
        );
        return 0.0;
    }
    x / 1000.0 / (365.0 * 24.0)
}

fn disposition(l: &RawLvs, u: Urgency, path: &str, p: &mut Problems) -> DispositionShares {
    let r = &l.disposition[u];
    let dpath = format!("{path}.disposition.{}", u.name());
    let v = [
        ("advice", r.advice),
        ("legevakt", r.legevakt),
        ("home_visit", r.home_visit),
        ("forward_113", r.forward_113),
    ];
    let mut bad = false;
    for (name, x) in v {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            p.push(
                format!("{dpath}.{name}"),
                format!("{x} is not a probability — give a number from 0 to 1"),
            );
            bad = true;
        }
    }
    let sum: f64 = v.iter().map(|x| x.1).sum();
    if !bad && (sum - 1.0).abs() > 1e-6 {
        p.push(
            dpath,
            format!("probabilities sum to {sum:.6} — they must sum to 1 (advice + legevakt + home_visit + forward_113)"),
        );
    }
    DispositionShares {
        advice: r.advice,
        legevakt: r.legevakt,
        home_visit: r.home_visit,
        forward_113: r.forward_113,
    }
}

/// Validate the stations.
pub fn stations(
    raw: &[Element<RawStation>],
    lvs: &IdVec<LvsId, Lvs>,
    n_lvs_raw: usize,
    fac: &mut Facilities,
    p: &mut Problems,
) -> IdVec<StationId, Station> {
    let lvs_index: HashMap<&str, LvsId> = lvs
        .iter_enumerated()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    let mut out = IdVec::new();
    for (i, s) in raw.iter().enumerate() {
        let Some(s) = &s.value else { continue };
        let path = format!("legevakt[{i}]");
        common::latlon(s.lat, s.lon, &path, p);
        let open = common::weekly(&s.open, &format!("{path}.open"), p);
        let doctors = common::weekly(&s.doctors, &format!("{path}.doctors"), p);
        let accepts = common::urgencies(
            &s.urgencies,
            PerUrgency::splat(true),
            &format!("{path}.urgencies"),
            p,
        );
        let triage = triage(s, &path, p);
        let cons = common::dist(
            &s.consultation_time_min,
            &format!("{path}.consultation_time_min"),
            p,
        );
        let hv = common::dist(
            &s.home_visit_time_min,
            &format!("{path}.home_visit_time_min"),
            p,
        );
        let lvs_i = match &s.legevaktsentral {
            Some(n) => match lvs_index.get(n.as_str()) {
                Some(&k) => Some(k),
                None => {
                    p.push(
                        format!("{path}.legevaktsentral"),
                        format!(
                            "\"{n}\" is not a [[legevaktsentral]] — use one of: {}",
                            lvs.iter()
                                .map(|l| l.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    None
                }
            },
            None if lvs.len() == 1 => Some(LvsId::new(0)),
            None if n_lvs_raw > 1 => {
                p.push(
                    format!("{path}.legevaktsentral"),
                    "there are several legevaktsentraler — say which one answers for this station",
                );
                None
            }
            None => None,
        };
        if let (Some(o), Some(d)) = (&open, &doctors)
            && let Some(m) = common::first_gap(o, d)
        {
            p.push(
                format!("{path}.doctors"),
                format!("the station is open at {} but no doctor is on duty — add a doctor shift covering all opening hours", fmt_minute(m)),
            );
        }
        if let (Some(open), Some(doctors), Some(cons), Some(hv), Ok(triage)) =
            (open, doctors, cons, hv, triage)
        {
            out.push(Station {
                name: s.name.clone(),
                facility: fac.add(&s.name, s.lat, s.lon),
                lvs: lvs_i,
                open,
                doctors,
                triage,
                accepts,
                consultation_min: cons,
                home_visit_min: hv,
                rota_size: rota(s.doctor_rota_size, &path, p),
                district: district(s.kommuner.as_deref(), &path, p),
            });
        }
    }
    out
}

/// A legevakt district: 4-digit kommune numbers, each once.
fn district(k: Option<&[String]>, path: &str, p: &mut Problems) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (j, x) in k.unwrap_or_default().iter().enumerate() {
        if x.len() != 4 || !x.bytes().all(|b| b.is_ascii_digit()) {
            p.push(
                format!("{path}.kommuner[{j}]"),
                format!("\"{x}\" is not a kommune number — give the 4 digits of the 2024 numbering, e.g. \"1506\""),
            );
        } else if out.contains(x) {
            p.push(
                format!("{path}.kommuner[{j}]"),
                format!("\"{x}\" is listed twice — give each kommune once"),
            );
        } else {
            out.push(x.clone());
        }
    }
    out
}

/// A rota size: 1 to 1000 doctors.
fn rota(v: Option<u32>, path: &str, p: &mut Problems) -> Option<u32> {
    let n = v?;
    if !(1..=1000).contains(&n) {
        p.push(
            format!("{path}.doctor_rota_size"),
            format!("{n} — give the number of doctors on the rota, 1 to 1000"),
        );
        return None;
    }
    Some(n)
}

/// A satellite's video time: its own distribution, or a factor on the host's consultation time.
fn video_time(s: &RawSatellite, path: &str, p: &mut Problems) -> Option<VideoTime> {
    match (&s.video_consultation_time_min, s.video_time_factor) {
        (Some(d), None) => {
            common::dist(d, &format!("{path}.video_consultation_time_min"), p).map(VideoTime::Own)
        }
        (None, Some(f)) => {
            common::bounded(
                f,
                0.05,
                10.0,
                "a factor on the host's consultation time",
                &format!("{path}.video_time_factor"),
                p,
            );
            Some(VideoTime::HostFactor(f))
        }
        (Some(_), Some(_)) => {
            p.push(
                path,
                "give video_consultation_time_min or video_time_factor, not both",
            );
            None
        }
        (None, None) => {
            p.push(
                format!("{path}.video_consultation_time_min"),
                "missing — give the video consultation time, or video_time_factor (× the host's consultation time)",
            );
            None
        }
    }
}

/// Triage nurses and time: both or neither. `Err` when they had problems (reported).
fn triage(s: &RawStation, path: &str, p: &mut Problems) -> Result<Option<Triage>, ()> {
    match (&s.nurses, &s.triage_time_min) {
        (Some(n), Some(t)) => {
            let w = common::weekly(n, &format!("{path}.nurses"), p);
            let d = common::dist(t, &format!("{path}.triage_time_min"), p);
            match (w, d) {
                (Some(nurses), Some(time_min)) => Ok(Some(Triage { nurses, time_min })),
                _ => Err(()),
            }
        }
        (Some(_), None) => {
            p.push(
                format!("{path}.triage_time_min"),
                "nurses are given but no triage time — add triage_time_min, or remove nurses",
            );
            Err(())
        }
        (None, Some(_)) => {
            p.push(
                format!("{path}.nurses"),
                "triage_time_min is given but no nurses — add nurses, or remove triage_time_min",
            );
            Err(())
        }
        (None, None) => Ok(None),
    }
}

/// Validate the satellites (after the stations: a satellite names its host).
pub fn satellites(
    raw: &[Element<RawSatellite>],
    stations: &IdVec<StationId, Station>,
    station_names: &[String],
    fac: &mut Facilities,
    p: &mut Problems,
) -> IdVec<crate::base::ids::SatelliteId, Satellite> {
    let station_index: HashMap<&str, StationId> = stations
        .iter_enumerated()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut out = IdVec::new();
    for (i, s) in raw.iter().enumerate() {
        let Some(s) = &s.value else { continue };
        let path = format!("satellites[{i}]");
        common::latlon(s.lat, s.lon, &path, p);
        let open = common::weekly(&s.open, &format!("{path}.open"), p);
        let nurses = common::weekly(&s.nurses, &format!("{path}.nurses"), p);
        let accepts = common::urgencies(
            &s.urgencies,
            PerUrgency {
                red: false,
                yellow: true,
                green: true,
            },
            &format!("{path}.urgencies"),
            p,
        );
        let video = video_time(s, &path, p);
        let host = match station_index.get(s.host.as_str()) {
            Some(&h) => Some(h),
            None if station_names.contains(&s.host) => None, // the host has problems of its own
            None => {
                p.push(
                    format!("{path}.host"),
                    format!(
                        "\"{}\" is not a [[legevakt]] station — use one of: {}",
                        s.host,
                        if station_names.is_empty() {
                            "(none defined: add a [[legevakt]])".to_string()
                        } else {
                            station_names.join(", ")
                        }
                    ),
                );
                None
            }
        };
        let hv = match (&s.home_visit_time_min, host) {
            (Some(d), _) => common::dist(d, &format!("{path}.home_visit_time_min"), p),
            (None, Some(h)) => Some(stations[h].home_visit_min.clone()),
            (None, None) => None,
        };
        if let (Some(o), Some(n)) = (&open, &nurses)
            && let Some(m) = common::first_gap(o, n)
        {
            p.push(
                format!("{path}.nurses"),
                format!("the satellite is open at {} but no nurse is on duty — add a nurse shift covering all opening hours", fmt_minute(m)),
            );
        }
        if let (Some(o), Some(h)) = (&open, host)
            && let Some(m) = common::first_gap(o, &stations[h].doctors)
        {
            p.push(
                format!("{path}.open"),
                format!("the satellite is open at {} but its host \"{}\" has no doctor on duty for video — shorten the opening hours or add host doctors", fmt_minute(m), stations[h].name),
            );
        }
        if let (Some(open), Some(nurses), Some(video), Some(host), Some(hv)) =
            (open, nurses, video, host, hv)
        {
            out.push(Satellite {
                name: s.name.clone(),
                facility: fac.add(&s.name, s.lat, s.lon),
                host,
                open,
                nurses,
                accepts,
                video,
                home_visits: s.home_visits.unwrap_or(true),
                home_visit_min: hv,
            });
        }
    }
    out
}
