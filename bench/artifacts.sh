#!/usr/bin/env bash
# Benchmarks of the artifact store, each beside a baseline measured in the
# same run:
#
#   1. One 2 GiB artifact hashed and uploaded by the store's code in a
#      child process, to a file store and to an S3 server over HTTP
#      (gofakes3, in the test process): peak RSS must stay under 100 MB;
#      the baseline is the same process doing nothing.
#   2. assay run of a trial that leaves a 2 GiB artifact, recorded with
#      the default store (.git/assay/blobs): assay's peak RSS and wall
#      time, beside cp of the same file (the least any store can cost).
#
# Needs: go, git, python3. Usage: bench/artifacts.sh [BYTES] (default 2 GiB;
# BENCH_SMOKE=1 makes it 1 MiB, for make bench-smoke).
#
# figure: file store: [0-9]+ MiB artifact hashed and uploaded .* peak RSS
# figure: s3 store: [0-9]+ MiB artifact hashed and uploaded .* peak RSS
# figure: ^assay run \(trial writes it.*: +[0-9.]+ s, peak RSS
# figure: ^cp of the same file \(baseline\): +[0-9.]+ s, peak RSS
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_SMOKE:-}" ]; then BYTES=${1:-1048576}; else BYTES=${1:-$((2 << 30))}; fi
for tool in git python3; do
  command -v "$tool" >/dev/null || { echo "bench/artifacts.sh needs $tool (apt-get install $tool)" >&2; exit 77; }
done

echo "== 1. the store's upload, $((BYTES >> 20)) MiB, in a child process"
ASSAY_RSS_BYTES=$BYTES go test -count=1 -run '^TestUploadPeakRSS$' -v ./reporter/artifacts/ | grep -E 'store:|^(ok|FAIL|---)'

go build -tags disable_grpc_modules -o bin/assay ./cmd/assay
assay=$PWD/bin/assay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# peak_rss OUT CMD...: run CMD, write the peak RSS (KiB) of it and its
# descendants to OUT.
peak_rss() {
  python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(r.returncode)' "$@"
}
now() { date +%s.%N; }

proj=$work/big
mkdir -p "$proj/experiments"
cat >"$proj/assay.hcl" <<HCL
executor "local" {
  gpus   = []
  labels = ["cpu"]
}
HCL
cat >"$proj/experiments/big.hcl" <<'HCL'
experiment "big" {
  command   = ["sh", "make.sh"]
  artifacts = ["out/model.pt"]
}
HCL
# The trial writes real bytes (not a hole), so every stage reads them.
cat >"$proj/make.sh" <<SH
mkdir -p out
head -c $BYTES /dev/urandom > out/model.pt
SH
echo out/ >"$proj/.gitignore"
git -C "$proj" init -q -b main
git -C "$proj" add -A
git -C "$proj" -c user.name=bench -c user.email=bench@example.com commit -q -m init

echo "== 2. assay run with a $((BYTES >> 20)) MiB artifact, default store"
t0=$(now)
(cd "$proj" && peak_rss "$work/assay.rss" "$assay" run --all >/dev/null 2>"$work/run.err") || { cat "$work/run.err"; exit 1; }
t1=$(now)
t2=$(now)
peak_rss "$work/cp.rss" cp "$proj/out/model.pt" "$work/copy.pt"
t3=$(now)
# The store also keeps the run's log as a blob: look for the artifact's
# object by the name it must have.
want=$(sha256sum "$proj/out/model.pt" | cut -c1-64)
obj=$(find "$proj/.git/assay/blobs" -type f -name "$want" | head -1)
[ -n "$obj" ] && cmp -s "$obj" "$proj/out/model.pt" || { echo "the store holds no object named by the artifact's sha256 with its bytes" >&2; exit 1; }
python3 - "$work" "$t0" "$t1" "$t2" "$t3" <<'PY'
import sys
w, t0, t1, t2, t3 = sys.argv[1], *map(float, sys.argv[2:])
a = int(open(w + "/assay.rss").read()) / 1024
c = int(open(w + "/cp.rss").read()) / 1024
print(f"assay run (trial writes it, hash+copy to artifacts, record, upload): {t1-t0:6.1f} s, peak RSS {a:6.1f} MiB (target < 95.4 MiB = 100 MB)")
print(f"cp of the same file (baseline):                                       {t3-t2:6.1f} s, peak RSS {c:6.1f} MiB")
sys.exit(0 if a < 100e6 / 2**20 else 1)
PY
