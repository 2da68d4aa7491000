//! Validation against queueing theory we did not write: Erlang C for M/M/c, Erlang A for M/M/c+M
//! (callers who hang up), and Cobham's formula for a non-preemptive priority M/M/c queue.
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
    let text = lvs_model(c, lambda, "");
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

/// Erlang A (M/M/c+M, Palm 1943; Garnett, Mandelbaum & Reiman 2002): the birth–death chain with
/// arrival rate λ, service rate μ per server and abandonment rate θ per waiting caller, solved
/// numerically (truncated where the terms are negligible). Returns P(abandon) = θ·E[queue] ÷ λ
/// and P(wait > 0) (PASTA: an arrival finds all c servers busy).
fn erlang_a(c: u32, lambda: f64, mu: f64, theta: f64) -> (f64, f64) {
    let mut pi = vec![1.0f64];
    for n in 1..20_000u32 {
        let death = f64::from(n.min(c)) * mu + f64::from(n.saturating_sub(c)) * theta;
        let next = pi[pi.len() - 1] * lambda / death;
        pi.push(next);
        if n > c && next < 1e-18 {
            break;
        }
    }
    let total: f64 = pi.iter().sum();
    let queue: f64 = pi
        .iter()
        .enumerate()
        .map(|(n, p)| p * (n as f64 - f64::from(c)).max(0.0))
        .sum::<f64>()
        / total;
    let busy: f64 = pi[c as usize..].iter().sum::<f64>() / total;
    (theta * queue / lambda, busy)
}

/// A legevaktsentral with `c` nurses, exponential handling (mean 7.8 min), Poisson calls at
/// λ /min, and `lvs_lines` added to its entry; every answered call ends in advice.
fn lvs_model(c: u32, lambda: f64, lvs_lines: &str) -> String {
    format!(
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
handling_time_min = {{ dist = "exponential", mean = 7.8 }}
{lvs_lines}
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
    )
}

/// [`lvs_model`] whose callers hang up after an exponential patience (mean `patience_mean`
/// min); `redial` adds the redial fields.
fn lvs_abandonment(c: u32, lambda: f64, patience_mean: f64, redial: &str) -> String {
    lvs_model(
        c,
        lambda,
        &format!(
            "abandonment = {{ patience_min = {{ dist = \"exponential\", mean = {patience_mean} }}{redial} }}"
        ),
    )
}

#[test]
fn legevaktsentral_with_hang_ups_matches_erlang_a() {
    // Two loads: ρ = 0.78 with 2-min patience, and an overloaded centre (ρ = 1.17, which only
    // abandonment keeps stable) with 5-min patience. 20 × 60 days ≈ 350,000–520,000 calls: the
    // SE of the abandoned share is under 1 % of it.
    for (c, lambda, patience) in [(2, 0.2, 2.0), (2, 0.3, 5.0)] {
        let scn = scenario(&lvs_abandonment(c, lambda, patience, ""));
        let s = run(&scn, 20, 60.0, 3.0, 5, 0);
        let (p_ab, _) = erlang_a(c, lambda, 1.0 / 7.8, 1.0 / patience);
        check(
            &format!("abandoned share, λ = {lambda}, patience {patience} min"),
            kpi(&s, "lvs_abandoned_share"),
            p_ab,
            0.03,
        );
    }
    // The theory itself, computed by hand for one case: c = 1, λ = μ = θ = 1 gives
    // π_n = 1/n!, so P(abandon) = Σ (n−1)·π_n / Σ π_n = (e − (e − 1)) ÷ e = 1/e.
    let (p, busy) = erlang_a(1, 1.0, 1.0, 1.0);
    assert!((p - (-1.0f64).exp()).abs() < 1e-9, "{p}");
    assert!((busy - (1.0 - (-1.0f64).exp())).abs() < 1e-9, "{busy}");
}

#[test]
fn callers_who_hang_up_call_again_in_the_stated_share() {
    // Overloaded (ρ = 1.17), 5-min patience, 60 % call again after 2 min. Every need ends
    // answered or given up: needs = answered + gave up (+ still in the chain); a hang-up is
    // followed by a redial with p = 0.6, so the given-up calls are 40 % of the hang-ups
    // (binomial SD over ≈ 100,000 hang-ups ≈ 0.0015: tolerance 0.01).
    let text = lvs_abandonment(
        2,
        0.3,
        5.0,
        r#", redial_share = 0.6, redial_after_min = { dist = "exponential", mean = 2 }"#,
    );
    let s = run(&scenario(&text), 4, 60.0, 0.0, 9, 0);
    let gave_up = s.outcomes["hung_up_without_calling_again"] as f64;
    let advice = s.outcomes["telephone_advice"] as f64;
    let p = &s.patients;
    assert_eq!(p.generated, p.completed + p.in_system_at_end);
    assert_eq!(p.completed as f64, gave_up + advice);
    // Hang-ups from the KPI: share a of attempts, answered attempts = advice (+ those in a call).
    let a = kpi(&s, "lvs_abandoned_share").0;
    let hang_ups = a / (1.0 - a) * advice;
    let share = gave_up / hang_ups;
    assert!(
        (share - 0.4).abs() < 0.01,
        "gave up after hanging up: {share}"
    );
    // Redials add calls: more attempts than needs.
    assert!(hang_ups - gave_up > 0.5 * hang_ups, "{hang_ups} {gave_up}");
}

#[test]
fn amk_callers_with_no_patience_see_erlang_b() {
    // 113 callers who hang up at once when no operator is free make the AMK a loss system,
    // M/G/c/c: the share lost is Erlang B, whatever the distribution of the handling time.
    // c = 2 operators, handling 2 min, λ = 0.75 /min (offered load 1.5 Erlang):
    // B = (1.5²/2) ÷ (1 + 1.5 + 1.5²/2) = 0.3103. 10 × 10 days ≈ 108,000 calls: SE ≈ 0.5 %.
    let zones = r#"
[[zones]]
name = "Dal"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
"#;
    let text = crate::travel::red_model(zones, 0.75 * 525_600.0 / 10.0, "")
        .replace(
            "count = 20 }]\nhandling_time_min",
            "count = 2 }]\nabandonment = { patience_min = { dist = \"constant\", value = 0 } }\nhandling_time_min",
        );
    assert!(text.contains("abandonment"), "the model was edited");
    let s = run(&scenario(&text), 10, 10.0, 1.0, 4, 0);
    let b = (1.5f64.powi(2) / 2.0) / (1.0 + 1.5 + 1.5f64.powi(2) / 2.0);
    check(
        "113 calls lost (Erlang B)",
        kpi(&s, "amk_abandoned_share"),
        b,
        0.03,
    );
    // Nobody waits: every answered call was answered at once, so the attempts answered within
    // 10 s (hung-up attempts count as not answered in time) are exactly the ones not lost.
    let within = kpi(&s, "amk_answered_within_10s_share").0;
    let lost = kpi(&s, "amk_abandoned_share").0;
    assert!((within + lost - 1.0).abs() < 1e-9, "{within} + {lost}");
}

#[test]
fn calls_with_no_new_need_load_the_nurses_as_erlang_c_says() {
    // The M/M/2 legevaktsentral of `legevaktsentral_mmc_matches_erlang_c`, with its λ = 0.2 /min
    // split: 0.12 /min of needs and 0.08 /min of administrative and repeat calls. The queue sees
    // the sum, so the mean answer time is Erlang C's for λ = 0.2 (727 s; SE ≈ 1 %, tolerance 5 %),
    // and two in five answered calls are "other" calls (SD ≈ 0.001 over ≈ 570,000 calls).
    let text = lvs_model(
        2,
        0.12,
        &format!("other_calls_per_1000_per_year = {}", per_1000(0.08)),
    );
    let s = run(&scenario(&text), 20, 100.0, 3.0, 3, 0);
    let (_, wq) = erlang_c(2, 0.2, 1.0 / 7.8);
    check(
        "mean answer time with other calls [s]",
        kpi(&s, "lvs_answer_time_mean_s"),
        wq * 60.0,
        0.05,
    );
    let other = s.outcomes["other_116117_call_answered"] as f64;
    let advice = s.outcomes["telephone_advice"] as f64;
    let share = other / (other + advice);
    assert!((share - 0.4).abs() < 0.01, "share of other calls {share}");
    // The needs themselves are the same as without the other calls (their own streams).
    let base = scenario(&lvs_model(2, 0.12, ""));
    let sp = spec(10.0, 0.0, 3);
    let a = replications(&scenario(&text), 1, &sp, 1);
    let b = replications(&base, 1, &sp, 1);
    assert_eq!(a[0].demand_fingerprint, b[0].demand_fingerprint);
}

#[test]
fn two_amk_centres_are_two_loss_systems_not_one_pool() {
    // Two zones of 10,000 in kommuner 1111 and 2222; [amk] answers for 1111 with 1 operator and
    // a further centre answers for 2222 with 1 operator. Callers with no patience, handling 2
    // min, λ = 0.375 /min per zone (0.75 Erlang each): each centre loses B(1, 0.75) = 0.75 ÷ 1.75
    // = 0.4286 of its calls; one pool of 2 operators would lose B(2, 1.5) = 0.3103.
    // 10 × 10 days ≈ 108,000 calls: SE ≈ 0.4 %, tolerance 3 %.
    let zones = r#"
[[zones]]
name = "Nord"
population = 10000
lat = 60.0
lon = 10.0
class = "urban"
kommune = "1111"
[[zones]]
name = "Sør"
population = 10000
lat = 60.01
lon = 10.0
class = "urban"
kommune = "2222"
"#;
    let text = crate::travel::red_model(zones, 0.375 * 525_600.0 / 10.0, "").replace(
        "count = 20 }]\nhandling_time_min",
        "count = 1 }]\nabandonment = { patience_min = { dist = \"constant\", value = 0 } }\ncentres = [{ name = \"AMK Sør\", operators = [{ days = \"all\", from = \"00:00\", to = \"24:00\", count = 1 }], kommuner = [\"2222\"] }]\nhandling_time_min",
    );
    assert!(text.contains("centres"), "the model was edited");
    let scn = scenario(&text);
    assert_eq!(scn.amk.as_ref().unwrap().centres.len(), 1);
    let s = run(&scn, 10, 10.0, 1.0, 4, 0);
    let b1 = 0.75 / 1.75;
    check(
        "113 calls lost per centre (Erlang B, c = 1)",
        kpi(&s, "amk_abandoned_share"),
        b1,
        0.03,
    );
    // The same demand with both zones on [amk]'s operators, now 2: the pooled loss.
    let pooled = scenario(
        &text
            .replace("count = 1 }]\nabandonment", "count = 2 }]\nabandonment")
            .replace("kommuner = [\"2222\"]", "kommuner = [\"3333\"]"),
    );
    let s = run(&pooled, 10, 10.0, 1.0, 4, 0);
    let b2 = (1.5f64.powi(2) / 2.0) / (1.0 + 1.5 + 1.5f64.powi(2) / 2.0);
    check(
        "113 calls lost, one pool of 2 (Erlang B)",
        kpi(&s, "amk_abandoned_share"),
        b2,
        0.03,
    );
}
