//! The KPIs of a summary as a planner reads them: plain names grouped by part of the chain, shares
//! in per cent, the target with met / not met, and the published figure. One list of
//! [`KpiLine`]s feeds the console table, `--format json|csv` and the HTML report, so the three
//! always agree.

use crate::analysis::Summary;
use crate::base::kpi::{KPI_DEFS, KpiDef, Part};
use serde::Serialize;

/// One KPI of a summary, in its own unit (shares as 0..1) with its display texts.
#[derive(Debug, Clone, Serialize)]
pub struct KpiLine {
    /// Part of the chain (heading).
    pub part: &'static str,
    /// Stable KPI name (as in `summary.json` and `kpi.csv`).
    pub kpi: &'static str,
    /// Plain-language name.
    pub label: &'static str,
    /// Unit of `mean` and the CI.
    pub unit: &'static str,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// 95 % CI, low.
    pub ci95_low: Option<f64>,
    /// 95 % CI, high.
    pub ci95_high: Option<f64>,
    /// Replications with a value.
    pub n: usize,
    /// The national target when it is a minimum ("at least"), in `unit`.
    pub target_min: Option<f64>,
    /// The national target when it is a maximum ("at most"), in `unit`.
    pub target_max: Option<f64>,
    /// "met", "not met" or "borderline" (the CI contains the target); empty without a target
    /// or a value.
    pub target_met: &'static str,
    /// Published national figure (text, with year).
    pub national_figure: &'static str,
    /// Where the target or figure comes from.
    pub source: &'static str,
    /// The registry entry (meaning, target) behind the line.
    #[serde(skip)]
    pub def: &'static KpiDef,
}

/// Every KPI of `s` that has a value or a target, grouped by part of the chain.
pub fn kpi_lines(s: &Summary) -> Vec<KpiLine> {
    let mut lines: Vec<(Part, KpiLine)> = KPI_DEFS
        .iter()
        .filter_map(|d| {
            let e = s.kpi.get(d.name)?;
            if e.n == 0 && d.target.is_none() {
                return None; // nothing to show, e.g. no red patients at legevakt
            }
            let ci = e.ci95_low.zip(e.ci95_high);
            let met = match (d.target, e.mean) {
                (Some(t), Some(m)) => t.verdict(m, ci).as_str(),
                _ => "",
            };
            Some((
                d.part,
                KpiLine {
                    part: d.part.title(),
                    kpi: d.name,
                    label: d.label,
                    unit: d.unit,
                    mean: e.mean,
                    ci95_low: e.ci95_low,
                    ci95_high: e.ci95_high,
                    n: e.n,
                    target_min: d.target.filter(|t| t.at_least).map(|t| t.value),
                    target_max: d.target.filter(|t| !t.at_least).map(|t| t.value),
                    target_met: met,
                    national_figure: d.reference,
                    source: d.source,
                    def: d,
                },
            ))
        })
        .collect();
    lines.sort_by_key(|(p, _)| *p); // stable: registry order within a part
    lines.into_iter().map(|(_, l)| l).collect()
}

/// One KPI of one variant of an experiment, with its paired difference from the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct VariantLine {
    /// Assumption set (empty without `[[assumptions]]`).
    pub assumptions: String,
    /// Variant.
    pub variant: String,
    /// Is this the baseline?
    pub baseline: bool,
    /// Part of the chain.
    pub part: &'static str,
    /// Stable KPI name.
    pub kpi: &'static str,
    /// Plain-language name.
    pub label: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Mean over replications.
    pub mean: Option<f64>,
    /// 95 % CI, low.
    pub ci95_low: Option<f64>,
    /// 95 % CI, high.
    pub ci95_high: Option<f64>,
    /// The national target when it is a minimum, in `unit`.
    pub target_min: Option<f64>,
    /// The national target when it is a maximum, in `unit`.
    pub target_max: Option<f64>,
    /// "met", "not met", "borderline" or empty.
    pub target_met: &'static str,
    /// Paired difference variant − baseline (none for the baseline).
    pub difference: Option<f64>,
    /// Paired 95 % CI of the difference, low.
    pub difference_ci95_low: Option<f64>,
    /// Paired 95 % CI of the difference, high.
    pub difference_ci95_high: Option<f64>,
    /// Does the paired CI exclude 0?
    pub significant: bool,
}

/// Every KPI line of every variant of an experiment (under every assumption set), with the
/// paired differences from the baseline.
pub fn variant_lines(a: &crate::analysis::Analysis) -> Vec<VariantLine> {
    let mut out = Vec::new();
    for var in &a.variants {
        let set = var.assumptions.clone();
        let base = a.set_variants(0)[a.baseline].name == var.name;
        for l in kpi_lines(&var.summary) {
            let row = a
                .comparison
                .iter()
                .find(|r| r.variant == var.name && r.kpi == l.kpi && r.assumptions == set);
            out.push(VariantLine {
                assumptions: set.clone().unwrap_or_default(),
                variant: var.name.clone(),
                baseline: base,
                part: l.part,
                kpi: l.kpi,
                label: l.label,
                unit: l.unit,
                mean: l.mean,
                ci95_low: l.ci95_low,
                ci95_high: l.ci95_high,
                target_min: l.target_min,
                target_max: l.target_max,
                target_met: l.target_met,
                difference: row.and_then(|r| r.difference),
                difference_ci95_low: row.and_then(|r| r.ci95_low),
                difference_ci95_high: row.and_then(|r| r.ci95_high),
                significant: row.is_some_and(|r| r.significant()),
            });
        }
    }
    out
}

/// A number as shown: shares in per cent with one decimal, large numbers without decimals and
/// with thousands separators, the rest with one decimal.
pub fn number(x: f64, unit: &str) -> String {
    if unit == "share" {
        return format!("{:.1}", x * 100.0);
    }
    if x.abs() >= 100.0 {
        return thousands(x.round());
    }
    format!("{x:.1}")
}

/// "93.0" → "93", "93.1" stays.
fn trim_zero(s: String) -> String {
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// 12345 → "12,345".
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("−{out}") } else { out }
}

/// The short unit written after a value ("%" for shares; empty where the name says it, as in
/// "… per 1,000 a year").
pub fn short_unit(unit: &str) -> &'static str {
    match unit {
        "share" => "%",
        "s" => "s",
        "min" => "min",
        "MNOK/year" => "MNOK",
        "doctor-hours/week" | "station-hours/week" | "h/doctor/month" => "h",
        u if u.ends_with("/year") && !u.contains("1000") => "/yr",
        _ => "",
    }
}

/// A number as shown, with its short unit: "93.1 %", "13.9 min", "1,500/yr", "336".
fn with_unit(n: String, unit: &str) -> String {
    match short_unit(unit) {
        "" => n,
        "/yr" => format!("{n}/yr"),
        u => format!("{n} {u}"),
    }
}

/// A value with its short unit: "93.1 %", "13.9 min", "336"; "–" without a value.
pub fn value(x: Option<f64>, unit: &str) -> String {
    match x {
        None => "–".into(),
        Some(v) => with_unit(number(v, unit), unit),
    }
}

/// A difference as shown, with its sign and without a unit: "+4.6", "−24.8" (shares in
/// percentage points).
pub fn signed_number(x: f64, unit: &str) -> String {
    let t = number(x, unit);
    if x > 0.0 {
        format!("+{t}")
    } else {
        t.replace('-', "−")
    }
}

/// The unit written after a difference: " pp" for shares, " min", " MNOK" …; empty where the
/// KPI's name says it.
pub fn difference_unit(unit: &str) -> String {
    match short_unit(unit) {
        "%" => " pp".into(),
        "" | "/yr" => String::new(),
        u => format!(" {u}"),
    }
}

/// A difference with its sign and unit: "−24.8 pp", "+1.2 min".
pub fn signed(x: f64, unit: &str) -> String {
    format!("{}{}", signed_number(x, unit), difference_unit(unit))
}

/// A 95 % CI in the unit of its value, without the unit: "92.9 – 93.4".
pub fn ci(l: &KpiLine) -> String {
    match (l.ci95_low, l.ci95_high) {
        (Some(a), Some(b)) => format!("{} – {}", number(a, l.unit), number(b, l.unit)),
        _ => "–".into(),
    }
}

/// The target as shown: "≥ 80 %".
pub fn target(l: &KpiLine) -> String {
    match l.def.target {
        Some(t) => format!(
            "{} {}",
            if t.at_least { "≥" } else { "≤" },
            with_unit(trim_zero(number(t.value, l.unit)), l.unit)
        ),
        None => String::new(),
    }
}

/// The published figure, shares in per cent: "0.63 (2023)" → "63 % (2023)".
pub fn national(l: &KpiLine) -> String {
    let r = l.national_figure;
    if l.unit != "share" {
        return r.to_string();
    }
    let (prefix, rest) = match r.strip_prefix('≈') {
        Some(t) => ("≈", t),
        None => ("", r),
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    match rest[..end].parse::<f64>() {
        Ok(x) if end > 0 => format!(
            "{prefix}{} %{}",
            trim_zero(number(x, "share")),
            &rest[end..]
        ),
        _ => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_planner_expects() {
        assert_eq!(number(0.931, "share"), "93.1");
        assert_eq!(number(0.9, "share"), "90.0");
        assert_eq!(number(12345.4, "calls/1000 inhabitants/year"), "12,345");
        assert_eq!(number(336.2, "x"), "336");
        assert_eq!(number(-1234.0, "x"), "−1,234");
        assert_eq!(number(13.94, "min"), "13.9");
        assert_eq!(value(Some(0.931), "share"), "93.1 %");
        assert_eq!(value(Some(13.94), "min"), "13.9 min");
        assert_eq!(value(Some(1500.0), "consultations/year"), "1,500/yr");
        assert_eq!(value(Some(336.0), "calls/1000 inhabitants/year"), "336");
        assert_eq!(value(None, "min"), "–");
        assert_eq!(signed(-0.248, "share"), "−24.8 pp");
        assert_eq!(signed(4.6, "missions/1000 inhabitants/year"), "+4.6");
        assert_eq!(signed(1.25, "min"), "+1.2 min");
    }

    #[test]
    fn published_shares_are_shown_in_per_cent() {
        let mut l = KpiLine {
            part: "",
            kpi: "lvs_answered_within_2min_share",
            label: "",
            unit: "share",
            mean: Some(0.5),
            ci95_low: None,
            ci95_high: None,
            n: 1,
            target_min: Some(0.8),
            target_max: None,
            target_met: "",
            national_figure: "0.63 (2023)",
            source: "",
            def: crate::base::kpi::Kpi::LvsWithin2Min.def(),
        };
        assert_eq!(national(&l), "63 % (2023)");
        assert_eq!(target(&l), "≥ 80 %");
        l.national_figure = "≈0.93 (rural)";
        assert_eq!(national(&l), "≈93 % (rural)");
        l.national_figure = "";
        assert_eq!(national(&l), "");
    }
}
