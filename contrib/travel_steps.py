#!/usr/bin/env python3
"""Travel KPIs of a shipped model with the 0.4.0 travel inputs added one at a time.

Usage: python3 contrib/travel_steps.py models/more-og-romsdal.toml [--replications 20] [--bin target/release/akuttsim]

Each step is a copy of the model (written beside it, so its relative paths hold, and removed
afterwards) with the later inputs taken out:
  0  0.3.0 travel: one point per zone, great-circle rule only, no emergency factor, zone classes
  1  + population points (zone_sources.points_csv)
  2  + documented times and ferries ([travel] matrix_csv, [[travel.ferries]])
  3  + emergency driving factor ([travel] emergency_travel_factor)
  4  + the tettbygd table for the indicator KPIs ([indicator]) = the shipped model
Prints a Markdown table of the KPIs (mean over the replications); the indicator KPIs need the
tettbygd table, so they show only in the last step.
"""
import argparse, json, os, subprocess, tempfile

KPIS = [
    ("legevakt_travel_within_40min_population_share", "legevakt within 40 min", "%"),
    ("legevakt_travel_within_60min_population_share", "legevakt within 60 min", "%"),
    ("red_response_within_12min_urban_share", "red ≤ 12 min, urban zones", "%"),
    ("red_response_within_25min_rural_share", "red ≤ 25 min, rural zones", "%"),
    ("indicator_red_urban_within_12min_share", "indicator: tettbygd ≤ 12 min", "%"),
    ("indicator_red_rural_within_25min_share", "indicator: spredtbygd ≤ 25 min", "%"),
    ("indicator_red_median_min_urban", "indicator: median, tettbygd", "min"),
    ("indicator_red_median_min_rural", "indicator: median, spredtbygd", "min"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--bin", default="target/release/akuttsim")
    a = ap.parse_args()
    src = open(a.model, encoding="utf-8").read()
    model_dir = os.path.dirname(os.path.abspath(a.model))
    lines = src.splitlines()

    def without(drop_points, drop_tables, drop_factor, drop_indicator):
        out, skip = [], False
        for ln in lines:
            s = ln.strip()
            if s.startswith("["):
                skip = drop_tables and (s.startswith("[[travel.ferries]]") or s == "[travel]")
            if skip:
                continue
            if drop_points and s.startswith("points_csv"):
                continue
            out.append(ln)
        extra = []
        if drop_tables and drop_factor:
            extra.append("[travel]\nemergency_travel_factor = { red = 1.0, yellow = 1.0, green = 1.0 }")
        elif drop_factor:
            # keep the model's [travel] table and add the factor to it
            txt = "\n".join(out)
            txt = txt.replace("[travel]\n", "[travel]\nemergency_travel_factor = { red = 1.0, yellow = 1.0, green = 1.0 }\n", 1)
            out = txt.splitlines()
        if drop_indicator:
            extra.append('[indicator]\ntettbygd_kommuner_csv = "' + os.path.relpath(EMPTY, model_dir) + '"')
        return "\n".join(out) + "\n\n" + "\n\n".join(extra) + "\n"

    steps = [
        ("0.3.0 travel", (True, True, True, True)),
        ("+ population points", (False, True, True, True)),
        ("+ documented times, ferries", (False, False, True, True)),
        ("+ emergency driving ×0.80 (red)", (False, False, False, True)),
        ("+ tettbygd kommuner (= 0.4.0)", (False, False, False, False)),
    ]
    res = []
    for name, flags in steps:
        fd, tmp = tempfile.mkstemp(suffix=".toml", dir=model_dir, prefix=".step-")
        os.close(fd)
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(without(*flags))
            with tempfile.TemporaryDirectory() as out:
                subprocess.run([a.bin, "run", tmp, "--out", out, "--replications", str(a.replications)],
                               check=True, stdout=subprocess.DEVNULL)
                res.append((name, json.load(open(os.path.join(out, "summary.json")))["kpi"]))
        finally:
            os.remove(tmp)
    print("| KPI | " + " | ".join(n for n, _ in res) + " |")
    print("|---|" + "---:|" * len(res))
    for key, label, unit in KPIS:
        cells = []
        for (name, k), (_, flags) in zip(res, steps):
            v = k[key]["mean"]
            if key.startswith("indicator_") and flags[3]:
                cells.append("—")  # the indicator needs the tettbygd table
                continue
            cells.append(f"{v * 100:.1f} %" if unit == "%" else f"{v:.1f} min")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    EMPTY = os.path.join(tempfile.gettempdir(), "akuttsim-no-tettbygd.csv")
    with open(EMPTY, "w") as f:
        f.write("kommune_no\n")
    main()
