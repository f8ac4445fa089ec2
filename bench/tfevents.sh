#!/usr/bin/env bash
# Reading a 1 GiB TensorBoard event file (10 M scalars, tags as long as
# real ones) through metrics_from, beside `cat` of the same file to
# /dev/null in the same run, both with the file in the page cache.
# Targets: wall time at most 3x cat's, peak RSS under 100 MB.
#
# cat and the read run in turn BENCH_RUNS times (3 by default); each
# line gives the best (least) wall time and the least CPU time (user +
# system) of its runs, since a busy machine only ever adds time, and the
# ratios are of those. CPU time is the steadier number on a shared
# machine; "per scalar" is the read's CPU time over the scalars. The
# reader cuts a large file into segments that a goroutine per core but
# one checks and decodes, while the collector takes them in order and
# reads segments itself whenever the next is not ready, so its wall
# time is about its CPU time over the cores free; `runs:` lists every
# run's wall and CPU seconds, cat's then the read's, to show the spread.
#
# Needs: go, python3.
# Usage: bench/tfevents.sh [SCALARS]
# BENCH_SMOKE=1 reads 10,000 scalars instead, once (make bench-smoke).
#
# figure: ^cat: +[0-9.]+s wall
# figure: ^assay: +[0-9.]+s wall
# figure: ^peak RSS: +[0-9]+ MB
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_SMOKE:-}" ]; then N=${1:-10000} RUNS=1; else N=${1:-10000000} RUNS=${BENCH_RUNS:-3}; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tfeventsbench" ./bench/cmd/tfeventsbench
file=$work/events.out.tfevents.bench
"$work/tfeventsbench" gen "$file" "$N"
echo "event file: $(du -h "$file" | cut -f1) ($(stat -c %s "$file") bytes), $N scalars"

# timed OUT CMD...: wall seconds, CPU seconds and peak RSS (KiB) of CMD,
# appended to OUT.
timed() {
  # CPU time is the children's after the run less before it: a python3
  # that is a version manager's shim starts with its own children's.
  python3 -c 'import resource, subprocess, sys, time
def cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime
c, t = cpu(), time.monotonic()
r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL if sys.argv[2] == "cat" else None)
wall = time.monotonic() - t
open(sys.argv[1], "a").write("%.3f %.3f %d\n" % (wall, cpu() - c, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r.returncode)' "$@"
}

cat "$file" >/dev/null # into the page cache
for _ in $(seq "$RUNS"); do
  timed "$work/cat" cat "$file"
  timed "$work/read" "$work/tfeventsbench" read "$file"
done
python3 - "$work/cat" "$work/read" "$N" <<'PY'
import sys
def runs(path):
    return [tuple(map(float, line.split())) for line in open(path)]
cat, read, n = runs(sys.argv[1]), runs(sys.argv[2]), int(sys.argv[3])
cat_s, cat_cpu = min(r[0] for r in cat), min(r[1] for r in cat)
read_s, read_cpu = min(r[0] for r in read), min(r[1] for r in read)
kb = max(r[2] for r in read)
print("cat:       %.2fs wall, %.2fs CPU" % (cat_s, cat_cpu))
print("assay:     %.2fs wall (%.1fx cat; target <= 3x), %.2fs CPU (%.1fx cat, %.0f ns per scalar)" % (read_s, read_s / cat_s, read_cpu, read_cpu / max(cat_cpu, 0.001), read_cpu / n * 1e9))
print("peak RSS:  %.0f MB (target < 100 MB)" % (kb / 1024))
print("runs:      " + "  ".join("%.2f/%.2f" % r[:2] for r in cat) + "  |  " + "  ".join("%.2f/%.2f" % r[:2] for r in read))
PY
