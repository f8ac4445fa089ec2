#!/usr/bin/env bash
# Reading a 1 GiB TensorBoard event file (10 M scalars, tags as long as
# real ones) through metrics_from, beside `cat` of the same file to
# /dev/null in the same run, both with the file in the page cache.
# Targets: wall time at most 3x cat's, peak RSS under 100 MB. CPU time
# (user + system) is printed too: on a shared machine it is the steadier
# number. The reader checks CRCs on a goroutine of its own while the
# records are decoded, so its wall time is below its CPU time where two
# cores are free.
#
# Needs: go, python3.
# Usage: bench/tfevents.sh [SCALARS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/tfeventsbench" ./bench/cmd/tfeventsbench
file=$work/events.out.tfevents.bench
"$work/tfeventsbench" gen "$file" "$N"
echo "event file: $(du -h "$file" | cut -f1) ($(stat -c %s "$file") bytes), $N scalars"

# timed OUT CMD...: wall seconds and peak RSS (KiB) of CMD, to OUT.
timed() {
  python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL if sys.argv[2] == "cat" else None)
wall = time.monotonic() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f %.3f %d\n" % (wall, u.ru_utime + u.ru_stime, u.ru_maxrss))
sys.exit(r.returncode)' "$@"
}

cat "$file" >/dev/null # into the page cache
timed "$work/cat" cat "$file"
timed "$work/read" "$work/tfeventsbench" read "$file"
python3 - "$work/cat" "$work/read" <<'PY'
import sys
cat_s, cat_cpu, _ = map(float, open(sys.argv[1]).read().split())
read_s, read_cpu, kb = map(float, open(sys.argv[2]).read().split())
print("cat:       %.2fs wall, %.2fs CPU" % (cat_s, cat_cpu))
print("assay:     %.2fs wall (%.1fx cat; target <= 3x), %.2fs CPU (%.1fx cat)" % (read_s, read_s / cat_s, read_cpu, read_cpu / max(cat_cpu, 0.001)))
print("peak RSS:  %.0f MB (target < 100 MB)" % (kb / 1024))
PY
