#!/usr/bin/env bash
# Submit an akuttsim run or experiment as an N-task Slurm array and its merge as a dependent job.
#
#   contrib/slurm/submit.sh N run|experiment FILE OUTDIR [OPTIONS…]
#
# Prints the two job ids. The merged outputs appear in OUTDIR/merged when both jobs are done.
# AKUTTSIM names the binary (default: akuttsim on PATH); extra sbatch options go in SBATCH_ARGS.
set -euo pipefail
if [ "$#" -lt 4 ]; then
    echo "usage: $0 N run|experiment FILE OUTDIR [OPTIONS…]" >&2
    exit 2
fi
n=$1
case "$n" in ''|*[!0-9]*|0) echo "N must be a whole number ≥ 1, e.g. 4" >&2; exit 2;; esac
outdir=$(realpath -m "$4")
shift 1
set -- "$1" "$2" "$outdir" "${@:4}"
mkdir -p "$outdir"
here=$(cd "$(dirname "$0")" && pwd)
akuttsim=${AKUTTSIM:-akuttsim}
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array="1-$n" --output="$outdir/slurm-%A_%a.out" \
    "$here/akuttsim-array.sbatch" "$@")
shards=()
for i in $(seq 1 "$n"); do shards+=("$outdir/shard-$i"); done
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --job-name=akuttsim-merge --dependency="afterok:$array" \
    --output="$outdir/slurm-%j-merge.out" --wrap "$(printf '%q ' "$akuttsim" merge "${shards[@]}" --out "$outdir/merged")")
echo "array job $array ($n shards), merge job $merge → $outdir/merged"
