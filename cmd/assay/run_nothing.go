package main

import (
	"fmt"
	"strings"

	"github.com/assaylab/assay/runner"
)

// nothingToRun is what assay run says when the plan leaves no trial to
// run: what was skipped as recorded and, when experiments were left out
// because they did not change, which and how to run them anyway.
func nothingToRun(opts *runOptions, plan *runner.Plan, skipped int) string {
	plain := fmt.Sprintf("Nothing to run%s.", skippedText(skipped, opts.shard != ""))
	if opts.all || opts.scheduled || opts.baseline {
		return plain
	}
	var unchanged []string
	for _, e := range plan.Experiments {
		if e.Head != nil && !e.Selected {
			unchanged = append(unchanged, e.Name)
		}
	}
	if len(unchanged) == 0 {
		return plain
	}
	what, it := "experiment "+unchanged[0]+" is", "it"
	if len(unchanged) > 1 {
		what, it = fmt.Sprintf("%d experiments (%s) are", len(unchanged), listNames(unchanged, 5)), "them"
	}
	again := "assay run --all"
	for _, g := range opts.experiments {
		again += " --experiment " + shellQuote(g)
	}
	return fmt.Sprintf("Nothing to run%s: %s unchanged against the base (%s).\nTo run %s anyway: %s",
		skippedText(skipped, opts.shard != ""), what, describeSide(plan, plan.Base), it, again)
}

// listNames joins up to n names, saying how many more there are.
func listNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
