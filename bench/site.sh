#!/usr/bin/env bash
# The results site at the issue's scale: RUNS runs (100,000) over EXPERIMENTS
# (200) experiments on a generated results branch (bench/cmd/resultsgen: 100-step
# series for 3 metrics, log tails, 5% failed runs, 10% from pull requests, a
# tenth of the rest nightly, all from commits of a generated default branch).
# It reports, in the same run:
#   - assay site: wall time, CPU time (user + system) and peak memory of
#     the first build of a clone (no local index) and of a rebuild, beside
#     git ls-tree -r of the results branch (target: under 10x it)
#   - in headless Chromium over a local web server (bench/cmd/sitebench):
#     the home page's transfer size (target < 2 MB) and first contentful
#     paint (< 1 s), the run index's load, and a search over every run
#     answered in the browser (< 300 ms); screenshots under SHOTS.
#
#   bench/site.sh
#   RUNS=20000 EXPERIMENTS=40 bench/site.sh
#   BENCH_REPO=/tmp/site100k SHOTS=/tmp/shots bench/site.sh   # reuse (or create) the repository
#   SITE=/tmp/site100k-site bench/site.sh                        # keep the site (replaced on each run)
#   BENCH_SMOKE=1 bench/site.sh     # tiny: 300 runs over 6 experiments, one repeat
#
# Needs Chromium (Debian: apt-get install chromium); without it the script
# exits 77, naming it.
#
# figure: ^git ls-tree -r assay/results +[0-9.]+ s
# figure: ^assay site, first build \(no index\) +[0-9.]+ s
# figure: ^assay site, rebuild +[0-9.]+ s
# figure: ^home page: [0-9.]+ MB transferred, first contentful paint [0-9]+ ms
# figure: ^search page: the run index of [0-9]+ runs loads in [0-9]+ ms
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SMOKE:-}" = 1 ]; then
  RUNS=${RUNS:-300}
  EXPERIMENTS=${EXPERIMENTS:-6}
  REPEAT=${REPEAT:-1}
fi
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  echo "bench/site.sh: no Chromium on PATH (Debian: apt-get install chromium)" >&2
  exit 77
fi

RUNS=${RUNS:-100000}
EXPERIMENTS=${EXPERIMENTS:-200}
REPEAT=${REPEAT:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SHOTS=${SHOTS:-$out/shots}
SITE=${SITE:-$out/site}

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/resultsgen" ./bench/cmd/resultsgen
go build -o "$out/sitebench" ./bench/cmd/sitebench
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

repo=${BENCH_REPO:-$out/repo}
if [ ! -d "$repo/.git" ]; then
  echo "generating $RUNS runs over $EXPERIMENTS experiments in $repo ..." >&2
  start=$(date +%s)
  git init -q -b main "$repo"
  "$out/resultsgen" -n "$RUNS" -per-commit 1000 -steps 100 -experiments "$EXPERIMENTS" -pr-share 0.1 -main refs/heads/main |
    git -C "$repo" -c core.fsync=none fast-import --quiet
  git -C "$repo" repack -adq
  git -C "$repo" checkout -q main
  echo "generated in $(( $(date +%s) - start ))s" >&2
fi

# measure CMD... runs CMD in $repo and prints "seconds peak-KiB
# cpu-seconds": wall time, peak memory and CPU time (user + system). On a
# shared machine the wall time wanders with the load; the CPU time much
# less.
measure() {
  (cd "$repo" && /usr/bin/time -f "%e %M %U %S" -o "$out/t" "$@" >"$out/stdout" 2>"$out/stderr") || { cat "$out/stderr" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$out/t"
}

# median_of N CMD... prints the run of median wall time of N runs.
median_of() {
  local n=$1; shift
  for _ in $(seq "$n"); do measure "$@"; done | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}

# cold CMD... is measure, after removing the local index, so CMD reads
# every record as the first build of a clone does (the index is then
# kept in .git/assay).
cold() {
  rm -rf "$repo/.git/assay/index"
  measure "$@"
}

# median_cold N CMD... is median_of for cold.
median_cold() {
  local n=$1; shift
  for _ in $(seq "$n"); do cold "$@"; done | sort -n | sed -n "$(( (n + 1) / 2 ))p"
}

WHERE='metrics.val_acc > 0.9 && params.lr < 0.1'
read -r lt_s lt_kib lt_cpu < <(median_of "$REPEAT" git ls-tree -r assay/results)
# The first build of a clone reads every record (the index, then kept in
# .git/assay); later builds read the index.
read -r cold_s cold_kib cold_cpu < <(median_cold "$REPEAT" "$out/assay" site --out "$SITE")
read -r site_s site_kib site_cpu < <(median_of "$REPEAT" "$out/assay" site --out "$SITE")
head -1 "$out/stdout"
read -r ls_s _ < <(median_of "$REPEAT" "$out/assay" ls --where "$WHERE" --sort -metrics.val_acc --limit 20)
mb() { echo "$1 / 1024" | bc -l; }
# x A B is A / B, 0 where B is 0 (a tiny branch lists in no measurable CPU time).
x() { if [ "$(echo "$2 == 0" | bc)" = 1 ]; then echo 0; else echo "$1 / $2" | bc -l; fi; }
echo "(median of $REPEAT by wall time; cpu is user + system time of the same run, and its ratio the same ratio by CPU time)"
printf 'git ls-tree -r assay/results            %7.2f s  %7.1f MB  cpu %6.2f s\n' "$lt_s" "$(mb "$lt_kib")" "$lt_cpu"
printf 'assay site, first build (no index)      %7.2f s  %7.1f MB  cpu %6.2f s  (%.1fx git ls-tree, target < 10x; cpu %.1fx)\n' "$cold_s" "$(mb "$cold_kib")" "$cold_cpu" "$(x "$cold_s" "$lt_s")" "$(x "$cold_cpu" "$lt_cpu")"
printf 'assay site, rebuild                     %7.2f s  %7.1f MB  cpu %6.2f s  (%.1fx git ls-tree; cpu %.1fx)\n' "$site_s" "$(mb "$site_kib")" "$site_cpu" "$(x "$site_s" "$lt_s")" "$(x "$site_cpu" "$lt_cpu")"
printf 'assay ls --where (the same search)      %7.2f s\n' "$ls_s"
du -sh "$SITE" | awk '{print "site on disk: " $1}'
"$out/sitebench" -dir "$SITE" -repeat "$REPEAT" -where "$WHERE" -shots "$SHOTS"
