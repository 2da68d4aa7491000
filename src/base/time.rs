//! Simulation time: an integer number of milliseconds since the scenario's start, which is always
//! a Monday 00:00 local time. Integer time makes comparisons and tie-breaking exact; conversion to
//! minutes, hours and clock time happens only at the edges (input parsing, reporting).

use serde::Serialize;

/// A point in simulated time [ms since Monday 00:00 of week 0].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct SimTime(pub i64);

/// Milliseconds in one second.
pub const MS_PER_S: i64 = 1_000;
/// Milliseconds in one minute.
pub const MS_PER_MIN: i64 = 60 * MS_PER_S;
/// Milliseconds in one hour.
pub const MS_PER_HOUR: i64 = 60 * MS_PER_MIN;
/// Milliseconds in one day.
pub const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
/// Milliseconds in one week.
pub const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;
/// Minutes in one week.
pub const MIN_PER_WEEK: u32 = 7 * 24 * 60;
/// Days in a reporting year. Rates "per year" in scenario files mean per 365 days.
pub const DAYS_PER_YEAR: f64 = 365.0;

impl SimTime {
    /// Time zero: Monday 00:00 of the first simulated week.
    pub const ZERO: SimTime = SimTime(0);

    /// From whole days.
    pub fn from_days(d: f64) -> Self {
        SimTime((d * MS_PER_DAY as f64).round() as i64)
    }
    /// From minutes (rounded to the millisecond).
    pub fn from_minutes(m: f64) -> Self {
        SimTime((m * MS_PER_MIN as f64).round() as i64)
    }
    /// As minutes.
    pub fn minutes(self) -> f64 {
        self.0 as f64 / MS_PER_MIN as f64
    }
    /// As seconds.
    pub fn seconds(self) -> f64 {
        self.0 as f64 / MS_PER_S as f64
    }
    /// As days.
    pub fn days(self) -> f64 {
        self.0 as f64 / MS_PER_DAY as f64
    }
    /// Hour of the week, 0 = Monday 00:00–01:00, 167 = Sunday 23:00–24:00.
    pub fn hour_of_week(self) -> usize {
        (self.0.rem_euclid(MS_PER_WEEK) / MS_PER_HOUR) as usize
    }
    /// Minute of the week, 0..10080.
    pub fn minute_of_week(self) -> u32 {
        (self.0.rem_euclid(MS_PER_WEEK) / MS_PER_MIN) as u32
    }
    /// Start of the week containing this time.
    pub fn week_start(self) -> SimTime {
        SimTime(self.0 - self.0.rem_euclid(MS_PER_WEEK))
    }
}

impl std::ops::Add<Dur> for SimTime {
    type Output = SimTime;
    fn add(self, d: Dur) -> SimTime {
        SimTime(self.0 + d.0)
    }
}

impl std::ops::Sub for SimTime {
    type Output = Dur;
    fn sub(self, o: SimTime) -> Dur {
        Dur(self.0 - o.0)
    }
}

/// A span of simulated time \[ms\].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Dur(pub i64);

impl Dur {
    /// Zero duration.
    pub const ZERO: Dur = Dur(0);
    /// From minutes, rounded to the millisecond; negative input is clamped to zero because a
    /// duration drawn from a distribution can never run backwards.
    #[inline]
    pub fn from_minutes(m: f64) -> Self {
        // `+ 0.5` then truncation rounds non-negative values to nearest without a libm call;
        // negative input is clamped to zero by the saturating cast of a negative number.
        Dur((m * MS_PER_MIN as f64 + 0.5).max(0.0) as i64)
    }
    /// As minutes.
    pub fn minutes(self) -> f64 {
        self.0 as f64 / MS_PER_MIN as f64
    }
    /// As seconds.
    pub fn seconds(self) -> f64 {
        self.0 as f64 / MS_PER_S as f64
    }
}

impl std::ops::Add for Dur {
    type Output = Dur;
    fn add(self, o: Dur) -> Dur {
        Dur(self.0 + o.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_of_week_wraps() {
        assert_eq!(SimTime(0).hour_of_week(), 0);
        assert_eq!(SimTime(MS_PER_WEEK - 1).hour_of_week(), 167);
        assert_eq!(SimTime(MS_PER_WEEK + MS_PER_HOUR).hour_of_week(), 1);
        assert_eq!(
            SimTime(2 * MS_PER_DAY + 30 * MS_PER_MIN).minute_of_week(),
            2 * 1440 + 30
        );
    }

    #[test]
    fn conversions_round_trip() {
        assert_eq!(SimTime::from_minutes(1.5).0, 90_000);
        assert_eq!(Dur::from_minutes(-3.0), Dur::ZERO);
        assert!((SimTime::from_days(2.0).days() - 2.0).abs() < 1e-12);
    }
}
