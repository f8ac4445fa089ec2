package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

const withBaselineUsage = "also run the base side's trials that have no result, from the base commit's files (default: on in a pull_request run)"

// withBaseline is --with-baseline as given, else whether this is a GitHub
// Actions pull_request run: there the report compares both sides, so the
// base trials it lacks run in the same matrix. assay plan and every
// assay run --shard of one workflow run see the same event, so they agree
// on the shards.
func withBaseline(f *Factory, cmd *cobra.Command, flag bool) bool {
	if cmd.Flags().Changed("with-baseline") {
		return flag
	}
	switch f.Getenv("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_target":
		return true
	}
	return false
}

// runSide is one side's share of an assay run: trials run from one
// commit's files and recorded with it as their source commit.
type runSide struct {
	// base: the base side, run from an export of the base commit.
	base    bool
	jobs    []*runner.Job
	project *spec.Project
	commit  string
	// root is the project root the trials run in: the working tree for
	// the head, the export for the base (set by exportBaseSide).
	root   string
	reused int
}

// runSides is what assay run runs: with --baseline the base side alone;
// else the base side (--with-baseline) and the head, narrowed to the shard
// with --shard. The head comes last.
func runSides(opts *runOptions, plan *runner.Plan, root string) ([]*runSide, error) {
	if opts.baseline {
		b, err := selectBaseline(plan)
		if err != nil {
			return nil, err
		}
		return []*runSide{{base: true, jobs: runner.NewJobs(b.project, b.trials), project: b.project, commit: b.commit, reused: b.reused}}, nil
	}
	if opts.shard != "" {
		i, n, _ := runner.ParseShard(opts.shard)
		if err := plan.KeepShard(i, n); err != nil {
			return nil, err
		}
	}
	var sides []*runSide
	if bt, br := plan.BaseToRun(), plan.BaseReused(); len(bt)+len(br) > 0 {
		sides = append(sides, &runSide{base: true, jobs: runner.NewJobs(plan.BaseProject, bt), project: plan.BaseProject,
			commit: plan.Base.Commit, reused: len(br)})
	}
	head := &runSide{jobs: runner.NewJobs(plan.HeadProject, plan.ToRun()), project: plan.HeadProject,
		commit: plan.Head.Commit, root: root, reused: len(plan.Reused())}
	return append(sides, head), nil
}

// sideJobs is every side's jobs in run order, and how many trials were
// skipped as recorded.
func sideJobs(sides []*runSide) (jobs []*runner.Job, skipped int) {
	for _, s := range sides {
		jobs = append(jobs, s.jobs...)
		skipped += s.reused
	}
	return jobs, skipped
}

// mixedSides reports whether the run has base-side trials beside the
// head's, so its output labels each trial's side.
func mixedSides(sides []*runSide) bool {
	return len(sides) > 1 && len(sides[0].jobs) > 0
}

// exportBaseSide writes the base commit's files for a base side with
// trials to run and points the side at them; the returned cleanup removes
// them.
func exportBaseSide(opts *runOptions, repo *gitrepo.Repo, plan *runner.Plan, sides []*runSide, projectRoot, stateDir string) (func(), error) {
	cleanup := func() {}
	for _, s := range sides {
		if !s.base || len(s.jobs) == 0 {
			continue
		}
		dir, done, err := exportBaseline(opts, repo, projectRoot, stateDir, s.commit)
		if err != nil {
			return cleanup, err
		}
		s.root, cleanup = dir, done
		if opts.baseline {
			fmt.Fprintf(opts.f.IO.ErrOut, "Running the baseline from %s.\n", plan.Base)
		} else {
			fmt.Fprintf(opts.f.IO.ErrOut, "Base side: %s with no result yet, run from the files of the base, %s.\n", plural(len(s.jobs), "trial"), plan.Base)
		}
	}
	return cleanup, nil
}

// baselineSelection is what assay run --baseline runs: the base side of
// the changed experiments, from the base commit's files.
type baselineSelection struct {
	trials  []*spec.Trial
	reused  int
	project *spec.Project
	commit  string
}

func selectBaseline(plan *runner.Plan) (*baselineSelection, error) {
	if plan.Base.Kind == runner.SideNone || plan.Base.Commit == "" {
		return nil, fmt.Errorf("there is no base commit to run; name one with --base REF")
	}
	if plan.BaseProject == nil {
		return nil, fmt.Errorf("the specs at the base (%s) could not be read, so its trials cannot run; see the warning above", plan.Base)
	}
	run, reused := plan.BaselineTrials()
	return &baselineSelection{trials: run, reused: len(reused), project: plan.BaseProject, commit: plan.Base.Commit}, nil
}

// exportBaseline writes the base commit's files into a fresh directory
// under stateDir and returns the project root inside it. The user's work
// tree and index are never touched.
func exportBaseline(opts *runOptions, repo *gitrepo.Repo, projectRoot, stateDir, commit string) (string, func(), error) {
	snap, err := repo.Commit(plumbing.NewHash(commit))
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp(stateDir, "baseline-"+commit[:min(12, len(commit))]+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := gitrepo.Export(opts.f.Context, snap, dir); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("checking out the base commit %.12s: %w", commit, err)
	}
	rel, err := filepath.Rel(repo.Root(), projectRoot)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return filepath.Join(dir, rel), cleanup, nil
}

// sideName is "base" or "head", as plan output labels trials.
func sideName(s *runSide) string {
	if s.base {
		return "base"
	}
	return "head"
}
