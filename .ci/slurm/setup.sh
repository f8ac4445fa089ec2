#!/usr/bin/env bash
# Installs and starts a single-machine Slurm cluster (Debian's slurm-wlm and
# munge) for assay's slurm executor tests. Idempotent: a second run with
# everything up returns in a second or two; a changed template restarts
# the daemons. Run as root on a Debian machine:
#
#   .ci/slurm/setup.sh          install, configure, start, wait for idle nodes
#   .ci/slurm/setup.sh --stop   stop the daemons it started
#
# The cluster is the tests' own, beside whatever Slurm the machine already
# has: its configuration lives in $ASSAY_SLURM_STATE/etc (never /etc/slurm),
# its daemons listen on ports of their own ($ASSAY_SLURM_PORT and the next
# two), and clients reach it only through SLURM_CONF, which the tests set
# from ASSAY_TEST_SLURM_CONF (.ci/run exports it; the default is this
# script's default). Only munged is shared: any running munged will do.
#
# There is no systemd in CI containers, so the daemons are started directly
# and found again by their pid files under $ASSAY_SLURM_STATE.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
state=${ASSAY_SLURM_STATE:-/var/lib/assay-slurm}
port=${ASSAY_SLURM_PORT:-6917}
host=$(hostname -s)
nodes=("$host" "$host-gpu3")
conf="$state/etc/slurm.conf"
export SLURM_CONF="$conf"

say() { echo "slurm setup: $*"; }
die() { echo "slurm setup: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root: I install packages and start daemons"
case $port in
'' | *[!0-9]*) die "ASSAY_SLURM_PORT=$port is not a port number" ;;
esac

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_daemons() {
  local pidfile pids=()
  for pidfile in "$state"/slurmd-*.pid "$state"/slurmctld.pid; do
    if running "$pidfile"; then pids+=("$(cat "$pidfile")"); fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 100); do
    local left=0 p
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

if [ "${1:-}" = "--stop" ]; then
  stop_daemons
  say "stopped"
  exit 0
fi

# 1. Packages.
need=()
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. Configuration, in the state directory: a machine's own cluster keeps
# /etc/slurm, and ours is reached only by SLURM_CONF.
mkdir -p "$state/etc" "$state/log"
restart=0
for f in slurm.conf gres.conf; do
  sed -e "s/@HOST@/$host/g" -e "s#@STATE@#$state#g" \
    -e "s/@PORT0@/$port/g" -e "s/@PORT1@/$((port + 1))/g" -e "s/@PORT2@/$((port + 2))/g" \
    "$here/$f.in" >"$state/etc/$f.new"
  if ! cmp -s "$state/etc/$f.new" "$state/etc/$f"; then
    mv "$state/etc/$f.new" "$state/etc/$f"
    restart=1
  else
    rm "$state/etc/$f.new"
  fi
done

# Fake GPUs: one device file per GPU, named for its index.
for node in "${nodes[@]}"; do
  mkdir -p "$state/fakegpu/$node"
  n=2
  [ "$node" = "$host-gpu3" ] && n=3
  for ((i = 0; i < n; i++)); do
    ln -sfn /dev/null "$state/fakegpu/$node/nvidia$i"
  done
done

# 3. munge: the key the package made, or a new one; the daemon as its user.
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 600 /etc/munge/munge.key
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge
  chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged does not answer"
fi

# 4. Slurm daemons: restarted when the configuration changed, else started
# when not running.
[ $restart = 1 ] && stop_daemons
# The state of a cluster of another name (an older template's) is dropped:
# slurmctld refuses to start on it, and its jobs are no test's.
cluster=$(sed -n 's/^ClusterName=//p' "$conf")
if [ -s "$state/slurmctld/clustername" ] && [ "$(cat "$state/slurmctld/clustername")" != "$cluster" ]; then
  stop_daemons
  rm -rf "$state/slurmctld"
fi
mkdir -p "$state/slurmctld"
if ! running "$state/slurmctld.pid"; then
  slurmctld -f "$conf" || die "slurmctld did not start: $(tail -n 20 "$state/log/slurmctld.log" 2>/dev/null)"
fi
for node in "${nodes[@]}"; do
  mkdir -p "$state/slurmd-$node"
  if ! running "$state/slurmd-$node.pid"; then
    slurmd -f "$conf" -N "$node" || die "slurmd $node did not start: $(tail -n 20 "$state/log/slurmd-$node.log" 2>/dev/null)"
  fi
done

# 5. Wait until every node takes jobs; a node left down or drained by an
# earlier run (say, one killed mid-job) is resumed.
for _ in $(seq 150); do
  states=$(sinfo -h -N -o '%N %t' 2>/dev/null | sort -u || true)
  bad=$(awk '$2 !~ /^(idle|mix|alloc|comp)/ {print $1}' <<<"$states")
  if [ -n "$states" ] && [ -z "$bad" ]; then
    sinfo
    say "ready: SLURM_CONF=$conf"
    exit 0
  fi
  for node in $bad; do
    case $(awk -v n="$node" '$1 == n {print $2}' <<<"$states") in
    down* | drain* | drng* | fail*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
    esac
  done
  sleep 0.2
done
sinfo -N -l || true
tail -n 30 "$state"/log/*.log || true
die "nodes did not become idle within 30 s"
