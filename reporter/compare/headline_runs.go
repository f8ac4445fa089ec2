package compare

import (
	"github.com/assaylab/assay/runner"
)

// HeadlineRuns are the runs whose files a report shows for one
// experiment: on each side, one run of the headline's config. Either is
// nil where that side has no headline config or no succeeded run of it.
type HeadlineRuns struct {
	Base, Head *runner.Result
}

// HeadlineRuns finds, in what the comparison e belongs to was built from,
// the newest succeeded run of each side's headline config: for a sweep,
// the head's best config among the paired ones and its base partner (see
// Row.Base), the one config otherwise. One seed stands for the
// config, as a reviewer opening "the" confusion matrix expects; the
// newest run is the one most likely made by the code under review. The
// statistics do not depend on it, which is why the comparison itself does
// not carry it.
func (in *Input) HeadlineRuns(e *Experiment) HeadlineRuns {
	var out HeadlineRuns
	if in == nil || in.Lookup == nil || e == nil || e.Headline == nil {
		return out
	}
	var ei *ExperimentInput
	for i := range in.Experiments {
		if in.Experiments[i].Name == e.Name {
			ei = &in.Experiments[i]
		}
	}
	if ei == nil {
		return out
	}
	out.Base = newestSucceeded(ei.Base, e.Headline.Base, in.Lookup)
	out.Head = newestSucceeded(ei.Head, e.Headline.Head, in.Lookup)
	return out
}

// newestSucceeded is the newest succeeded run among the trials of one
// config of a side.
func newestSucceeded(side *SideInput, cfg *Config, lookup func(string) []*runner.Result) *runner.Result {
	if side == nil || cfg == nil {
		return nil
	}
	var pick *runner.Result
	for _, t := range side.Trials {
		pj := t.ParamsJSON
		if pj == "" {
			pj = "{}"
		}
		if pj != string(cfg.Params) {
			continue
		}
		for _, r := range lookup(t.Key) {
			if r == nil || r.Status != runner.StatusSucceeded {
				continue
			}
			if pick == nil || runBefore(pick, r) {
				pick = r
			}
		}
	}
	return pick
}
