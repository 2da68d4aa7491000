//! Derived tables of a scenario, built once in one constructor from the validated parts: the
//! legevakt sites of each population point by drive time, each zone's legevaktsentral, the dispatch search
//! order of vehicles for every place, the nearest hospital of every place, and the structural
//! travel figures (population within 40 / 60 min of the legevakt it would use).

use super::*;
use crate::base::time::{MIN_PER_WEEK, MS_PER_MIN};
use crate::base::urgency::Channel;

/// Tables derived from a scenario at load.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// For each population point, site ids sorted by drive time (ties by id).
    pub point_sites: IdVec<PointId, Vec<SiteId>>,
    /// For each zone, its legevaktsentral (that of the station nearest its main point).
    pub zone_lvs: IdVec<ZoneId, Option<LvsId>>,
    /// For each place: vehicle ids sorted by travel time from their station to the place (ties
    /// by id) — the dispatch search order.
    pub place_vehicles: IdVec<PlaceId, Vec<VehicleId>>,
    /// For each place: the nearest hospital by road.
    pub place_hospital: IdVec<PlaceId, Option<HospitalId>>,
    /// Drive times to the legevakt each zone would use (structural).
    pub travel_figures: TravelFigures,
    /// Where hospital transfers start and go, with their share of the demand.
    pub transfer_origins: Vec<TransferOrigin>,
    /// For each zone, the AMK centre it calls: 0 = `[amk]`, i = `[amk] centres[i − 1]`.
    pub zone_amk: IdVec<ZoneId, usize>,
}

/// A hospital that sends transfers (`[demand.hospital_transfers]`).
#[derive(Debug, Clone)]
pub struct TransferOrigin {
    /// The sending hospital.
    pub from: HospitalId,
    /// The receiving hospital: its `transfers_to`, else the nearest other by road.
    pub to: HospitalId,
    /// Inhabitants whose nearest hospital it is: its share of the transfers.
    pub population: f64,
    /// The population point nearest to it (the zone a transfer is counted in).
    pub point: PointId,
}

/// Structural travel figures: for each zone, the drive time to the legevakt it would use (the
/// site its patients are sent to by the choice rule for a green need), averaged over the week
/// with the 116117 demand profile as weight, over the times at which at least one site is open.
/// Deterministic: a property of the structure, not of the draws.
#[derive(Debug, Clone, Default)]
pub struct TravelFigures {
    /// Population share within 40 min (zones with no open site count as beyond).
    pub within_40: Option<f64>,
    /// Population share within 60 min.
    pub within_60: Option<f64>,
    /// Per zone: demand-weighted mean drive time \[min\] over the times a site is open for it.
    pub zone_mean_min: IdVec<ZoneId, Option<f64>>,
}

/// Build the derived tables of a scenario whose other parts are validated (its `derived` is
/// still empty): the one constructor of every derived table.
pub fn derive(mut scn: Scenario) -> Scenario {
    let (point_sites, zone_lvs) = site_tables(&scn);
    scn.derived.point_sites = point_sites;
    scn.derived.zone_lvs = zone_lvs;
    let (pv, ph) = dispatch_tables(&scn);
    scn.derived.place_vehicles = pv;
    scn.derived.place_hospital = ph;
    scn.derived.travel_figures = travel_figures(&scn);
    scn.derived.transfer_origins = transfer_origins(&scn);
    scn.derived.zone_amk = scn
        .zones
        .iter()
        .map(|z| {
            let centres = scn.amk.as_ref().map_or(&[][..], |a| &a.centres[..]);
            z.kommune
                .as_deref()
                .and_then(|k| {
                    centres
                        .iter()
                        .position(|c| c.kommuner.iter().any(|x| x == k))
                })
                .map_or(0, |i| i + 1)
        })
        .collect();
    scn
}

/// The hospitals that send transfers: each with the population whose nearest hospital it is.
fn transfer_origins(scn: &Scenario) -> Vec<TransferOrigin> {
    if scn.transfers.is_none() {
        return Vec::new();
    }
    let mut catchment: IdVec<HospitalId, f64> = scn.hospitals.keys().map(|_| 0.0).collect();
    for (pt, p) in scn.points.iter_enumerated() {
        if let Some(h) = scn.derived.place_hospital[scn.travel.point_place(pt)] {
            catchment[h] += scn.zones[p.zone].population * p.weight;
        }
    }
    let mut out = Vec::new();
    for (h, hosp) in scn.hospitals.iter_enumerated() {
        let here = scn.hospital_place(h);
        let to = hosp.transfers_to.or_else(|| {
            scn.hospitals.keys().filter(|&o| o != h).min_by(|&a, &b| {
                let ta = scn.travel.road_min(here, scn.hospital_place(a));
                let tb = scn.travel.road_min(here, scn.hospital_place(b));
                ta.total_cmp(&tb).then(a.cmp(&b))
            })
        });
        let point = scn.points.keys().min_by(|&a, &b| {
            let ta = scn.travel.road_min(scn.travel.point_place(a), here);
            let tb = scn.travel.road_min(scn.travel.point_place(b), here);
            ta.total_cmp(&tb).then(a.cmp(&b))
        });
        if let (Some(to), Some(point)) = (to, point)
            && catchment[h] > 0.0
        {
            out.push(TransferOrigin {
                from: h,
                to,
                population: catchment[h],
                point,
            });
        }
    }
    out
}

type SiteTables = (IdVec<PointId, Vec<SiteId>>, IdVec<ZoneId, Option<LvsId>>);

fn site_tables(scn: &Scenario) -> SiteTables {
    // Legevakt districts: the zones of a district's kommuner use only its station and satellites
    // (a kommune in several districts: the stations of all of them, nearest first).
    let mut district: std::collections::HashMap<&str, Vec<StationId>> = Default::default();
    for (i, st) in scn.stations.iter_enumerated() {
        for k in &st.district {
            district.entry(k.as_str()).or_default().push(i);
        }
    }
    let station_of = |s: SiteId| match scn.sites[s] {
        Site::Station(i) => i,
        Site::Satellite(i) => scn.satellites[i].host,
    };
    let mut sites = IdVec::new();
    for pt in scn.points.keys() {
        let mine = scn.zones[scn.points[pt].zone]
            .kommune
            .as_deref()
            .and_then(|k| district.get(k));
        let mut order: Vec<SiteId> = scn
            .sites
            .keys()
            .filter(|&s| mine.is_none_or(|d| d.contains(&station_of(s))))
            .collect();
        order.sort_by(|&a, &b| {
            scn.point_site_min(pt, a)
                .total_cmp(&scn.point_site_min(pt, b))
                .then(a.cmp(&b))
        });
        sites.push(order);
    }
    let lvs = scn
        .zones
        .iter()
        .map(|z| {
            let main = z.points[z
                .points
                .iter()
                .enumerate()
                .max_by(|a, b| {
                    scn.points[*a.1]
                        .weight
                        .total_cmp(&scn.points[*b.1].weight)
                        .then(b.0.cmp(&a.0))
                })
                .map_or(0, |x| x.0)];
            sites[main]
                .iter()
                .find_map(|&s| match scn.sites[s] {
                    Site::Station(i) => Some(scn.stations[i].lvs),
                    Site::Satellite(_) => None,
                })
                .flatten()
        })
        .collect();
    (sites, lvs)
}

type DispatchTables = (
    IdVec<PlaceId, Vec<VehicleId>>,
    IdVec<PlaceId, Option<HospitalId>>,
);

fn dispatch_tables(scn: &Scenario) -> DispatchTables {
    let n = scn.travel.n_places();
    let mut pv = IdVec::with_capacity(n);
    let mut ph = IdVec::with_capacity(n);
    for place in (0..n).map(PlaceId::new) {
        let mut order: Vec<(f64, VehicleId)> = scn
            .vehicles
            .keys()
            .map(|v| (scn.vehicle_travel_min(v, scn.vehicle_home(v), place), v))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        pv.push(order.into_iter().map(|x| x.1).collect());
        let h = scn
            .hospitals
            .keys()
            .map(|h| (scn.travel.road_min(place, scn.hospital_place(h)), h))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|x| x.1);
        ph.push(h);
    }
    (pv, ph)
}

/// Compute [`TravelFigures`]. For each zone the week is cut where the site its patients would
/// be sent to can change — where any site opens or closes, shifted back by the zone's drive
/// time to it (the sending rule looks at the opening hours on arrival); in each piece the site
/// is fixed, found with the scenario's own choice rule, and the piece weighs as its share of
/// 116117 demand. Pieces in which none of the point's sites is open are left out (the figures
/// are over the opening hours of the legevakt each point may use). Shares are sums of the same non-negative terms in the same order, a subset
/// for the numerator, so they never exceed 1.
fn travel_figures(scn: &Scenario) -> TravelFigures {
    let nz = scn.zones.len();
    if scn.sites.is_empty() {
        return TravelFigures {
            within_40: None,
            within_60: None,
            zone_mean_min: IdVec::from(vec![None; nz]),
        };
    }
    let profile = scn.demand[Channel::Lvs]
        .as_ref()
        .map(|d| d.profile.clone())
        .unwrap_or_else(Profile::flat);
    let changes: IdVec<SiteId, Vec<u32>> = scn
        .sites
        .keys()
        .map(|s| scn.site_open(s).change_minutes().collect())
        .collect();
    let (mut w_tot, mut w40, mut w60) = (0.0, 0.0, 0.0);
    let mut zone_mean_min = IdVec::with_capacity(nz);
    for zone in scn.zones.iter() {
        let (mut zsum, mut zw) = (0.0, 0.0);
        for &pt in &zone.points {
            // The point's share of the zone's inhabitants (1 for a zone of one point).
            let pop = zone.population * scn.points[pt].weight;
            // Only the sites the point may use change its choice: the week is cut where one of
            // them opens or closes, now or on arrival.
            let mut mine: Vec<SiteId> = scn.derived.point_sites[pt].clone();
            mine.extend(zone.preferred_site);
            mine.sort_unstable();
            mine.dedup();
            let mut cuts: Vec<u32> = vec![0, MIN_PER_WEEK];
            cuts.extend(mine.iter().flat_map(|&s| changes[s].iter().copied()));
            for &s in &mine {
                let c = &changes[s];
                let lead = scn
                    .point_site_min(pt, s)
                    .round()
                    .clamp(0.0, f64::from(MIN_PER_WEEK)) as u32;
                cuts.extend(
                    c.iter()
                        .map(|m| (m + MIN_PER_WEEK - lead % MIN_PER_WEEK) % MIN_PER_WEEK),
                );
            }
            cuts.sort_unstable();
            cuts.dedup();
            for win in cuts.windows(2) {
                let (a, b) = (win[0], win[1]);
                let w = profile.cumulative_at_minute(b) - profile.cumulative_at_minute(a);
                let t = SimTime(i64::from(a) * MS_PER_MIN);
                // Only the sites this point may use count: in a model of several legevakt
                // districts another district's 24-h legevakt does not serve it while its own is
                // closed (then the GP does, outside these figures).
                let sites = scn.site_probabilities(pt, t);
                if sites.is_empty() || w <= 0.0 {
                    continue;
                }
                w_tot += w * pop;
                for (s, prob) in sites {
                    let m = scn.point_site_min(pt, s);
                    let wp = w * prob;
                    zsum += wp * scn.points[pt].weight * m;
                    zw += wp * scn.points[pt].weight;
                    if m <= 40.0 {
                        w40 += wp * pop;
                    }
                    if m <= 60.0 {
                        w60 += wp * pop;
                    }
                }
            }
        }
        zone_mean_min.push((zw > 0.0).then(|| zsum / zw));
    }
    let share = |x: f64| (w_tot > 0.0).then(|| (x / w_tot).min(1.0));
    TravelFigures {
        within_40: share(w40),
        within_60: share(w60),
        zone_mean_min,
    }
}
