#!/bin/sh
# Regenerates ferry.osm.pbf from ferry.osm (needs Debian's osmium-tool).
set -e
cd "$(dirname "$0")"
osmium cat ferry.osm -o ferry.osm.pbf --overwrite
