//! Weekly schedules: staffing levels (how many nurses, doctors, operators, vehicles are on duty)
//! and opening hours, as a step function over the minute of the week.
//!
//! In a scenario file a schedule is a list of shifts; overlapping shifts add up:
//!
//! ```toml
//! doctors = [
//!   { days = "mon-fri", from = "16:00", to = "08:00", count = 1 },  # overnight: ends next morning
//!   { days = "sat-sun", from = "08:00", to = "08:00", count = 2 },  # from == to: 24 hours
//! ]
//! ```
//!
//! `days` is `all`, a day (`mon` … `sun`), a range (`mon-fri`, `fri-mon`) or a comma list
//! (`mon,wed,fri`); a shift belongs to the day it *starts* on. Public holidays are not modelled.

use crate::base::time::{MIN_PER_WEEK, MS_PER_MIN, MS_PER_WEEK, SimTime};
use serde::{Deserialize, Serialize};

/// Most people or vehicles one shift may add.
pub const MAX_SHIFT_COUNT: u32 = 10_000;
/// Most people or vehicles on duty at once in one schedule (overlapping shifts add up).
pub const MAX_SCHEDULE_LEVEL: u32 = 100_000;

/// A problem with a schedule: which shift (if one), which of its fields (if one), and the
/// message ("what — fix").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftProblem {
    /// Index of the shift in the list.
    pub shift: Option<usize>,
    /// Field of the shift (`days`, `from`, `to`, `count`).
    pub field: Option<&'static str>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ShiftProblem {
    fn at(shift: usize, field: &'static str, message: String) -> ShiftProblem {
        ShiftProblem {
            shift: Some(shift),
            field: Some(field),
            message,
        }
    }
}

/// One shift as written in a scenario file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    /// Days the shift starts on: `all`, `mon-fri`, `sat,sun`, …
    pub days: String,
    /// Start, local clock time `HH:MM`.
    pub from: String,
    /// End, local clock time `HH:MM` (`24:00` allowed); at or before `from` means the next day.
    pub to: String,
    /// How many people or vehicles this shift adds (default 1).
    pub count: Option<u32>,
}

/// A validated weekly step function: level by minute of the week.
#[derive(Debug, Clone, PartialEq)]
pub struct Weekly {
    /// (minute of week where a segment starts, level during it), sorted, first at minute 0.
    segments: Vec<(u32, u32)>,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_days(s: &str) -> Result<Vec<usize>, String> {
    let s = s.trim().to_ascii_lowercase();
    if s == "all" || s == "daily" {
        return Ok((0..7).collect());
    }
    let idx = |d: &str| {
        DAYS.iter().position(|x| *x == d.trim()).ok_or_else(|| {
            format!("\"{d}\" is not a day — use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or all")
        })
    };
    let mut out = Vec::new();
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (idx(a)?, idx(b)?);
            let mut d = a;
            loop {
                out.push(d);
                if d == b {
                    break;
                }
                d = (d + 1) % 7;
            }
        } else {
            out.push(idx(part)?);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn parse_clock(s: &str) -> Result<u32, String> {
    let bad = || format!("\"{s}\" is not a clock time — write HH:MM, e.g. \"08:00\" or \"24:00\"");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl Weekly {
    /// Build from shifts. Every problem is returned, each naming its shift and field. Counts
    /// are bounded ([`MAX_SHIFT_COUNT`] per shift, [`MAX_SCHEDULE_LEVEL`] at once), so levels
    /// never overflow.
    pub fn from_shifts(shifts: &[ShiftSpec]) -> Result<Weekly, Vec<ShiftProblem>> {
        let mut errs = Vec::new();
        if shifts.is_empty() {
            errs.push(ShiftProblem {
                shift: None,
                field: None,
                message: "the schedule is empty — give at least one shift, e.g. { days = \"all\", from = \"00:00\", to = \"24:00\", count = 1 }".to_string(),
            });
            return Err(errs);
        }
        // Level by minute of the week; u64 sums of counts ≤ 10⁴ over ≤ 10⁴ shifts cannot overflow.
        let mut level = vec![0u64; MIN_PER_WEEK as usize];
        for (i, sh) in shifts.iter().enumerate() {
            let days = parse_days(&sh.days);
            let from = parse_clock(&sh.from);
            let to = parse_clock(&sh.to);
            let count = sh.count.unwrap_or(1);
            if count == 0 {
                errs.push(ShiftProblem::at(
                    i,
                    "count",
                    "0 — a shift adds at least 1 person or vehicle; delete the shift instead"
                        .into(),
                ));
            } else if count > MAX_SHIFT_COUNT {
                errs.push(ShiftProblem::at(
                    i,
                    "count",
                    format!("{count} — a shift adds at most {MAX_SHIFT_COUNT}"),
                ));
            }
            match (days, from, to) {
                (Ok(days), Ok(f), Ok(t)) => {
                    let len = if t > f { t - f } else { t + 1440 - f };
                    for d in days {
                        let start = d as u32 * 1440 + f;
                        for k in 0..len {
                            level[((start + k) % MIN_PER_WEEK) as usize] += u64::from(count);
                        }
                    }
                }
                (d, f, t) => {
                    for (field, r) in [("days", d.err()), ("from", f.err()), ("to", t.err())] {
                        if let Some(e) = r {
                            errs.push(ShiftProblem::at(i, field, e));
                        }
                    }
                }
            }
        }
        if let Some((m, &l)) = level
            .iter()
            .enumerate()
            .find(|(_, l)| **l > u64::from(MAX_SCHEDULE_LEVEL))
        {
            errs.push(ShiftProblem {
                shift: None,
                field: None,
                message: format!(
                    "{l} on duty at once (minute {m} of the week) — overlapping shifts may add up to at most {MAX_SCHEDULE_LEVEL}"
                ),
            });
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let mut segments: Vec<(u32, u32)> = Vec::new();
        for (m, &lvl) in level.iter().enumerate() {
            let lvl = u32::try_from(lvl).expect("bounded above");
            if segments.last().map(|s| s.1) != Some(lvl) {
                segments.push((m as u32, lvl));
            }
        }
        Ok(Weekly { segments })
    }

    /// A constant level all week.
    pub fn constant(level: u32) -> Weekly {
        Weekly {
            segments: vec![(0, level)],
        }
    }

    /// Level at a minute of the week.
    #[inline]
    pub fn level_at_minute(&self, m: u32) -> u32 {
        if let [only] = self.segments.as_slice() {
            return only.1; // the same all week (24-hour opening, constant staffing)
        }
        let i = self.segments.partition_point(|s| s.0 <= m);
        self.segments[i - 1].1
    }

    /// Level at a simulated time.
    #[inline]
    pub fn level_at(&self, t: SimTime) -> u32 {
        if let [only] = self.segments.as_slice() {
            return only.1;
        }
        self.level_at_minute(t.minute_of_week())
    }

    /// Highest level in the week.
    pub fn max_level(&self) -> u32 {
        self.segments.iter().map(|s| s.1).max().unwrap_or(0)
    }

    /// The first time strictly after `t` at which the level changes, or `None` if it never does.
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        if self.segments.len() == 1 {
            return None;
        }
        let week = t.week_start();
        let off_ms = t.0 - week.0;
        // Next segment boundary strictly after t within this week, else first boundary next week.
        for s in &self.segments[1..] {
            let b = s.0 as i64 * MS_PER_MIN;
            if b > off_ms {
                return Some(SimTime(week.0 + b));
            }
        }
        Some(SimTime(
            week.0 + MS_PER_WEEK + self.segments[1].0 as i64 * MS_PER_MIN,
        ))
    }

    /// The first time at or after `t` at which the level is above zero, or `None` if it never
    /// is.
    pub fn next_open_at_or_after(&self, t: SimTime) -> Option<SimTime> {
        if self.level_at(t) > 0 {
            return Some(t);
        }
        let mut at = t;
        for _ in 0..=self.segments.len() {
            at = self.next_change_after(at)?;
            if self.level_at(at) > 0 {
                return Some(at);
            }
        }
        None
    }

    /// Minutes per week at each level > 0 summed as level × minutes (e.g. doctor-minutes per week).
    pub fn level_minutes_per_week(&self) -> f64 {
        let mut total = 0.0;
        for (i, s) in self.segments.iter().enumerate() {
            let end = self
                .segments
                .get(i + 1)
                .map(|n| n.0)
                .unwrap_or(MIN_PER_WEEK);
            total += (end - s.0) as f64 * s.1 as f64;
        }
        total
    }

    /// Minutes of the week at which the level changes (segment starts after the first).
    pub fn change_minutes(&self) -> impl Iterator<Item = u32> + '_ {
        self.segments.iter().skip(1).map(|s| s.0)
    }

    /// Is the level above zero for every minute of the week?
    pub fn always_positive(&self) -> bool {
        self.segments.iter().all(|s| s.1 > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::MS_PER_HOUR;

    fn sh(days: &str, from: &str, to: &str, count: u32) -> ShiftSpec {
        ShiftSpec {
            days: days.into(),
            from: from.into(),
            to: to.into(),
            count: Some(count),
        }
    }

    #[test]
    fn overnight_and_weekend_shifts() {
        // Molde IKL style: weekdays 16–08, weekends 24 h (Sat 08 → Mon 08).
        let w = Weekly::from_shifts(&[
            sh("mon-fri", "16:00", "08:00", 1),
            sh("sat-sun", "08:00", "08:00", 1),
        ])
        .unwrap();
        // Sunday 08:00 → Monday 08:00 wraps into Monday morning.
        assert_eq!(w.level_at_minute(0), 1);
        assert_eq!(w.level_at_minute(7 * 60 + 59), 1);
        assert_eq!(w.level_at_minute(8 * 60), 0);
        assert_eq!(w.level_at_minute(10 * 60), 0); // Monday 10:00 closed
        assert_eq!(w.level_at_minute(17 * 60), 1); // Monday 17:00 open
        assert_eq!(w.level_at_minute(5 * 1440 + 12 * 60), 1); // Saturday noon
    }

    #[test]
    fn shifts_add_up_and_change_points_are_found() {
        let w = Weekly::from_shifts(&[
            sh("all", "00:00", "24:00", 1),
            sh("mon", "08:00", "16:00", 2),
        ])
        .unwrap();
        assert_eq!(w.level_at_minute(9 * 60), 3);
        assert_eq!(w.max_level(), 3);
        let t = w.next_change_after(SimTime(0)).unwrap();
        assert_eq!(t, SimTime(8 * MS_PER_HOUR));
        let t2 = w.next_change_after(t).unwrap();
        assert_eq!(t2, SimTime(16 * MS_PER_HOUR));
        // After Monday 16:00 the next change is next Monday 08:00.
        let t3 = w.next_change_after(t2).unwrap();
        assert_eq!(t3, SimTime(MS_PER_WEEK + 8 * MS_PER_HOUR));
        assert!(w.always_positive());
        assert_eq!(w.level_minutes_per_week(), 10080.0 + 2.0 * 480.0);
    }

    #[test]
    fn bad_shifts_name_the_field() {
        let e = Weekly::from_shifts(&[sh("mon-fry", "25:00", "08:00", 0)]).unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| (p.shift, p.field)).collect();
        assert!(fields.contains(&(Some(0), Some("days"))), "{e:?}");
        assert!(fields.contains(&(Some(0), Some("from"))), "{e:?}");
        assert!(fields.contains(&(Some(0), Some("count"))), "{e:?}");
        assert!(
            Weekly::from_shifts(&[]).unwrap_err()[0]
                .message
                .contains("empty")
        );
    }

    #[test]
    fn overlapping_shifts_cannot_wrap_around() {
        // Two shifts of 2³¹ each would have summed to 2³² = 0 in u32 arithmetic.
        let big = sh("all", "00:00", "24:00", 2_147_483_648);
        let e = Weekly::from_shifts(&[big.clone(), big]).unwrap_err();
        assert!(e.iter().any(|p| p.field == Some("count")), "{e:?}");
        let many: Vec<ShiftSpec> = (0..11)
            .map(|_| sh("all", "00:00", "24:00", 10_000))
            .collect();
        let e = Weekly::from_shifts(&many).unwrap_err();
        assert!(e[0].message.contains("at most 100000"), "{e:?}");
    }
}
