#!/usr/bin/env bash
# The search benchmark (bench/cmd/searchbench): assay's TPE against random
# search and Optuna's TPE on Branin, Hartmann-6 and the quickstart's
# trainer, the median best after 20 and 40 trials over 20 repetitions;
# and early stopping (ASHA, the median rule) on synthetic learning curves
# and on the quickstart's trainer: steps saved against running every
# trial to its end, and the gap to the full run's best. Every search runs
# through assay's own replay of rounds (runner.ReplaySearch).
#
# Needs: go, python3 (for the quickstart's trainer). Optuna's TPE runs when
# a python3 with the optuna module is found (Debian: apt-get install
# python3-optuna); otherwise its rows say it was skipped.
#
#   bench/search.sh
#   REPS=5 BUDGET=40 bench/search.sh
#   BENCH_SMOKE=1 bench/search.sh    # tiny: 2 repetitions of 8 trials
#
# figure: ^branin +random \(assay\) +-?[0-9.]+
# figure: ^branin +assay tpe, batch 4 +-?[0-9.]+
# figure: ^quickstart +asha +[0-9.]+ \[
# figure: ^synthetic +median +[0-9.]+ \[
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  REPS=${REPS:-2}
  BUDGET=${BUDGET:-8}
fi
REPS=${REPS:-20}
BUDGET=${BUDGET:-40}
PARALLEL=${PARALLEL:-$(nproc)}

# A python3 with optuna if there is one (pyenv's may lack what Debian's has).
py=${PYTHON:-}
if [ -z "$py" ]; then
  for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import optuna' 2>/dev/null; then py=$cand; break; fi
  done
fi
if [ -z "$py" ]; then
  py=python3
  echo "note: no python3 with optuna here, so Optuna's TPE is skipped (apt-get install python3-optuna)"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/searchbench" ./bench/cmd/searchbench
echo "machine: $(nproc) cores, $(uname -sm); python: $("$py" --version 2>&1)"
"$out/searchbench" -reps "$REPS" -budget "$BUDGET" -parallel "$PARALLEL" -python "$py" \
  -trainer bench/search_trainer.py -optuna bench/search_optuna.py
