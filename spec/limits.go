package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Limits on what a spec may ask for. `assay plan` reads the specs of a
// pull request before anyone has reviewed them, a fork's included, so
// the work of loading and expanding a spec must stay in proportion to its
// size. Chains of extends and of locals cost time linear in their length
// (see merge and evalLocals); what a few bytes can multiply (trials over
// experiments, metrics inherited by many experiments) is capped here, and
// each cap's error names the limit and what to do.

// MaxMetrics is the most metric blocks one experiment may have, those it
// inherits included. Every experiment that extends a template carries its
// metrics, so without a cap a template of many metrics extended by many
// experiments costs their product. A trial may still report metrics it
// does not declare: the collector keeps a bounded number of those.
const MaxMetrics = 1000

// tooManyMetrics is the error for a body whose metric blocks, with those
// it inherits, exceed MaxMetrics.
func tooManyMetrics(b *body, n int) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Too many metrics",
		Detail: fmt.Sprintf("%s %q has %d metric blocks with those it extends, more than the limit of %d. "+
			"Declare the metrics the comparison judges; a trial may report others without a metric block.",
			title(b.kind), b.name, n, MaxMetrics),
		Subject: b.labelRange.Ptr(),
	}
}

func title(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// checkTotalTrials refuses experiments that together expand to more
// trials than the project allows. Each experiment's count is known
// without expanding it, so the check costs nothing when it fails.
func (p *Project) checkTotalTrials() hcl.Diagnostics {
	limit := p.Settings.MaxTrials
	if limit <= 0 {
		limit = DefaultMaxTotalTrials
	}
	total := 0
	var over *Experiment
	for _, e := range p.Experiments {
		total += e.trialCount
		if total > limit && over == nil {
			over = e
		}
	}
	if over == nil {
		return nil
	}
	largest := byTrialCount(p.Experiments)
	var names []string
	for _, e := range largest[:min(3, len(largest))] {
		names = append(names, fmt.Sprintf("%s %d", e.Name, e.trialCount))
	}
	how := fmt.Sprintf("If you mean it, raise the limit in %s: project { max_trials = %d }.", ProjectFile, total)
	subject := over.DeclRange.Ptr()
	if p.Settings.maxTrialsRange != nil {
		how = fmt.Sprintf("If you mean it, raise max_trials to %d.", total)
		subject = p.Settings.maxTrialsRange
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Too many trials in all",
		Detail: fmt.Sprintf("The experiments expand to %d trials together, more than the project's limit of %d (the largest: %s). %s",
			total, limit, strings.Join(names, ", "), how),
		Subject: subject,
	}}
}

// byTrialCount returns the experiments with the most trials first.
func byTrialCount(exps []*Experiment) []*Experiment {
	out := append([]*Experiment(nil), exps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].trialCount > out[j].trialCount })
	return out
}
