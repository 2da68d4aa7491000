//! Duration distributions named in scenario files.
//!
//! A duration field holds a small table, e.g. `{ dist = "lognormal", mean = 7.8, sd = 4.8 }`, in the
//! unit that the field's name ends with (`_min`, `_s`). [`DistSpec`] is the raw form read from the
//! file; [`Dist::from_spec`] checks it and returns the sampler, or every problem with it.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Triangular, Uniform};
use serde::{Deserialize, Serialize};

/// Largest value of any duration parameter (mean, median, mode, bound, constant) \[min\]: one year.
pub const MAX_PARAMETER: f64 = 525_600.0;
/// Largest log-scale standard deviation of a lognormal.
pub const MAX_LOGNORMAL_SIGMA: f64 = 5.0;
/// Largest gamma shape (dimensionless; a shape of 10⁶ is already a near-constant).
pub const MAX_GAMMA_SHAPE: f64 = 1e6;
/// Largest single draw \[min\] (ten years); a draw from a tail beyond it is capped, which keeps
/// integer time far from overflow and changes no realistic result.
pub const MAX_DRAW: f64 = 5_256_000.0;

/// Distribution family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Always the same value.
    Constant,
    /// Exponential.
    Exponential,
    /// Lognormal.
    Lognormal,
    /// Gamma.
    Gamma,
    /// Triangular.
    Triangular,
    /// Uniform.
    Uniform,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Constant => "constant",
            Family::Exponential => "exponential",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Triangular => "triangular",
            Family::Uniform => "uniform",
        }
    }
}

/// Raw distribution as written in a scenario file. Which parameters are needed depends on `dist`:
///
/// | dist | parameters |
/// |---|---|
/// | `constant` | `value` |
/// | `exponential` | `mean` |
/// | `lognormal` | `mean` + `sd`, or `median` + `sigma` |
/// | `gamma` | `mean` + `sd`, or `shape` + `scale` |
/// | `triangular` | `min`, `mode`, `max` |
/// | `uniform` | `min`, `max` |
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    /// Distribution family.
    pub dist: crate::base::closed::Closed<Family>,
    /// Mean, in the field's unit.
    pub mean: Option<f64>,
    /// Standard deviation, in the field's unit.
    pub sd: Option<f64>,
    /// Median (lognormal), in the field's unit.
    pub median: Option<f64>,
    /// Log-scale standard deviation (lognormal), dimensionless.
    pub sigma: Option<f64>,
    /// Shape (gamma), dimensionless.
    pub shape: Option<f64>,
    /// Scale (gamma), in the field's unit.
    pub scale: Option<f64>,
    /// Lower bound (triangular, uniform).
    pub min: Option<f64>,
    /// Mode (triangular).
    pub mode: Option<f64>,
    /// Upper bound (triangular, uniform).
    pub max: Option<f64>,
    /// Fixed value (constant).
    pub value: Option<f64>,
}

/// A validated, ready-to-sample distribution of a non-negative duration (unit as the field).
#[derive(Debug, Clone)]
pub enum Dist {
    /// Always the same value.
    Constant(f64),
    /// Exponential with the given mean.
    Exponential(Exp<f64>, f64),
    /// Lognormal.
    LogNormal(LogNormal<f64>, f64),
    /// Gamma.
    Gamma(Gamma<f64>, f64),
    /// Triangular.
    Triangular(Triangular<f64>, f64),
    /// Uniform.
    Uniform(Uniform<f64>, f64),
}

impl Dist {
    /// Check a raw spec. On failure returns every problem, each as "what is wrong — how to fix it".
    pub fn from_spec(s: &DistSpec) -> Result<Dist, Vec<String>> {
        let family = match s.dist.get() {
            Ok(f) => *f,
            Err(r) => {
                return Err(vec![format!(
                    "\"{}\" is not a distribution — use one of constant, exponential, lognormal, gamma, triangular, uniform",
                    r.written
                )]);
            }
        };
        check_parameters(s, family)?;
        let mut errs = Vec::new();
        let d = match family {
            Family::Constant => Some(Dist::Constant(need(s.value, "value", family, &mut errs))),
            Family::Exponential => exponential(s, &mut errs),
            Family::Lognormal => lognormal(s, &mut errs),
            Family::Gamma => gamma(s, &mut errs),
            Family::Triangular => triangular(s, &mut errs),
            Family::Uniform => uniform(s, &mut errs),
        };
        match d {
            Some(d) if errs.is_empty() => Ok(d),
            _ => Err(errs),
        }
    }

    /// A constant (used for built-in defaults and tests).
    pub fn constant(v: f64) -> Dist {
        Dist::Constant(v)
    }

    /// Draw one value (in the field's unit), within 0 ..= [`MAX_DRAW`].
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self {
            Dist::Constant(v) => *v,
            Dist::Exponential(d, _) => d.sample(rng),
            Dist::LogNormal(d, _) => d.sample(rng),
            Dist::Gamma(d, _) => d.sample(rng),
            Dist::Triangular(d, _) => d.sample(rng),
            Dist::Uniform(d, _) => d.sample(rng),
        };
        x.clamp(0.0, MAX_DRAW)
    }

    /// The mean of the distribution (in the field's unit).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(v) => *v,
            Dist::Exponential(_, m)
            | Dist::LogNormal(_, m)
            | Dist::Gamma(_, m)
            | Dist::Triangular(_, m)
            | Dist::Uniform(_, m) => *m,
        }
    }
}

/// Every parameter given must belong to the family and lie in its range.
fn check_parameters(s: &DistSpec, family: Family) -> Result<(), Vec<String>> {
    let name = family.name();
    let allowed: &[&str] = match family {
        Family::Constant => &["value"],
        Family::Exponential => &["mean"],
        Family::Lognormal => &["mean", "sd", "median", "sigma"],
        Family::Gamma => &["mean", "sd", "shape", "scale"],
        Family::Triangular => &["min", "mode", "max"],
        Family::Uniform => &["min", "max"],
    };
    let given = [
        ("mean", s.mean),
        ("sd", s.sd),
        ("median", s.median),
        ("sigma", s.sigma),
        ("shape", s.shape),
        ("scale", s.scale),
        ("min", s.min),
        ("mode", s.mode),
        ("max", s.max),
        ("value", s.value),
    ];
    let mut errs = Vec::new();
    for (p, v) in given {
        let Some(v) = v else { continue };
        if !allowed.contains(&p) {
            errs.push(format!(
                "`{p}` is not a parameter of {name} — it takes {}",
                allowed.join(", ")
            ));
        }
        let max = match p {
            "sigma" => MAX_LOGNORMAL_SIGMA,
            "shape" => MAX_GAMMA_SHAPE,
            _ => MAX_PARAMETER,
        };
        if !v.is_finite() {
            errs.push(format!("`{p}` = {v} is not a finite number"));
        } else if v < 0.0 {
            errs.push(format!(
                "`{p}` = {v} is negative — durations and their parameters are ≥ 0"
            ));
        } else if v > max {
            errs.push(format!("`{p}` = {v} is too large — give at most {max}"));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// A required parameter (NaN, with a problem, when missing).
fn need(v: Option<f64>, name: &str, family: Family, errs: &mut Vec<String>) -> f64 {
    v.unwrap_or_else(|| {
        errs.push(format!("{} needs `{name}`", family.name()));
        f64::NAN
    })
}

/// A parameter that must be > 0.
fn positive(x: f64, name: &str, family: Family, errs: &mut Vec<String>) {
    if x.is_finite() && x <= 0.0 {
        errs.push(format!("`{name}` must be > 0 for {}", family.name()));
    }
}

fn exponential(s: &DistSpec, errs: &mut Vec<String>) -> Option<Dist> {
    let m = need(s.mean, "mean", Family::Exponential, errs);
    positive(m, "mean", Family::Exponential, errs);
    if !errs.is_empty() {
        return None;
    }
    Exp::new(1.0 / m)
        .map_err(|e| errs.push(e.to_string()))
        .ok()
        .map(|d| Dist::Exponential(d, m))
}

fn lognormal(s: &DistSpec, errs: &mut Vec<String>) -> Option<Dist> {
    let f = Family::Lognormal;
    let (mu, sigma) = match (s.mean, s.sd, s.median, s.sigma) {
        (Some(m), Some(sd), None, None) => {
            positive(m, "mean", f, errs);
            positive(sd, "sd", f, errs);
            let s2 = (1.0 + (sd * sd) / (m * m)).ln();
            (m.ln() - s2 / 2.0, s2.sqrt())
        }
        (None, None, Some(med), Some(sig)) => {
            positive(med, "median", f, errs);
            (med.ln(), sig)
        }
        _ => {
            errs.push("lognormal takes either `mean` and `sd`, or `median` and `sigma`".into());
            return None;
        }
    };
    if !errs.is_empty() {
        return None;
    }
    LogNormal::new(mu, sigma)
        .map_err(|e| errs.push(e.to_string()))
        .ok()
        .map(|d| Dist::LogNormal(d, (mu + sigma * sigma / 2.0).exp()))
}

fn gamma(s: &DistSpec, errs: &mut Vec<String>) -> Option<Dist> {
    let f = Family::Gamma;
    let (k, theta) = match (s.mean, s.sd, s.shape, s.scale) {
        (Some(m), Some(sd), None, None) => {
            positive(m, "mean", f, errs);
            positive(sd, "sd", f, errs);
            ((m / sd).powi(2), sd * sd / m)
        }
        (None, None, Some(k), Some(t)) => {
            positive(k, "shape", f, errs);
            positive(t, "scale", f, errs);
            (k, t)
        }
        _ => {
            errs.push("gamma takes either `mean` and `sd`, or `shape` and `scale`".into());
            return None;
        }
    };
    if !errs.is_empty() {
        return None;
    }
    Gamma::new(k, theta)
        .map_err(|e| errs.push(e.to_string()))
        .ok()
        .map(|d| Dist::Gamma(d, k * theta))
}

fn triangular(s: &DistSpec, errs: &mut Vec<String>) -> Option<Dist> {
    let f = Family::Triangular;
    let lo = need(s.min, "min", f, errs);
    let mo = need(s.mode, "mode", f, errs);
    let hi = need(s.max, "max", f, errs);
    if errs.is_empty() && !(lo <= mo && mo <= hi && lo < hi) {
        errs.push(format!(
            "triangular needs min ≤ mode ≤ max and min < max (got {lo}, {mo}, {hi})"
        ));
    }
    if !errs.is_empty() {
        return None;
    }
    Triangular::new(lo, hi, mo)
        .map_err(|e| errs.push(e.to_string()))
        .ok()
        .map(|d| Dist::Triangular(d, (lo + mo + hi) / 3.0))
}

fn uniform(s: &DistSpec, errs: &mut Vec<String>) -> Option<Dist> {
    let f = Family::Uniform;
    let lo = need(s.min, "min", f, errs);
    let hi = need(s.max, "max", f, errs);
    if errs.is_empty() && lo >= hi {
        errs.push(format!("uniform needs min < max (got {lo}, {hi})"));
    }
    if !errs.is_empty() {
        return None;
    }
    Uniform::new(lo, hi)
        .map_err(|e| errs.push(e.to_string()))
        .ok()
        .map(|d| Dist::Uniform(d, (lo + hi) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::rng::SimRng;
    use rand::SeedableRng;

    fn spec(t: &str) -> DistSpec {
        toml::from_str(t).unwrap()
    }

    #[test]
    fn lognormal_mean_sd_reproduces_moments() {
        let d = Dist::from_spec(&spec("dist='lognormal'\nmean=7.8\nsd=4.8")).unwrap();
        let mut r = SimRng::seed_from_u64(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        // SE of the mean is 4.8/sqrt(2e5) ≈ 0.011, so 0.06 is > 5 SE.
        assert!((m - 7.8).abs() < 0.06, "mean {m}");
        // The SD of a lognormal sample converges slowly (heavy tail); 5 % is ample at n = 2e5.
        assert!((v.sqrt() - 4.8).abs() / 4.8 < 0.05, "sd {}", v.sqrt());
        assert!((d.mean() - 7.8).abs() < 1e-9);
    }

    #[test]
    fn gamma_and_triangular_means() {
        let g = Dist::from_spec(&spec("dist='gamma'\nmean=10\nsd=5")).unwrap();
        assert!((g.mean() - 10.0).abs() < 1e-9);
        let t = Dist::from_spec(&spec("dist='triangular'\nmin=1\nmode=2\nmax=6")).unwrap();
        assert!((t.mean() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn bad_specs_explain_themselves() {
        let e = Dist::from_spec(&spec("dist='lognormal'\nmean=5")).unwrap_err();
        assert!(e[0].contains("either `mean` and `sd`"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='exponential'\nmean=-1")).unwrap_err();
        assert!(e[0].contains("negative"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='weibull'\nmean=1")).unwrap_err();
        assert!(e[0].contains("is not a distribution"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='constant'\nvalue=1e15")).unwrap_err();
        assert!(e[0].contains("at most 525600"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='exponential'\nmean=0")).unwrap_err();
        assert!(e[0].contains("> 0"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='triangular'\nmin=3\nmode=2\nmax=6")).unwrap_err();
        assert!(e[0].contains("min ≤ mode"), "{e:?}");
    }
}
