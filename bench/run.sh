#!/usr/bin/env bash
# Benchmarks of assay run, each beside a baseline measured in the same run:
#
#   1. N trials (default 2,000) of `true` with 8 slots through assay run,
#      against xargs -P8 (the floor: one fork and exec per trial) and GNU
#      parallel -j8 running the same commands. Targets: assay's wall time
#      at most 3x xargs' and 1.3x parallel's.
#   2. One trial that prints 1 GiB to stdout through a pattern metric (the
#      path where assay reads every byte), against the same command run
#      with its output to /dev/null: assay's peak RSS must stay under
#      100 MB.
#
# Needs: go, git, python3 and GNU parallel (apt-get install parallel).
# Usage: bench/run.sh [N]
# BENCH_SMOKE=1 runs it tiny (20 trials, a 1 MiB trial output) for
# make bench-smoke, which checks that every figure below is printed.
#
# figure: ^xargs -P8 +: +[0-9.]+ s
# figure: ^GNU parallel -j8 +: +[0-9.]+ s
# figure: ^assay run +: +[0-9.]+ s
# figure: ^ratio to xargs +: +[0-9.]+x
# figure: ^command alone +: +[0-9.]+ s +peak RSS
# figure: ^through assay run: +[0-9.]+ s +peak RSS
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_SMOKE:-}" ]; then
  N=${1:-20} BYTES=1048576
else
  N=${1:-2000} BYTES=1073741824
fi
SLOTS=8

for tool in parallel git python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool (apt-get install ${tool##*/})" >&2; exit 77; }
done
go build -tags disable_grpc_modules -o bin/assay ./cmd/assay
assay=$PWD/bin/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

# peak_rss OUT CMD...: run CMD and write the peak RSS (KiB) of it and its
# descendants to OUT.
peak_rss() {
  python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r.returncode)' "$@"
}

# A project with N trials of `true`, one per sweep point.
proj=$work/noop
mkdir -p "$proj/experiments"
echo 'executor "local" { gpus = [] }' >"$proj/assay.hcl"
cat >"$proj/experiments/noop.hcl" <<HCL
experiment "noop" {
  command = ["true", "\${param.i}"]
  inputs  = ["experiments/noop.hcl"]
  params  = { i = 0 }
  sweep {
    param "i" { values = [$(seq -s, 1 "$N")] }
  }
}
HCL
git -C "$proj" init -q
git -C "$proj" add -A
git -C "$proj" -c user.name=bench -c user.email=bench@example.com commit -q -m bench

echo "== $N trials of true, $SLOTS slots ($(nproc) cores)"
tx=$(now)
seq 1 "$N" | xargs -n 1 -P "$SLOTS" true
t0=$(now)
seq 1 "$N" | parallel -j"$SLOTS" true {}
t1=$(now)
(cd "$proj" && "$assay" run --all --parallel "$SLOTS" >"$work/noop.out" 2>"$work/noop.err") || { tail "$work/noop.err"; exit 1; }
t2=$(now)
# Recorded runs leave the spool for the results branch: one
# <run-id>.json record each under runs/ (see reporter/results).
runs=$(git -C "$proj" ls-tree -r --name-only assay/results | grep -cE '/[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-[a-z0-9]+\.json$' || true)
[ "$runs" -eq "$N" ] || { echo "assay recorded $runs runs, want $N" >&2; exit 1; }
python3 - "$t0" "$t1" "$t2" "$N" "$tx" <<'PY'
import sys
t0, t1, t2, n, tx = map(float, sys.argv[1:])
p, a = t1 - t0, t2 - t1
print(f"xargs -P8        : {t0 - tx:7.2f} s  ({(t0 - tx) / n * 1000:.2f} ms/trial; the floor: a fork and exec per trial)")
print(f"GNU parallel -j8 : {p:7.2f} s  ({p / n * 1000:.2f} ms/trial)")
print(f"assay run        : {a:7.2f} s  ({a / n * 1000:.2f} ms/trial, each result spooled durably)")
x = t0 - tx
print(f"ratio to parallel: {a / p:7.2f}x  (target <= 1.30x) {'OK' if a / p <= 1.3 else 'OVER TARGET'}")
print(f"ratio to xargs   : {a / x:7.2f}x  (target <= 3.00x) {'OK' if a / x <= 3 else 'OVER TARGET'}")
PY

echo
echo "== one trial printing $((BYTES >> 20)) MiB to stdout, scanned for a pattern metric"
proj=$work/loud
mkdir -p "$proj/experiments"
echo 'executor "local" { gpus = [] }' >"$proj/assay.hcl"
cat >"$proj/experiments/loud.hcl" <<HCL
experiment "loud" {
  command = ["sh", "-c", "head -c $BYTES /dev/zero | tr '\\\\0' x | fold -w 120; echo; echo loss=0.5"]
  inputs  = ["experiments/loud.hcl"]
  metric "loss" { pattern = "^loss=([0-9.]+)" }
}
HCL
git -C "$proj" init -q
t0=$(now)
peak_rss "$work/base.rss" sh -c "head -c $BYTES /dev/zero | tr '\\0' x | fold -w 120 >/dev/null"
t1=$(now)
(cd "$proj" && peak_rss "$work/assay.rss" "$assay" run --all >"$work/loud.out" 2>"$work/loud.err") || { tail "$work/loud.err"; exit 1; }
t2=$(now)
grep -q 'loss=0.5' "$work/loud.out" || { echo "the pattern metric was not found" >&2; cat "$work/loud.out"; exit 1; }
# The full log goes to the artifact store (.git/assay/blobs by default),
# named by its sha256; the results branch keeps only its tail.
log=$(find "$proj/.git/assay/blobs" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
[ -n "$log" ] || { echo "no full log in the artifact store" >&2; exit 1; }
python3 - "$t0" "$t1" "$t2" "$(cat "$work/base.rss")" "$(cat "$work/assay.rss")" "$(stat -c %s "$log")" <<'PY'
import sys
t0, t1, t2, base, rss, size = map(float, sys.argv[1:])
print(f"command alone    : {t1 - t0:7.2f} s  peak RSS {base / 1024:6.1f} MiB (the largest process of the pipeline)")
print(f"through assay run: {t2 - t1:7.2f} s  peak RSS {rss / 1024:6.1f} MiB (assay or its largest child), log {size / 2**30:.3f} GiB")
print(f"target           : peak RSS < 100 MB: {'OK' if rss * 1024 < 100e6 else 'OVER TARGET'}")
PY
