#!/usr/bin/env bash
# The slurm executor's overhead, beside a baseline measured in the same run:
# N one-second trials (default 200) through `assay run --executor slurm`,
# against the same N jobs submitted by a shell loop of sbatch and waited for
# with squeue. Both poll once a second. Target: assay's wall time at most
# 1.2x the loop's (the mean of one loop before assay and one after).
#
# Needs a Slurm cluster whose default partition runs the jobs (on CI:
# .ci/slurm/setup.sh), go and git. Usage: bench/slurm.sh [N]
# BENCH_SMOKE=1 runs 3 trials (make bench-smoke); with no Slurm cluster it
# exits 77, which make bench-smoke reports as a skip naming what is missing.
#
# figure: ^sbatch loop \+ squeue +: +[0-9.]+ s
# figure: ^assay run \(slurm\) +: +[0-9.]+ s
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_SMOKE:-}" ]; then N=${1:-3}; else N=${1:-200}; fi
# The cluster .ci/slurm/setup.sh starts, unless SLURM_CONF names another.
test_conf=${ASSAY_TEST_SLURM_CONF:-/var/lib/assay-slurm/etc/slurm.conf}
if [ -z "${SLURM_CONF:-}" ] && [ -e "$test_conf" ]; then export SLURM_CONF=$test_conf; fi

for tool in sbatch squeue sinfo git python3; do
  command -v "$tool" >/dev/null || { echo "bench/slurm.sh needs $tool (Slurm: run .ci/slurm/setup.sh as root)" >&2; exit 77; }
done
sinfo >/dev/null || { echo "bench/slurm.sh: no Slurm controller answers (run .ci/slurm/setup.sh as root)" >&2; exit 77; }
go build -tags disable_grpc_modules -o bin/assay ./cmd/assay
assay=$PWD/bin/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

# A project with N one-second trials, one per sweep point.
proj=$work/sleepy
mkdir -p "$proj/experiments"
cat >"$proj/assay.hcl" <<'HCL'
executor "slurm" {
  poll_interval = "1s"
}
HCL
cat >"$proj/experiments/sleepy.hcl" <<HCL
experiment "sleepy" {
  command = ["sleep", "1"]
  inputs  = ["experiments/sleepy.hcl"]
  params  = { i = 0 }
  sweep {
    param "i" { values = [$(seq -s, 1 "$N")] }
  }
}
HCL
git -C "$proj" init -q
git -C "$proj" add -A
git -C "$proj" -c user.name=bench -c user.email=bench@example.com commit -q -m bench

part=$(sinfo --noheader --format='%P %D %c' | awk '$1 ~ /\*$/ {sub(/\*$/, "", $1); print $1 " (" $2 " nodes, " $3 " CPUs each)"}')
echo "== $N one-second trials on Slurm partition $part, $(nproc) cores here"

# Baseline: what a user would write by hand. It runs before and after
# assay, and assay is compared with the mean of the two, so that a
# cluster getting busier or quieter during the run favours neither.
loop() {
  local ids=() i joined t0 t1 t2
  t0=$(now)
  for i in $(seq 1 "$N"); do
    ids+=("$(sbatch --parsable --job-name="loop-$i" --output=/dev/null --wrap 'sleep 1')")
  done
  t1=$(now)
  joined=$(IFS=,; echo "${ids[*]}")
  while [ -n "$(squeue --noheader --jobs="$joined" --format=%i 2>/dev/null)" ]; do sleep 1; done
  t2=$(now)
  echo "$t0 $t1 $t2"
}

read -r a0 a1 a2 < <(loop)
t0=$(now)
(cd "$proj" && "$assay" run --all --executor slurm >"$work/assay.out" 2>"$work/assay.err") || { tail "$work/assay.err"; exit 1; }
t1=$(now)
read -r b0 b1 b2 < <(loop)
# Recorded runs leave the spool for the results branch (reporter/results).
runs=$(git -C "$proj" grep -c '"status": "succeeded"' assay/results -- runs/ | awk -F: '{s += $NF} END {print s + 0}')
[ "$runs" -eq "$N" ] || { echo "assay recorded $runs succeeded runs, want $N" >&2; tail "$work/assay.err"; exit 1; }

python3 - "$a0" "$a1" "$a2" "$t0" "$t1" "$b0" "$b1" "$b2" "$N" <<'PY'
import sys
a0, a1, a2, t0, t1, b0, b1, b2, n = map(float, sys.argv[1:])
before, after, a = a2 - a0, b2 - b0, t1 - t0
loop = (before + after) / 2
print(f"sbatch loop + squeue : {before:7.2f} s before assay, {after:.2f} s after (submitting {(a1 - a0) / n * 1000:.0f} and {(b1 - b0) / n * 1000:.0f} ms/job)")
print(f"assay run (slurm)    : {a:7.2f} s  (each trial wrapped, followed, its result spooled and fsynced)")
print(f"ratio                : {a / loop:7.2f}x the loops' mean  (target <= 1.20x) {'OK' if a / loop <= 1.2 else 'OVER TARGET'}")
PY
