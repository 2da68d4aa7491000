//! Statistics: streaming accumulators used inside a replication (so memory does not grow with
//! the horizon), and summaries across replications (mean, 95 % CI, paired differences).

use hdrhistogram::Histogram;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A histogram of durations in milliseconds, 3 significant digits (relative error ≤ 0.1 %),
/// range 1 ms … 30 days; larger values are clamped to the top (and counted in `clamped`).
pub struct Hist {
    h: Histogram<u64>,
    /// Values above the range, recorded at the top.
    pub clamped: u64,
    sum_ms: f64,
}

const HIST_MAX_MS: u64 = 30 * 24 * 3_600_000;

impl Default for Hist {
    fn default() -> Self {
        Hist {
            h: Histogram::new_with_bounds(1, HIST_MAX_MS, 3).expect("valid bounds"),
            clamped: 0,
            sum_ms: 0.0,
        }
    }
}

impl Hist {
    /// Record a duration \[ms\] (negative is a bug).
    #[inline]
    pub fn record(&mut self, ms: i64) {
        debug_assert!(ms >= 0, "negative duration {ms}");
        let v = (ms.max(0) as u64).clamp(1, HIST_MAX_MS);
        if ms as u64 > HIST_MAX_MS {
            self.clamped += 1;
        }
        self.sum_ms += ms as f64;
        self.h.record(v).expect("value clamped into range");
    }
    /// Number of values.
    pub fn len(&self) -> u64 {
        self.h.len()
    }
    /// No values?
    pub fn is_empty(&self) -> bool {
        self.h.is_empty()
    }
    /// Quantile q ∈ \[0,1\] \[ms\], or None when empty.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.h.is_empty() {
            None
        } else {
            Some(self.h.value_at_quantile(q) as f64)
        }
    }
    /// Mean \[ms\].
    pub fn mean_ms(&self) -> Option<f64> {
        if self.h.is_empty() {
            None
        } else {
            Some(self.sum_ms / self.h.len() as f64)
        }
    }
    /// Share of values ≤ `ms` (from the histogram: exact at bucket edges, else ≤ 0.1 % off in value).
    pub fn share_at_most(&self, ms: i64) -> Option<f64> {
        if self.h.is_empty() {
            return None;
        }
        let n = self.h.count_between(0, ms.max(0) as u64);
        Some(n as f64 / self.h.len() as f64)
    }
}

/// Mean and 95 % confidence interval of one KPI over replications.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    /// Mean over the replications that produced a value.
    pub mean: Option<f64>,
    /// Lower end of the 95 % CI (Student t over replications).
    pub ci95_low: Option<f64>,
    /// Upper end of the 95 % CI.
    pub ci95_high: Option<f64>,
    /// Unit.
    pub unit: String,
    /// Replications that produced a value (a percentile of an empty sample has none).
    pub n: usize,
}

/// 97.5 % quantile of Student's t with `df` degrees of freedom (any df > 0, fractional for
/// Welch); the normal quantile 1.959964 when df is infinite or not a number (no information
/// on df means a large sample).
pub fn t975_df(df: f64) -> f64 {
    if !(df.is_finite() && df > 0.0) {
        return 1.959_963_984_540_054;
    }
    StudentsT::new(0.0, 1.0, df).map_or(1.959_963_984_540_054, |t| t.inverse_cdf(0.975))
}

/// 97.5 % quantile of Student's t with `df` ≥ 1 degrees of freedom.
pub fn t975(df: usize) -> f64 {
    t975_df(df as f64)
}

/// Mean and 95 % CI of the values that are present (None values are skipped), kept within the
/// range the quantity can take (`lo ..= hi`): the t interval of a skewed statistic near a
/// bound can cross it, which means nothing physically, so the interval is clipped; the mean
/// always lies inside its own interval.
pub fn estimate_within(values: &[Option<f64>], unit: &str, lo: f64, hi: f64) -> Estimate {
    let mut e = estimate(values, unit);
    let clip = |x: f64| x.clamp(lo, hi);
    e.mean = e.mean.map(clip);
    e.ci95_low = e.ci95_low.map(clip);
    e.ci95_high = e.ci95_high.map(clip);
    if let (Some(m), Some(l), Some(h)) = (e.mean, e.ci95_low, e.ci95_high) {
        e.ci95_low = Some(l.min(m));
        e.ci95_high = Some(h.max(m));
    }
    e
}

/// Mean and 95 % CI of the values that are present (None values are skipped).
pub fn estimate(values: &[Option<f64>], unit: &str) -> Estimate {
    let xs: Vec<f64> = values.iter().filter_map(|v| *v).collect();
    let n = xs.len();
    let (mean, lo, hi) = match n {
        0 => (None, None, None),
        1 => (Some(xs[0]), None, None),
        _ => {
            let m = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            let half = t975(n - 1) * (var / n as f64).sqrt();
            (Some(m), Some(m - half), Some(m + half))
        }
    };
    Estimate {
        mean,
        ci95_low: lo,
        ci95_high: hi,
        unit: unit.to_string(),
        n,
    }
}

/// A difference between a variant and the baseline with its 95 % CI.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    /// Mean difference (variant − baseline).
    pub mean: f64,
    /// Lower end of the 95 % CI.
    pub ci95_low: f64,
    /// Upper end of the 95 % CI.
    pub ci95_high: f64,
    /// Pairs (paired) or the smaller sample (unpaired) used.
    pub n: usize,
}

/// Paired difference over replications: d_r = variant_r − baseline_r for every replication where
/// both have a value; mean and Student-t CI of the d_r. With common random numbers the pairs are
/// positively correlated and this interval is much narrower than the unpaired one.
pub fn paired_difference(baseline: &[Option<f64>], variant: &[Option<f64>]) -> Option<Difference> {
    let d: Vec<f64> = baseline
        .iter()
        .zip(variant)
        .filter_map(|(b, v)| Some((*v)? - (*b)?))
        .collect();
    let n = d.len();
    if n < 2 {
        return None;
    }
    let m = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t975(n - 1) * (var / n as f64).sqrt();
    Some(Difference {
        mean: m,
        ci95_low: m - half,
        ci95_high: m + half,
        n,
    })
}

/// Unpaired (Welch) difference of means with the Welch–Satterthwaite degrees of freedom — what
/// the comparison would cost without common random numbers.
pub fn welch_difference(baseline: &[Option<f64>], variant: &[Option<f64>]) -> Option<Difference> {
    let a: Vec<f64> = baseline.iter().filter_map(|x| *x).collect();
    let b: Vec<f64> = variant.iter().filter_map(|x| *x).collect();
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let mv = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / x.len() as f64;
        let v = x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
        (m, v / x.len() as f64)
    };
    let (ma, sa) = mv(&a);
    let (mb, sb) = mv(&b);
    let se2 = sa + sb;
    let d = mb - ma;
    if se2 == 0.0 {
        return Some(Difference {
            mean: d,
            ci95_low: d,
            ci95_high: d,
            n: a.len().min(b.len()),
        });
    }
    // Welch–Satterthwaite; with tiny variances the squares can underflow to 0/0, which
    // t975_df treats as a large sample.
    let df = se2 * se2 / (sa * sa / (a.len() - 1) as f64 + sb * sb / (b.len() - 1) as f64);
    let half = t975_df(df) * se2.sqrt();
    Some(Difference {
        mean: d,
        ci95_low: d - half,
        ci95_high: d + half,
        n: a.len().min(b.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Standard tables: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, t(0.975; 30) = 2.042.
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(9) - 2.262).abs() < 1e-3);
        assert!((t975(30) - 2.042).abs() < 1e-3);
    }

    #[test]
    fn estimate_by_hand() {
        // 1, 2, 3, 4: mean 2.5, sd 1.29099, se 0.645497, t(3) = 3.18245 → half-width 2.05426.
        let e = estimate(&[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)], "min");
        assert_eq!(e.n, 4);
        assert!((e.mean.unwrap() - 2.5).abs() < 1e-12);
        assert!((e.ci95_high.unwrap() - (2.5 + 2.05426)).abs() < 1e-4);
        let one = estimate(&[Some(7.0)], "s");
        assert_eq!((one.mean, one.ci95_low), (Some(7.0), None));
    }

    #[test]
    fn paired_and_welch_by_hand() {
        // Baseline 10, 12, 14, 16; variant 11, 14, 15, 18 → d = 1, 2, 1, 2: mean 1.5,
        // sd 0.57735, se 0.288675, t(3) 3.18245 → half-width 0.918698.
        let b = [Some(10.0), Some(12.0), Some(14.0), Some(16.0)];
        let v = [Some(11.0), Some(14.0), Some(15.0), Some(18.0)];
        let p = paired_difference(&b, &v).unwrap();
        assert!((p.mean - 1.5).abs() < 1e-12);
        assert!((p.ci95_high - (1.5 + 0.918698)).abs() < 1e-5, "{p:?}");
        // Welch: means 13 and 14.5, variances 6.6667 and 8.3333 → se² = 1.6667 + 2.0833 = 3.75,
        // df = 3.75² / (1.6667²/3 + 2.0833²/3) = 5.927, t(0.975; 5.927) ≈ 2.4543 → half-width
        // 2.4543 × √3.75 ≈ 4.7527.
        let w = welch_difference(&b, &v).unwrap();
        assert!((w.mean - 1.5).abs() < 1e-12);
        assert!(((w.ci95_high - w.mean) - 4.7527).abs() < 2e-3, "{w:?}");
        // Pairs with a missing value are skipped.
        let v2 = [Some(11.0), None, Some(15.0), Some(18.0)];
        assert_eq!(paired_difference(&b, &v2).unwrap().n, 3);
    }

    #[test]
    fn estimates_stay_in_range_and_contain_their_mean() {
        // Shares of 1.0000000000000002 (a float sum) once gave a mean outside its clipped CI.
        let v = [Some(1.0 + f64::EPSILON), Some(1.0), Some(0.999)];
        let e = estimate_within(&v, "share", 0.0, 1.0);
        let (m, l, h) = (e.mean.unwrap(), e.ci95_low.unwrap(), e.ci95_high.unwrap());
        assert!(m <= 1.0 && h <= 1.0 && l <= m && m <= h, "{e:?}");
    }

    #[test]
    fn welch_with_vanishing_variances_does_not_panic() {
        let a = [Some(1e-170), Some(2e-170), Some(0.0)];
        let b = [Some(3e-170), Some(1e-170), Some(0.0)];
        let w = welch_difference(&a, &b).unwrap();
        assert!(w.ci95_low <= w.mean && w.mean <= w.ci95_high);
    }

    #[test]
    fn histogram_quantiles_within_precision() {
        let mut h = Hist::default();
        for v in 1..=1000 {
            h.record(v * 1000);
        }
        let p90 = h.quantile_ms(0.9).unwrap();
        assert!((p90 - 900_000.0).abs() / 900_000.0 < 0.002, "{p90}");
        assert!((h.share_at_most(500_000).unwrap() - 0.5).abs() < 0.002);
        assert!((h.mean_ms().unwrap() - 500_500.0).abs() < 1e-6);
    }
}
