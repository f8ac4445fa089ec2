// Command resultsgen makes realistic run records for the results-branch
// benchmarks: 500-step series for three metrics, a few KiB of log (more
// for failed runs), the params and metrics of a typical sweep. The files
// are exactly those assay records (results.RunFiles), in commits of
// -per-commit runs with the index segments assay's writers add beside
// them (results.SegmentWriter) and the message and trailers they write.
// It writes them
//
//   - with -git-dir, straight into a repository as one pack (fast: a
//     million records in minutes; the branch must be new there),
//   - by default, as a git fast-import stream (slower at scale, where
//     fast-import rewrites and deltas ever larger trees; it can add runs
//     to an existing branch with -start),
//   - with -spool, into an assay spool, for assay sync to deliver.
//
// Examples:
//
//	resultsgen -n 1000000 -per-commit 1000 -records-only -git-dir origin.git
//	resultsgen -n 100000 -per-commit 500 | git fast-import --quiet
//	resultsgen -n 100000 -no-segments | git fast-import --quiet   # as an older assay wrote it
//	resultsgen -n 100 -spool .git/assay/spool
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/assaylab/assay/runner/spool"
)

func main() {
	n := flag.Int("n", 1000, "runs to make")
	perCommit := flag.Int("per-commit", 100, "runs per results commit")
	seed := flag.Uint64("seed", 1, "random seed")
	start := flag.Int("start", 0, "number of the first run (to add runs to an existing branch)")
	spoolDir := flag.String("spool", "", "write the runs into this spool instead of a fast-import stream")
	gitDir := flag.String("git-dir", "", "write the branch as a pack straight into this (bare) repository instead of a fast-import stream")
	branch := flag.String("branch", "refs/heads/assay/results", "branch the results commits go on")
	steps := flag.Int("steps", 500, "points per metric series")
	recordsOnly := flag.Bool("records-only", false, "leave out series and logs (for index and query timings, which read only records)")
	nExp := flag.Int("experiments", 0, "spread the runs over this many experiments (exp-000, exp-001, ...) instead of 8 named ones")
	mainBranch := flag.String("main", "", "also write the default branch (refs/heads/main) as a chain of empty commits, one per 100 runs, and record runs from them")
	prShare := flag.Float64("pr-share", 0, "share of runs from pull requests (the rest are pushes and nights), for the results site")
	noSegments := flag.Bool("no-segments", false, "leave out the index segments (a branch written by an assay before them)")
	store := flag.String("artifact-store", "s3://team-artifacts/", "the artifact store the records' full logs are in (empty: records without full_log); a spool leaves that to assay sync")
	flag.Parse()
	if *n < 0 || *perCommit < 1 || *steps < 1 {
		check(fmt.Errorf("-n must be at least 0, -per-commit and -steps at least 1"))
	}
	g := newGen(*seed, *start, *steps, *nExp, *prShare)
	g.artifactStore = *store
	o := batchOptions{start: *start, n: *n, perCommit: *perCommit, recordsOnly: *recordsOnly, noSegments: *noSegments}
	switch {
	case *spoolDir != "":
		check(writeSpool(*spoolDir, g, o))
	case *gitDir != "":
		check(writeRepo(*gitDir, g, o, *branch, *mainBranch))
	default:
		check(writeStream(os.Stdout, g, o, *branch, *mainBranch))
	}
}

func newGen(seed uint64, start, steps, nExp int, prShare float64) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(seed, uint64(start))), steps: steps, experiments: experiments, prShare: prShare}
	if nExp > 0 {
		g.experiments = nil
		for k := range nExp {
			g.experiments = append(g.experiments, fmt.Sprintf("exp-%03d", k))
		}
	}
	return g
}

// writeSpool puts the runs into an assay spool, each with its log.
func writeSpool(dir string, g *gen, o batchOptions) error {
	sp, err := spool.Open(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "resultsgen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for i := o.start; i < o.start+o.n; i++ {
		run, log := g.run(i, !o.recordsOnly)
		// assay sync hashes and uploads the log, and names it in the record.
		run.Result.FullLog = nil
		run.LogPath = filepath.Join(tmp, fmt.Sprintf("log%d", i))
		if err := os.WriteFile(run.LogPath, log, 0o644); err != nil {
			return err
		}
		if err := sp.Put(run); err != nil {
			return err
		}
	}
	return nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "resultsgen:", err)
		os.Exit(1)
	}
}
