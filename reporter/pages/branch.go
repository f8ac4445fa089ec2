package pages

import (
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
)

// Branch says which runs speak for the default branch: the runs pages
// rank and summarise. The rest (pull requests, other branches) are shown
// apart, never as an experiment's best.
type Branch struct {
	// Name is the default branch, as pages name it ("main").
	Name string
	// Commits are the commits reachable from the default branch's tip;
	// nil when the repository's history is not at hand, and then the
	// trigger alone decides.
	Commits map[string]bool
	// Keys are the trial keys of the experiments at the default branch's
	// tip: a pull request's runs of these keys are the runs the branch
	// reused when the pull request merged, so they count.
	Keys map[string]bool
}

// Counts reports whether e speaks for the default branch. A nil Branch
// counts every run.
//
//   - A pull request's run counts once the default branch holds what it
//     ran: its trial key is one of the tip's, or its commit was merged
//     as it is.
//   - Any other run (a push, a night, a manual run) counts when its
//     commit is on the default branch, or when it ran one of the tip's
//     trial keys; with no history at hand, it counts.
func (b *Branch) Counts(e *results.Entry) bool {
	if b == nil {
		return true
	}
	if b.Keys[e.TrialKey] || b.Commits[e.SourceCommit] {
		return true
	}
	if e.PR > 0 || e.Trigger == runner.TriggerPR {
		return false
	}
	return b.Commits == nil || e.SourceCommit == ""
}

// Label names the default branch in page text: its name, or "the default
// branch".
func (b *Branch) Label() string {
	if b == nil || b.Name == "" {
		return "the default branch"
	}
	return b.Name
}
