package main

import (
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/assaylab/assay/reporter/pages"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/spec"
)

// defaultBranchView says which runs speak for the default branch, for
// the pages of assay ui and assay site: the commits reachable from its
// tip, and the trial keys its experiments have there (a pull request's
// runs of those keys are the runs the branch reused when it merged,
// squash merges included). It also returns the specs at the tip, the
// goals pages judge by; nil when the tip's specs cannot be read.
//
// With no default branch (a repository without main, master or
// origin/HEAD) it returns nil, and every run counts; a history cut
// short (a shallow clone) leaves Commits nil, and the trigger decides.
func defaultBranchView(f *Factory, ws *workspace, repo *gitrepo.Repo, vv spec.VarValues) (*pages.Branch, *spec.Project, []string) {
	var notes []string
	name, tip, err := repo.DefaultBranch()
	if err != nil {
		return nil, nil, []string{"no default branch (origin/HEAD, main or master): every run counts as the default branch's"}
	}
	b := &pages.Branch{Name: defaultBranchName(name), Commits: map[string]bool{}}
	iter, err := repo.Git().Log(&git.LogOptions{From: tip})
	if err == nil {
		err = iter.ForEach(func(c *object.Commit) error {
			b.Commits[c.Hash.String()] = true
			return nil
		})
	}
	if err != nil || repo.Shallow() {
		b.Commits = nil
		notes = append(notes, fmt.Sprintf("the history of %s is not all here (a shallow clone?): runs count by why they ran; fetch with --unshallow to count by commit", name))
	}
	plan, diags, err := runner.BuildPlan(f.Context, repo, runner.PlanOptions{
		ProjectDir: ws.root, Head: tip.String(), All: true, Getenv: f.Getenv, Vars: vv, Artifacts: artifactSource(f, ws),
	})
	switch {
	case err != nil:
		notes = append(notes, fmt.Sprintf("the specs at %s could not be planned (%v): pull requests' runs count only once their commits are on %s", name, err, name))
	case diags.HasErrors():
		notes = append(notes, fmt.Sprintf("the specs at %s have errors: pull requests' runs count only once their commits are on %s", name, name))
	default:
		b.Keys = map[string]bool{}
		for _, e := range plan.Experiments {
			for _, t := range e.HeadTrials {
				b.Keys[t.Key] = true
			}
		}
		return b, plan.HeadProject, notes
	}
	if plan != nil {
		return b, plan.HeadProject, notes
	}
	return b, nil, notes
}

// defaultBranchName is "main" for "main", "origin/main" and "refs/heads/main".
func defaultBranchName(name string) string {
	for _, p := range []string{"refs/heads/", "refs/remotes/origin/", "origin/"} {
		if len(name) > len(p) && name[:len(p)] == p {
			return name[len(p):]
		}
	}
	return name
}
