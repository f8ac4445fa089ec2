#!/usr/bin/env bash
# Plan benchmark: a generated repository of 100,000 files and 1,000
# experiments, two commits A and B that differ in a handful of files, and
#   assay plan --base A --head B --format json
# timed beside git ls-tree -r A + git ls-tree -r B in the same run, with
# assay's peak memory. Target: within 2x of git's time, under 300 MB.
#
#   bench/plan.sh                   # generate into a temporary directory
#   BENCH_REPO=/tmp/big bench/plan.sh   # reuse (or create) a repository there
#   FILES=20000 EXPERIMENTS=200 RUNS=3 bench/plan.sh
#   BENCH_SMOKE=1 bench/plan.sh     # tiny (2,000 files, 20 experiments, 1 run), no judging
#
# figure: ^git ls-tree -r A \+ git ls-tree -r B +[0-9.]+ ms
# figure: ^assay plan --base A --head B --format json +[0-9.]+ ms
# figure: ^assay peak memory \(max RSS\) +[0-9]+ MiB
set -euo pipefail
cd "$(dirname "$0")/.."

judge=()
if [ -n "${BENCH_SMOKE:-}" ]; then
  FILES=${FILES:-2000} EXPERIMENTS=${EXPERIMENTS:-20} RUNS=${RUNS:-1}
  # Start-up dominates at this size; the smoke run checks that the
  # figures are printed, never what they are.
  judge=(-target-ratio 1e9 -target-mib 1e9)
fi
FILES=${FILES:-100000}
EXPERIMENTS=${EXPERIMENTS:-1000}
RUNS=${RUNS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/genrepo" ./bench/cmd/genrepo
go build -o "$out/planbench" ./bench/cmd/planbench

repo=${BENCH_REPO:-$out/repo}
if [ ! -d "$repo/.git" ]; then
  echo "generating $FILES files, $EXPERIMENTS experiments in $repo ..." >&2
  start=$(date +%s)
  "$out/genrepo" -dir "$repo" -files "$FILES" -experiments "$EXPERIMENTS"
  echo "generated in $(( $(date +%s) - start ))s" >&2
fi

echo "machine: $(nproc) cores, $(uname -sm); $(git --version)"
"$out/planbench" -assay "$out/assay" -repo "$repo" -base A -head B -runs "$RUNS" "${judge[@]}"
