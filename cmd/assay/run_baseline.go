package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

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
