#!/usr/bin/env bash
# The results branch at the size of a busy team's year and past it: RUNS
# records (default 1,000,000; records and index segments only, PER_COMMIT
# runs a commit) on a bare origin, then, each beside `git ls-tree -r` of
# the branch measured in the same run:
#   - a fresh clone: its time and size on disk
#   - cold assay ls on it (the index built from the segments) and warm
#   - push of one more run (assay sync of a spool of one run to origin)
#   - compare of a pull request: a small experiment run at a base and a
#     head commit on top of the RUNS records, compared on a second fresh
#     clone, cold and warm
# docs/results.md reads these figures. The generator writes the origin's
# pack itself (bench/cmd/resultsgen -git-dir): at 1,000,000 runs about
# four minutes of CPU, and a 1 GB clone to measure. The smoke run also
# checks that the generated branch reads back whole: git fsck --strict is
# clean and assay ls --format json lists every generated run.
#
#   bench/scale.sh                      # 1,000,000 runs
#   RUNS=200000 bench/scale.sh
#   BENCH_REPO=/tmp/scale1m bench/scale.sh   # reuse (or create) the origin there
#   BENCH_REPO=/tmp/scale1m BENCH_CLONE=/tmp/clone1m bench/scale.sh
#                                       # copy a clone made earlier (not timed)
#   BENCH_SMOKE=1 bench/scale.sh        # tiny: 2,000 runs, for make bench-smoke
#
# figure: ^records on the branch +[0-9]+
# figure: ^git ls-tree -r \(baseline\) +[0-9]+ ms
# figure: ^git clone \(fresh\) +[0-9]+ ms
# figure: ^clone size on disk +[0-9.]+ MB
# figure: ^cold assay ls \(fresh clone\) +[0-9]+ ms
# figure: ^warm assay ls +[0-9]+ ms
# figure: ^push of one more run \(assay sync\) +[0-9]+ ms
# figure: ^compare of a PR, cold \(fresh clone\) +[0-9]+ ms
# figure: ^compare of a PR, warm +[0-9]+ ms
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${BENCH_SMOKE:-}" ]; then
  RUNS=${RUNS:-2000} PER_COMMIT=${PER_COMMIT:-500}
fi
RUNS=${RUNS:-1000000}
PER_COMMIT=${PER_COMMIT:-1000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go build -tags disable_grpc_modules -o "$out/assay" ./cmd/assay
go build -o "$out/resultsgen" ./bench/cmd/resultsgen
assay=$out/assay
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

origin=${BENCH_REPO:-$out/origin.git}
if [ ! -d "$origin" ]; then
  echo "generating $RUNS records in $origin ..." >&2
  start=$(date +%s)
  git init -q --bare -b main "$origin"
  "$out/resultsgen" -n "$RUNS" -per-commit "$PER_COMMIT" -records-only -git-dir "$origin"
  echo "generated in $(( $(date +%s) - start ))s" >&2
fi

# timed DIR CMD...: wall and CPU seconds of CMD run in DIR, as "wall cpu".
timed() {
  local dir=$1; shift
  (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$out/t" "$@" >"$out/stdout" 2>"$out/stderr") || { cat "$out/stderr" >&2; exit 1; }
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$out/t"
}
row() { # row LABEL WALL CPU [NOTE]
  awk -v l="$1" -v w="$2" -v c="$3" -v n="${4:-}" -v b="$base_s" 'BEGIN { printf "%-40s %8.0f ms  (%6.0f ms CPU)  %5.1fx ls-tree  %s\n", l, w * 1000, c * 1000, w / b, n }'
}

# The code the pull request changes: one experiment, three seeds.
code=$out/code
git init -q -b main "$code"
mkdir -p "$code/experiments"
echo 'executor "local" { gpus = [] }' >"$code/assay.hcl"
cat >"$code/experiments/tiny.hcl" <<'HCL'
experiment "tiny" {
  command = ["sh", "-c", "echo val_acc=0.9${param.lr}"]
  inputs  = ["experiments/tiny.hcl"]
  params  = { lr = 1 }
  seeds   = [1, 2, 3]
  metric "val_acc" {
    pattern = "^val_acc=([0-9.]+)"
    goal    = "maximize"
  }
}
HCL
git -C "$code" add -A
git -C "$code" commit -q -m base
base=$(git -C "$code" rev-parse HEAD)
git -C "$code" remote add origin "$origin"
# Forced: a reused origin (BENCH_REPO) holds an earlier measurement's code.
git -C "$code" push -q -f origin main

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(git --version)"
clone=$out/clone
# --no-local: a real transfer (pack negotiation and copy), not hard links.
if [ -n "${BENCH_CLONE:-}" ]; then
  # A fresh clone of this origin made earlier, copied so that it stays
  # fresh; the clone's own time is then not measured here.
  cp -a "$BENCH_CLONE" "$clone"
  rm -rf "$clone/.git/assay"
  git -C "$clone" fetch -q origin
  clone_s=0 clone_cpu=0
else
  read -r clone_s clone_cpu < <(timed "$out" git clone -q --no-local "$origin" "$clone")
fi
# The compare below needs a second fresh clone: a copy of this one made
# before assay touches it, brought up to date by a fetch there (a second
# clone of a million records would cost as long as the first).
second=$out/second
cp -a "$clone" "$second"
records=$(git -C "$clone" ls-tree -r --name-only origin/assay/results | grep -c '\.json$' || true)
printf '%-40s %8d\n' "records on the branch" "$records"
read -r base_s base_cpu < <(timed "$clone" git ls-tree -r origin/assay/results)
printf '%-40s %8.0f ms  (%6.0f ms CPU)\n' "git ls-tree -r (baseline)" "$(awk -v s="$base_s" 'BEGIN { print s * 1000 }')" "$(awk -v s="$base_cpu" 'BEGIN { print s * 1000 }')"
if [ -n "${BENCH_CLONE:-}" ]; then
  printf '%-40s %8s\n' "git clone (fresh)" "(a copy of BENCH_CLONE, not timed)"
else
  row "git clone (fresh)" "$clone_s" "$clone_cpu"
fi
printf '%-40s %8.1f MB\n' "clone size on disk" "$(du -sk "$clone/.git" | awk '{ print $1 / 1024 }')"
read -r cold_s cold_cpu < <(timed "$clone" "$assay" ls --limit 1)
row "cold assay ls (fresh clone)" "$cold_s" "$cold_cpu"
read -r warm_s warm_cpu < <(timed "$clone" "$assay" ls --limit 1)
row "warm assay ls" "$warm_s" "$warm_cpu" "(cold is $(awk -v a="$cold_s" -v b="$warm_s" 'BEGIN { printf "%.1fx", a / b }') warm)"

if [ -n "${BENCH_SMOKE:-}" ]; then
  # The generated branch is one assay can read whole: every run listed.
  git -C "$origin" fsck --strict --no-dangling 2>"$out/fsck" || { cat "$out/fsck" >&2; echo "git fsck of the generated origin failed" >&2; exit 1; }
  (cd "$clone" && "$assay" ls --limit 0 --format json >"$out/ls.json")
  listed=$(grep -c '"id": "' "$out/ls.json" || true)
  if [ "$listed" != "$RUNS" ] || [ "$records" != "$RUNS" ]; then
    echo "assay ls lists $listed runs and the branch holds $records records; generated $RUNS" >&2
    exit 1
  fi
fi

# A run id no earlier measurement on a reused origin has used.
"$out/resultsgen" -n 1 -start "$((RUNS + $(date +%s) % 100000))" -seed 9 -spool "$clone/.git/assay/spool"
read -r push_s push_cpu < <(timed "$clone" "$assay" sync)
row "push of one more run (assay sync)" "$push_s" "$push_cpu"

# The pull request: base runs, then a head commit that changes lr and
# runs what it changed; both pushed on top of the records.
(cd "$code" && "$assay" run --all >/dev/null 2>"$out/run.err") || { cat "$out/run.err" >&2; exit 1; }
sed -i 's/lr = 1 }/lr = 2 }/' "$code/experiments/tiny.hcl"
git -C "$code" commit -q -am 'lr 1 -> 2'
head=$(git -C "$code" rev-parse HEAD)
(cd "$code" && "$assay" run --base "$base" >/dev/null 2>"$out/run.err") || { cat "$out/run.err" >&2; exit 1; }
git -C "$code" push -q -f origin main
git -C "$second" fetch -q origin
test ! -e "$second/.git/assay" || { echo "the second clone already has an index" >&2; exit 1; }
read -r cmp_s cmp_cpu < <(timed "$second" "$assay" compare --base "$base" --head "$head")
grep -q 'tiny' "$out/stdout" || { echo "compare does not show the experiment:" >&2; cat "$out/stdout" >&2; exit 1; }
row "compare of a PR, cold (fresh clone)" "$cmp_s" "$cmp_cpu"
read -r cmpw_s cmpw_cpu < <(timed "$second" "$assay" compare --base "$base" --head "$head")
row "compare of a PR, warm" "$cmpw_s" "$cmpw_cpu"
