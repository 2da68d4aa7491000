//! Validation against queueing theory we did not write: Erlang C for M/M/c, and Cobham's formula
//! for a non-preemptive priority M/M/c queue.
//!
//! Tolerances: each test runs R independent replications; the 95 % CI over replications is the
//! simulator's own statement of its precision. We require (a) the theoretical value to lie inside
//! a widened interval — mean ± 2 × the 95 % half-width (≈ ±4 standard errors, so a correct
//! simulator fails with probability < 10⁻⁴) — and (b) the relative error to be below a stated
//! bound, so that a wide interval cannot hide a biased result. Warm-up removes the empty-start
//! bias; the residual bias over 150 days at ρ = 0.8 is far below the tolerance (relaxation time
//! ~ 1/(cμ(1−√ρ)²) ≈ 0.4 h here).

use crate::common::*;

/// Erlang C: probability of waiting, and mean wait, for c servers, arrival rate λ, service rate μ.
fn erlang_c(c: u32, lambda: f64, mu: f64) -> (f64, f64) {
    let a = lambda / mu;
    let rho = a / c as f64;
    assert!(rho < 1.0);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    // term is now a^c / c!
    let top = term / (1.0 - rho);
    let pw = top / (sum + top);
    (pw, pw / (c as f64 * mu - lambda))
}

/// Annual rate per 1000 inhabitants (population 10,000) for λ per minute.
fn per_1000(lambda_per_min: f64) -> f64 {
    lambda_per_min * 525_600.0 / 10.0
}

fn check(name: &str, sim: (f64, f64, f64), theory: f64, max_rel: f64) {
    let (m, lo, hi) = sim;
    let half = (hi - lo) / 2.0;
    let rel = (m - theory).abs() / theory;
    eprintln!(
        "{name}: simulated {m:.4} (95 % CI {lo:.4}–{hi:.4}), theory {theory:.4}, error {:.2} %",
        rel * 100.0
    );
    assert!(
        (m - theory).abs() <= 2.0 * half,
        "{name}: simulated {m:.4} (95 % CI {lo:.4}–{hi:.4}) vs theory {theory:.4}"
    );
    assert!(rel < max_rel, "{name}: relative error {rel:.4} ≥ {max_rel}");
}

#[test]
fn legevakt_mmc_matches_erlang_c() {
    // c = 3 doctors, mean consultation 15 min, ρ = 0.8 → λ = 0.16 /min (≈ 230 patients a day).
    let (c, mean, lambda) = (3, 15.0, 0.16);
    let scn = scenario(&mmc_station(c, mean, [0.0, 0.0, per_1000(lambda)]));
    let s = run(&scn, 20, 150.0, 5.0, 7, 0);
    let (pw, wq) = erlang_c(c, lambda, 1.0 / mean);
    // Theory: P(wait) = 0.6472, Wq = 16.18 min.
    assert!((pw - 0.6472).abs() < 1e-3 && (wq - 16.18).abs() < 0.01);
    // 20 × 150 days ≈ 690,000 patients: SE of the mean wait ≈ 1 %, of P(wait) ≈ 0.3 %.
    check(
        "mean wait [min]",
        kpi(&s, "legevakt_wait_mean_min_green"),
        wq,
        0.04,
    );
    check("P(wait)", kpi(&s, "legevakt_waited_share"), pw, 0.015);
    let util = kpi(&s, "legevakt_doctor_utilisation").0;
    assert!((util - 0.8).abs() < 0.01, "utilisation {util}");
}

#[test]
fn priority_queue_matches_cobham() {
    // Two classes, non-preemptive priority, equal service rates: Cobham (1954)
    //   W_k = (C(c,a) / (cμ)) / ((1 − σ_{k−1})(1 − σ_k)),  σ_k = Σ_{i≤k} λ_i / (cμ).
    // Red λ = 0.04 /min, green λ = 0.12 /min, c = 3, mean 15 min: ρ = 0.8 in total.
    let (c, mean) = (3, 15.0);
    let (lr, lg) = (0.04, 0.12);
    let scn = scenario(&mmc_station(c, mean, [per_1000(lr), 0.0, per_1000(lg)]));
    // 30 × 200 days: the green class has the largest variance (its waits absorb the red ones).
    let s = run(&scn, 30, 200.0, 5.0, 11, 0);
    let mu = 1.0 / mean;
    let (pw, _) = erlang_c(c, lr + lg, mu);
    let w0 = pw / (c as f64 * mu);
    let s1 = lr / (c as f64 * mu);
    let s2 = (lr + lg) / (c as f64 * mu);
    let w_red = w0 / (1.0 - s1);
    let w_green = w0 / ((1.0 - s1) * (1.0 - s2));
    // Theory: red 4.05 min, green 20.2 min.
    check(
        "red mean wait [min]",
        kpi(&s, "legevakt_wait_mean_min_red"),
        w_red,
        0.05,
    );
    check(
        "green mean wait [min]",
        kpi(&s, "legevakt_wait_mean_min_green"),
        w_green,
        0.05,
    );
}

#[test]
fn legevaktsentral_mmc_matches_erlang_c() {
    // The 116117 queue is first-come-first-served: 2 nurses, exponential calls of 7.8 min mean,
    // λ = 0.2 /min (ρ = 0.78); every call ends in advice.
    let (c, mean, lambda) = (2, 7.8, 0.2);
    let text = format!(
        r#"
name = "M/M/c legevaktsentral"
[[zones]]
name = "here"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
[demand.calls_116117]
per_1000_per_year = {{ red = 0.0, yellow = 0.0, green = {g} }}
[[legevaktsentral]]
name = "lvs"
nurses = [{{ days = "all", from = "00:00", to = "24:00", count = {c} }}]
handling_time_min = {{ dist = "exponential", mean = {mean} }}
[legevaktsentral.disposition]
red = {{ advice = 1, legevakt = 0, home_visit = 0, forward_113 = 0 }}
yellow = {{ advice = 1, legevakt = 0, home_visit = 0, forward_113 = 0 }}
green = {{ advice = 1, legevakt = 0, home_visit = 0, forward_113 = 0 }}
[[legevakt]]
name = "station"
lat = 60.0
lon = 10.0
open = [{{ days = "all", from = "00:00", to = "24:00" }}]
doctors = [{{ days = "all", from = "00:00", to = "24:00", count = 1 }}]
consultation_time_min = {{ dist = "constant", value = 15 }}
home_visit_time_min = {{ dist = "constant", value = 30 }}
"#,
        g = per_1000(lambda)
    );
    let scn = scenario(&text);
    let s = run(&scn, 20, 100.0, 3.0, 3, 0);
    let (_, wq) = erlang_c(c, lambda, 1.0 / mean);
    // Theory Wq = 12.1 min → 727 s; SE ≈ 1 % over 20 × 100 days.
    check(
        "mean answer time [s]",
        kpi(&s, "lvs_answer_time_mean_s"),
        wq * 60.0,
        0.05,
    );
}
