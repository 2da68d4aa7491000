#!/usr/bin/env bash
# Start a real single-node Slurm cluster (munged, slurmctld, slurmd from Debian's packages) in a
# temporary folder, on loopback only; submit a 4-task array of a small experiment through
# submit.sh; wait; compare the merged outputs with a single-machine run byte for byte; stop every
# daemon it started. Installs slurm-wlm and munge with apt-get when they are missing and it can.
#
#   contrib/slurm/local-cluster-test.sh PATH/TO/akuttsim
#
# Exit 0: identical; 1: a difference or a failure; 77: skipped (Slurm cannot be installed or
# started here — the reason is printed).
set -uo pipefail
akuttsim=$(realpath "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }

need="slurmctld slurmd munged sbatch sinfo squeue"
missing=""
for b in $need; do command -v "$b" > /dev/null || missing="$missing $b"; done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "installing slurm-wlm and munge (missing:$missing)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > /tmp/akuttsim-slurm-apt.log 2>&1 \
            || { DEBIAN_FRONTEND=noninteractive apt-get update -q > /dev/null 2>&1 \
                 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > /tmp/akuttsim-slurm-apt.log 2>&1; } \
            || skip "apt-get install slurm-wlm munge failed (see /tmp/akuttsim-slurm-apt.log)"
    else
        skip "Slurm is not installed (missing:$missing) and apt-get cannot be run as root here"
    fi
fi
[ "$(id -u)" = 0 ] || skip "the test cluster runs its daemons as root (SlurmUser=root); run as root"

# Everything from here runs in a network namespace of its own, whose only interface is the
# loopback: the daemons cannot listen anywhere else. (A second address on lo, 10.254.254.1, is
# there because Slurm resolves addresses with AI_ADDRCONFIG, which ignores 127.0.0.0/8.)
if [ -z "${AKUTTSIM_SLURM_NETNS:-}" ]; then
    if unshare -n true 2> /dev/null && command -v ip > /dev/null; then
        exec env AKUTTSIM_SLURM_NETNS=1 unshare -n bash -c \
            'ip link set lo up && ip addr add 10.254.254.1/32 dev lo && exec bash "$0" "$@"' "$0" "$@"
    fi
    echo "note: no network namespace here (unshare -n); the daemons are configured for 127.0.0.1"
fi

tmp=$(mktemp -d /tmp/akuttsim-slurm.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
        kill -9 "$p" 2> /dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }

# In the private namespace every port is free; outside it, ask the kernel for free ones.
if [ -n "${AKUTTSIM_SLURM_NETNS:-}" ]; then
    ctl_port=6817 d_port=6818
elif command -v python3 > /dev/null; then
    free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
    ctl_port=$(free_port) d_port=$(free_port)
else
    ctl_port=$((20000 + RANDOM % 20000)) d_port=$((40000 + RANDOM % 20000))
fi
host=$(hostname -s)
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/out"

# munge: its own key, socket and files in the temporary folder.
head -c 1024 /dev/urandom > "$tmp/munge.key"; chmod 400 "$tmp/munge.key"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.socket" \
    --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge.seed" \
    || fail "munged did not start"
for _ in $(seq 50); do [ -s "$tmp/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$tmp/munged.pid")")

cat > "$tmp/slurm.conf" <<CONF
ClusterName=akuttsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=2 RealMemory=512 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"

slurmctld -D -i -f "$tmp/slurm.conf" > "$tmp/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$tmp/slurm.conf" -N "$host" > "$tmp/slurmd.out.log" 2>&1 &
pids+=($!)
up=""
ctl_pid=${pids[1]} d_pid=${pids[2]}
for _ in $(seq 100); do
    kill -0 "$ctl_pid" 2> /dev/null || fail "slurmctld exited"
    kill -0 "$d_pid" 2> /dev/null || fail "slurmd exited"
    if timeout 5 sinfo -h -o '%T' 2> /dev/null | grep -qE '^(idle|mixed|allocated)'; then up=1; break; fi
    sleep 0.2
done
[ -n "$up" ] || { sinfo 2>&1 | head -3; fail "the node did not come up"; }
command -v ss > /dev/null && ss -ltnH 2> /dev/null | awk -v a=":$ctl_port" -v b=":$d_port" \
    '$4 ~ a"$" || $4 ~ b"$" {print "listening on " $4}'

cd "$repo"
args=(experiment experiments/teaching-ambulances.toml --replications 8 --days 20 --seed 5)
"$akuttsim" "${args[@]}" --out "$tmp/single" --quiet > /dev/null || fail "single run failed"
cd "$tmp/out"
ids=$(AKUTTSIM="$akuttsim" SBATCH_ARGS="--chdir=$repo" "$repo/contrib/slurm/submit.sh" 4 \
    "${args[0]}" "${args[1]}" "$tmp/out" "${args[@]:2}") || fail "submit failed: $ids"
echo "$ids"
for _ in $(seq 600); do
    q=$(squeue -h -o '%i %T %r' 2> /dev/null)
    [ -z "$q" ] && break
    case "$q" in *DependencyNeverSatisfied*) fail "an array task failed: $(cat "$tmp"/out/slurm-*.out 2> /dev/null)";; esac
    sleep 0.2
done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 120 s: $(squeue)"
[ -d "$tmp/out/merged" ] || fail "no merged output: $(cat "$tmp"/out/slurm-*.out 2> /dev/null)"
for f in summary.json kpi.csv comparison.csv; do
    cmp "$tmp/single/$f" "$tmp/out/merged/$f" || fail "$f differs between the single run and the merged Slurm shards"
done
echo "OK: 4 Slurm array tasks merged = the single run (summary.json, kpi.csv, comparison.csv)"
