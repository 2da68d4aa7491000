//! Resource pools: identical servers (operators, nurses, doctors, ED bays) whose number follows
//! a weekly schedule, and a queue ordered by priority (urgency) then arrival sequence.
//!
//! Shift changes: when capacity rises, waiting jobs start at once. When it falls, busy servers
//! finish their current job and then leave. If capacity falls to zero while jobs are waiting, the
//! last server stays on overtime until the queue is empty — a clinic that closes does not abandon
//! the patients already in its waiting room.
//!
//! Each pool integrates, after warm-up, its busy servers, its scheduled capacity and its
//! *available* servers (the scheduled ones, or the busy ones when more are busy: overtime), in
//! total and by hour of the week. Utilisation is busy ÷ available, so it never exceeds 1; the
//! overtime is available − scheduled. A server can also be *away* (a doctor out on a home visit
//! or a call-out): the pool integrates the time when every server on duty is away — a station
//! open with no doctor in it.

use crate::base::ids::{CalloutId, CarMissionId, IdVec, LineCallId, PatientId, PoolId};
use crate::base::schedule::Weekly;
use crate::base::time::{MS_PER_HOUR, SimTime};
use crate::sim::result::Role;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What a server in a pool is asked to do, and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    /// Answer and handle a 116117 call.
    LvsCall(PatientId, u64),
    /// Nurse triage on arrival at a station.
    Triage(PatientId),
    /// Doctor consultation at a station.
    Consult(PatientId),
    /// Satellite nurse receives a patient (held through the video consultation).
    SatelliteNurse(PatientId),
    /// Host doctor's video consultation with a satellite patient.
    VideoConsult(PatientId),
    /// Doctor home visit (the doctor leaves the station); the sequence number identifies the
    /// request (a request withdrawn after its wait limit is skipped when it comes up).
    DoctorHomeVisit(PatientId, u64),
    /// Satellite nurse home visit (as above).
    NurseHomeVisit(PatientId, u64),
    /// Host doctor on video during a satellite nurse's home visit.
    HomeVisitVideo(PatientId),
    /// Answer and handle a 113 call.
    AmkCall(PatientId, u64),
    /// Answer and handle a call on the AMK's other lines.
    AmkLine(LineCallId),
    /// Legevakt doctor (or satellite nurse) call-out to a red event.
    RedCallout(CalloutId),
    /// A doctor car's mission.
    DoctorCar(CarMissionId),
    /// The station doctor a doctor car without its own doctor takes along.
    CarDoctor(CarMissionId),
    /// Emergency department bay.
    EdBay(PatientId),
}

/// Time integrals of a pool after warm-up [server·ms].
#[derive(Debug, Clone)]
pub struct PoolBooks {
    /// ∫ busy dt.
    pub busy_ms: f64,
    /// ∫ scheduled capacity dt.
    pub capacity_ms: f64,
    /// ∫ max(capacity, busy) dt.
    pub available_ms: f64,
    /// ∫ [every available server is away] dt, while servers are scheduled.
    pub absent_ms: f64,
    /// The same by hour of the week.
    pub busy_by_how: Box<[f64; 168]>,
    /// The same by hour of the week.
    pub capacity_by_how: Box<[f64; 168]>,
    /// The same by hour of the week.
    pub available_by_how: Box<[f64; 168]>,
}

/// A pool of identical servers.
#[derive(Debug)]
pub struct Pool {
    capacity: u32,
    busy: u32,
    /// Busy servers that are out (home visit, call-out): not at the station.
    away: u32,
    queue: BinaryHeap<Reverse<(u8, u64, Job)>>,
    last: SimTime,
    warmup: SimTime,
    books: PoolBooks,
    /// Jobs started by a server working overtime (capacity zero).
    overtime_starts: u64,
    /// End of the hour of the week that `last` falls in [ms], and that hour's index: most
    /// changes fall within the same hour as the previous one, so no division is needed.
    hour_end: i64,
    hour: usize,
    /// ∫ busy, capacity and available dt within that hour so far [server·ms]: integers, added to
    /// the hour's books when the hour is left (and at the end), so that a change costs three
    /// integer additions. Every integral is a sum of integers far below 2⁵³, so it is exact in
    /// `f64` in any order: the books are the same as if each change were added to them.
    in_hour: [u64; 3],
}

impl Pool {
    /// New pool with initial capacity; statistics start at `warmup`.
    pub fn new(capacity: u32, warmup: SimTime) -> Pool {
        Pool {
            capacity,
            busy: 0,
            away: 0,
            queue: BinaryHeap::new(),
            last: SimTime::ZERO,
            warmup,
            books: PoolBooks {
                busy_ms: 0.0,
                capacity_ms: 0.0,
                available_ms: 0.0,
                absent_ms: 0.0,
                busy_by_how: Box::new([0.0; 168]),
                capacity_by_how: Box::new([0.0; 168]),
                available_by_how: Box::new([0.0; 168]),
            },
            overtime_starts: 0,
            hour_end: i64::MIN,
            hour: 0,
            in_hour: [0; 3],
        }
    }

    /// Jobs waiting.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// The time integrals so far.
    pub fn books(&self) -> &PoolBooks {
        &self.books
    }

    /// Integrate busy, capacity and available servers from the last change to `now`.
    #[inline(always)]
    fn observe(&mut self, now: SimTime) {
        let from = self.last.max(self.warmup);
        self.last = now;
        if now <= from {
            return;
        }
        let (b, c) = (self.busy, self.capacity);
        let a = b.max(c);
        if c > 0 && self.away > 0 && self.away >= a {
            self.books.absent_ms += (now.0 - from.0) as f64;
        }
        if a == 0 {
            return;
        }
        // Split over hour-of-week boundaries (most changes stay within the hour).
        let mut t = from.0;
        while t < now.0 {
            if t >= self.hour_end || t < self.hour_end - MS_PER_HOUR {
                self.close_hour();
                self.hour_end = (t.div_euclid(MS_PER_HOUR) + 1) * MS_PER_HOUR;
                self.hour = SimTime(t).hour_of_week();
            }
            let e = self.hour_end.min(now.0);
            let d = (e - t) as u64;
            self.in_hour[0] += u64::from(b) * d;
            self.in_hour[1] += u64::from(c) * d;
            self.in_hour[2] += u64::from(a) * d;
            t = e;
        }
    }

    /// Add the integrals of the hour being integrated to its hour of the week, and to the totals.
    #[cold]
    fn close_hour(&mut self) {
        let [b, c, a] = std::mem::take(&mut self.in_hour).map(|x| x as f64);
        let (bk, h) = (&mut self.books, self.hour);
        bk.busy_ms += b;
        bk.capacity_ms += c;
        bk.available_ms += a;
        bk.busy_by_how[h] += b;
        bk.capacity_by_how[h] += c;
        bk.available_by_how[h] += a;
    }

    /// Ask for a server. Returns the job if it starts now; otherwise it waits.
    #[inline]
    pub fn request(&mut self, now: SimTime, prio: u8, seq: u64, job: Job) -> Option<Job> {
        if self.busy < self.capacity && self.queue.is_empty() {
            self.observe(now);
            self.busy += 1;
            Some(job)
        } else {
            self.queue.push(Reverse((prio, seq, job)));
            None
        }
    }

    /// A server finishes. Returns the next job it (or a colleague) starts, if any.
    #[inline]
    pub fn release(&mut self, now: SimTime) -> Option<Job> {
        assert!(self.busy > 0, "release on a pool with no busy server");
        self.observe(now);
        self.busy -= 1;
        let overtime = self.capacity == 0 && self.busy == 0;
        if (self.busy < self.capacity || overtime)
            && let Some(Reverse((_, _, job))) = self.queue.pop()
        {
            self.busy += 1;
            if overtime {
                self.overtime_starts += 1;
            }
            return Some(job);
        }
        None
    }

    /// Shift change. Returns the jobs that start because servers arrived (or overtime began).
    pub fn set_capacity(&mut self, now: SimTime, c: u32) -> Vec<Job> {
        self.observe(now);
        self.capacity = c;
        let mut started = Vec::new();
        while self.busy < self.capacity {
            match self.queue.pop() {
                Some(Reverse((_, _, job))) => {
                    self.busy += 1;
                    started.push(job);
                }
                None => break,
            }
        }
        if self.capacity == 0
            && self.busy == 0
            && let Some(Reverse((_, _, job))) = self.queue.pop()
        {
            self.busy += 1;
            self.overtime_starts += 1;
            started.push(job);
        }
        started
    }

    /// Close the books at the end of the run.
    pub fn finish(&mut self, now: SimTime) {
        self.observe(now);
        self.close_hour();
    }

    /// A busy server leaves the station (home visit, call-out).
    pub fn leave(&mut self, now: SimTime) {
        self.observe(now);
        self.away += 1;
        debug_assert!(self.away <= self.busy, "only a busy server can be away");
    }

    /// A server that was away is back (it is then released as usual).
    pub fn back(&mut self, now: SimTime) {
        self.observe(now);
        self.away = self
            .away
            .checked_sub(1)
            .expect("a server that was away came back");
    }

    /// Is a server free now, with nobody waiting (a job would start at once)?
    pub fn free_now(&self) -> bool {
        self.busy < self.capacity && self.queue.is_empty()
    }
}

/// Every pool of a replication with its schedule and label.
pub struct Pools {
    pools: IdVec<PoolId, Pool>,
    sched: IdVec<PoolId, Weekly>,
    label: IdVec<PoolId, (String, Role)>,
    warmup: SimTime,
}

impl Pools {
    /// No pools yet; statistics start at `warmup`.
    pub fn new(warmup: SimTime) -> Pools {
        Pools {
            pools: IdVec::new(),
            sched: IdVec::new(),
            label: IdVec::new(),
            warmup,
        }
    }

    /// Add a pool following schedule `w`.
    pub fn add(&mut self, w: &Weekly, label: String, role: Role) -> PoolId {
        self.sched.push(w.clone());
        self.label.push((label, role));
        self.pools
            .push_and_get_key(Pool::new(w.level_at(SimTime::ZERO), self.warmup))
    }

    /// A pool.
    #[inline]
    pub fn get(&self, id: PoolId) -> &Pool {
        &self.pools[id]
    }

    /// A pool, to change.
    #[inline]
    pub fn get_mut(&mut self, id: PoolId) -> &mut Pool {
        &mut self.pools[id]
    }

    /// Schedule of a pool.
    pub fn schedule(&self, id: PoolId) -> &Weekly {
        &self.sched[id]
    }

    /// Every pool with its id, label and role.
    pub fn iter(&self) -> impl Iterator<Item = (PoolId, &Pool, &str, Role)> {
        self.pools
            .iter_enumerated()
            .map(|(i, p)| (i, p, self.label[i].0.as_str(), self.label[i].1))
    }

    /// Start of the measured period.
    pub fn warmup(&self) -> SimTime {
        self.warmup
    }

    /// Close every pool's books.
    pub fn finish(&mut self, now: SimTime) {
        for p in self.pools.iter_mut() {
            p.finish(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(p: usize) -> Job {
        Job::Consult(PatientId::new(p))
    }

    #[test]
    fn priority_then_fifo() {
        let mut pool = Pool::new(1, SimTime::ZERO);
        assert_eq!(pool.request(SimTime(0), 2, 1, job(1)), Some(job(1)));
        assert_eq!(pool.request(SimTime(1), 2, 2, job(2)), None);
        assert_eq!(pool.request(SimTime(2), 0, 3, job(3)), None); // red jumps ahead
        assert_eq!(pool.request(SimTime(3), 2, 4, job(4)), None);
        assert_eq!(pool.release(SimTime(10)), Some(job(3)));
        assert_eq!(pool.release(SimTime(20)), Some(job(2)));
        assert_eq!(pool.release(SimTime(30)), Some(job(4)));
        assert_eq!(pool.release(SimTime(40)), None);
        assert_eq!(pool.busy, 0);
        // One server busy 0..40 ms.
        pool.finish(SimTime(50));
        assert_eq!(pool.books.busy_ms, 40.0);
    }

    #[test]
    fn shift_end_lets_busy_finish_and_last_server_clears_queue() {
        let mut pool = Pool::new(2, SimTime::ZERO);
        pool.request(SimTime(0), 1, 1, job(1));
        pool.request(SimTime(0), 1, 2, job(2));
        pool.request(SimTime(0), 1, 3, job(3));
        assert!(pool.set_capacity(SimTime(5), 0).is_empty());
        assert_eq!(pool.busy, 2);
        assert_eq!(pool.release(SimTime(6)), None); // this server leaves
        assert_eq!(pool.release(SimTime(7)), Some(job(3))); // last one stays on overtime
        assert_eq!(pool.overtime_starts, 1);
        assert_eq!(pool.release(SimTime(8)), None);
        // A job arriving while closed and idle waits for the next shift.
        assert_eq!(pool.request(SimTime(9), 1, 4, job(4)), None);
        assert_eq!((pool.busy, pool.queue_len()), (0, 1));
        assert_eq!(pool.set_capacity(SimTime(20), 1), vec![job(4)]);
    }

    #[test]
    fn overtime_counts_as_available_so_utilisation_stays_at_most_one() {
        // Two servers until t = 5, then none; two busy until 6 and 8: busy 5 + 5 + 1 + 3 = 14
        // server-ms, scheduled 10, available = max(scheduled, busy) = 10 + 2·1 + 1·2 = 14.
        let mut pool = Pool::new(2, SimTime::ZERO);
        pool.request(SimTime(0), 1, 1, job(1));
        pool.request(SimTime(0), 1, 2, job(2));
        pool.set_capacity(SimTime(5), 0);
        pool.release(SimTime(6));
        pool.release(SimTime(8));
        pool.finish(SimTime(10));
        let b = pool.books();
        assert_eq!(
            (b.busy_ms, b.capacity_ms, b.available_ms),
            (14.0, 10.0, 14.0)
        );
        assert!(b.busy_ms <= b.available_ms);
    }

    #[test]
    fn books_split_at_the_hours_of_the_week_and_add_up_to_the_totals() {
        // One server busy from 0:30 to 2:30 of the week's last day, then over the week's end
        // (hour 167 → hour 0 of the next week); capacity 2 throughout.
        let h = MS_PER_HOUR;
        let day6 = 6 * 24 * h;
        let mut pool = Pool::new(2, SimTime::ZERO);
        pool.request(SimTime(day6 + h / 2), 1, 1, job(1));
        pool.release(SimTime(day6 + 5 * h / 2));
        pool.request(SimTime(day6 + 23 * h + h / 4), 1, 2, job(2));
        pool.release(SimTime(day6 + 24 * h + h / 2));
        pool.finish(SimTime(day6 + 25 * h));
        let b = pool.books();
        let (first, last) = (6 * 24, 167);
        assert_eq!(b.busy_by_how[first], (h / 2) as f64);
        assert_eq!(b.busy_by_how[first + 1], h as f64);
        assert_eq!(b.busy_by_how[first + 2], (h / 2) as f64);
        assert_eq!(b.busy_by_how[last], (3 * h / 4) as f64);
        assert_eq!(b.busy_by_how[0], (h / 2) as f64); // the next week's first hour
        assert_eq!(b.capacity_by_how[last], 2.0 * h as f64);
        let sum = |x: &[f64; 168]| x.iter().sum::<f64>();
        assert_eq!(sum(&b.busy_by_how), b.busy_ms);
        assert_eq!(b.busy_ms, (h / 2 + h + h / 2 + 3 * h / 4 + h / 2) as f64);
        assert_eq!(sum(&b.capacity_by_how), b.capacity_ms);
        assert_eq!(b.capacity_ms, 2.0 * (day6 + 25 * h) as f64);
        assert_eq!(sum(&b.available_by_how), b.available_ms);
    }

    #[test]
    fn capacity_rise_starts_waiting_jobs() {
        let mut pool = Pool::new(0, SimTime::ZERO);
        assert_eq!(pool.request(SimTime(0), 1, 1, job(1)), None);
        assert_eq!(pool.set_capacity(SimTime(10), 2), vec![job(1)]);
    }
}
