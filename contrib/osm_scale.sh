#!/bin/sh
# Time and peak memory of `akuttsim travel-matrix` on synthetic road grids (README, "Routed travel
# from OpenStreetMap"). Needs osmium-tool (Debian) and GNU time; writes into ${SCALE_DIR:-/tmp/akuttsim-scale}.
# Usage (from the repository root): sh contrib/osm_scale.sh [COLS ...]   (default: 200 400 800 1300)
set -eu
D=${SCALE_DIR:-/tmp/akuttsim-scale}
mkdir -p "$D"
cargo build --release -q --bin akuttsim --example osm_grid
for n in ${@:-200 400 800 1300}; do
  [ -f "$D/g$n.osm.pbf" ] || {
    target/release/examples/osm_grid --cols "$n" --rows "$n" --out "$D/g$n.opl"
    osmium cat "$D/g$n.opl" -o "$D/g$n.osm.pbf" --overwrite
    rm "$D/g$n.opl"
  }
  python3 contrib/osm_scale_model.py "$n" "$D/g$n.toml"
  /usr/bin/time -v target/release/akuttsim travel-matrix "$D/g$n.toml" --osm "$D/g$n.osm.pbf" \
    --out "$D/g$n-matrix.csv" 2> "$D/g$n.time" | head -2
  grep -E "Elapsed|Maximum resident" "$D/g$n.time"
done
