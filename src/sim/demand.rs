//! Latent needs: a non-homogeneous Poisson process per zone × channel × urgency with a
//! piecewise-constant hour-of-week intensity, the channel's profile scaled by the zone's
//! population and the urgency's rate.
//!
//! The processes of one channel share their profile, so they are drawn as their superposition
//! (a *source*): one Poisson process with the summed rate, on the channel's own RNG stream, each
//! arrival given to one zone and urgency with probability proportional to its rate (Walker's
//! alias method, `rand_distr::WeightedAliasIndex`). By the superposition and thinning theorems of
//! Poisson processes this is the same process, in distribution, as one stream per zone, urgency
//! and channel — and on a model of 1,594 zones it keeps five generators hot in the cache instead
//! of 12,800 cold ones. Hospital transfers and the two kinds of call with no new need are one
//! source each, drawn the same way. The next arrival of each source waits beside the event list;
//! when an arrival and another event fall on the same millisecond, the arrival is handled first
//! (on a tie between sources, the first source) — a fixed rule, so runs stay deterministic.
//!
//! Arrival times are generated exactly by inverting the cumulative intensity: with
//! Λ(t) = scale · C(t), where C is the cumulative profile (hours at mean intensity), the next
//! arrival after t is C⁻¹(C(t) + E/scale) with E ~ Exp(1). No thinning, no rejected draws.
//!
//! What happens to a need depends on the structure (which legevakt is open and near, distance
//! decay, walk-in or phone); every such decision uses the patient's own per-purpose draws, so two
//! structures compared on one seed see the same needs and the same coin flips.

use super::World;
use super::patient::{Patient, Stage};
use super::result::{Detail, Outcome, PatientEvent, TraceChannel, TracePlace, TraceResource};
use crate::base::ids::{DemandStreamId, IdVec, PatientId, PointId, SiteId, ZoneId};
use crate::base::rng::{Purpose, SimRng, StreamId, stream_rng};
use crate::base::time::{MS_PER_HOUR, MS_PER_WEEK, SimTime};
use crate::base::urgency::{Channel, Urgency};
use crate::input::scenario::{ChannelDemand, DecayTarget, FateKind, Profile, Scenario};
use rand::Rng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, Exp1};

/// What an arrival of a source is.
#[derive(Clone, Copy)]
enum Arrival {
    /// A need of a zone, with its channel and urgency.
    Need(ZoneId, Channel, Urgency),
    /// A hospital transfer: the index in the scenario's transfer origins.
    Transfer(usize),
    /// A call with no new need from a zone to its legevaktsentral.
    OtherCall(ZoneId, crate::base::ids::LvsId),
    /// A call on the AMK's other lines from a zone.
    OtherAmkCall(ZoneId),
}

/// Which hour-of-week profile a source follows.
#[derive(Clone, Copy)]
enum ProfileOf {
    /// The channel's demand profile.
    Channel(Channel),
    /// The hospital transfers' profile.
    Transfers,
    /// The channel's profile where it has demand, else flat ([assumption] for the calls with no
    /// new need: no hourly profile of those calls was found, so they follow their channel).
    ChannelOrFlat(Channel),
}

/// One source: the superposition of the Poisson processes of many zones (or origins) that share
/// one hour-of-week profile. Its arrivals form a Poisson process with the summed rate, and each
/// arrival belongs to one member with probability proportional to the member's rate (drawn by
/// Walker's alias method) — the same process, in distribution, as one stream per member.
struct Source {
    /// 1 / (arrivals per hour at mean profile intensity, summed over the members).
    inv_scale: f64,
    /// Cumulative profile position of the last arrival [hours at mean intensity]: carried from
    /// draw to draw, so the next arrival needs only one inversion.
    c: f64,
    /// Hour of the week of the last arrival: the search for the next one starts there.
    hour: usize,
    profile: ProfileOf,
    /// The members, and the alias table that picks one by rate.
    members: Vec<Arrival>,
    pick: WeightedAliasIndex<f64>,
    rng: SimRng,
    /// Time [ms] of the next arrival, or `i64::MAX` past the end of the run.
    next: i64,
}

/// The demand side of a replication: a handful of sources (the needs of each channel, the
/// transfers, the calls with no new need), each with its next arrival.
pub(crate) struct Demand {
    sources: IdVec<DemandStreamId, Source>,
    /// The earliest next arrival over the sources, kept up to date as each is drawn, so that
    /// the event loop reads it instead of scanning the sources at every event.
    first: Option<(i64, DemandStreamId)>,
    /// A flat profile, for calls with no new need in a model without demand on their channel.
    flat: Profile,
}

/// Collects the members of one source and their rates [arrivals per hour at mean intensity].
struct Members {
    members: Vec<Arrival>,
    rates: Vec<f64>,
}

impl Members {
    fn new() -> Members {
        Members {
            members: Vec::new(),
            rates: Vec::new(),
        }
    }
    fn add(&mut self, a: Arrival, rate: f64) {
        if rate > 0.0 {
            self.members.push(a);
            self.rates.push(rate);
        }
    }
}

impl Demand {
    /// The sources of a scenario (only members with a positive rate; only sources with one) and
    /// their generators.
    pub fn new(scn: &Scenario, seed: u64, replication: u64) -> Demand {
        let mut sources = IdVec::new();
        let mut add = |m: Members, profile: ProfileOf, stream: StreamId| {
            if m.members.is_empty() {
                return;
            }
            let scale: f64 = m.rates.iter().sum();
            let pick = WeightedAliasIndex::new(m.rates)
                .expect("positive, finite rates (checked by the validator)");
            sources.push(Source {
                inv_scale: 1.0 / scale,
                c: 0.0,
                hour: 0,
                profile,
                members: m.members,
                pick,
                rng: stream_rng(seed, replication, stream),
                next: i64::MAX,
            });
        };
        // The needs of each channel, over every zone and urgency.
        for ch in Channel::ALL {
            let Some(d) = &scn.demand[ch] else { continue };
            let mut m = Members::new();
            for (z, zone) in scn.zones.iter_enumerated() {
                for u in Urgency::ALL {
                    m.add(
                        Arrival::Need(z, ch, u),
                        zone.population * d.rate_per_person_hour[u],
                    );
                }
            }
            add(
                m,
                ProfileOf::Channel(ch),
                StreamId::Needs { channel: ch.code() },
            );
        }
        // Hospital transfers, over the sending hospitals.
        if let Some(t) = &scn.transfers {
            let mut m = Members::new();
            for (i, o) in scn.derived.transfer_origins.iter().enumerate() {
                m.add(Arrival::Transfer(i), o.population * t.per_person_hour);
            }
            add(m, ProfileOf::Transfers, StreamId::Transfers);
        }
        // Calls with no new need, per zone, to the zone's legevaktsentral.
        let mut m = Members::new();
        for (z, zone) in scn.zones.iter_enumerated() {
            if let Some(l) = scn.derived.zone_lvs[z] {
                m.add(
                    Arrival::OtherCall(z, l),
                    zone.population * scn.lvs[l].other_calls_per_person_hour,
                );
            }
        }
        add(
            m,
            ProfileOf::ChannelOrFlat(Channel::Lvs),
            StreamId::OtherCalls,
        );
        // Calls on the AMK's other lines, per zone.
        if let Some(a) = &scn.amk {
            let mut m = Members::new();
            for (z, zone) in scn.zones.iter_enumerated() {
                m.add(
                    Arrival::OtherAmkCall(z),
                    zone.population * a.other_calls_per_person_hour,
                );
            }
            add(
                m,
                ProfileOf::ChannelOrFlat(Channel::Amk),
                StreamId::OtherAmkCalls,
            );
        }
        Demand {
            flat: Profile::flat(),
            sources,
            first: None,
        }
    }

    /// Time [ms] and source of the next arrival, if any (the earliest; on a tie the first
    /// source, so runs stay deterministic).
    #[inline]
    pub fn peek(&self) -> Option<(i64, DemandStreamId)> {
        self.first
    }

    /// Find the earliest next arrival again, after a source has drawn its next one.
    fn settle(&mut self) {
        // The first of the earliest (strictly smaller replaces), `i64::MAX` meaning none.
        let (mut t, mut first) = (i64::MAX, 0);
        for (i, src) in self.sources.iter().enumerate() {
            if src.next < t {
                (t, first) = (src.next, i);
            }
        }
        self.first = (t != i64::MAX).then(|| (t, DemandStreamId::new(first)));
    }
}

/// Cumulative profile at time t [hours at mean intensity since time zero].
#[cfg(test)]
fn cumulative(p: &Profile, t: SimTime) -> f64 {
    let weeks = t.0.div_euclid(MS_PER_WEEK) as f64;
    let in_week = t.0.rem_euclid(MS_PER_WEEK);
    let h = (in_week / MS_PER_HOUR) as usize;
    let frac = (in_week % MS_PER_HOUR) as f64 / MS_PER_HOUR as f64;
    weeks * 168.0 + p.cumulative[h] + p.weights[h] * frac
}

/// Inverse of [`cumulative`]: the time at which the cumulative profile reaches `c` (reference
/// implementation for the tests of [`inverse_from`]).
#[cfg(test)]
fn inverse(p: &Profile, c: f64) -> SimTime {
    let weeks = (c / 168.0).floor();
    let mut r = c - weeks * 168.0;
    if r >= 168.0 {
        r = 167.999_999_999;
    }
    // Last hour h with cumulative[h] <= r and a positive weight.
    let mut h = p
        .cumulative
        .partition_point(|&x| x <= r)
        .saturating_sub(1)
        .min(167);
    while p.weights[h] <= 0.0 && h < 167 {
        h += 1;
    }
    let frac = ((r - p.cumulative[h]) / p.weights[h]).clamp(0.0, 1.0);
    let ms = weeks * MS_PER_WEEK as f64 + (h as f64 + frac) * MS_PER_HOUR as f64;
    SimTime((ms + 0.5) as i64)
}

/// As [`inverse`], starting the search at hour `h0` (the hour of the previous arrival): busy
/// sources find the next arrival within a step or two; the rest fall back to binary search.
/// Returns the time and its hour of the week.
#[inline]
fn inverse_from(p: &Profile, c: f64, h0: usize) -> (SimTime, usize) {
    let weeks = (c * (1.0 / 168.0)) as i64; // c ≥ 0: truncation is floor, without a libm call
    let r = (c - weeks as f64 * 168.0).min(167.999_999_999);
    let mut h = h0;
    let mut steps = 0;
    // Walk forward from h0 while the hour ends at or before r (same week only).
    if p.cumulative[h] <= r {
        while h < 167 && p.cumulative[h + 1] <= r && steps < 4 {
            h += 1;
            steps += 1;
        }
    }
    if p.cumulative[h] > r || (h < 167 && p.cumulative[h + 1] <= r) || p.weights[h] <= 0.0 {
        h = p
            .cumulative
            .partition_point(|&x| x <= r)
            .saturating_sub(1)
            .min(167);
        while p.weights[h] <= 0.0 && h < 167 {
            h += 1;
        }
    }
    let frac = ((r - p.cumulative[h]) * p.inv_weights[h]).clamp(0.0, 1.0);
    let ms = weeks as f64 * MS_PER_WEEK as f64 + (h as f64 + frac) * MS_PER_HOUR as f64;
    (SimTime((ms + 0.5) as i64), h)
}

/// Next arrival strictly after (or at) `t` for a stream with the given scale.
#[cfg(test)]
pub(crate) fn next_arrival<R: Rng + ?Sized>(
    p: &Profile,
    scale: f64,
    t: SimTime,
    rng: &mut R,
) -> SimTime {
    let e: f64 = Exp1.sample(rng);
    inverse(p, cumulative(p, t) + e / scale).max(t)
}

impl World<'_> {
    /// Draw the next arrival of source `s` after the current one (`i64::MAX` past the end of
    /// the run).
    #[inline]
    fn draw_next_need(&mut self, s: DemandStreamId) {
        let scn = self.scn;
        let flat = &self.demand.flat;
        let src = &mut self.demand.sources[s];
        let profile = match src.profile {
            ProfileOf::Channel(ch) => {
                &scn.demand[ch]
                    .as_ref()
                    .expect("a needs source exists only for a channel with demand")
                    .profile
            }
            ProfileOf::Transfers => {
                &scn.transfers
                    .as_ref()
                    .expect("a transfer source implies transfers")
                    .profile
            }
            ProfileOf::ChannelOrFlat(ch) => match &scn.demand[ch] {
                Some(d) => &d.profile,
                None => flat,
            },
        };
        let e: f64 = Exp1.sample(&mut src.rng);
        src.c += e * src.inv_scale;
        let (t, h) = inverse_from(profile, src.c, src.hour);
        src.hour = h;
        let t = t.max(self.now);
        src.next = if t <= self.end { t.0 } else { i64::MAX };
        self.demand.settle();
    }

    /// Draw every source's first arrival.
    pub(crate) fn start_demand(&mut self) {
        for s in self.demand.sources.keys() {
            self.draw_next_need(s);
        }
    }

    /// The next arrival of source `s` (the earliest of all) happens: draw whose it is and the
    /// patient's seed, draw the source's next arrival, then let the arrival enter the chain.
    pub(crate) fn need(&mut self, s: DemandStreamId) {
        let src = &mut self.demand.sources[s];
        let arrival = src.members[src.pick.sample(&mut src.rng)];
        let seed = src.rng.next_u64();
        self.draw_next_need(s);
        match arrival {
            Arrival::Need(zone, channel, urgency) => self.new_need(seed, zone, channel, urgency),
            Arrival::Transfer(i) => self.new_transfer(seed, i),
            Arrival::OtherCall(zone, l) => self.other_call(seed, zone, l),
            // It takes an operator after every waiting 113 call, for the other-line handling
            // time, and ends. Not part of the demand fingerprint.
            Arrival::OtherAmkCall(zone) => self.amk_other_line(seed, zone),
        }
    }

    /// A need (random or scripted) enters the chain.
    /// A patient who has just arisen, before anything has happened to them.
    fn fresh_patient(&self, seed: u64, zone: ZoneId, point: PointId, urgency: Urgency) -> Patient {
        Patient {
            seed,
            zone,
            point,
            urgency,
            t_wait: self.now,
            seq: 0,
            triage: crate::base::time::Dur::ZERO,
            site: None,
            lvs: None,
            visit_pool: None,
            stage: Stage::Travelling,
            t_ring: self.now,
            t_answer: self.now,
            t_notified: self.now,
            mission: super::ambulance::MissionKind::Emergency,
            scene: self.scn.travel.point_place(point),
            vehicle: None,
            hospital: None,
            red: None,
            via_amk: false,
            via_lvs: false,
            conveyed: false,
            to_site: None,
            by_ambulance_now: false,
            phone_only: false,
            yellow_scored: false,
            amb_seq: 0,
            hang_ups: 0,
            other_call: false,
        }
    }

    /// A hospital transfer: an ambulance fetches a patient at the sending hospital and takes
    /// them to the receiving one (green: no response target). Not part of the demand
    /// fingerprint, which identifies the needs.
    fn new_transfer(&mut self, seed: u64, i: usize) {
        self.generated += 1;
        let o = &self.scn.derived.transfer_origins[i];
        let (from, to, point) = (o.from, o.to, o.point);
        let zone = self.scn.points[point].zone;
        let mut pat = self.fresh_patient(seed, zone, point, Urgency::Green);
        pat.stage = Stage::Ambulance;
        let p = self.patients.insert(pat);
        self.note_arise(p, TraceChannel::Transfer, TracePlace::Hospital(from));
        self.score.transfer(self.now);
        let at = self.scn.hospital_place(from);
        self.request_ambulance(p, super::ambulance::MissionKind::Transfer(to), at);
    }

    /// A call with no new need (administrative, or a repeat call about a need already handled):
    /// it takes a nurse for the handling time and ends; callers may hang up like any other.
    /// Not part of the demand fingerprint.
    fn other_call(&mut self, seed: u64, zone: ZoneId, l: crate::base::ids::LvsId) {
        self.generated += 1;
        let point = self.scn.zones[zone].points[0];
        let mut pat = self.fresh_patient(seed, zone, point, Urgency::Green);
        pat.other_call = true;
        let p = self.patients.insert(pat);
        self.note_arise(p, TraceChannel::OtherLvs, TracePlace::Home);
        self.lvs_call(p, l);
    }

    pub(crate) fn new_need(&mut self, seed: u64, zone: ZoneId, channel: Channel, urgency: Urgency) {
        self.generated += 1;
        let key = (self.now.0 as u64)
            ^ (u64::from(zone.raw()) << 40)
            ^ (u64::from(channel.code()) << 60)
            ^ ((urgency as u64) << 62);
        self.score.need(seed, key);
        // Where in the zone: drawn among its points by weight (no draw for a single point).
        let z = &self.scn.zones[zone];
        let point = if z.points.len() == 1 {
            z.points[0]
        } else {
            z.point_at(crate::base::rng::patient_uniform(seed, Purpose::Point))
        };
        let p = self
            .patients
            .insert(self.fresh_patient(seed, zone, point, urgency));
        let traced_channel = match channel {
            Channel::Lvs => TraceChannel::Lvs,
            Channel::Amk => TraceChannel::Amk,
        };
        self.note_arise(p, traced_channel, TracePlace::Home);
        if channel == Channel::Amk {
            self.reach_amk(p);
            return;
        }
        let scn = self.scn;
        // A scripted 116117 incident needs no [demand.calls_116117]: then no decay, all by phone.
        let d = scn.demand[Channel::Lvs].as_ref();
        let x = self.u(p, Purpose::Choice);
        let choice = scn.choose_site(point, urgency, self.now, x);
        let Some(site) = choice.site else {
            // No legevakt open: the GP in office hours — but a red need cannot wait, so it
            // calls 113.
            if urgency == Urgency::Red {
                self.score.red_to_113_outside_hours(self.now);
                self.reach_amk(p);
            } else {
                self.complete(p, Outcome::OutsideHours);
            }
            return;
        };
        if let Some(d) = d
            && self.suppressed_by_distance(p, zone, urgency, site, d)
        {
            return;
        }
        // The draw only matters for shares strictly between 0 and 1; skipping it otherwise
        // changes no decision (each purpose has its own stream, so nothing else shifts).
        let share = d.map_or(0.0, |d| d.direct_share[urgency]);
        let direct = share >= 1.0 || (share > 0.0 && self.u(p, Purpose::Channel) < share);
        match scn.derived.zone_lvs[zone] {
            Some(l) if !direct => self.lvs_call(p, l),
            _ => {
                if choice.closing_skipped {
                    self.score.closing_redirect(self.now);
                }
                // A walk-in comes by their own means.
                self.travel_to_site(p, site)
            }
        }
    }

    /// Distance decay: does the need stay away from the legevakt? If so it takes its fate
    /// (113, a telephone call, the GP next weekday, or unmet) and `true` is returned.
    fn suppressed_by_distance(
        &mut self,
        p: PatientId,
        zone: ZoneId,
        u: Urgency,
        site: SiteId,
        d: &ChannelDemand,
    ) -> bool {
        let k = d.decay_per_km[u];
        if k <= 0.0 {
            return false;
        }
        let target = match d.decay_to {
            DecayTarget::None => return false,
            DecayTarget::AnySite => site,
            // A nurse-only satellite does not bring the doctor nearer: the distance is to the
            // nearest station open on arrival (the chosen site when there is none).
            DecayTarget::DoctorStation => self
                .scn
                .nearest_doctor_station(self.patients[p].point, u, self.now)
                .unwrap_or(site),
        };
        let km = self.scn.travel.km(
            self.scn.travel.point_place(self.patients[p].point),
            self.scn.site_facility(target),
        );
        if self.u(p, Purpose::Decay) < (-k * km).exp() {
            return false;
        }
        let fate = d.suppressed_fate[u].pick(self.u(p, Purpose::Fate));
        self.score.suppressed(self.now, zone, fate);
        let detail = match fate {
            FateKind::Call113 => Detail::FateCall113,
            FateKind::Phone => Detail::FatePhone,
            FateKind::GpNextDay => Detail::FateGpNextDay,
            FateKind::Unmet => Detail::FateUnmet,
        };
        self.note(
            p,
            PatientEvent::KeptAwayByDistance,
            TracePlace::Home,
            TraceResource::None,
            detail,
        );
        match fate {
            FateKind::Call113 => self.reach_amk(p),
            FateKind::Phone => match self.scn.derived.zone_lvs[zone] {
                Some(l) => {
                    self.patients[p].phone_only = true;
                    self.lvs_call(p, l);
                }
                None => self.complete(p, Outcome::Advice),
            },
            FateKind::GpNextDay => self.complete(p, Outcome::GpNextDay),
            FateKind::Unmet => self.complete(p, Outcome::Suppressed),
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn inverse_undoes_cumulative() {
        let mut w = [1.0; 168];
        for (h, x) in w.iter_mut().enumerate() {
            *x = 1.0 + (h % 24) as f64 / 10.0;
        }
        w[3] = 0.0;
        let p = Profile::from_weights(&w);
        for t in [
            0i64,
            12_345_678,
            3 * MS_PER_HOUR + 5,
            MS_PER_WEEK * 3 + 77_777_777,
        ] {
            let c = cumulative(&p, SimTime(t));
            let back = inverse(&p, c);
            // Hour 3 has weight zero: times inside it map to its end.
            let expect = if SimTime(t).hour_of_week() == 3 {
                4 * MS_PER_HOUR
            } else {
                t
            };
            assert!((back.0 - expect).abs() <= 1, "{t} -> {}", back.0);
        }
    }

    #[test]
    fn inverse_from_agrees_with_binary_search() {
        let mut w = [1.0; 168];
        for (h, x) in w.iter_mut().enumerate() {
            *x = if h % 24 < 8 {
                0.0
            } else {
                1.0 + (h % 7) as f64
            };
        }
        let p = Profile::from_weights(&w);
        let mut h = 0;
        let mut c = 0.0;
        for i in 0..5000 {
            c += 0.037 * (1 + i % 13) as f64;
            let (t, h2) = inverse_from(&p, c, h);
            assert_eq!(t, inverse(&p, c), "c = {c}");
            // The cached hour is the hour searched from next time: t's hour, or the hour just
            // before when t falls exactly on the boundary.
            let how = t.hour_of_week();
            assert!(h2 == how || (h2 + 1) % 168 == how, "{h2} vs {how}");
            h = h2;
        }
    }

    #[test]
    fn arrivals_follow_the_profile() {
        // Weights 3:1 between the first and second half of each day; count arrivals per half.
        let mut w = [1.0; 168];
        for (h, x) in w.iter_mut().enumerate() {
            *x = if h % 24 < 12 { 3.0 } else { 1.0 };
        }
        let p = Profile::from_weights(&w);
        let mut rng = SimRng::seed_from_u64(9);
        let (mut t, mut a, mut b) = (SimTime::ZERO, 0u32, 0u32);
        let scale = 10.0; // per hour at mean intensity → 10 × 24 × 7 × 20 weeks ≈ 33,600 arrivals
        let end = SimTime(20 * MS_PER_WEEK);
        loop {
            t = next_arrival(&p, scale, t, &mut rng);
            if t >= end {
                break;
            }
            if t.hour_of_week() % 24 < 12 {
                a += 1
            } else {
                b += 1
            }
        }
        let n = (a + b) as f64;
        // Expected total 33,600 (sd ≈ 183): within 1 %. Expected share 0.75 (sd ≈ 0.0024): within 0.01.
        assert!((n - 33_600.0).abs() < 336.0, "{n}");
        assert!((a as f64 / n - 0.75).abs() < 0.01, "{}", a as f64 / n);
    }
}
