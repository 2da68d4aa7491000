//! What is printed on the terminal: the KPI table of a run, the key comparisons of an
//! experiment, and the KPI reference (`akuttsim kpis`).

use crate::analysis::{Analysis, ComparisonRow, Summary};
use crate::base::kpi::{KPI_DEFS, Kpi};

fn fmt_val(x: Option<f64>, unit: &str) -> String {
    match x {
        None => "–".into(),
        Some(v) if unit == "share" => format!("{v:.3}"),
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

/// The KPI table as text: value, 95 % CI, target, unit, national reference.
pub fn kpi_table(s: &Summary) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "KPI".into(),
        "mean".into(),
        "95 % CI".into(),
        "target".into(),
        "unit".into(),
        "national figure".into(),
    ]];
    for def in KPI_DEFS {
        let e = &s.kpi[def.name];
        if e.n == 0 && def.target.is_none() {
            continue; // nothing to show, e.g. no red patients at legevakt
        }
        let ci = match (e.ci95_low, e.ci95_high) {
            (Some(a), Some(b)) => format!(
                "{} – {}",
                fmt_val(Some(a), def.unit),
                fmt_val(Some(b), def.unit)
            ),
            _ => "–".into(),
        };
        let target = def
            .target
            .map(|t| {
                format!(
                    "{} {}",
                    if t.at_least { "≥" } else { "≤" },
                    fmt_val(Some(t.value), def.unit)
                )
            })
            .unwrap_or_default();
        rows.push([
            def.name.into(),
            fmt_val(e.mean, def.unit),
            ci,
            target,
            def.unit.into(),
            def.reference.into(),
        ]);
    }
    let w: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    if let Some(f) = &s.facilities {
        out.push_str(&format!("Facilities ({}): {}.\n", f.generated_by, f.note));
    }
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, v)| {
                let pad = w[c] - v.chars().count();
                if c == 1 || c == 2 {
                    format!("{}{}", " ".repeat(pad), v)
                } else {
                    format!("{}{}", v, " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(w.iter().sum::<usize>() + 10));
            out.push('\n');
        }
    }
    out
}

/// The KPIs of the comparison table.
const KEY_KPIS: [Kpi; 17] = [
    Kpi::LvsWithin2Min,
    Kpi::WaitP90Green,
    Kpi::Travel40,
    Kpi::DoctorUtil,
    Kpi::SatelliteConsults,
    Kpi::SuppressedPer1000,
    Kpi::AmkWithin10s,
    Kpi::RedUrban12,
    Kpi::RedRural25,
    Kpi::RedFirstUnit,
    Kpi::RedWithDoctor,
    Kpi::YellowP90,
    Kpi::MissionsPer1000,
    Kpi::AssessmentsPer1000,
    Kpi::AmbUtil,
    Kpi::HoursWithoutDoctorPerWeek,
    Kpi::CostTotal,
];

/// Key KPIs of an experiment: value per variant and paired difference vs the baseline (with
/// assumption sets: [`comparison_by_set`]).
pub fn comparison_table(a: &Analysis) -> String {
    if !a.assumptions.is_empty() {
        return comparison_by_set(a);
    }
    let key = KEY_KPIS;
    let rows = &a.comparison;
    let mut out = String::new();
    for (v, var) in a.variants.iter().enumerate() {
        let name = &var.name;
        out.push_str(&format!(
            "\n{}{}\n",
            name,
            if v == a.baseline { " (baseline)" } else { "" }
        ));
        for k in key {
            let def = k.def();
            let k = def.name;
            let e = &var.summary.kpi[k];
            if e.n == 0 {
                continue;
            }
            let diff = rows
                .iter()
                .find(|r| r.variant == *name && r.kpi == k)
                .and_then(|r| Some((r.difference?, r.ci95_low?, r.ci95_high?)))
                .map(|(d, l, h)| {
                    format!(
                        "   Δ {} [{} – {}]",
                        fmt_val(Some(d), def.unit),
                        fmt_val(Some(l), def.unit),
                        fmt_val(Some(h), def.unit)
                    )
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<48} {:>9} {}{}\n",
                k,
                fmt_val(e.mean, def.unit),
                def.unit,
                diff
            ));
        }
    }
    out
}

/// "Δ d [lo – hi]" of a comparison row (empty without a difference).
fn delta(r: &ComparisonRow, unit: &str) -> String {
    match (r.difference, r.ci95_low, r.ci95_high) {
        (Some(d), Some(l), Some(h)) => format!(
            "Δ {} [{} – {}]",
            fmt_val(Some(d), unit),
            fmt_val(Some(l), unit),
            fmt_val(Some(h), unit)
        ),
        _ => "–".into(),
    }
}

/// Key KPIs of an experiment with assumption sets: one column per set — the baseline's mean, and
/// each other variant's paired difference from it under that set — then whether the difference
/// is robust (significant with one sign under every set).
pub fn comparison_by_set(a: &Analysis) -> String {
    let sets = &a.assumptions;
    let mut lines: Vec<Option<Vec<String>>> = Vec::new(); // None: a variant's title follows
    let mut titles = Vec::new();
    let mut head = vec![String::new(), "unit".to_string()];
    head.extend(sets.iter().cloned());
    lines.push(Some(head));
    for (v, var) in a.set_variants(0).iter().enumerate() {
        let base = v == a.baseline;
        titles.push(format!(
            "{}{}",
            var.name,
            if base { " (baseline: mean)" } else { "" }
        ));
        lines.push(None);
        for k in KEY_KPIS {
            let def = k.def();
            let k = def.name;
            if (0..sets.len()).all(|s| a.set_variants(s)[v].summary.kpi[k].n == 0) {
                continue;
            }
            let mut row = vec![format!("  {k}"), def.unit.to_string()];
            for (s, set) in sets.iter().enumerate() {
                row.push(if base {
                    fmt_val(a.set_variants(s)[v].summary.kpi[k].mean, def.unit)
                } else {
                    a.comparison
                        .iter()
                        .find(|r| {
                            r.variant == var.name
                                && r.kpi == k
                                && r.assumptions.as_deref() == Some(set)
                        })
                        .map_or_else(|| "–".into(), |r| delta(r, def.unit))
                });
            }
            if !base {
                let robust = a
                    .robustness
                    .iter()
                    .find(|r| r.variant == var.name && r.kpi == k)
                    .is_some_and(|r| r.robust);
                row.push(if robust { "robust" } else { "not robust" }.into());
            }
            lines.push(Some(row));
        }
    }
    let cols = lines.iter().flatten().map(Vec::len).max().unwrap_or(0);
    let w: Vec<usize> = (0..cols)
        .map(|c| {
            lines
                .iter()
                .flatten()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::from(
        "\nOne column per assumption set: the baseline's mean; for the other variants the paired\n\
         difference Δ from the baseline with its 95 % CI. robust = significant with one sign under\n\
         every set.\n",
    );
    let mut titles = titles.into_iter();
    for line in &lines {
        let Some(r) = line else {
            out.push_str(&format!("\n{}\n", titles.next().unwrap_or_default()));
            continue;
        };
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, x)| format!("{x}{}", " ".repeat(w[c] - x.chars().count())))
            .collect();
        out.push_str(cells.join("   ").trim_end());
        out.push('\n');
    }
    out
}

/// Every KPI as a Markdown table (the reference printed by `akuttsim kpis`).
pub fn kpi_reference() -> String {
    let mut s = String::from(
        "| KPI | unit | target | published figure | meaning | source |\n|---|---|---|---|---|---|\n",
    );
    for d in KPI_DEFS {
        let target = d
            .target
            .map(|t| format!("{} {}", if t.at_least { "≥" } else { "≤" }, t.value))
            .unwrap_or_default();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            d.name, d.unit, target, d.reference, d.description, d.source
        ));
    }
    s
}
