//! A resource pool: identical servers (operators, nurses, doctors) whose number follows a weekly
//! schedule, and a queue ordered by priority (urgency) then arrival sequence.
//!
//! Shift changes: when capacity rises, waiting jobs start at once. When it falls, busy servers
//! finish their current job and then leave. If capacity falls to zero while jobs are waiting, the
//! last server stays on overtime until the queue is empty — a clinic that closes does not abandon
//! the patients already in its waiting room.
//!
//! The pool also integrates busy servers and scheduled capacity over time (after warm-up), in
//! total and by hour of the week, for utilisation figures.

use crate::time::{MS_PER_HOUR, SimTime};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What a server in a pool is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobKind {
    /// Answer and handle a 116117 call.
    LvsCall,
    /// Nurse triage on arrival at a station.
    Triage,
    /// Doctor consultation at a station.
    Consult,
    /// Satellite nurse receives a patient (held through the video consultation).
    SatelliteNurse,
    /// Host doctor's video consultation with a satellite patient.
    VideoConsult,
    /// Doctor home visit (the doctor leaves the station).
    DoctorHomeVisit,
    /// Satellite nurse home visit.
    NurseHomeVisit,
    /// Host doctor on video during a satellite nurse's home visit.
    HomeVisitVideo,
    /// Answer and handle a 113 call.
    AmkCall,
    /// Legevakt doctor (or satellite nurse) call-out to a red event; `patient` is a call-out id.
    RedCallout,
    /// Legevakt doctor car to a yellow event first (Moss model); `patient` is a call-out id.
    DoctorCar,
    /// Emergency department bay.
    EdBay,
}

/// A request for a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Job {
    /// Patient slot.
    pub patient: u32,
    /// What to do.
    pub kind: JobKind,
}

/// A pool of identical servers.
#[derive(Debug)]
pub struct Pool {
    /// Scheduled servers now.
    pub capacity: u32,
    /// Servers busy now (may exceed capacity briefly after a shift change).
    pub busy: u32,
    queue: BinaryHeap<Reverse<(u8, u64, Job)>>,
    last: SimTime,
    warmup: SimTime,
    /// ∫ busy dt after warm-up [server·ms].
    pub busy_ms: f64,
    /// ∫ capacity dt after warm-up [server·ms].
    pub capacity_ms: f64,
    /// Same by hour of week [server·ms].
    pub busy_by_how: Box<[f64; 168]>,
    /// Same by hour of week [server·ms].
    pub capacity_by_how: Box<[f64; 168]>,
    /// Jobs started by a server working overtime (capacity zero).
    pub overtime_starts: u64,
    /// End of the hour of the week that `last` falls in [ms], and that hour's index: most
    /// changes fall within the same hour as the previous one, so no division is needed.
    hour_end: i64,
    hour: usize,
}

impl Pool {
    /// New pool with initial capacity; statistics start at `warmup`.
    pub fn new(capacity: u32, warmup: SimTime) -> Pool {
        Pool {
            capacity,
            busy: 0,
            queue: BinaryHeap::new(),
            last: SimTime::ZERO,
            warmup,
            busy_ms: 0.0,
            capacity_ms: 0.0,
            busy_by_how: Box::new([0.0; 168]),
            capacity_by_how: Box::new([0.0; 168]),
            overtime_starts: 0,
            hour_end: i64::MIN,
            hour: 0,
        }
    }

    /// Jobs waiting.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Integrate busy and capacity from the last change to `now`.
    fn observe(&mut self, now: SimTime) {
        let from = self.last.max(self.warmup);
        self.last = now;
        if now <= from {
            return;
        }
        let (b, c) = (self.busy as f64, self.capacity as f64);
        let dt = (now.0 - from.0) as f64;
        self.busy_ms += b * dt;
        self.capacity_ms += c * dt;
        if b == 0.0 && c == 0.0 {
            return;
        }
        // Split over hour-of-week boundaries.
        let mut t = from.0;
        while t < now.0 {
            if t >= self.hour_end || t < self.hour_end - MS_PER_HOUR {
                self.hour_end = (t.div_euclid(MS_PER_HOUR) + 1) * MS_PER_HOUR;
                self.hour = SimTime(t).hour_of_week();
            }
            let e = self.hour_end.min(now.0);
            let d = (e - t) as f64;
            self.busy_by_how[self.hour] += b * d;
            self.capacity_by_how[self.hour] += c * d;
            t = e;
        }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(p: u32) -> Job {
        Job {
            patient: p,
            kind: JobKind::Consult,
        }
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
        assert_eq!(pool.busy_ms, 40.0);
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
    fn capacity_rise_starts_waiting_jobs() {
        let mut pool = Pool::new(0, SimTime::ZERO);
        // Closed and idle: a request waits for the next shift.
        let r = pool.request(SimTime(0), 1, 1, job(1));
        assert_eq!(r, None);
        let started = pool.set_capacity(SimTime(10), 2);
        assert_eq!(started, vec![job(1)]);
    }
}
