//! Analysis: every summary, paired comparison, CDF, hourly, per-station and per-zone table of a
//! run or an experiment, computed once from the replication results into plain structs that
//! every output (files, console, plots, pages) reads.
//!
//! A `run` is analysed as an experiment of one variant, so the two share every table. An
//! experiment with assumption sets is analysed set by set and merged ([`sets`]); [`robust`] says
//! which differences hold under every set.

pub mod places;
pub mod robust;
pub mod sets;

use crate::base::ids::ZoneId;
use crate::base::kpi::KPI_DEFS;
use crate::base::stats::{self, Estimate, estimate_within};
use crate::base::time::DAYS_PER_YEAR;
use crate::input::RunSpec;
use crate::input::scenario::{Scenario, Site};
use crate::sim::{Outcome, RESPONSE_BIN_MS, RESPONSE_BINS, ReplicationResult};
use serde::Serialize;
use std::collections::BTreeMap;

/// Patient accounting over all replications.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatientCounts {
    /// Latent needs generated (warm-up included), summed over replications.
    pub generated: u64,
    /// Paths that ended.
    pub completed: u64,
    /// Still in the chain when the run stopped.
    pub in_system_at_end: u64,
}

/// The summary of one model's replications (what `summary.json` of a run holds).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Base seed.
    pub seed: u64,
    /// Replications.
    pub replications: u64,
    /// Measured days per replication.
    pub horizon_days: f64,
    /// Warm-up days per replication (simulated before the measured period).
    pub warmup_days: f64,
    /// Patient accounting.
    pub patients: PatientCounts,
    /// Ended paths by outcome in the measured period, summed over replications.
    pub outcomes: BTreeMap<String, u64>,
    /// KPI name → mean, 95 % CI, unit.
    pub kpi: BTreeMap<String, Estimate>,
}

/// One row of `kpi.csv`: one KPI of one replication of one variant.
#[derive(Debug, Clone, Serialize)]
pub struct KpiRow {
    /// Variant.
    pub variant: String,
    /// Replication.
    pub replication: u64,
    /// KPI name.
    pub kpi: &'static str,
    /// Value (empty when undefined).
    pub value: Option<f64>,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// One row of `comparison.csv`: a variant against the baseline on one KPI.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    /// Variant.
    pub variant: String,
    /// KPI name.
    pub kpi: String,
    /// Baseline mean.
    pub baseline_mean: Option<f64>,
    /// Variant mean.
    pub variant_mean: Option<f64>,
    /// Paired mean difference (variant − baseline).
    pub difference: Option<f64>,
    /// Paired 95 % CI, low.
    pub ci95_low: Option<f64>,
    /// Paired 95 % CI, high.
    pub ci95_high: Option<f64>,
    /// Unit.
    pub unit: String,
    /// Unpaired (Welch) 95 % CI, low — for comparison.
    pub unpaired_ci95_low: Option<f64>,
    /// Unpaired (Welch) 95 % CI, high.
    pub unpaired_ci95_high: Option<f64>,
    /// Replication pairs used.
    pub pairs: usize,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

impl ComparisonRow {
    /// Is the paired difference significant at 5 % (its CI excludes 0)?
    pub fn significant(&self) -> bool {
        matches!((self.ci95_low, self.ci95_high), (Some(l), Some(h)) if l > 0.0 || h < 0.0)
    }
}

/// One row of `utilisation_by_hour.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct HourRow {
    /// Variant.
    pub variant: String,
    /// Pool (servers of one role at one place).
    pub pool: String,
    /// Role of the pool.
    pub role: &'static str,
    /// Hour of the week, 0 = Monday 00–01.
    pub hour_of_week: usize,
    /// Busy server-hours per week, mean over replications and weeks.
    pub busy_server_hours_per_week: f64,
    /// Scheduled server-hours per week.
    pub scheduled_server_hours_per_week: f64,
    /// Available server-hours per week: scheduled, plus a server staying on after its shift
    /// to finish the queue.
    pub available_server_hours_per_week: f64,
    /// Busy ÷ available (scheduled plus overtime; empty when nobody is there).
    pub utilisation: Option<f64>,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// One row of `ambulance_stations.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct StationRow {
    /// Variant.
    pub variant: String,
    /// Replication index.
    pub replication: u64,
    /// Station name.
    pub station: String,
    /// Vehicles at the station.
    pub vehicles: u32,
    /// Missions started per year of the measured period [missions/year].
    pub missions_per_year: f64,
    /// Vehicle time on missions ÷ vehicle time on duty \[share\] (empty with no duty time).
    pub utilisation: Option<f64>,
    /// 1 − utilisation \[share\].
    pub standby_share: Option<f64>,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// Points (minutes, share at most) of an empirical response-time CDF.
pub type Cdf = Vec<(f64, f64)>;

/// What a facility is, for maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// Legevakt station.
    Legevakt,
    /// Satellite legevakt.
    Satellite,
    /// Ambulance station (road or boat).
    AmbulanceStation,
    /// Air ambulance base.
    AirBase,
    /// Hospital.
    Hospital,
}

/// A facility on a map.
#[derive(Debug, Clone, Serialize)]
pub struct MapFacility {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: FacilityKind,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
}

/// A zone on a map with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct MapZone {
    /// Name.
    pub name: String,
    /// Latitude \[degrees\].
    pub lat: f64,
    /// Longitude \[degrees\].
    pub lon: f64,
    /// Inhabitants.
    pub population: f64,
    /// Mean red response \[min\], over all replications.
    pub red_response_mean_min: Option<f64>,
    /// Demand-weighted mean drive time to the legevakt used \[min\].
    pub legevakt_travel_mean_min: Option<f64>,
}

/// Everything about one variant (or the one model of a run).
#[derive(Debug, Clone)]
pub struct VariantAnalysis {
    /// Name.
    pub name: String,
    /// File-name-safe name.
    pub slug: String,
    /// Summary.
    pub summary: Summary,
    /// Red response CDFs [urban, rural] pooled over replications.
    pub cdf: [Option<Cdf>; 2],
    /// Zones with their figures.
    pub zones: Vec<MapZone>,
    /// Facilities.
    pub facilities: Vec<MapFacility>,
    /// Events processed.
    pub events: u64,
    /// Assumption set (with `[[assumptions]]`; `slug` is then `<set-slug>_<variant-slug>`).
    pub assumptions: Option<String>,
}

/// The analysis of a run or an experiment.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Name (scenario name for a run).
    pub name: String,
    /// Description.
    pub description: String,
    /// Run length and seed.
    pub spec: RunSpec,
    /// Replications per variant.
    pub replications: u64,
    /// Variants, in file order.
    pub variants: Vec<VariantAnalysis>,
    /// Index of the baseline.
    pub baseline: usize,
    /// Paired comparisons with the baseline (empty for one variant).
    pub comparison: Vec<ComparisonRow>,
    /// Every KPI of every replication.
    pub kpi_rows: Vec<KpiRow>,
    /// Utilisation by hour of the week.
    pub hourly: Vec<HourRow>,
    /// Ambulance stations by replication.
    pub stations: Vec<StationRow>,
    /// Legevakt stations by replication.
    pub legevakt_stations: Vec<places::LegevaktStationRow>,
    /// Zones, pooled over the replications.
    pub zones: Vec<places::ZoneRow>,
    /// Traces, when the run kept them.
    pub trace: Option<TraceRows>,
    /// Assumption sets in file order (empty without `[[assumptions]]`); with sets, `variants`
    /// and every table hold each set's in turn.
    pub assumptions: Vec<String>,
    /// Which differences hold under every assumption set (empty without sets).
    pub robustness: Vec<robust::RobustnessRow>,
}

/// One vehicle state change in `trace_vehicles.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct TraceVehicleRow {
    /// Variant.
    pub variant: String,
    /// Replication.
    pub replication: u64,
    /// Vehicle: its station and number there, e.g. "Ambulanse Molde #2".
    pub vehicle: String,
    /// Time [min since the start of the run, Monday 00:00].
    pub t_min: f64,
    /// State before.
    pub from: crate::sim::VState,
    /// State after.
    pub to: crate::sim::VState,
    /// In the warm-up (not measured)?
    pub warmup: bool,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// One red response in `trace_responses.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct TraceResponseRow {
    /// Variant.
    pub variant: String,
    /// Replication.
    pub replication: u64,
    /// 113 call rang [min since start].
    pub t_ring_min: f64,
    /// Ambulance notified \[min\].
    pub t_notified_min: f64,
    /// On scene \[min\].
    pub t_on_scene_min: f64,
    /// Response incl. AMK time \[min\].
    pub response_min: f64,
    /// Vehicle.
    pub vehicle: String,
    /// Did the call ring in the warm-up (not measured)?
    pub warmup: bool,
    /// Assumption set (with `[[assumptions]]`); files write it as the column after `variant`.
    #[serde(skip)]
    pub assumptions: Option<String>,
}

/// The trace tables.
#[derive(Debug, Clone, Default)]
pub struct TraceRows {
    /// Vehicle state changes.
    pub vehicles: Vec<TraceVehicleRow>,
    /// Red responses.
    pub responses: Vec<TraceResponseRow>,
}

/// One variant's input to the analysis.
pub struct VariantInput<'a> {
    /// Name.
    pub name: &'a str,
    /// File-name-safe name.
    pub slug: &'a str,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its replications, in order.
    pub results: &'a [ReplicationResult],
}

/// The range of a KPI: shares are 0..1, everything else ≥ 0.
fn range_of(unit: &str) -> (f64, f64) {
    if unit == "share" {
        (0.0, 1.0)
    } else {
        (0.0, f64::INFINITY)
    }
}

/// Reduce one scenario's replication results (in replication order) to its summary.
pub fn summarise(scn: &Scenario, spec: &RunSpec, results: &[ReplicationResult]) -> Summary {
    let mut kpi = BTreeMap::new();
    for (i, def) in KPI_DEFS.iter().enumerate() {
        let vals: Vec<Option<f64>> = results.iter().map(|r| r.kpis[i]).collect();
        let (lo, hi) = range_of(def.unit);
        kpi.insert(
            def.name.to_string(),
            estimate_within(&vals, def.unit, lo, hi),
        );
    }
    let outcomes = Outcome::ALL
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                o.name().to_string(),
                results.iter().map(|r| r.outcomes[i]).sum(),
            )
        })
        .collect();
    Summary {
        scenario: scn.name.clone(),
        seed: spec.seed,
        replications: results.len() as u64,
        horizon_days: spec.days,
        warmup_days: spec.warmup_days,
        patients: PatientCounts {
            generated: results.iter().map(|r| r.generated).sum(),
            completed: results.iter().map(|r| r.completed).sum(),
            in_system_at_end: results.iter().map(|r| r.in_system_at_end).sum(),
        },
        outcomes,
        kpi,
    }
}

/// Analyse an experiment (a run is one of one variant) from its results, per variant in order.
pub fn analyse_experiment(
    exp: &crate::input::experiment::Experiment,
    results: &[Vec<ReplicationResult>],
) -> Analysis {
    if !exp.assumptions.is_empty() {
        return sets::analyse(exp, results);
    }
    let inputs: Vec<VariantInput> = exp
        .variants
        .iter()
        .zip(results)
        .map(|(v, r)| VariantInput {
            name: &v.name,
            slug: &v.slug,
            scenario: &v.scenario,
            results: r,
        })
        .collect();
    analyse(
        &exp.name,
        &exp.description,
        &exp.spec,
        exp.replications,
        &inputs,
        exp.baseline,
    )
}

/// Analyse variants (for a run: one) with `baseline` as the reference.
pub fn analyse(
    name: &str,
    description: &str,
    spec: &RunSpec,
    replications: u64,
    variants: &[VariantInput],
    baseline: usize,
) -> Analysis {
    let vs: Vec<VariantAnalysis> = variants
        .iter()
        .map(|v| VariantAnalysis {
            name: v.name.to_string(),
            slug: v.slug.to_string(),
            summary: summarise(v.scenario, spec, v.results),
            cdf: [response_cdf(v.results, 0), response_cdf(v.results, 1)],
            zones: map_zones(v.scenario, v.results),
            facilities: map_facilities(v.scenario),
            events: v.results.iter().map(|r| r.events).sum(),
            assumptions: None,
        })
        .collect();
    let comparison = compare(variants, &vs, baseline);
    Analysis {
        name: name.to_string(),
        description: description.to_string(),
        spec: *spec,
        replications,
        kpi_rows: kpi_rows(variants),
        hourly: hourly(variants, spec.days),
        stations: station_rows(variants, spec.days),
        legevakt_stations: places::legevakt_station_rows(variants, spec.days),
        zones: places::zone_rows(variants, spec.days),
        trace: trace_rows(variants, spec),
        variants: vs,
        baseline,
        comparison,
        assumptions: Vec::new(),
        robustness: Vec::new(),
    }
}

fn kpi_rows(variants: &[VariantInput]) -> Vec<KpiRow> {
    let mut rows = Vec::new();
    for v in variants {
        for r in v.results {
            for (k, def) in KPI_DEFS.iter().enumerate() {
                rows.push(KpiRow {
                    variant: v.name.to_string(),
                    replication: r.replication,
                    kpi: def.name,
                    value: r.kpis[k],
                    assumptions: None,
                });
            }
        }
    }
    rows
}

/// Paired comparisons of every variant against the baseline, every KPI.
fn compare(variants: &[VariantInput], vs: &[VariantAnalysis], b: usize) -> Vec<ComparisonRow> {
    let mut rows = Vec::new();
    for (v, var) in variants.iter().enumerate() {
        if v == b {
            continue;
        }
        for (k, def) in KPI_DEFS.iter().enumerate() {
            let bv: Vec<Option<f64>> = variants[b].results.iter().map(|r| r.kpis[k]).collect();
            let vv: Vec<Option<f64>> = var.results.iter().map(|r| r.kpis[k]).collect();
            let pd = stats::paired_difference(&bv, &vv);
            let wd = stats::welch_difference(&bv, &vv);
            rows.push(ComparisonRow {
                variant: var.name.to_string(),
                kpi: def.name.to_string(),
                baseline_mean: vs[b].summary.kpi[def.name].mean,
                variant_mean: vs[v].summary.kpi[def.name].mean,
                difference: pd.map(|d| d.mean),
                ci95_low: pd.map(|d| d.ci95_low),
                ci95_high: pd.map(|d| d.ci95_high),
                unit: def.unit.to_string(),
                unpaired_ci95_low: wd.map(|d| d.ci95_low),
                unpaired_ci95_high: wd.map(|d| d.ci95_high),
                pairs: pd.map_or(0, |d| d.n),
                assumptions: None,
            });
        }
    }
    rows
}

fn hourly(variants: &[VariantInput], days: f64) -> Vec<HourRow> {
    let weeks = days / 7.0;
    let mut rows = Vec::new();
    for v in variants {
        let rs = v.results;
        let Some(first) = rs.first() else { continue };
        let n = rs.len() as f64;
        for (pi, hp) in first.hourly.iter().enumerate() {
            for h in 0..168 {
                let sum = |f: &dyn Fn(&crate::sim::HourlyPool) -> f64| {
                    rs.iter().map(|r| f(&r.hourly[pi])).sum::<f64>()
                };
                let b = sum(&|x| x.busy_h[h]) / n / weeks;
                let c = sum(&|x| x.scheduled_h[h]) / n / weeks;
                let a = sum(&|x| x.available_h[h]) / n / weeks;
                rows.push(HourRow {
                    variant: v.name.to_string(),
                    pool: hp.pool.clone(),
                    role: hp.role.name(),
                    hour_of_week: h,
                    busy_server_hours_per_week: b,
                    scheduled_server_hours_per_week: c,
                    available_server_hours_per_week: a,
                    utilisation: (a > 0.0).then(|| (b / a).min(1.0)),
                    assumptions: None,
                });
            }
        }
    }
    rows
}

fn station_rows(variants: &[VariantInput], days: f64) -> Vec<StationRow> {
    let years = days / DAYS_PER_YEAR;
    let mut rows = Vec::new();
    for v in variants {
        for r in v.results {
            for s in &r.amb_stations {
                let u = (s.duty_h > 0.0).then(|| (s.busy_h / s.duty_h).clamp(0.0, 1.0));
                rows.push(StationRow {
                    variant: v.name.to_string(),
                    replication: r.replication,
                    station: s.name.clone(),
                    vehicles: s.vehicles,
                    missions_per_year: s.missions as f64 / years,
                    utilisation: u,
                    standby_share: u.map(|u| 1.0 - u),
                    assumptions: None,
                });
            }
        }
    }
    rows
}

/// Names of the vehicles of a scenario: station and number there.
fn vehicle_names(scn: &Scenario) -> Vec<String> {
    let mut count = vec![0u32; scn.amb_stations.len()];
    scn.vehicles
        .iter()
        .map(|v| {
            count[v.station.index()] += 1;
            format!(
                "{} #{}",
                scn.amb_stations[v.station].name,
                count[v.station.index()]
            )
        })
        .collect()
}

fn trace_rows(variants: &[VariantInput], spec: &RunSpec) -> Option<TraceRows> {
    let warmup_min = spec.warmup_days * 1440.0;
    let mut out = TraceRows::default();
    let mut any = false;
    for v in variants {
        let names = vehicle_names(v.scenario);
        for r in v.results {
            let Some(t) = &r.trace else { continue };
            any = true;
            out.vehicles
                .extend(t.transitions.iter().map(|x| TraceVehicleRow {
                    variant: v.name.to_string(),
                    replication: r.replication,
                    vehicle: names[x.vehicle.index()].clone(),
                    t_min: x.t_min,
                    from: x.from,
                    to: x.to,
                    warmup: x.t_min < warmup_min,
                    assumptions: None,
                }));
            out.responses
                .extend(t.responses.iter().map(|x| TraceResponseRow {
                    variant: v.name.to_string(),
                    replication: r.replication,
                    t_ring_min: x.t_ring_min,
                    t_notified_min: x.t_notified_min,
                    t_on_scene_min: x.t_on_scene_min,
                    response_min: x.response_min,
                    vehicle: names[x.vehicle.index()].clone(),
                    warmup: x.t_ring_min < warmup_min,
                    assumptions: None,
                }));
        }
    }
    any.then_some(out)
}

/// Pooled response-time CDF of a variant: (minutes, share ≤) for urban (0) or rural (1).
pub fn response_cdf(results: &[ReplicationResult], class: usize) -> Option<Cdf> {
    let mut bins = vec![0u64; RESPONSE_BINS];
    for r in results {
        for (b, x) in bins.iter_mut().zip(&r.response_bins[class]) {
            *b += x;
        }
    }
    let total: u64 = bins.iter().sum();
    if total == 0 {
        return None;
    }
    let mut acc = 0u64;
    let mut pts = vec![(0.0, 0.0)];
    for (i, b) in bins.iter().enumerate().take(RESPONSE_BINS - 1) {
        acc += b;
        let x = (i as f64 + 1.0) * RESPONSE_BIN_MS as f64 / 60_000.0;
        pts.push((x, acc as f64 / total as f64));
    }
    Some(pts)
}

fn map_zones(scn: &Scenario, results: &[ReplicationResult]) -> Vec<MapZone> {
    scn.zones
        .iter_enumerated()
        .map(|(z, zone): (ZoneId, _)| {
            let (s, n) = results.iter().fold((0.0, 0u64), |(s, n), r| {
                let x = &r.zones[z.index()];
                (s + x.response_sum_min, n + x.responses)
            });
            MapZone {
                name: zone.name.clone(),
                lat: zone.lat,
                lon: zone.lon,
                population: zone.population,
                red_response_mean_min: (n > 0).then(|| s / n as f64),
                legevakt_travel_mean_min: scn.derived.travel_figures.zone_mean_min[z],
            }
        })
        .collect()
}

fn map_facilities(scn: &Scenario) -> Vec<MapFacility> {
    let mut out = Vec::new();
    let pt = |f| scn.travel.point(scn.travel.facility_place(f));
    for s in scn.sites.keys() {
        let p = pt(scn.site_facility(s));
        let kind = match scn.sites[s] {
            Site::Station(_) => FacilityKind::Legevakt,
            Site::Satellite(_) => FacilityKind::Satellite,
        };
        out.push(MapFacility {
            name: p.name.clone(),
            kind,
            lat: p.lat,
            lon: p.lon,
        });
    }
    for (i, st) in scn.amb_stations.iter_enumerated() {
        let p = pt(st.facility);
        let air = scn
            .vehicles
            .iter()
            .filter(|v| v.station == i)
            .all(|v| v.kind == crate::input::scenario::VehicleKind::Air);
        let kind = if air {
            FacilityKind::AirBase
        } else {
            FacilityKind::AmbulanceStation
        };
        out.push(MapFacility {
            name: p.name.clone(),
            kind,
            lat: p.lat,
            lon: p.lon,
        });
    }
    for h in scn.hospitals.iter() {
        let p = pt(h.facility);
        out.push(MapFacility {
            name: p.name.clone(),
            kind: FacilityKind::Hospital,
            lat: p.lat,
            lon: p.lon,
        });
    }
    out
}
