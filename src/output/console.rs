//! What is printed on the terminal: the KPI table of a run, the key comparisons of an
//! experiment, and the KPI reference (`akuttsim kpis`).

use crate::analysis::{Analysis, Summary};
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

/// Key KPIs of an experiment: value per variant and paired difference vs the baseline.
pub fn comparison_table(a: &Analysis) -> String {
    let key = [
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
