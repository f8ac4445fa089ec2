#!/usr/bin/env bash
# Hostile-spec benchmark: assay validate of a 1 MiB experiment file built to
# cost the most (a chain of locals, a chain of templates, experiments that
# expand to exactly the project's trial limit), with its wall time and peak
# memory beside the targets (< 2 s, < 500 MiB). See bench/cmd/slowspec.
#
#   bench/slowspec.sh
#   RUNS=5 SIZE=524288 bench/slowspec.sh
#   BENCH_SMOKE=1 bench/slowspec.sh   # tiny (a 64 KiB file, 100 trials, 1 run), no judging
#
# figure: ^assay validate: [0-9.]+s wall .* [0-9]+ MiB peak
set -euo pipefail
cd "$(dirname "$0")/.."

extra=()
if [ -n "${BENCH_SMOKE:-}" ]; then
  RUNS=${RUNS:-1} SIZE=${SIZE:-65536}
  extra=(-trials 100 -target-wall 1000h -target-mib 1e9)
fi

RUNS=${RUNS:-3}
SIZE=${SIZE:-1048576}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/slowspec" ./bench/cmd/slowspec
echo "machine: $(nproc) cores, $(uname -sm)"
"$out/slowspec" -dir "$out/repo" -size "$SIZE" -assay "$out/assay" -runs "$RUNS" "${extra[@]}"
