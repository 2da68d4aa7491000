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
//! * `differences` — paired differences vs the baseline with 95 % CIs for key KPIs;
//! * `utilisation_by_hour` — doctor and 116117-nurse utilisation by hour of the week;
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

/// Short label of a KPI for axes.
pub fn short_label(name: &str) -> String {
    match name {
        "lvs_answered_within_2min_share" => "116117 answered ≤ 2 min".into(),
        "amk_answered_within_10s_share" => "113 answered ≤ 10 s".into(),
        "legevakt_travel_within_40min_population_share" => "legevakt ≤ 40 min drive".into(),
        "legevakt_travel_within_60min_population_share" => "legevakt ≤ 60 min drive".into(),
        "red_response_within_12min_urban_share" => "red urban ≤ 12 min".into(),
        "red_response_within_25min_rural_share" => "red rural ≤ 25 min".into(),
        "red_response_within_target_excl_amk_share" => "red excl. AMK time".into(),
        "red_first_unit_within_target_share" => "red, first unit of any kind".into(),
        other => other.replace('_', " "),
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
                .x_label_area_size(60)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..targeted.len() as f64, 0.0..1.2)?;
            ch.configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .y_desc("share (bars: mean, whiskers: 95 % CI, black line: target)")
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
                for (li, line) in [short_label(def.name), target].iter().enumerate() {
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
                    let Some(m) = e.mean else { continue };
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
                            lo,
                            m,
                            hi,
                            BLACK.stroke_width(1),
                            6,
                        )))?;
                    }
                }
                if let Some(t) = def.target {
                    ch.draw_series(std::iter::once(PathElement::new(
                        vec![(g as f64 + 0.05, t.value), (g as f64 + 0.95, t.value)],
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

/// Paired differences vs the baseline with 95 % CIs for key KPIs.
fn differences(a: &Analysis, out: &Path, names: &[&str]) -> anyhow::Result<()> {
    // ---- paired differences vs baseline ----
    if names.len() > 1 {
        let rows = &a.comparison;
        use crate::base::kpi::Kpi;
        let key = [
            Kpi::RedUrban12,
            Kpi::RedRural25,
            Kpi::RedFirstUnit,
            Kpi::RedWithDoctor,
            Kpi::Travel40,
            Kpi::WaitP90Green,
            Kpi::DoctorUtilMaxStation,
            Kpi::NightHoursPerDoctorMonth,
            Kpi::MissionsPer1000,
            Kpi::AssessmentsPer1000,
            Kpi::SuppressedPer1000,
            Kpi::CostTotal,
        ]
        .map(|k| k.def().name);
        // Every (set, variant) but the baselines, which are at `baseline` in each set.
        let nv = a.variants.len() / a.set_count();
        let others: Vec<usize> = (0..names.len()).filter(|&v| v % nv != a.baseline).collect();
        // Labels "variant — set" need more room than variant names alone.
        let label_area = if a.assumptions.is_empty() {
            130
        } else {
            let longest = others.iter().map(|&v| names[v].chars().count()).max();
            (longest.unwrap_or(0) as u32 * 7 + 20).clamp(130, 420)
        };
        let extra = label_area - 130;
        both!(
            out,
            "differences",
            (1500 + extra, 300 + 60 * others.len() as u32 * 3),
            |root| {
                let root = root.titled(
                    &format!(
                        "Paired difference vs \"{}\" with 95 % CI (common random numbers) — {}",
                        a.variants[a.baseline].name, a.name
                    ),
                    ("sans-serif", 20),
                )?;
                // With longer labels the first column is wider by `extra`; the panels keep
                // their size.
                let panels = if extra == 0 {
                    root.split_evenly((3, 4))
                } else {
                    let (w, h) = root.dim_in_pixel();
                    let col = (w - extra) as i32 / 4;
                    let e = extra as i32;
                    let row = h as i32 / 3;
                    root.split_by_breakpoints([col + e, 2 * col + e, 3 * col + e], [row, 2 * row])
                };
                for (pi, (panel, kname)) in panels.iter().zip(key).enumerate() {
                    let def = KPI_DEFS
                        .iter()
                        .find(|d| d.name == kname)
                        .expect("known KPI");
                    let pts: Vec<(usize, f64, f64, f64)> = others
                        .iter()
                        .enumerate()
                        .filter_map(|(row, &v)| {
                            let cell = &a.variants[v];
                            let r = rows.iter().find(|r| {
                                r.variant == cell.name
                                    && r.assumptions == cell.assumptions
                                    && r.kpi == kname
                            })?;
                            Some((row, r.difference?, r.ci95_low?, r.ci95_high?))
                        })
                        .collect();
                    let (mut lo, mut hi) = pts
                        .iter()
                        .fold((0.0f64, 0.0f64), |(a, b), p| (a.min(p.2), b.max(p.3)));
                    if hi - lo < 1e-9 {
                        lo -= 1.0;
                        hi += 1.0;
                    }
                    let pad = (hi - lo) * 0.1;
                    let n = others.len();
                    let mut ch = ChartBuilder::on(panel)
                        .caption(kname.replace('_', " "), ("sans-serif", 13))
                        .margin(8)
                        .x_label_area_size(35)
                        .y_label_area_size(if pi % 4 == 0 { label_area } else { 20 })
                        .build_cartesian_2d(lo - pad..hi + pad, -0.5..n as f64 - 0.5)?;
                    let labels: Vec<String> =
                        others.iter().map(|&v| names[v].to_string()).collect();
                    let show = pi % 4 == 0;
                    ch.configure_mesh()
                        .disable_y_mesh()
                        .x_labels(5)
                        .light_line_style(WHITE.mix(0.0))
                        .y_labels(n)
                        .y_label_formatter(&|y| {
                            let i = y.round() as isize;
                            if show && (0..n as isize).contains(&i) && (y - i as f64).abs() < 0.01 {
                                labels[i as usize].clone()
                            } else {
                                String::new()
                            }
                        })
                        .x_desc(format!("difference [{}]", def.unit))
                        .label_style(("sans-serif", 12))
                        .draw()?;
                    ch.draw_series(std::iter::once(PathElement::new(
                        vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                        BLACK.stroke_width(1),
                    )))?;
                    for (row, m, l, h) in pts {
                        let col = colour(others[row]);
                        ch.draw_series(std::iter::once(ErrorBar::new_horizontal(
                            row as f64,
                            l,
                            m,
                            h,
                            col.stroke_width(2),
                            8,
                        )))?;
                        ch.draw_series(std::iter::once(Circle::new(
                            (m, row as f64),
                            4,
                            col.filled(),
                        )))?;
                    }
                }
                Ok(())
            }
        );
    }

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
    both!(out, "utilisation_by_hour", (1400, 800), |root| {
        let root = root.titled(
            &format!("Utilisation by hour of the week ({title_suffix})"),
            ("sans-serif", 22),
        )?;
        let panels = root.split_evenly((2, 1));
        for (panel, (role, label)) in panels.iter().zip([
            ("doctors", "Legevakt doctors (incl. video and home visits)"),
            ("lvs_nurses", "Legevaktsentral nurses (116117)"),
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
                .y_desc("busy ÷ scheduled")
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
