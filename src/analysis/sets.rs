//! Experiments with assumption sets (`[[assumptions]]`): each set is analysed on its own, as an
//! experiment of its variants (summaries, paired comparisons with the baseline *within* the
//! set, tables), then the sets are merged in file order with every row tagged with its set, and
//! the robustness table ([`super::robust`]) is computed across the sets.

use super::{Analysis, TraceRows, VariantAnalysis, VariantInput, analyse as analyse_variants};
use crate::input::experiment::{AssumptionSet, Experiment};
use crate::sim::ReplicationResult;

/// Analyse an experiment with assumption sets from its results, one per (set, variant) in the
/// order of `Experiment::cells`.
pub fn analyse(exp: &Experiment, results: &[Vec<ReplicationResult>]) -> Analysis {
    let nv = exp.variants.len();
    let mut parts = Vec::with_capacity(exp.assumptions.len());
    for (s, set) in exp.assumptions.iter().enumerate() {
        let inputs: Vec<VariantInput> = set
            .variants
            .iter()
            .zip(&results[s * nv..(s + 1) * nv])
            .map(|(v, r)| VariantInput {
                name: &v.name,
                slug: &v.slug,
                scenario: &v.scenario,
                results: r,
            })
            .collect();
        let mut a = analyse_variants(
            &exp.name,
            &exp.description,
            &exp.spec,
            exp.replications,
            &inputs,
            exp.baseline,
        );
        tag(&mut a, set);
        parts.push(a);
    }
    let mut parts = parts.into_iter();
    let mut out = parts
        .next()
        .expect("an experiment with sets has at least one");
    for a in parts {
        out.variants.extend(a.variants);
        out.comparison.extend(a.comparison);
        out.kpi_rows.extend(a.kpi_rows);
        out.hourly.extend(a.hourly);
        out.stations.extend(a.stations);
        out.legevakt_stations.extend(a.legevakt_stations);
        out.zones.extend(a.zones);
        out.trace = match (out.trace.take(), a.trace) {
            (Some(mut t), Some(u)) => {
                t.vehicles.extend(u.vehicles);
                t.responses.extend(u.responses);
                t.patients.extend(u.patients);
                Some(t)
            }
            (t, u) => t.or(u),
        };
    }
    out.assumptions = exp.assumptions.iter().map(|s| s.name.clone()).collect();
    out.robustness = super::robust::robustness(&out.comparison, &out.assumptions);
    out
}

/// Mark every row of one set's analysis with the set; its plots get `<set>_<variant>` names.
fn tag(a: &mut Analysis, set: &AssumptionSet) {
    let name = || Some(set.name.clone());
    for v in &mut a.variants {
        v.assumptions = name();
        v.slug = format!("{}_{}", set.slug, v.slug);
    }
    a.comparison.iter_mut().for_each(|r| r.assumptions = name());
    a.kpi_rows.iter_mut().for_each(|r| r.assumptions = name());
    a.hourly.iter_mut().for_each(|r| r.assumptions = name());
    a.stations.iter_mut().for_each(|r| r.assumptions = name());
    a.legevakt_stations
        .iter_mut()
        .for_each(|r| r.assumptions = name());
    a.zones.iter_mut().for_each(|r| r.assumptions = name());
    if let Some(TraceRows {
        vehicles,
        responses,
        patients,
    }) = &mut a.trace
    {
        vehicles.iter_mut().for_each(|r| r.assumptions = name());
        responses.iter_mut().for_each(|r| r.assumptions = name());
        patients.iter_mut().for_each(|r| r.assumptions = name());
    }
}

impl Analysis {
    /// Assumption sets analysed: 1 without `[[assumptions]]` (the model as it is).
    pub fn set_count(&self) -> usize {
        self.assumptions.len().max(1)
    }

    /// The variants under set `s` (0 without sets), in variant order.
    pub fn set_variants(&self, s: usize) -> &[VariantAnalysis] {
        let nv = self.variants.len() / self.set_count();
        &self.variants[s * nv..(s + 1) * nv]
    }
}

impl VariantAnalysis {
    /// The name shown in legends and titles: the variant's, with its assumption set after it
    /// when there are sets.
    pub fn label(&self) -> String {
        match &self.assumptions {
            None => self.name.clone(),
            Some(s) => format!("{} — {s}", self.name),
        }
    }
}
