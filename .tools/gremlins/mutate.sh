#!/usr/bin/env bash
# Mutation testing of the packages named, one at a time: gremlins plants
# small bugs (a < for a <=, a - for a +, a negated condition) one by one
# and runs the package's tests against each; a mutant the tests do not
# catch LIVED and is printed with its place. Configuration: .gremlins.yaml.
#
# Usage: mutate.sh GREMLINS PKG...
#   MUTATE_FLAGS: more gremlins flags
#   MUTATE_FILES: mutate only these files of each package (names, as
#                 "plan.go sides.go"); the package's tests still all run
#   MUTATE_STATUSES: which mutants to print, as gremlins' -S letters
#                 (default ltc: lived, timed out, not covered)
#
# Each package runs in a scratch copy of the working tree in which only
# that package keeps its tests: gremlins gathers coverage over ./PKG/...,
# and the packages below one (runner/slurm under runner, which needs a
# Slurm cluster) have tests of their own that say nothing of PKG.
set -euo pipefail
# go vet runs in make lint; on a mutant it is time spent, and a vet
# complaint would count the mutant as killed by the tests.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-vet=off"

gremlins=$1
shift
root=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# go test's exit status, as gremlins reads it, made to tell a mutant that
# does not build from one the tests caught (bin/go says why).
MUTATE_REAL_GO=$(command -v go)
export MUTATE_REAL_GO
PATH="$root/.tools/gremlins/bin:$PATH"

results=()
for pkg in "$@"; do
	pkg=${pkg#./}
	tree=$scratch/tree
	rm -rf "$tree"
	mkdir -p "$tree"
	(cd "$root" && git ls-files -z -co --exclude-standard |
		tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$tree"
	find "$tree/$pkg" -mindepth 2 -name '*_test.go' -delete

	# gremlins has no include flag: every other file of the package is
	# excluded by name (its -E flags replace exclude-files, hence the /
	# that keeps subpackages out).
	only=()
	if [ -n "${MUTATE_FILES:-}" ]; then
		only=(-E /)
		for f in "$tree/$pkg"/*.go; do
			f=${f##*/}
			case " $MUTATE_FILES " in *" $f "*) ;; *) only+=(-E "^${f//./\\.}\$") ;; esac
		done
	fi

	echo "== $pkg"
	log=$scratch/log
	start=$(date +%s)
	# -S ltc: print the mutants that lived, timed out or were not covered,
	# not every one; their places are made relative to the repository.
	# gremlins calls a mutant not covered when no coverage block holds it,
	# and Go's coverage counts a switch's case bodies, not its case
	# expressions: those mutants are never run, so they are listed to be
	# tried by hand.
	# shellcheck disable=SC2086 # MUTATE_FLAGS is a list of flags
	(cd "$tree" && "$gremlins" unleash --config "$tree/.gremlins.yaml" ${MUTATE_FLAGS:-} "${only[@]}" -S "${MUTATE_STATUSES:-ltc}" "./$pkg") |
		sed -u -E "s|$tree/||g; s|(LIVED\|TIMED OUT\|NOT COVERED)(.*) at |\1\2 at $pkg/|" | tee "$log"
	took=$(($(date +%s) - start))
	# "Killed: 72, Lived: 22, Not covered: 6",
	# "Timed out: 0, Not viable: 3, Skipped: 0" and "Test efficacy: 76.60%"
	results+=("$(awk -v pkg="$pkg" -v took="$took" '
		/^Killed:/ { gsub(/,/, ""); k = $2; l = $4; nc = $7 }
		/^Timed out:/ { gsub(/,/, ""); to = $3; nv = $6 }
		/^Test efficacy:/ { e = $3 }
		END { printf "%-18s %8s %5s killed %4s lived %4s timed out %4s not covered %4s not viable %6ds\n", pkg, e, k, l, to, nc, nv, took }' "$log")")
done

echo
echo "== efficacy: killed / (killed + lived), per package"
printf '%s\n' "${results[@]}"
