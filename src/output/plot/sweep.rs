//! `sweep_<name>`: each key KPI against the swept value of a parameter sweep, with the 95 % CIs
//! and the national target — the plot a sweep is run for ("how many ambulances reach 90 %?").

use super::{Res, colour, register_font};
use crate::analysis::Analysis;
use crate::base::kpi::{Kpi, KpiDef};
use crate::base::names::file_slug;
use crate::input::experiment::SweepAxis;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// The KPIs a sweep is plotted for, in panel order.
const SWEEP_KPIS: [Kpi; 9] = [
    Kpi::RedUrban12,
    Kpi::RedRural25,
    Kpi::RedFirstUnit,
    Kpi::YellowP90,
    Kpi::AmbUtil,
    Kpi::AmkWithin10s,
    Kpi::Travel40,
    Kpi::WaitP90Green,
    Kpi::CostTotal,
];

/// One sweep point of one assumption set: (value, mean, CI low, CI high), in the plot's unit.
type Point = (f64, f64, f64, f64);

/// Shares are plotted in per cent.
fn scale(def: &KpiDef) -> f64 {
    if def.unit == "share" { 100.0 } else { 1.0 }
}

/// The unit on a panel's axis (shares are plotted in per cent).
fn axis_unit(def: &KpiDef) -> &'static str {
    match def.unit {
        "share" => "%",
        u => u,
    }
}

/// The series of a KPI over a sweep: one per assumption set (one without sets).
fn series(a: &Analysis, axis: &SweepAxis, def: &KpiDef) -> Vec<(String, Vec<Point>)> {
    let k = scale(def);
    (0..a.set_count())
        .map(|s| {
            let pts = axis
                .points
                .iter()
                .filter_map(|(name, x)| {
                    let v = a.set_variants(s).iter().find(|v| &v.name == name)?;
                    let e = v.summary.kpi.get(def.name)?;
                    let m = e.mean?;
                    Some((
                        *x,
                        m * k,
                        e.ci95_low.unwrap_or(m) * k,
                        e.ci95_high.unwrap_or(m) * k,
                    ))
                })
                .collect();
            let label = a
                .assumptions
                .get(s)
                .cloned()
                .unwrap_or_else(|| a.name.clone());
            (label, pts)
        })
        .collect()
}

/// Write `sweep_<slug>.png|svg` for every sweep of the experiment.
pub fn sweeps(a: &Analysis, axes: &[SweepAxis], out: &Path) -> anyhow::Result<()> {
    for axis in axes {
        let stem = format!("sweep_{}", file_slug(&axis.name));
        let title = format!(
            "Key KPIs against {} (mean and 95 % CI; dashed: national target) — {}",
            axis.name, a.name
        );
        both!(out, &stem, (1500, 1150), |root| {
            panels(root, a, axis, &title)
        });
    }
    Ok(())
}

fn panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: &Analysis,
    axis: &SweepAxis,
    title: &str,
) -> Res
where
    DB::ErrorType: 'static,
{
    let root = root.titled(title, ("sans-serif", 20))?;
    let (x0, x1) = axis
        .points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
            (l.min(p.1), h.max(p.1))
        });
    let pad = ((x1 - x0) * 0.08).max(0.5);
    for (panel, kpi) in root.split_evenly((3, 3)).iter().zip(SWEEP_KPIS) {
        let def = kpi.def();
        let all = series(a, axis, def);
        let target = def.target.map(|t| t.value * scale(def));
        let (mut lo, mut hi) = all
            .iter()
            .flat_map(|(_, p)| p.iter())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                (l.min(p.2), h.max(p.3))
            });
        if let Some(t) = target {
            lo = lo.min(t);
            hi = hi.max(t);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if def.unit == "share" {
            (lo, hi) = ((lo - 5.0).max(0.0), (hi + 5.0).min(100.0));
        } else {
            let p = ((hi - lo) * 0.1).max(0.5);
            (lo, hi) = ((lo - p).max(0.0), hi + p);
        }
        let mut ch = ChartBuilder::on(panel)
            .caption(
                format!("{} [{}]", def.label, axis_unit(def)),
                ("sans-serif", 15),
            )
            .margin(10)
            .x_label_area_size(38)
            .y_label_area_size(55)
            .build_cartesian_2d(x0 - pad..x1 + pad, lo..hi)?;
        let integers = axis.points.iter().all(|p| p.1.fract() == 0.0);
        ch.configure_mesh()
            .x_labels(axis.points.len().min(10))
            .x_label_formatter(&|x: &f64| {
                if integers {
                    if x.fract().abs() < 1e-9 {
                        format!("{x:.0}")
                    } else {
                        String::new()
                    }
                } else {
                    format!("{x}")
                }
            })
            .x_desc(axis.name.as_str())
            .label_style(("sans-serif", 12))
            .draw()?;
        if let Some(t) = target {
            ch.draw_series(DashedLineSeries::new(
                [(x0 - pad, t), (x1 + pad, t)],
                6,
                4,
                RGBColor(200, 30, 30).stroke_width(2),
            ))?;
        }
        for (i, (label, pts)) in all.iter().enumerate() {
            let col = colour(i);
            for &(x, m, l, h) in pts {
                ch.draw_series(std::iter::once(ErrorBar::new_vertical(
                    x,
                    l,
                    m,
                    h,
                    col.stroke_width(2),
                    10,
                )))?;
            }
            let s = ch.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0, p.1)),
                col.stroke_width(2),
            ))?;
            if all.len() > 1 {
                s.label(label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(3))
                });
            }
            ch.draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 4, col.filled())))?;
        }
        if all.len() > 1 {
            ch.configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 11))
                .draw()?;
        }
    }
    Ok(())
}
