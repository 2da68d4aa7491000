//! Plots of a run or an experiment, as PNG and SVG, from the analysis structs only (never live
//! simulation state).
//!
//! Fonts: plotters is built without system font libraries; DejaVu Sans is embedded (the `dejavu`
//! crate) and registered as "sans-serif", so plots render the same on any machine.
//!
//! * `response_cdf` — red response-time CDFs per variant, urban and rural, with the 12 / 25-min
//!   targets;
//! * `kpi_targets` — every KPI that has a national target, per variant, with 95 % CIs and the
//!   target;
//! * `differences` — paired differences vs the baseline with 95 % CIs for key KPIs, one panel
//!   per unit, every KPI of a panel on one scale;
//! * `utilisation_by_hour` — doctor, 116117-nurse and ambulance utilisation by hour of the week;
//! * `sweep_<name>` — key KPIs against the swept value of each numeric sweep, with CIs and targets;
//! * `map_response_<variant>`, `map_travel_<variant>` — zones on kommune borders and coast
//!   coloured by mean red response time and by mean drive time to the legevakt used (`map.rs`).
//!
//! With assumption sets every (set, variant) is a series of its own, labelled "variant — set",
//! and the maps are named `map_response_<set>_<variant>`.

use crate::analysis::Analysis;
use crate::base::kpi::KPI_DEFS;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::Once;

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        // The embedded font is valid; a failure here would be a packaging bug.
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| ())
            .expect("embedded DejaVu Sans is a valid font");
        plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| ())
            .expect("embedded DejaVu Sans Bold is a valid font");
    });
}

type Res = Result<(), Box<dyn std::error::Error>>;

/// Draw the same picture to `<stem>.png` and `<stem>.svg`, each written atomically. The body is
/// expanded once per backend (a closure cannot be generic over the backend type).
macro_rules! both {
    ($out:expr, $stem:expr, $size:expr, |$root:ident| $body:block) => {{
        register_font();
        let out: &Path = $out;
        let stem: &str = $stem;
        let size: (u32, u32) = $size;
        // The folder is the run's private staging folder: files are written in place.
        let png = out.join(format!("{stem}.png"));
        {
            let area = BitMapBackend::new(&png, size).into_drawing_area();
            area.fill(&WHITE)
                .map_err(|e| anyhow::anyhow!("{stem}.png: {e}"))?;
            let r: Res = (|$root: &DrawingArea<BitMapBackend, Shift>| -> Res { $body })(&area);
            r.map_err(|e| anyhow::anyhow!("{stem}.png: {e}"))?;
            area.present()
                .map_err(|e| anyhow::anyhow!("{stem}.png: {e}"))?;
        }
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            area.fill(&WHITE)
                .map_err(|e| anyhow::anyhow!("{stem}.svg: {e}"))?;
            let r: Res = (|$root: &DrawingArea<SVGBackend, Shift>| -> Res { $body })(&area);
            r.map_err(|e| anyhow::anyhow!("{stem}.svg: {e}"))?;
            area.present()
                .map_err(|e| anyhow::anyhow!("{stem}.svg: {e}"))?;
        }
        std::fs::write(out.join(format!("{stem}.svg")), svg.as_bytes())?;
    }};
}

mod sweep;
pub use sweep::sweeps;

fn colour(i: usize) -> RGBColor {
    // Okabe–Ito palette (colour-blind safe), then Palette99.
    const OI: [RGBColor; 8] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        RGBColor(0, 0, 0),
        RGBColor(240, 228, 66),
    ];
    if i < OI.len() {
        OI[i]
    } else {
        let c = Palette99::pick(i).to_rgba();
        RGBColor(c.0, c.1, c.2)
    }
}

/// Write every plot of a run or experiment into `out` (a staging folder).
pub fn all(a: &Analysis, out: &Path) -> anyhow::Result<()> {
    let labels: Vec<String> = a.variants.iter().map(|v| v.label()).collect();
    let names: Vec<&str> = labels.iter().map(String::as_str).collect();
    let title_suffix = format!(
        "{} — {} replications × {} days",
        a.name, a.replications, a.spec.days
    );
    response_cdfs(a, out, &names, &title_suffix)?;
    kpi_targets(a, out, &names, &title_suffix)?;
    if names.len() > 1 {
        differences(a, out, &names)?;
    }
    utilisation(a, out, &names, &title_suffix)?;
    map::maps(a, out)
}

/// Red response-time CDFs per variant, urban and rural, with the 12 / 25-min targets.
fn response_cdfs(
    a: &Analysis,
    out: &Path,
    names: &[&str],
    title_suffix: &str,
) -> anyhow::Result<()> {
    // ---- response-time CDFs ----
    let cdfs: Vec<&[Option<crate::analysis::Cdf>; 2]> = a.variants.iter().map(|v| &v.cdf).collect();
    if cdfs.iter().any(|c| c[0].is_some() || c[1].is_some()) {
        both!(out, "response_cdf", (1400, 700), |root| {
            let root = root.titled(
                &format!("Red response time, 113 call → ambulance on scene ({title_suffix})"),
                ("sans-serif", 22),
            )?;
            let panels = root.split_evenly((1, 2));
            for (k, (panel, (label, target))) in panels
                .iter()
                .zip([("Urban zones", 12.0), ("Rural zones", 25.0)])
                .enumerate()
            {
                let mut ch = ChartBuilder::on(panel)
                    .caption(
                        format!("{label} — target 90 % within {target} min"),
                        ("sans-serif", 18),
                    )
                    .margin(12)
                    .x_label_area_size(45)
                    .y_label_area_size(60)
                    .build_cartesian_2d(0.0..90.0, 0.0..1.0)?;
                ch.configure_mesh()
                    .x_desc("response time [min]")
                    .y_desc("share of red events reached")
                    .label_style(("sans-serif", 14))
                    .draw()?;
                ch.draw_series(LineSeries::new(
                    vec![(target, 0.0), (target, 1.0)],
                    ShapeStyle::from(&BLACK).stroke_width(1),
                ))?
                .label(format!("{target} min target"))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
                ch.draw_series(LineSeries::new(
                    vec![(0.0, 0.9), (90.0, 0.9)],
                    ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(1),
                ))?;
                for (i, c) in cdfs.iter().enumerate() {
                    if let Some(pts) = &c[k] {
                        let col = colour(i);
                        ch.draw_series(LineSeries::new(
                            pts.iter().copied(),
                            ShapeStyle::from(&col).stroke_width(2),
                        ))?
                        .label(names[i])
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                        });
                    }
                }
                ch.configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 14))
                    .draw()?;
            }
            Ok(())
        });
    }

    Ok(())
}

/// Every KPI with a national target, per variant, with 95 % CIs and the target.
fn kpi_targets(a: &Analysis, out: &Path, names: &[&str], title_suffix: &str) -> anyhow::Result<()> {
    // ---- KPIs with a target, per variant ----
    let targeted: Vec<usize> = KPI_DEFS
        .iter()
        .enumerate()
        .filter(|(_, d)| d.target.is_some() && d.unit == "share")
        .filter(|(_, d)| {
            a.variants
                .iter()
                .any(|v| v.summary.kpi[d.name].mean.is_some())
        })
        .map(|(i, _)| i)
        .collect();
    if !targeted.is_empty() {
        let nv = names.len();
        both!(out, "kpi_targets", (1400, 750), |root| {
            let mut ch = ChartBuilder::on(root)
                .caption(
                    format!("KPIs against national targets ({title_suffix})"),
                    ("sans-serif", 22),
                )
                .margin(15)
                .x_label_area_size(95)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..targeted.len() as f64, 0.0..120.0)?;
            ch.configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .y_desc("% (bars: mean, whiskers: 95 % CI, black line: target)")
                .label_style(("sans-serif", 14))
                .draw()?;
            let w = 0.8 / nv as f64;
            for (g, &k) in targeted.iter().enumerate() {
                let def = &KPI_DEFS[k];
                let (px, py) = ch.plotting_area().map_coordinate(&(g as f64 + 0.5, 0.0));
                let target = def
                    .target
                    .map(|t| {
                        format!(
                            "target {}{:.0} %",
                            if t.at_least { "≥ " } else { "≤ " },
                            t.value * 100.0
                        )
                    })
                    .unwrap_or_default();
                // The plain name, wrapped to the width of its group of bars.
                let chars = (1300 / targeted.len()).saturating_sub(10) / 8;
                let mut label: Vec<String> = textwrap::wrap(def.label, chars.max(8))
                    .into_iter()
                    .map(|l| l.into_owned())
                    .collect();
                label.push(target);
                for (li, line) in label.iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (px, py + 8 + 18 * li as i32),
                        ("sans-serif", 14)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Center, VPos::Top)),
                    ))?;
                }
                for (v, var) in a.variants.iter().enumerate() {
                    let e = &var.summary.kpi[def.name];
                    let Some(m) = e.mean.map(|m| m * 100.0) else {
                        continue;
                    };
                    let x0 = g as f64 + 0.1 + v as f64 * w;
                    let col = colour(v);
                    let bar = ch.draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x0 + w * 0.9, m)],
                        col.filled(),
                    )))?;
                    if g == 0 {
                        bar.label(names[v]).legend(move |(x, y)| {
                            Rectangle::new([(x, y - 6), (x + 14, y + 6)], col.filled())
                        });
                    }
                    if let (Some(lo), Some(hi)) = (e.ci95_low, e.ci95_high) {
                        let xc = x0 + w * 0.45;
                        ch.draw_series(std::iter::once(ErrorBar::new_vertical(
                            xc,
                            lo * 100.0,
                            m,
                            hi * 100.0,
                            BLACK.stroke_width(1),
                            6,
                        )))?;
                    }
                }
                if let Some(t) = def.target {
                    ch.draw_series(std::iter::once(PathElement::new(
                        vec![
                            (g as f64 + 0.05, t.value * 100.0),
                            (g as f64 + 0.95, t.value * 100.0),
                        ],
                        BLACK.stroke_width(3),
                    )))?;
                }
            }
            ch.configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 14))
                .draw()?;
            Ok(())
        });
    }

    Ok(())
}

/// The KPIs of the `differences` plot.
const DIFFERENCE_KPIS: [crate::base::kpi::Kpi; 12] = {
    use crate::base::kpi::Kpi;
    [
        Kpi::RedUrban12,
        Kpi::RedRural25,
        Kpi::RedFirstUnit,
        Kpi::RedWithDoctor,
        Kpi::Travel40,
        Kpi::DoctorUtilMaxStation,
        Kpi::WaitP90Green,
        Kpi::NightHoursPerDoctorMonth,
        Kpi::MissionsPer1000,
        Kpi::AssessmentsPer1000,
        Kpi::SuppressedPer1000,
        Kpi::CostTotal,
    ]
};

/// One panel of the differences plot: the KPIs of one unit, on one scale.
struct DiffPanel {
    /// Axis title, with the unit.
    title: String,
    /// Plain KPI names, top to bottom.
    labels: Vec<&'static str>,
    /// (row, series, difference, CI low, CI high) in the panel's unit.
    points: Vec<(usize, usize, f64, f64, f64)>,
}

/// The panels: KPIs grouped by unit (shares in percentage points), in first-appearance order.
fn diff_panels(a: &Analysis, others: &[usize]) -> Vec<DiffPanel> {
    let mut panels: Vec<(&str, DiffPanel)> = Vec::new();
    for k in DIFFERENCE_KPIS {
        let def = k.def();
        let (scale, title) = match def.unit {
            "share" => (100.0, "difference [percentage points]".to_string()),
            u => (1.0, format!("difference [{u}]")),
        };
        let pi = match panels.iter().position(|(u, _)| *u == def.unit) {
            Some(i) => i,
            None => {
                panels.push((
                    def.unit,
                    DiffPanel {
                        title,
                        labels: Vec::new(),
                        points: Vec::new(),
                    },
                ));
                panels.len() - 1
            }
        };
        let panel = &mut panels[pi].1;
        let row = panel.labels.len();
        let mut any = false;
        for (series, &v) in others.iter().enumerate() {
            let cell = &a.variants[v];
            let Some(r) = a.comparison.iter().find(|r| {
                r.variant == cell.name && r.assumptions == cell.assumptions && r.kpi == def.name
            }) else {
                continue;
            };
            if let (Some(d), Some(l), Some(h)) = (r.difference, r.ci95_low, r.ci95_high) {
                panel
                    .points
                    .push((row, series, d * scale, l * scale, h * scale));
                any = true;
            }
        }
        if any {
            panel.labels.push(def.label);
        }
    }
    panels
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| !p.labels.is_empty())
        .collect()
}

/// Paired differences vs the baseline with 95 % CIs for key KPIs: one panel per unit, every
/// KPI of a panel on the same scale (so a small effect looks small), full KPI names, one colour
/// per variant.
fn differences(a: &Analysis, out: &Path, names: &[&str]) -> anyhow::Result<()> {
    // Every (set, variant) but the baselines, which are at `baseline` in each set.
    let nv = a.variants.len() / a.set_count();
    let others: Vec<usize> = (0..names.len()).filter(|&v| v % nv != a.baseline).collect();
    let panels = diff_panels(a, &others);
    if panels.is_empty() {
        return Ok(());
    }
    let row_h = 16 + 12 * others.len() as u32;
    let heights: Vec<u32> = panels
        .iter()
        .map(|p| 70 + row_h * p.labels.len() as u32)
        .collect();
    let legend_h = 30 + 20 * others.len() as u32;
    let total_h = 50 + legend_h + heights.iter().sum::<u32>();
    both!(out, "differences", (1300, total_h), |root| {
        let root = root.titled(
            &format!(
                "Paired difference from \"{}\" with 95 % CI (same patients in every variant) — {}",
                a.variants[a.baseline].name, a.name
            ),
            ("sans-serif", 19),
        )?;
        let (legend, mut rest) = root.split_vertically(legend_h);
        for (i, &v) in others.iter().enumerate() {
            let y = 12 + 20 * i as i32;
            legend.draw(&Circle::new((330, y + 6), 5, colour(v).filled()))?;
            legend.draw(&Text::new(
                names[v].to_string(),
                (345, y),
                ("sans-serif", 14).into_font(),
            ))?;
        }
        for (p, h) in panels.iter().zip(&heights) {
            let (area, below) = rest.split_vertically(*h);
            rest = below;
            let (mut lo, mut hi) = p
                .points
                .iter()
                .fold((0.0f64, 0.0f64), |(l, h), q| (l.min(q.3), h.max(q.4)));
            if hi - lo < 1e-9 {
                lo -= 1.0;
                hi += 1.0;
            }
            let pad = (hi - lo) * 0.08;
            let n = p.labels.len();
            let m = others.len();
            let mut ch = ChartBuilder::on(&area)
                .margin(8)
                .x_label_area_size(40)
                .y_label_area_size(310)
                .build_cartesian_2d(lo - pad..hi + pad, -0.5..n as f64 - 0.5)?;
            let labels = p.labels.clone();
            ch.configure_mesh()
                .disable_y_mesh()
                .y_labels(2 * n + 1)
                .y_label_formatter(&|y| {
                    let i = y.round() as isize;
                    if (0..n as isize).contains(&i) && (y - i as f64).abs() < 0.01 {
                        labels[n - 1 - i as usize].to_string()
                    } else {
                        String::new()
                    }
                })
                .x_labels(8)
                .x_desc(p.title.as_str())
                .label_style(("sans-serif", 13))
                .draw()?;
            ch.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))?;
            for &(row, series, d, l, h) in &p.points {
                // Top to bottom in KPI order; the variants of a KPI side by side.
                let y = (n - 1 - row) as f64 + 0.3 - 0.6 * (series as f64 + 0.5) / m as f64;
                let col = colour(others[series]);
                ch.draw_series(std::iter::once(ErrorBar::new_horizontal(
                    y,
                    l,
                    d,
                    h,
                    col.stroke_width(2),
                    6,
                )))?;
                ch.draw_series(std::iter::once(Circle::new((d, y), 4, col.filled())))?;
            }
        }
        Ok(())
    });
    Ok(())
}

/// Utilisation by hour of the week, by role.
fn utilisation(a: &Analysis, out: &Path, names: &[&str], title_suffix: &str) -> anyhow::Result<()> {
    // ---- utilisation by hour of week ----
    let util = |v: &crate::analysis::VariantAnalysis, role: &str| -> Vec<(f64, f64)> {
        let mut by_hour = vec![(0.0, 0.0); 168];
        for r in a
            .hourly
            .iter()
            .filter(|r| r.variant == v.name && r.assumptions == v.assumptions && r.role == role)
        {
            let e = &mut by_hour[r.hour_of_week];
            e.0 += r.busy_server_hours_per_week;
            e.1 += r.available_server_hours_per_week;
        }
        by_hour
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| *c > 0.0)
            .map(|(h, (b, c))| ((h as f64 + 0.5) / 24.0, (b / c).min(1.0)))
            .collect()
    };
    both!(out, "utilisation_by_hour", (1400, 1150), |root| {
        let root = root.titled(
            &format!("Utilisation by hour of the week ({title_suffix})"),
            ("sans-serif", 22),
        )?;
        let panels = root.split_evenly((3, 1));
        for (panel, (role, label)) in panels.iter().zip([
            ("doctors", "Legevakt doctors (incl. video and home visits)"),
            ("lvs_nurses", "Legevaktsentral nurses (116117)"),
            (
                "ambulances",
                "Ambulances, all stations (vehicle-hours on missions ÷ on duty)",
            ),
        ]) {
            let mut ch = ChartBuilder::on(panel)
                .caption(label, ("sans-serif", 17))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(60)
                // x in days since Monday 00:00, so the ticks fall on midnights.
                .build_cartesian_2d(0.0..7.0, 0.0..1.1)?;
            ch.configure_mesh()
                .x_labels(8)
                .x_label_formatter(&|x: &f64| {
                    const D: [&str; 8] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon"];
                    let d = x.round().clamp(0.0, 7.0) as usize;
                    format!("{} 00:00", D[d])
                })
                .x_desc("hour of the week")
                .y_desc("busy ÷ available (incl. overtime)")
                .label_style(("sans-serif", 13))
                .draw()?;
            for (i, v) in a.variants.iter().enumerate() {
                let pts = util(v, role);
                if pts.is_empty() {
                    continue;
                }
                let col = colour(i);
                // One line per run of consecutive staffed hours, so closed hours stay blank.
                let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
                for p in pts {
                    match runs.last_mut() {
                        Some(r) if r.last().is_some_and(|q| p.0 - q.0 < 1.5 / 24.0) => r.push(p),
                        _ => runs.push(vec![p]),
                    }
                }
                for (ri, run) in runs.into_iter().enumerate() {
                    let s = ch.draw_series(LineSeries::new(run, col.stroke_width(2)))?;
                    if ri == 0 {
                        s.label(names[i]).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3))
                        });
                    }
                }
            }
            ch.configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 13))
                .draw()?;
        }
        Ok(())
    });

    Ok(())
}

mod map;
pub use map::set_model_dir;

/// Viridis-like colour for t in 0..1.
fn ramp(t: f64) -> RGBColor {
    const A: [(f64, (u8, u8, u8)); 5] = [
        (0.0, (68, 1, 84)),
        (0.25, (59, 82, 139)),
        (0.5, (33, 145, 140)),
        (0.75, (94, 201, 98)),
        (1.0, (253, 231, 37)),
    ];
    let t = t.clamp(0.0, 1.0);
    for w in A.windows(2) {
        let ((t0, c0), (t1, c1)) = (w[0], w[1]);
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let l = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
            return RGBColor(l(c0.0, c1.0), l(c0.1, c1.1), l(c0.2, c1.2));
        }
    }
    RGBColor(253, 231, 37)
}
