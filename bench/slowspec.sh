#!/usr/bin/env bash
# Hostile-spec benchmark: assay validate of a 1 MiB experiment file built to
# cost the most (a chain of locals, a chain of templates, experiments that
# expand to exactly the project's trial limit), with its wall time and peak
# memory beside the targets (< 2 s, < 500 MiB). See bench/cmd/slowspec.
#
#   bench/slowspec.sh
#   RUNS=5 SIZE=524288 bench/slowspec.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SIZE=${SIZE:-1048576}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/slowspec" ./bench/cmd/slowspec
echo "machine: $(nproc) cores, $(uname -sm)"
"$out/slowspec" -dir "$out/repo" -size "$SIZE" -assay "$out/assay" -runs "$RUNS"
