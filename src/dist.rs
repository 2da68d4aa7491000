//! Duration distributions named in scenario files.
//!
//! A duration field holds a small table, e.g. `{ dist = "lognormal", mean = 7.8, sd = 4.8 }`, in the
//! unit that the field's name ends with (`_min`, `_s`). [`DistSpec`] is the raw form read from the
//! file; [`Dist::from_spec`] checks it and returns the sampler, or every problem with it.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Triangular, Uniform};
use serde::{Deserialize, Serialize};

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
    /// Name of the distribution family.
    pub dist: String,
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

/// The distribution families a scenario may name.
pub const FAMILIES: &str = "constant, exponential, lognormal, gamma, triangular, uniform";

impl Dist {
    /// Check a raw spec. On failure returns every problem, each as "what is wrong — how to fix it".
    pub fn from_spec(s: &DistSpec) -> Result<Dist, Vec<String>> {
        let mut errs = Vec::new();
        let allowed: &[&str] = match s.dist.as_str() {
            "constant" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["mean", "sd", "median", "sigma"],
            "gamma" => &["mean", "sd", "shape", "scale"],
            "triangular" => &["min", "mode", "max"],
            "uniform" => &["min", "max"],
            other => {
                return Err(vec![format!(
                    "unknown distribution \"{other}\" — use one of: {FAMILIES}"
                )]);
            }
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
        for (name, v) in given {
            if let Some(v) = v {
                if !allowed.contains(&name) {
                    errs.push(format!(
                        "`{name}` is not a parameter of {} — it takes {}",
                        s.dist,
                        allowed.join(", ")
                    ));
                }
                if !v.is_finite() {
                    errs.push(format!("`{name}` = {v} is not a finite number"));
                } else if v < 0.0 {
                    errs.push(format!(
                        "`{name}` = {v} is negative — durations and their parameters are ≥ 0"
                    ));
                }
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let need = |v: Option<f64>, name: &str, errs: &mut Vec<String>| -> f64 {
            match v {
                Some(x) => x,
                None => {
                    errs.push(format!("{} needs `{name}`", s.dist));
                    f64::NAN
                }
            }
        };
        let positive = |x: f64, name: &str, errs: &mut Vec<String>| {
            if x.is_finite() && x <= 0.0 {
                errs.push(format!("`{name}` must be > 0 for {}", s.dist));
            }
        };
        let d = match s.dist.as_str() {
            "constant" => {
                let v = need(s.value, "value", &mut errs);
                Dist::Constant(v)
            }
            "exponential" => {
                let m = need(s.mean, "mean", &mut errs);
                positive(m, "mean", &mut errs);
                if !errs.is_empty() {
                    return Err(errs);
                }
                Dist::Exponential(Exp::new(1.0 / m).map_err(|e| vec![e.to_string()])?, m)
            }
            "lognormal" => {
                let (mu, sigma) = match (s.mean, s.sd, s.median, s.sigma) {
                    (Some(m), Some(sd), None, None) => {
                        positive(m, "mean", &mut errs);
                        positive(sd, "sd", &mut errs);
                        let s2 = (1.0 + (sd * sd) / (m * m)).ln();
                        (m.ln() - s2 / 2.0, s2.sqrt())
                    }
                    (None, None, Some(med), Some(sig)) => {
                        positive(med, "median", &mut errs);
                        (med.ln(), sig)
                    }
                    _ => {
                        errs.push(
                            "lognormal takes either `mean` and `sd`, or `median` and `sigma`"
                                .to_string(),
                        );
                        (0.0, 0.0)
                    }
                };
                if !errs.is_empty() {
                    return Err(errs);
                }
                let ln = LogNormal::new(mu, sigma).map_err(|e| vec![e.to_string()])?;
                Dist::LogNormal(ln, (mu + sigma * sigma / 2.0).exp())
            }
            "gamma" => {
                let (k, theta) = match (s.mean, s.sd, s.shape, s.scale) {
                    (Some(m), Some(sd), None, None) => {
                        positive(m, "mean", &mut errs);
                        positive(sd, "sd", &mut errs);
                        ((m / sd).powi(2), sd * sd / m)
                    }
                    (None, None, Some(k), Some(t)) => {
                        positive(k, "shape", &mut errs);
                        positive(t, "scale", &mut errs);
                        (k, t)
                    }
                    _ => {
                        errs.push(
                            "gamma takes either `mean` and `sd`, or `shape` and `scale`"
                                .to_string(),
                        );
                        (1.0, 1.0)
                    }
                };
                if !errs.is_empty() {
                    return Err(errs);
                }
                Dist::Gamma(
                    Gamma::new(k, theta).map_err(|e| vec![e.to_string()])?,
                    k * theta,
                )
            }
            "triangular" => {
                let lo = need(s.min, "min", &mut errs);
                let mo = need(s.mode, "mode", &mut errs);
                let hi = need(s.max, "max", &mut errs);
                if errs.is_empty() && !(lo <= mo && mo <= hi && lo < hi) {
                    errs.push(format!(
                        "triangular needs min ≤ mode ≤ max and min < max (got {lo}, {mo}, {hi})"
                    ));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                Dist::Triangular(
                    Triangular::new(lo, hi, mo).map_err(|e| vec![e.to_string()])?,
                    (lo + mo + hi) / 3.0,
                )
            }
            "uniform" => {
                let lo = need(s.min, "min", &mut errs);
                let hi = need(s.max, "max", &mut errs);
                if errs.is_empty() && lo >= hi {
                    errs.push(format!("uniform needs min < max (got {lo}, {hi})"));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                Dist::Uniform(
                    Uniform::new(lo, hi).map_err(|e| vec![e.to_string()])?,
                    (lo + hi) / 2.0,
                )
            }
            _ => unreachable!("family checked above"),
        };
        if errs.is_empty() { Ok(d) } else { Err(errs) }
    }

    /// A constant (used for built-in defaults and tests).
    pub fn constant(v: f64) -> Dist {
        Dist::Constant(v)
    }

    /// Draw one value (≥ 0, in the field's unit).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self {
            Dist::Constant(v) => *v,
            Dist::Exponential(d, _) => d.sample(rng),
            Dist::LogNormal(d, _) => d.sample(rng),
            Dist::Gamma(d, _) => d.sample(rng),
            Dist::Triangular(d, _) => d.sample(rng),
            Dist::Uniform(d, _) => d.sample(rng),
        };
        x.max(0.0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
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
        assert!(e[0].contains("unknown distribution"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='exponential'\nmean=0")).unwrap_err();
        assert!(e[0].contains("> 0"), "{e:?}");
        let e = Dist::from_spec(&spec("dist='triangular'\nmin=3\nmode=2\nmax=6")).unwrap_err();
        assert!(e[0].contains("min ≤ mode"), "{e:?}");
    }
}
