#!/usr/bin/env python3
"""Print the README's structural-answer table from an experiment's robustness.csv.

Usage: python3 contrib/structure_table.py output/romsdal-structures/robustness.csv

Each cell is the range of the paired difference from the baseline over the assumption sets;
bold when robust (significant, one sign, in every set); "n.s." when significant in no set.
Shares are shown in percentage points. Rows marked ¹ are true by construction (see README).
"""
import csv
import sys

ROWS = [
    ("legevakt_travel_within_40min_population_share", "population within 40 min of the legevakt used ¹", "pp"),
    ("legevakt_wait_p90_min_green", "green p90 wait", "min"),
    ("legevakt_doctor_utilisation", "doctor utilisation", "pp"),
    ("needs_suppressed_by_distance_per_1000", "needs kept away by distance", "/1000/yr"),
    ("assessment_missions_per_1000", "assessment missions", "/1000/yr"),
    ("legevakt_arrivals_by_ambulance_per_1000", "brought to the legevakt by ambulance", "/1000/yr"),
    ("ambulance_missions_per_1000", "ambulance missions, all kinds", "/1000/yr"),
    ("red_response_within_12min_urban_share", "red urban ambulance ≤ 12 min", "pp"),
    ("indicator_red_urban_within_12min_share", "indicator: red in tettbygd kommuner ≤ 12 min", "pp"),
    ("red_first_unit_within_target_share", "red: first unit of any kind within target", "pp"),
    ("red_events_with_doctor_share", "legevakt (doctor or nurse) at red events", "pp"),
    ("yellow_response_p90_min", "yellow p90 response (first unit)", "min"),
    ("legevakt_hours_without_doctor_per_week", "station hours with every doctor out", "h/week"),
    ("legevakt_night_hours_per_doctor_per_month", "night hours per rota doctor ¹", "h/month"),
    ("cost_total_mnok_per_year", "cost of the modelled chain ¹", "MNOK/yr"),
]


def num(x: float) -> str:
    a = abs(x)
    if a >= 10:
        return f"{x:+.0f}"
    if a >= 1:
        return f"{x:+.1f}"
    return f"{x:+.2f}"


def main(path: str) -> None:
    rows = list(csv.DictReader(open(path, newline="", encoding="utf-8")))
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    by = {(r["variant"], r["kpi"]): r for r in rows}
    print("| KPI (difference from the pilot) | unit | " + " | ".join(variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    for kpi, label, unit in ROWS:
        cells = []
        for v in variants:
            r = by.get((v, kpi))
            if r is None or r["difference_min"] == "":
                cells.append("–")
                continue
            scale = 100.0 if r["unit"] == "share" else 1.0
            lo, hi = float(r["difference_min"]) * scale, float(r["difference_max"]) * scale
            if r["significant_sets"] == "0":
                cells.append("n.s.")
                continue
            text = num(lo) if num(lo) == num(hi) else f"{num(lo)} … {num(hi)}"
            cells.append(f"**{text}**" if r["robust"] == "yes" else text)
        print(f"| {label} | {unit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
