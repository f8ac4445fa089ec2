package main

import (
	"context"
	"fmt"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// newSearchHistoryFunc makes a fresh history of the results branch and
// the spool each time it is called, so that each round sees the rounds
// this run has just finished.
func newSearchHistoryFunc(store *results.Store, spoolDir string) func() *searchHistory {
	return func() *searchHistory { return newSearchHistory(store, spoolDir) }
}

// runSearchRounds carries the plan's searches on after the first batch:
// while a search has a round to run, it replays the search against what
// is recorded now (the spool holds the rounds just run) and runs that
// round, until every search has spent its budget, a round could not
// settle (its trials were cancelled), or ctx ends. ran holds the jobs
// already run by this invocation; it returns the jobs of the rounds it
// ran, for the run's summary. A shard (--shard) runs only its share of
// the round it was planned with: the next round is the next workflow
// run's, once every shard's results are on the results branch.
func runSearchRounds(ctx context.Context, opts *runOptions, plan *runner.Plan, x runner.Executor, sink runner.Sink,
	ran []*runner.Job, batch *runner.Batch, history func() *searchHistory, newProg func(n int) progress) ([]*runner.Job, error) {
	f := opts.f
	var all []*runner.Job
	done := map[string]bool{}
	for _, j := range ran {
		done[j.Trial.Key] = true
	}
	for ctx.Err() == nil && len(plan.Searches()) > 0 {
		if err := replayFrom(plan, history()); err != nil {
			return all, err
		}
		var trials []*spec.Trial
		for _, e := range plan.Experiments {
			if !e.Selected || e.Search == nil {
				continue
			}
			for _, t := range e.ToRun {
				if !done[t.Key] {
					trials = append(trials, t)
				}
			}
		}
		if len(trials) == 0 {
			return all, nil
		}
		jobs := runner.NewJobs(plan.HeadProject, trials)
		plan.AttachLineage(jobs)
		plan.AttachSearch(jobs)
		if refusals := x.Check(jobs); len(refusals) > 0 {
			return all, fmt.Errorf("%s of the next round cannot run on this machine: %s", plural(len(refusals), "trial"), refusals[0].Reason)
		}
		for _, s := range plan.Searches() {
			fmt.Fprintf(f.IO.ErrOut, "Search %s: round %d of rounds 0-%d, %s proposed from the %s before it.\n", s.Experiment.Name,
				s.Next.Index, (s.Points+s.Batch-1)/s.Batch-1, plural(len(s.Next.Points), "point"), plural(s.Next.Index, "round"))
		}
		for _, j := range jobs {
			done[j.Trial.Key] = true
		}
		all = append(all, jobs...)
		b := *batch
		b.Jobs = jobs
		prog := newProg(len(jobs))
		err := x.Execute(ctx, &b, sink, runner.MaskObserver(prog, batch.Mask))
		prog.Close()
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// warnNoEarlyStop says that the slurm executor runs a search's trials to
// their end: it follows jobs through squeue and files, and does not stop
// them on a judge's word. The search is still right, only slower.
func warnNoEarlyStop(f *Factory, jobs []*runner.Job) {
	for _, j := range jobs {
		if j.EarlyStop != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: the slurm executor does not stop trials early; %s and the rest of its search's round run to their end\n", j.Trial.Experiment)
			return
		}
	}
}
