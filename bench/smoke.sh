#!/usr/bin/env bash
# make bench-smoke: every benchmark under bench/ run at a tiny size, so a
# benchmark that breaks (or silently stops measuring) fails CI instead of
# rotting until someone runs it by hand. It never judges a number: the
# figures at tiny sizes mean nothing; numbers are for the full runs.
#
# The contract each bench/*.sh keeps (a new script is picked up by the
# glob and must keep it too):
#   - BENCH_SMOKE=1 in the environment selects a tiny size, documented in
#     the script's header; the script still runs every part it measures.
#   - Its header lists the figures it prints, one `# figure: REGEX` line
#     each (an extended regular expression matched against its stdout).
#     A script that declares none fails: a benchmark prints figures.
#   - Exit 77 (the automake convention) means "this machine lacks what I
#     need" and is a skip, with the script's message naming what is missing.
# Go benchmark programs with a main of their own (bench/stats) are run at
# a tiny -scale and held to the same figure check.
#
#   bench/smoke.sh                        # every script
#   bench/smoke.sh run.sh results.sh      # some of them
#   BENCH_SMOKE_SKIP="slurm.sh" bench/smoke.sh
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

if [ $# -gt 0 ]; then
  scripts=("$@")
else
  scripts=()
  for s in bench/*.sh; do
    [ "$(basename "$s")" = smoke.sh ] || scripts+=("$(basename "$s")")
  done
fi

fail=0
passed=0
skipped=0
for name in "${scripts[@]}"; do
  script=bench/$name
  if [[ " ${BENCH_SMOKE_SKIP:-} " == *" $name "* ]]; then
    echo "SKIP $name (BENCH_SMOKE_SKIP)"
    skipped=$((skipped + 1))
    continue
  fi
  mapfile -t figures < <(sed -n 's/^# figure: //p' "$script")
  if [ ${#figures[@]} -eq 0 ]; then
    echo "FAIL $name: declares no '# figure: REGEX' line (see bench/smoke.sh)"
    fail=1
    continue
  fi
  start=$(date +%s)
  BENCH_SMOKE=1 bash "$script" >"$log/out" 2>"$log/err"
  rc=$?
  took=$(($(date +%s) - start))
  if [ $rc -eq 77 ]; then
    echo "SKIP $name: $(tail -1 "$log/err")"
    skipped=$((skipped + 1))
    continue
  fi
  if [ $rc -ne 0 ]; then
    echo "FAIL $name: exit $rc after ${took}s; the end of its output:"
    tail -n 20 "$log/out" "$log/err" | sed 's/^/    /'
    fail=1
    continue
  fi
  missing=()
  for re in "${figures[@]}"; do
    grep -qE -- "$re" "$log/out" || missing+=("$re")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL $name: ran (${took}s) but did not print the figures matching:"
    printf '    %s\n' "${missing[@]}"
    echo "  its output:"
    sed 's/^/    /' "$log/out"
    fail=1
    continue
  fi
  echo "ok   $name (${took}s, ${#figures[@]} figures)"
  passed=$((passed + 1))
done

# bench/stats: the verdicts' error-rate simulation (make bench-stats).
if [ $# -eq 0 ] && [[ " ${BENCH_SMOKE_SKIP:-} " != *" stats "* ]]; then
  start=$(date +%s)
  if go run ./bench/stats -scale 0.001 >"$log/out" 2>"$log/err"; then
    if grep -qE '^\| aa-' "$log/out" && grep -qE '^\| scenario \| situation \| replicates \| result' "$log/out"; then
      echo "ok   stats ($(($(date +%s) - start))s)"
      passed=$((passed + 1))
    else
      echo "FAIL stats: ran but printed no scenario table"
      sed 's/^/    /' "$log/out"
      fail=1
    fi
  else
    echo "FAIL stats: go run ./bench/stats -scale 0.001 failed:"
    tail -n 20 "$log/err" | sed 's/^/    /'
    fail=1
  fi
fi

echo "bench-smoke: $passed ok, $skipped skipped$([ $fail -eq 0 ] || echo ", FAILURES")"
exit $fail
