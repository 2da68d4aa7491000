//! `report.html`: one self-contained page per run or experiment (inline CSS and SVG, no script,
//! no network), for a planner to read or print: the targets met or not, the paired comparison
//! with what is significant, every KPI in plain words, the plots and maps, the model's stated
//! assumptions and the sources.
//!
//! Every KPI value cell carries `data-kpi`, `data-variant` and `data-mean` (the number of
//! `summary.json`), so a test — or a user's script — can read the page against the data.

use super::lines::{self, KpiLine};
use crate::analysis::{Analysis, ComparisonRow};
use crate::base::kpi::{KPI_DEFS, Part};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The citation list every `[Key]` refers to (shipped with the models).
const SOURCES_MD: &str = include_str!("../../models/SOURCES.md");

/// Stated assumptions shown at most (the rest are counted, and listed in the files).
const MAX_ASSUMPTIONS: usize = 300;

/// What the report is about, besides the analysis.
pub struct Context<'a> {
    /// "run" or "experiment".
    pub command: &'a str,
    /// The model or experiment file.
    pub file: &'a Path,
    /// Every input file (model, experiment, included tables), for the stated assumptions.
    pub inputs: &'a [PathBuf],
    /// The folder relative paths are shown against.
    pub base: &'a Path,
    /// Description of the experiment (empty for a run).
    pub description: &'a str,
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:1180px;
padding:1.2em 1.5em 4em;color:#1d2430;line-height:1.45}
h1{font-size:1.7em;margin:.2em 0}h2{margin-top:1.8em;border-bottom:2px solid #d8dee8;padding-bottom:.2em}
h3{margin:1.2em 0 .4em}.meta{color:#556;font-size:.95em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.93em}
th,td{padding:.28em .7em;border-bottom:1px solid #e4e8ef;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td{white-space:nowrap}td.wrap{white-space:normal}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.part td{background:#fafbfd;font-weight:600;color:#334}
.met{background:#d9f2df;color:#135c25}.notmet{background:#fbdcdc;color:#8a1414}
.borderline{background:#fff1cc;color:#6b4e00}.badge{border-radius:.8em;padding:.05em .6em;font-size:.85em;white-space:nowrap}
.sig{font-weight:600}.note{background:#f3f5f9;border-left:4px solid #8aa0c0;padding:.6em 1em;margin:1em 0}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto;border:1px solid #e4e8ef}
figcaption{color:#556;font-size:.9em;margin-top:.3em}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
code{background:#f3f5f9;padding:0 .25em;border-radius:3px;font-size:.9em}
ol.sources li,ul.assumptions li{margin:.25em 0;font-size:.92em}
@media print{details{display:block}summary{display:none}figure{break-inside:avoid}}
";

/// The page, as bytes.
pub fn render(a: &Analysis, ctx: &Context, out: &Path) -> anyhow::Result<Vec<u8>> {
    let mut h = String::with_capacity(1 << 20);
    let title = if ctx.command == "experiment" {
        format!("{} — experiment report", a.name)
    } else {
        format!("{} — run report", a.name)
    };
    write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        text(&title)
    )?;
    // The KPI lines of every (set, variant) cell, in `a.variants` order.
    let per_variant: Vec<Vec<KpiLine>> = a
        .variants
        .iter()
        .map(|v| lines::kpi_lines(&v.summary))
        .collect();
    header(&mut h, a, ctx)?;
    targets(&mut h, a, &per_variant)?;
    if a.variants.len() > 1 {
        differences(&mut h, a)?;
    }
    all_kpis(&mut h, a, &per_variant)?;
    figures(&mut h, out)?;
    let cited = assumptions(&mut h, ctx)?;
    sources(&mut h, &per_variant, cited)?;
    write!(
        h,
        "<p class=\"meta\">Written by akuttsim {} (source revision {}). The same files, seed and \
         version give this page byte for byte.</p>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        text(super::report::SOURCE_REVISION)
    )?;
    Ok(h.into_bytes())
}

fn header(h: &mut String, a: &Analysis, ctx: &Context) -> anyhow::Result<()> {
    writeln!(h, "<h1>{}</h1>", text(&a.name))?;
    if !ctx.description.is_empty() {
        writeln!(h, "<p>{}</p>", text(ctx.description))?;
    }
    let sets = if a.assumptions.is_empty() {
        String::new()
    } else {
        format!("{} assumption sets × ", a.assumptions.len())
    };
    let variants = if a.set_variants(0).len() > 1 {
        format!("{} variants × ", a.set_variants(0).len())
    } else {
        String::new()
    };
    writeln!(
        h,
        "<p class=\"meta\" id=\"spec\">{sets}{variants}{} replications × {} measured days (after \
         {} warm-up days), seed {}. Reproduce: <code>akuttsim {} {} --seed {} --replications {} \
         --days {} --warmup-days {}</code></p>",
        a.replications,
        a.spec.days,
        a.spec.warmup_days,
        a.spec.seed,
        ctx.command,
        text(&relative(ctx.file, ctx.base)),
        a.spec.seed,
        a.replications,
        a.spec.days,
        a.spec.warmup_days
    )?;
    if let Some(f) = &a.variants[0].summary.facilities {
        writeln!(
            h,
            "<p class=\"note\"><b>Facilities:</b> {}. Of {} facilities, {} are placed by rule \
             (<code>[assumption]</code>).</p>",
            text(&f.note),
            f.total,
            f.placed_by_rule
        )?;
    }
    writeln!(
        h,
        "<p class=\"note\">Every figure is the mean over replications with its 95 % confidence \
         interval (Student t). A target counts as <span class=\"badge met\">met</span> or \
         <span class=\"badge notmet\">not met</span> only when the whole interval is on one side; \
         <span class=\"badge borderline\">borderline</span> means the interval contains the \
         target, and more replications may tell.</p>"
    )?;
    Ok(())
}

/// The value cell of a KPI line, with the data attributes.
fn value_cell(l: &KpiLine, variant: &str) -> String {
    let mean = l.mean.map(|m| format!("{m}")).unwrap_or_default();
    format!(
        "<td class=\"num\" data-kpi=\"{}\" data-variant=\"{}\" data-mean=\"{}\">{}</td>",
        l.kpi,
        attr(variant),
        mean,
        text(&lines::value(l.mean, l.unit))
    )
}

fn badge(verdict: &str) -> String {
    if verdict.is_empty() {
        return String::new();
    }
    let class = verdict.replace(' ', "");
    format!("<span class=\"badge {class}\">{verdict}</span>")
}

fn targets(h: &mut String, a: &Analysis, per_variant: &[Vec<KpiLine>]) -> anyhow::Result<()> {
    writeln!(h, "<h2 id=\"targets\">The national targets</h2>")?;
    write!(h, "<table>\n<tr><th>KPI</th><th>target</th>")?;
    for v in &a.variants {
        write!(h, "<th colspan=\"2\">{}</th>", text(&v.label()))?;
    }
    writeln!(h, "<th>published</th></tr>")?;
    for d in KPI_DEFS.iter().filter(|d| d.target.is_some()) {
        let Some(first) = per_variant[0].iter().find(|l| l.kpi == d.name) else {
            continue;
        };
        write!(
            h,
            "<tr><td>{}</td><td>{}</td>",
            text(d.label),
            text(&lines::target(first))
        )?;
        for (v, ls) in a.variants.iter().zip(per_variant) {
            match ls.iter().find(|l| l.kpi == d.name) {
                Some(l) => write!(
                    h,
                    "{}<td>{}</td>",
                    value_cell(l, &v.label()),
                    badge(l.target_met)
                )?,
                None => write!(h, "<td></td><td></td>")?,
            }
        }
        writeln!(h, "<td>{}</td></tr>", text(&lines::national(first)))?;
    }
    writeln!(h, "</table>")?;
    Ok(())
}

fn differences(h: &mut String, a: &Analysis) -> anyhow::Result<()> {
    writeln!(
        h,
        "<h2 id=\"differences\">Differences from the baseline</h2>"
    )?;
    writeln!(
        h,
        "<p>Paired differences (variant − baseline): every variant sees the same patients on the \
         same seed, so the difference is measured replication by replication. \
         <b>Significant</b>: the 95 % CI of the difference excludes 0. pp = percentage points.</p>"
    )?;
    let base = &a.set_variants(0)[a.baseline].name;
    for v in a.variants.iter().filter(|v| &v.name != base) {
        writeln!(h, "<h3>{} vs {}</h3>", text(&v.label()), text(base))?;
        writeln!(
            h,
            "<table>\n<tr><th>KPI</th><th>baseline</th><th>variant</th><th>difference</th>\
             <th>95 % CI</th><th></th></tr>"
        )?;
        let rows: Vec<&ComparisonRow> = a
            .comparison
            .iter()
            .filter(|r| r.variant == v.name && r.assumptions == v.assumptions)
            .collect();
        for d in KPI_DEFS {
            let Some(r) = rows.iter().find(|r| r.kpi == d.name) else {
                continue;
            };
            let (Some(diff), Some(lo), Some(hi)) = (r.difference, r.ci95_low, r.ci95_high) else {
                continue;
            };
            let sig = r.significant();
            writeln!(
                h,
                "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\" data-kpi=\"{}\" data-variant=\"{}\" data-difference=\"{diff}\">{}</td>\
                 <td class=\"num\">{} – {}</td><td>{}</td></tr>",
                if sig { " class=\"sig\"" } else { "" },
                text(d.label),
                text(&lines::value(r.baseline_mean, d.unit)),
                text(&lines::value(r.variant_mean, d.unit)),
                d.name,
                attr(&v.label()),
                text(&lines::signed(diff, d.unit)),
                text(&lines::signed(lo, d.unit)),
                text(&lines::signed(hi, d.unit)),
                if sig { "significant" } else { "" }
            )?;
        }
        writeln!(h, "</table>")?;
    }
    if !a.robustness.is_empty() {
        writeln!(
            h,
            "<p>With assumption sets: a difference is <b>robust</b> when it is significant, with \
             one sign, under every set — see <code>robustness.csv</code>.</p>"
        )?;
    }
    Ok(())
}

fn all_kpis(h: &mut String, a: &Analysis, per_variant: &[Vec<KpiLine>]) -> anyhow::Result<()> {
    writeln!(h, "<h2 id=\"kpis\">Every KPI</h2>")?;
    for (i, (v, ls)) in a.variants.iter().zip(per_variant).enumerate() {
        writeln!(
            h,
            "<details{}><summary>{}</summary>",
            if i == 0 { " open" } else { "" },
            text(&v.label())
        )?;
        writeln!(
            h,
            "<table>\n<tr><th>KPI</th><th>mean</th><th>95 % CI</th><th>target</th><th></th>\
             <th>published</th><th>source</th></tr>"
        )?;
        for part in Part::ALL {
            let in_part: Vec<&KpiLine> = ls.iter().filter(|l| l.part == part.title()).collect();
            if in_part.is_empty() {
                continue;
            }
            writeln!(
                h,
                "<tr class=\"part\"><td colspan=\"7\">{}</td></tr>",
                part.title()
            )?;
            for l in in_part {
                writeln!(
                    h,
                    "<tr><td title=\"{}\">{}</td>{}<td class=\"num\">{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td class=\"wrap\">{}</td></tr>",
                    attr(l.def.description),
                    text(l.label),
                    value_cell(l, &v.label()),
                    text(&lines::ci(l)),
                    text(&lines::target(l)),
                    badge(l.target_met),
                    text(&lines::national(l)),
                    text(l.source)
                )?;
            }
        }
        writeln!(h, "</table>\n</details>")?;
    }
    Ok(())
}

/// The plots and maps the run wrote, inline, in reading order.
fn figures(h: &mut String, out: &Path) -> anyhow::Result<()> {
    let mut svgs: Vec<String> = std::fs::read_dir(out)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    let rank = |n: &str| {
        [
            "kpi_targets",
            "differences",
            "sweep",
            "response_cdf",
            "utilisation",
            "map_response",
            "map_travel",
        ]
        .iter()
        .position(|p| n.starts_with(p))
        .unwrap_or(99)
    };
    svgs.sort_by(|x, y| (rank(x), x).cmp(&(rank(y), y)));
    let (plots, maps): (Vec<String>, Vec<String>) =
        svgs.into_iter().partition(|n| !n.starts_with("map_"));
    for (title, id, files) in [("Plots", "plots", plots), ("Maps", "maps", maps)] {
        if files.is_empty() {
            continue;
        }
        writeln!(h, "<h2 id=\"{id}\">{title}</h2>")?;
        for f in files {
            let svg = std::fs::read_to_string(out.join(&f))?;
            let svg = svg.trim_start_matches(|c| c != '<');
            let svg = match svg.strip_prefix("<?xml") {
                Some(rest) => &rest[rest.find("?>").map_or(0, |i| i + 2)..],
                None => svg,
            };
            writeln!(
                h,
                "<figure>{}<figcaption>{} (also as PNG and SVG in the output folder)</figcaption></figure>",
                svg.trim(),
                text(&f)
            )?;
        }
    }
    Ok(())
}

/// The lines of the input files labelled `[assumption]` (and its kinds); returns the source keys
/// they cite.
fn assumptions(h: &mut String, ctx: &Context) -> anyhow::Result<BTreeSet<String>> {
    let mut found: Vec<(String, usize, String)> = Vec::new();
    let mut cited = BTreeSet::new();
    for p in ctx.inputs {
        if p.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let Ok(body) = std::fs::read_to_string(p) else {
            continue;
        };
        for (i, line) in body.lines().enumerate() {
            if line.contains("assumption]") && !line.trim_start().starts_with("[[") {
                cited.extend(keys(line));
                found.push((relative(p, ctx.base), i + 1, line.trim().to_string()));
            }
        }
    }
    writeln!(
        h,
        "<h2 id=\"assumptions\">The model's stated assumptions</h2>"
    )?;
    writeln!(
        h,
        "<p>{} lines of the model's files are labelled <code>[assumption]</code>: no published \
         Norwegian figure was found, so the value is a modelling choice. Results that hinge on \
         one must not be presented as facts; an experiment's <code>[[assumptions]]</code> sets \
         test whether a conclusion survives them.</p>",
        found.len()
    )?;
    if found.is_empty() {
        return Ok(cited);
    }
    writeln!(
        h,
        "<details><summary>Show them</summary><ul class=\"assumptions\">"
    )?;
    for (file, line, t) in found.iter().take(MAX_ASSUMPTIONS) {
        writeln!(h, "<li><code>{}:{line}</code> {}</li>", text(file), text(t))?;
    }
    if found.len() > MAX_ASSUMPTIONS {
        writeln!(
            h,
            "<li>… and {} more in the files.</li>",
            found.len() - MAX_ASSUMPTIONS
        )?;
    }
    writeln!(h, "</ul></details>")?;
    Ok(cited)
}

/// The `[Key]` citations of a text (keys are letters, digits and dashes, starting with a
/// capital letter).
fn keys(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find(']') else { break };
        let k = &rest[..j];
        if k.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            out.push(k.to_string());
        }
        rest = &rest[j..];
    }
    out
}

/// The full citation of every key the KPIs and the assumptions cite, from `models/SOURCES.md`.
fn sources(
    h: &mut String,
    per_variant: &[Vec<KpiLine>],
    mut cited: BTreeSet<String>,
) -> anyhow::Result<()> {
    for l in per_variant.iter().flatten() {
        cited.extend(keys(l.source));
    }
    writeln!(h, "<h2 id=\"sources\">Sources</h2>")?;
    writeln!(
        h,
        "<p>The publications the KPI targets, the published figures and the assumptions above \
         cite (the full list, with what is taken from each: <code>models/SOURCES.md</code>).</p>"
    )?;
    writeln!(h, "<ol class=\"sources\">")?;
    for k in &cited {
        match citation(k) {
            Some(c) => writeln!(
                h,
                "<li id=\"src-{}\"><b>[{}]</b> {}</li>",
                attr(k),
                text(k),
                text(&c)
            )?,
            None => writeln!(h, "<li><b>[{}]</b> (see the model files)</li>", text(k))?,
        }
    }
    writeln!(h, "</ol>")?;
    Ok(())
}

/// The citation of a key: its paragraph in `SOURCES.md`, up to what the project takes from it.
fn citation(key: &str) -> Option<String> {
    let head = format!("**[{key}]**");
    let start = SOURCES_MD.find(&head)? + head.len();
    let para = &SOURCES_MD[start..];
    let para = &para[..para.find("\n\n").unwrap_or(para.len())];
    let para = para.replace('\n', " ").replace(['*', '`'], "");
    let cut = ["Taken", "Used:", "Used for", "Values:"]
        .iter()
        .filter_map(|m| para.find(m))
        .min()
        .unwrap_or(para.len());
    Some(para[..cut].trim().to_string())
}

/// `p` relative to `base` (the model's folder), so that the page does not depend on where it
/// was run from.
fn relative(p: &Path, base: &Path) -> String {
    pathdiff::diff_paths(p, base)
        .unwrap_or_else(|| p.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_found_for_the_kpi_sources() {
        assert_eq!(
            keys("a [MeldSt23-2025] b [assumption] [x y]"),
            vec!["MeldSt23-2025"]
        );
        let c = citation("MeldSt23-2025").expect("the key is in SOURCES.md");
        assert!(c.starts_with("Helse- og omsorgsdepartementet."), "{c}");
        assert!(citation("NoSuchKey").is_none());
    }
}
