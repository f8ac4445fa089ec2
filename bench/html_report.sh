#!/usr/bin/env bash
# The HTML report at the issue's scale: 1,000 runs with 500-step curves
# (a sweep of 100 configs × 5 seeds at each side), recorded on a real
# results branch and read back through the store.
#
#   BenchmarkRender1000      render time and file size      target < 3 MB
#   BenchmarkFirstPaint1000  first contentful paint and all charts drawn in
#                            headless Chromium, beside the same figures for
#                            an empty report (the chart library and page
#                            alone) opened in the same browser   target < 1 s
#
# Needs: go, Chromium (apt-get install chromium). Usage: bench/html_report.sh [COUNT]
# COUNT repeats each benchmark (default 3; 1 with BENCH_SMOKE=1, as
# make bench-smoke runs it); compare the smallest figures, since other
# load on the machine only ever adds time.
#
# figure: ^BenchmarkRender1000.* [0-9.]+ MB
# figure: ^BenchmarkFirstPaint1000.* [0-9.]+ ms-first-paint
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_SMOKE:-}" ]; then count=${1:-1}; else count=${1:-3}; fi
command -v chromium >/dev/null || { echo "bench/html_report.sh needs Chromium (apt-get install chromium)" >&2; exit 77; }
go test -run '^$' -bench 'Render1000|FirstPaint1000' -benchtime 1x -count "$count" ./reporter/html
