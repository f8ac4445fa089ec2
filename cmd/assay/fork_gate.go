package main

import (
	"fmt"

	"github.com/assaylab/assay/reporter/github"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// applyForkGate holds a plan inside a workflow run for a fork's pull
// request whose head commit no maintainer approved: it plans no trials
// and says why. The settings come from the base's assay.hcl, never the
// head's, which the fork's author controls. An error from GitHub fails
// the command, so nothing runs. Outside a pull request it does nothing
// and asks GitHub nothing.
func applyForkGate(f *Factory, plan *runner.Plan) error {
	cfg, err := github.ConfigFromEnv(f.Getenv)
	if err != nil || cfg.EventPath == "" {
		return err
	}
	ev, err := github.ReadEvent(cfg.EventPath, cfg.EventName)
	if err != nil || ev.PR == nil {
		return err
	}
	var client *github.Client
	if cfg.Token != "" && cfg.Owner != "" {
		client, err = github.NewClient(cfg, github.RetryPolicy{Notify: func(msg string) { fmt.Fprintf(f.IO.ErrOut, "assay: %s\n", msg) }})
		if err != nil {
			return err
		}
	}
	settings := spec.GitHub{ApprovalLabel: spec.DefaultApprovalLabel}
	if plan.BaseProject != nil {
		settings = plan.BaseProject.GitHub
	}
	// The approval must name the commit that would run: the plan's head.
	head := ""
	if plan.Head.Kind == runner.SideCommit {
		head = plan.Head.Commit
	}
	d, err := github.CheckFork(f.Context, client, github.ForkCheck{
		Event: ev, Head: head, AllowForks: settings.AllowForks, Label: settings.ApprovalLabel,
	})
	if err != nil {
		return fmt.Errorf("checking whether a maintainer approved this fork's pull request, so running none of its trials: %w", err)
	}
	if d.Reason != "" {
		fmt.Fprintf(f.IO.ErrOut, "assay: %s\n", d.Reason)
		if f.InActions() {
			fmt.Fprintf(f.IO.ErrOut, "::notice title=assay fork gate::%s\n", escapeData(d.Reason))
		}
	}
	if !d.Allowed {
		plan.Clear()
	}
	return nil
}
