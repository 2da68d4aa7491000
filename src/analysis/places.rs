//! Where, not only how much: the per-station legevakt table (`legevakt_stations.csv`, one row
//! per station and replication, like `ambulance_stations.csv`) and the per-zone table
//! (`zones.csv`, one row per zone and variant, pooled over the replications).

use super::VariantInput;
use crate::base::time::DAYS_PER_YEAR;
use crate::input::scenario::ZoneClass;
use crate::sim::ZONE_BINS;
use serde::Serialize;

/// One row of `legevakt_stations.csv`: one station in one replication.
#[derive(Debug, Clone, Serialize)]
pub struct LegevaktStationRow {
    /// Variant.
    pub variant: String,
    /// Replication index.
    pub replication: u64,
    /// Station name.
    pub station: String,
    /// Scheduled doctor-hours per week \[doctor-hours/week\].
    pub doctor_hours_per_week: f64,
    /// Doctor-hours worked past the end of a shift per week \[doctor-hours/week\].
    pub overtime_hours_per_week: f64,
    /// Hours per week the station was open with every doctor out \[h/week\].
    pub hours_without_doctor_per_week: f64,
    /// Busy ÷ available doctor time at this station \[share\] (empty with no doctor time).
    pub doctor_utilisation: Option<f64>,
    /// Doctors on the rota (`doctor_rota_size`; empty when not stated).
    pub rota_size: Option<u32>,
    /// Night doctor-hours (23–08) per rota doctor per month \[h/doctor/month\].
    pub night_hours_per_doctor_per_month: Option<f64>,
    /// Consultations at the station per year \[consultations/year\].
    pub consultations_per_year: f64,
    /// Video consultations by its doctors (satellites, nurse home visits) per year.
    pub video_consultations_per_year: f64,
    /// Home visits from the station and its satellites per year.
    pub home_visits_per_year: f64,
    /// Red call-outs its doctors reached per year.
    pub callouts_per_year: f64,
    /// Doctor-car missions from the station per year.
    pub doctor_car_missions_per_year: f64,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// One row of `zones.csv`: one zone of one variant, pooled over the replications.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneRow {
    /// Variant.
    pub variant: String,
    /// Zone name.
    pub zone: String,
    /// Inhabitants.
    pub population: f64,
    /// `urban` (12-min target) or `rural` (25-min target).
    pub class: &'static str,
    /// Demand-weighted mean drive time to the legevakt its patients use \[min\] (structural).
    pub legevakt_travel_min: Option<f64>,
    /// Red events reached by a ground ambulance, all replications.
    pub red_responses: u64,
    /// Median red response \[min\] (from 1-min bins).
    pub red_response_p50_min: Option<f64>,
    /// 90th percentile red response \[min\] (from 1-min bins).
    pub red_response_p90_min: Option<f64>,
    /// Red events reached within the zone's target \[share\].
    pub red_within_target_share: Option<f64>,
    /// Needs kept from the legevakt by distance \[needs/1000 inhabitants/year\].
    pub suppressed_per_1000: f64,
    /// Assessment missions instead of home visits \[missions/1000 inhabitants/year\].
    pub assessment_missions_per_1000: f64,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// Per-station legevakt rows of every variant and replication.
pub fn legevakt_station_rows(variants: &[VariantInput], days: f64) -> Vec<LegevaktStationRow> {
    let years = days / DAYS_PER_YEAR;
    let weeks = days / 7.0;
    let mut rows = Vec::new();
    for v in variants {
        for r in v.results {
            for s in &r.legevakt_stations {
                rows.push(LegevaktStationRow {
                    variant: v.name.to_string(),
                    replication: r.replication,
                    station: s.name.clone(),
                    doctor_hours_per_week: s.scheduled_h / weeks,
                    overtime_hours_per_week: (s.available_h - s.scheduled_h).max(0.0) / weeks,
                    hours_without_doctor_per_week: s.without_doctor_h / weeks,
                    doctor_utilisation: (s.available_h > 0.0)
                        .then(|| (s.busy_h / s.available_h).min(1.0)),
                    rota_size: s.rota_size,
                    night_hours_per_doctor_per_month: s
                        .rota_size
                        .map(|n| s.night_available_h / f64::from(n) / (years * 12.0)),
                    consultations_per_year: s.consultations as f64 / years,
                    video_consultations_per_year: s.video_consultations as f64 / years,
                    home_visits_per_year: s.home_visits as f64 / years,
                    callouts_per_year: s.callouts as f64 / years,
                    doctor_car_missions_per_year: s.car_missions as f64 / years,
                    assumptions: None,
                });
            }
        }
    }
    rows
}

/// The `q` quantile of responses in 1-min bins \[min\], interpolated within the bin.
fn bin_quantile(bins: &[u64], q: f64) -> Option<f64> {
    let n: u64 = bins.iter().sum();
    if n == 0 {
        return None;
    }
    let target = q * n as f64;
    let mut acc = 0.0;
    for (i, &b) in bins.iter().enumerate() {
        let next = acc + b as f64;
        if next >= target && b > 0 {
            return Some(i as f64 + (target - acc) / b as f64);
        }
        acc = next;
    }
    Some(bins.len() as f64)
}

/// Per-zone rows of every variant, pooled over its replications.
pub fn zone_rows(variants: &[VariantInput], days: f64) -> Vec<ZoneRow> {
    let mut rows = Vec::new();
    for v in variants {
        let scn = v.scenario;
        let reps = v.results.len() as f64;
        let years = days / DAYS_PER_YEAR * reps;
        for (z, zone) in scn.zones.iter_enumerated() {
            let mut bins = vec![0u64; ZONE_BINS];
            let (mut n, mut ok, mut sup, mut ass) = (0u64, 0u64, 0u64, 0u64);
            for r in v.results {
                let x = &r.zones[z.index()];
                for (b, c) in bins.iter_mut().zip(&x.bins) {
                    *b += u64::from(*c);
                }
                n += x.responses;
                ok += x.responses_ok;
                sup += x.suppressed;
                ass += x.assessments;
            }
            let per_1000 = |c: u64| {
                if years > 0.0 && zone.population > 0.0 {
                    c as f64 / (zone.population / 1000.0) / years
                } else {
                    0.0
                }
            };
            rows.push(ZoneRow {
                variant: v.name.to_string(),
                zone: zone.name.clone(),
                population: zone.population,
                class: match zone.class {
                    ZoneClass::Urban => "urban",
                    ZoneClass::Rural => "rural",
                },
                legevakt_travel_min: scn.derived.travel_figures.zone_mean_min[z],
                red_responses: n,
                red_response_p50_min: bin_quantile(&bins, 0.5),
                red_response_p90_min: bin_quantile(&bins, 0.9),
                red_within_target_share: (n > 0).then(|| ok as f64 / n as f64),
                suppressed_per_1000: per_1000(sup),
                assessment_missions_per_1000: per_1000(ass),
                assumptions: None,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::bin_quantile;

    #[test]
    fn bin_quantiles_interpolate_within_the_bin() {
        // 10 responses: 4 in [0, 1) min, 6 in [5, 6) min.
        let mut bins = vec![0u64; 10];
        bins[0] = 4;
        bins[5] = 6;
        assert_eq!(bin_quantile(&bins, 0.2), Some(0.5));
        assert_eq!(bin_quantile(&bins, 0.5), Some(5.0 + 1.0 / 6.0));
        assert_eq!(bin_quantile(&bins, 1.0), Some(6.0));
        assert_eq!(bin_quantile(&[0, 0], 0.5), None);
    }
}
