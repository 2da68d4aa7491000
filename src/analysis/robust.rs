//! Robustness of conclusions to assumptions: does a variant's paired difference from the baseline
//! hold under every assumption set?
//!
//! A difference is **robust** when it is significant (its paired 95 % CI excludes 0) in every
//! set, with the same sign in every set. One set where it is not significant, or where it has the
//! other sign, makes it not robust: some assumption the planner cannot rule out would change the
//! conclusion. The per-set differences themselves are the rows of `comparison.csv`.

use super::ComparisonRow;
use serde::{Serialize, Serializer};
use std::collections::HashMap;

/// The direction of the significant differences of one variant and KPI across the sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Every significant difference is above 0 (variant − baseline).
    Positive,
    /// Every significant difference is below 0.
    Negative,
    /// Significant in both directions (in different sets).
    Mixed,
    /// Not significant in any set.
    None,
}

/// One row of `robustness.csv`: one variant against the baseline on one KPI, over every set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RobustnessRow {
    /// Variant (compared with the baseline within each set).
    pub variant: String,
    /// KPI name.
    pub kpi: String,
    /// Unit of the KPI and its differences.
    pub unit: String,
    /// Assumption sets compared.
    pub sets: usize,
    /// Sets in which the paired difference is significant (its 95 % CI excludes 0).
    pub significant_sets: usize,
    /// Direction of the significant differences.
    pub sign: Sign,
    /// Significant with the same sign in every set? (written `yes` / `no`)
    #[serde(serialize_with = "yes_no")]
    pub robust: bool,
    /// Smallest paired mean difference over the sets (empty when no set has one).
    pub difference_min: Option<f64>,
    /// Largest paired mean difference over the sets.
    pub difference_max: Option<f64>,
}

fn yes_no<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *b { "yes" } else { "no" })
}

/// The robustness table from the comparisons of every set (each row tagged with its set),
/// one row per variant × KPI in the order of the first set's comparisons.
pub fn robustness(comparison: &[ComparisonRow], sets: &[String]) -> Vec<RobustnessRow> {
    let first = sets.first().map(String::as_str);
    let by_key: HashMap<(&str, &str, &str), &ComparisonRow> = comparison
        .iter()
        .filter_map(|r| Some(((r.assumptions.as_deref()?, &*r.variant, &*r.kpi), r)))
        .collect();
    comparison
        .iter()
        .filter(|r| r.assumptions.as_deref() == first)
        .map(|head| {
            let rows: Vec<&ComparisonRow> = sets
                .iter()
                .filter_map(|s| {
                    by_key
                        .get(&(s.as_str(), &*head.variant, &*head.kpi))
                        .copied()
                })
                .collect();
            summarise(head, &rows, sets.len())
        })
        .collect()
}

/// One variant and KPI over its per-set rows.
fn summarise(head: &ComparisonRow, rows: &[&ComparisonRow], sets: usize) -> RobustnessRow {
    let significant: Vec<f64> = rows
        .iter()
        .filter(|r| r.significant())
        .filter_map(|r| r.difference)
        .collect();
    let up = significant.iter().filter(|d| **d > 0.0).count();
    let down = significant.len() - up;
    let sign = match (up, down) {
        (0, 0) => Sign::None,
        (_, 0) => Sign::Positive,
        (0, _) => Sign::Negative,
        _ => Sign::Mixed,
    };
    let diffs = rows.iter().filter_map(|r| r.difference);
    RobustnessRow {
        variant: head.variant.clone(),
        kpi: head.kpi.clone(),
        unit: head.unit.clone(),
        sets,
        significant_sets: significant.len(),
        sign,
        robust: significant.len() == sets && matches!(sign, Sign::Positive | Sign::Negative),
        difference_min: diffs.clone().reduce(f64::min),
        difference_max: diffs.reduce(f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(set: &str, d: f64, lo: f64, hi: f64) -> ComparisonRow {
        ComparisonRow {
            variant: "v".into(),
            kpi: "k".into(),
            baseline_mean: Some(0.0),
            variant_mean: Some(d),
            difference: Some(d),
            ci95_low: Some(lo),
            ci95_high: Some(hi),
            unit: "min".into(),
            unpaired_ci95_low: None,
            unpaired_ci95_high: None,
            pairs: 5,
            assumptions: Some(set.into()),
        }
    }

    fn one(rows: &[ComparisonRow]) -> RobustnessRow {
        let sets = vec!["a".to_string(), "b".to_string()];
        let mut t = robustness(rows, &sets);
        assert_eq!(t.len(), 1);
        t.remove(0)
    }

    #[test]
    fn robust_only_when_significant_with_one_sign_in_every_set() {
        let t = one(&[row("a", 2.0, 1.0, 3.0), row("b", 5.0, 4.0, 6.0)]);
        assert_eq!(
            (t.sign, t.robust, t.significant_sets),
            (Sign::Positive, true, 2)
        );
        assert_eq!((t.difference_min, t.difference_max), (Some(2.0), Some(5.0)));
        let t = one(&[row("a", -2.0, -3.0, -1.0), row("b", 5.0, 4.0, 6.0)]);
        assert_eq!(
            (t.sign, t.robust, t.significant_sets),
            (Sign::Mixed, false, 2)
        );
        let t = one(&[row("a", -2.0, -3.0, -1.0), row("b", -0.5, -1.0, 0.1)]);
        assert_eq!(
            (t.sign, t.robust, t.significant_sets),
            (Sign::Negative, false, 1)
        );
        let t = one(&[row("a", 0.0, -1.0, 1.0), row("b", 0.1, -1.0, 1.0)]);
        assert_eq!(
            (t.sign, t.robust, t.significant_sets),
            (Sign::None, false, 0)
        );
    }

    #[test]
    fn robustness_csv_says_yes_or_no() {
        let t = one(&[row("a", 2.0, 1.0, 3.0), row("b", 5.0, 4.0, 6.0)]);
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&t).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "variant,kpi,unit,sets,significant_sets,sign,robust,difference_min,difference_max\n\
             v,k,min,2,2,positive,yes,2.0,5.0\n"
        );
    }
}
