//! What is printed on the terminal: the KPI table of a run, the key comparisons of an
//! experiment, and the KPI reference (`akuttsim kpis`).

use super::lines::{ci, difference_unit, kpi_lines, national, signed_number, target, value};
use crate::analysis::{Analysis, ComparisonRow, Summary};
use crate::base::kpi::{KPI_DEFS, Kpi};

/// Widest line the console tables print.
pub const WIDTH: usize = 100;

/// Wrap a paragraph to [`WIDTH`] columns.
pub fn wrap(text: &str) -> String {
    let mut out = textwrap::fill(text, WIDTH);
    out.push('\n');
    out
}

/// Pad `s` to `w` characters, on the left (`right`: right-aligned) or the right.
fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(s.chars().count()));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The KPI table as text, at most [`WIDTH`] columns: plain names grouped by part of the chain,
/// mean and 95 % CI (shares in per cent), the target and whether it is met, the published
/// figure.
pub fn kpi_table(s: &Summary) -> String {
    let lines = kpi_lines(s);
    let head = ["", "mean", "95 % CI", "target", "", "published"];
    let rows: Vec<[String; 6]> = lines
        .iter()
        .map(|l| {
            [
                l.label.to_string(),
                value(l.mean, l.unit),
                ci(l),
                target(l),
                l.target_met.to_string(),
                national(l),
            ]
        })
        .collect();
    let mut w: Vec<usize> = (0..6)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([head[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    w[0] += 2; // rows are indented under their part's heading
    let right = [false, true, true, false, false, false];
    let line = |r: [&str; 6], indent: &str| -> String {
        let cells: Vec<String> = (0..6)
            .map(|c| {
                let text = if c == 0 {
                    format!("{indent}{}", r[0])
                } else {
                    r[c].to_string()
                };
                pad(&text, w[c], right[c])
            })
            .collect();
        let mut l = cells.join("  ").trim_end().to_string();
        // Never wider than the terminal budget: the published figure (last) is cut first.
        if l.chars().count() > WIDTH {
            l = l.chars().take(WIDTH - 1).collect::<String>() + "…";
        }
        l + "\n"
    };
    let mut out = String::new();
    if let Some(f) = &s.facilities {
        out.push_str(&wrap(&format!(
            "Facilities ({}): {}.",
            f.generated_by, f.note
        )));
    }
    out.push_str(&line(head, ""));
    let mut part = "";
    for (l, r) in lines.iter().zip(&rows) {
        if l.part != part {
            part = l.part;
            out.push_str(part);
            out.push('\n');
        }
        out.push_str(&line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]], "  "));
    }
    out.push_str(&wrap(
        "/1,000: per 1,000 inhabitants a year. p90: 90th percentile. Targets are judged on the \
         95 % CI: borderline = the CI contains the target. Every KPI's meaning and source: \
         akuttsim kpis.",
    ));
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
/// assumption sets: [`comparison_by_set`]), at most [`WIDTH`] columns.
pub fn comparison_table(a: &Analysis) -> String {
    if !a.assumptions.is_empty() {
        return comparison_by_set(a);
    }
    let mut out = String::new();
    for (v, var) in a.variants.iter().enumerate() {
        let base = v == a.baseline;
        out.push_str(&format!(
            "\n{}{}\n",
            var.name,
            if base { " (baseline)" } else { "" }
        ));
        let lines = kpi_lines(&var.summary);
        let mut rows: Vec<[String; 4]> = Vec::new();
        for k in KEY_KPIS {
            let Some(l) = lines.iter().find(|l| l.kpi == k.def().name && l.n > 0) else {
                continue;
            };
            let r = a
                .comparison
                .iter()
                .find(|r| r.variant == var.name && r.kpi == l.kpi);
            let (d, sig) = match r {
                Some(r) if !base => (delta(r, l.unit), r.significant()),
                _ => (String::new(), false),
            };
            rows.push([
                format!("  {}", l.label),
                value(l.mean, l.unit),
                d,
                if sig {
                    "significant".into()
                } else {
                    String::new()
                },
            ]);
        }
        let w: Vec<usize> = (0..4)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line = format!(
                "{}  {}  {}  {}",
                pad(&r[0], w[0], false),
                pad(&r[1], w[1], true),
                pad(&r[2], w[2], false),
                r[3]
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str(&wrap(
        "\nΔ: the paired difference from the baseline (same seed, same patients) with its 95 % \
         CI; pp = percentage points; significant = the CI excludes 0. Every KPI of every variant: \
         comparison.csv, or --format csv.",
    ));
    out
}

/// "Δ −24.8 pp (−41.5 – −8.1)" of a comparison row ("no change" when the variant changes
/// nothing; "–" without a difference).
fn delta(r: &ComparisonRow, unit: &str) -> String {
    match (r.difference, r.ci95_low, r.ci95_high) {
        (Some(d), Some(l), Some(h)) if d == 0.0 && l == 0.0 && h == 0.0 => "no change".into(),
        (Some(d), Some(l), Some(h)) => format!(
            "Δ {}{} ({} – {})",
            signed_number(d, unit),
            difference_unit(unit),
            signed_number(l, unit),
            signed_number(h, unit)
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
    let mut head = vec![String::new()];
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
            let mut row = vec![format!("  {}", def.label)];
            for (s, set) in sets.iter().enumerate() {
                row.push(if base {
                    value(a.set_variants(s)[v].summary.kpi[k].mean, def.unit)
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
        "| KPI | in tables | unit | target | published figure | meaning | source |\n|---|---|---|---|---|---|---|\n",
    );
    for d in KPI_DEFS {
        let target = d
            .target
            .map(|t| format!("{} {}", if t.at_least { "≥" } else { "≤" }, t.value))
            .unwrap_or_default();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            d.name, d.label, d.unit, target, d.reference, d.description, d.source
        ));
    }
    s
}
