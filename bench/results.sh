#!/usr/bin/env bash
# Results-branch benchmark. It generates RUNS records on assay/results (one
# commit per PER_COMMIT runs, each with the index segment assay's writers
# add; records only, since the index reads nothing else) and reports,
# beside `git ls-tree -r` of that branch in the same run:
#   - cold query on a fresh clone: git clone, then assay ls with no index
#     under .git/assay (built from the segments the branch carries), beside
#     git ls-tree -r in that clone and the warm query there
#   - warm query: assay ls --where 'metrics.val_acc > 0.9'
#                 --sort -metrics.val_acc --limit 20
#   - peak memory of both
#   - adding 100 realistic runs: assay sync of a spool of 100 runs onto the
#     indexed branch, then the next query (the incremental index update)
#   - packed size per 1,000 realistic runs (500-step series for 3 metrics,
#     a few KiB of log, 5% failed runs with longer logs)
# Targets: warm query < 300 ms, cold query on a fresh clone <= 1.5x
# git ls-tree -r and <= 2x the warm query, memory < 500 MB, packed size
# < 5 MB per 1,000 runs. Wall times on a busy machine wander; the CPU
# times (user + system) printed beside them are the steadier figures.
#
#   bench/results.sh
#   RUNS=20000 bench/results.sh
#   BENCH_REPO=/tmp/results100k bench/results.sh   # reuse (or create) the repository
#   BENCH_SMOKE=1 bench/results.sh                  # tiny: 2,000 records, 1 repeat
#
# figure: ^git ls-tree -r assay/results \(baseline\) +[0-9]+ ms
# figure: ^fresh clone: git ls-tree -r \(baseline\) +[0-9]+ ms
# figure: ^cold index build \(fresh clone, assay ls\) +[0-9]+ ms
# figure: ^  warm ls on that clone +[0-9]+ ms
# figure: ^warm query .* [0-9]+ ms
# figure: ^add 100 runs: assay sync .* [0-9]+ ms
# figure: ^packed size per 1,000 realistic runs +[0-9.]+ MB
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${BENCH_SMOKE:-}" ]; then
  RUNS=${RUNS:-2000} PER_COMMIT=${PER_COMMIT:-500} REPEAT=${REPEAT:-1}
fi
RUNS=${RUNS:-100000}
PER_COMMIT=${PER_COMMIT:-1000}
REPEAT=${REPEAT:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/resultsgen" ./bench/cmd/resultsgen
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

repo=${BENCH_REPO:-$out/repo}
if [ ! -d "$repo/.git" ]; then
  echo "generating $RUNS records in $repo ..." >&2
  start=$(date +%s)
  git init -q -b main "$repo"
  git -C "$repo" commit -q --allow-empty -m code
  "$out/resultsgen" -n "$RUNS" -per-commit "$PER_COMMIT" -records-only |
    git -C "$repo" -c core.fsync=none fast-import --quiet
  git -C "$repo" repack -adq
  echo "generated in $(( $(date +%s) - start ))s" >&2
fi

# measure CMD... runs CMD in $here (default $repo) and prints "seconds
# peak-KiB cpu-seconds".
measure() {
  local dir=${here:-$repo}
  if [ -x /usr/bin/time ]; then
    (cd "$dir" && /usr/bin/time -f "%e %M %U %S" -o "$out/t" "$@" >"$out/stdout" 2>"$out/stderr") || { cat "$out/stderr" >&2; exit 1; }
    awk '{ printf "%s %s %.3f\n", $1, $2, $3 + $4 }' "$out/t"
  else
    local s e
    s=$(date +%s.%N)
    (cd "$dir" && "$@" >"$out/stdout" 2>"$out/stderr") || { cat "$out/stderr" >&2; exit 1; }
    e=$(date +%s.%N)
    echo "$(echo "$e - $s" | bc) 0 0"
  fi
}

# median_of N CMD... prints the median "seconds peak-KiB" of N runs.
median_of() {
  local n=$1; shift
  for _ in $(seq "$n"); do measure "$@"; done | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}

ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }

records=$(git -C "$repo" ls-tree -r --name-only assay/results | grep -c '\.json$' || true)
echo "machine: $(nproc) cores, $(uname -sm); $(git --version); $records records on assay/results"
echo

read -r base_s _ base_cpu < <(median_of "$REPEAT" git ls-tree -r assay/results)
# A fresh clone, as a new teammate or a CI job makes one; its index is
# built from the segments the branch carries.
clone=$out/clone
rm -rf "$clone"
git clone -q --no-checkout "$repo" "$clone"
here=$clone
read -r cbase_s _ cbase_cpu < <(median_of "$REPEAT" git ls-tree -r origin/assay/results)
cold_runs=()
for _ in $(seq "$REPEAT"); do
  rm -rf "$clone/.git/assay/index"
  cold_runs+=("$(measure "$out/assay" ls --limit 1)")
done
read -r cold_s cold_kb cold_cpu < <(printf '%s\n' "${cold_runs[@]}" | sort -n | sed -n "$(( (REPEAT + 1) / 2 ))p")
read -r cwarm_s _ cwarm_cpu < <(median_of "$REPEAT" "$out/assay" ls --limit 1)
here=
rm -rf "$repo/.git/assay/index"
measure "$out/assay" ls --limit 1 >/dev/null
read -r warm_s warm_kb warm_cpu < <(median_of "$REPEAT" "$out/assay" ls --where 'metrics.val_acc > 0.9' --sort -metrics.val_acc --limit 20)
shown=$(grep -cE '^[0-9]{8}T' "$out/stdout" || true)

"$out/resultsgen" -n 100 -start "$RUNS" -seed 2 -spool "$repo/.git/assay/spool"
read -r add_s _ < <(measure "$out/assay" sync)
read -r upd_s upd_kb upd_cpu < <(measure "$out/assay" ls --limit 1)
read -r warm2_s _ < <(median_of "$REPEAT" "$out/assay" ls --where 'metrics.val_acc > 0.9' --sort -metrics.val_acc --limit 20)

pk="$out/pack"
git init -q "$pk"
"$out/resultsgen" -n 1000 -per-commit 100 -seed 3 | git -C "$pk" -c core.fsync=none fast-import --quiet
git -C "$pk" repack -adq
pack_kib=$(git -C "$pk" count-objects -v | awk '/^size-pack:/ { print $2 }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
printf '%-58s %12s   %s\n' "measure" "assay" "baseline / target"
printf '%-58s %12s   %s\n' "git ls-tree -r assay/results (baseline)" "" "$(ms "$base_s") ($(ms "$base_cpu") CPU)"
printf '%-58s %12s   %s\n' "fresh clone: git ls-tree -r (baseline)" "" "$(ms "$cbase_s") ($(ms "$cbase_cpu") CPU)"
printf '%-58s %12s   %s\n' "cold index build (fresh clone, assay ls)" "$(ms "$cold_s")" "$(ms "$cold_cpu") CPU; $(ratio "$cold_s" "$cbase_s") ls-tree wall, $(ratio "$cold_cpu" "$cbase_cpu") CPU (target <= 1.5x)"
printf '%-58s %12s   %s\n' "  peak memory" "$(mb "$cold_kb")" "target < 500 MB"
printf '%-58s %12s   %s\n' "  warm ls on that clone" "$(ms "$cwarm_s")" "$(ms "$cwarm_cpu") CPU; cold is $(ratio "$cold_s" "$cwarm_s") wall, $(ratio "$cold_cpu" "$cwarm_cpu") CPU (target <= 2x)"
printf '%-58s %12s   %s\n' "warm query (--where val_acc > 0.9 --sort --limit 20)" "$(ms "$warm_s")" "target < 300 ms"
printf '%-58s %12s   %s\n' "  peak memory" "$(mb "$warm_kb")" "target < 500 MB"
printf '%-58s %12s   %s\n' "add 100 runs: assay sync (commit, no remote)" "$(ms "$add_s")" ""
printf '%-58s %12s   %s\n' "  then the first query (incremental index update)" "$(ms "$upd_s")" "$(ms "$upd_cpu") CPU, $(mb "$upd_kb")"
printf '%-58s %12s   %s\n' "  then the warm query again" "$(ms "$warm2_s")" "target < 300 ms"
printf '%-58s %12s   %s\n' "packed size per 1,000 realistic runs" "$(awk -v k="$pack_kib" 'BEGIN { printf "%.2f MB", k / 1024 }')" "target < 5 MB"
echo "(rows shown by the warm query: $shown)"
