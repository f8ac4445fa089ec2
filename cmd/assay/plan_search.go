package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/assaylab/assay/runner"
)

// writePlanSearches tells, for each selected search, where it stands:
// the budget, the rounds settled, the best point so far and the round
// that runs next (its trials are in the table of trials to run).
func writePlanSearches(w io.Writer, plan *runner.Plan) {
	for _, e := range plan.Experiments {
		s := e.Search
		if s == nil || !e.Selected {
			continue
		}
		d := s.Document()
		how := d.Method
		if d.EarlyStop != "" {
			how += ", early stopping: " + d.EarlyStop
		}
		fmt.Fprintf(w, "\n%s is a search (%s): budget %s, %s a round.\n", e.Name, how,
			plural(d.Budget, "trial"), plural(d.Batch, "point"))
		settled := fmt.Sprintf("%d of %d rounds settled, %s", d.RoundsDone, d.Rounds, plural(d.Settled, "trial"))
		if d.Stopped+d.Failed > 0 {
			settled += fmt.Sprintf(" (%d stopped early, %d failed)", d.Stopped, d.Failed)
		}
		fmt.Fprintf(w, "  %s.\n", settled)
		if b := s.Best; b != nil {
			fmt.Fprintf(w, "  Best so far: %s %s at %s (round %d).\n", s.Objective, strconv.FormatFloat(b.Value, 'g', 6, 64),
				formatParams(b.Trials[0].Params), b.Origin.Round)
		}
		if s.Next == nil {
			fmt.Fprintf(w, "  The budget is spent: nothing more to propose.\n")
			continue
		}
		fmt.Fprintf(w, "  Next: round %d, %s proposed from the %s settled before it:\n", s.Next.Index, plural(len(s.Next.Points), "point"),
			plural(s.Next.Index, "round"))
		for _, p := range s.Next.Points {
			state := "to run"
			if p.Settled() {
				state = "settled"
			}
			fmt.Fprintf(w, "    %d. %s (%s)\n", p.Origin.Proposal, formatParams(p.Trials[0].Params), state)
		}
	}
}
