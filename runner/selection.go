package runner

import (
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/assaylab/assay/spec"
)

func (p *Plan) wanted(name string, matched []bool) bool {
	if len(p.Options.Experiments) == 0 {
		return true
	}
	ok := false
	for i, g := range p.Options.Experiments {
		if m, _ := doublestar.Match(g, name); m {
			matched[i], ok = true, true
		}
	}
	return ok
}

// UseRecorded re-selects the plan's trials against rec: what is recorded
// is reused, the rest runs. It is for a store that can only be opened once
// the head's settings are known (the results branch they name).
func (p *Plan) UseRecorded(rec Recorded) {
	p.Options.Recorded = rec
	for _, e := range p.Experiments {
		p.selectTrials(e)
	}
}

func (p *Plan) selectTrials(e *ExperimentPlan) {
	e.Selected, e.ToRun, e.Reused = false, nil, nil
	defer p.selectBaseSide(e)
	if e.Head == nil {
		return
	}
	scheduled := p.Options.Scheduled && e.Head.Schedule != ""
	e.Selected = p.Options.All || scheduled ||
		(!p.Options.Scheduled && (e.Status == ExperimentAdded || e.Status == ExperimentModified))
	if !e.Selected {
		return
	}
	if e.Search != nil {
		e.ToRun, e.Reused = e.Search.split()
		return
	}
	rec := p.Options.Recorded
	for _, t := range e.HeadTrials {
		if !p.Options.Rerun && !scheduled && rec != nil && rec.Recorded(t.Key) {
			e.Reused = append(e.Reused, t)
		} else {
			e.ToRun = append(e.ToRun, t)
		}
	}
}

// ToRun is every trial the plan runs, experiment by experiment in name
// order, each experiment's in trial order.
func (p *Plan) ToRun() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.ToRun...)
	}
	return out
}

// Reused is every selected trial whose key already has a succeeded run.
func (p *Plan) Reused() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.Reused...)
	}
	return out
}

// Selected is every head trial of the selected experiments, to run or
// reused, in plan order.
func (p *Plan) Selected() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		if e.Selected {
			out = append(out, e.HeadTrials...)
		}
	}
	return out
}

// sharded is what shards divide: experiment by experiment in name order,
// the base side's candidates and then the selected head trials (of a
// search, its next round's), each in trial order. The set does not depend
// on what is recorded, so a shard means the same trials however many of
// them other jobs have finished since the matrix was made.
func (p *Plan) sharded() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.BaseSelected...)
		switch {
		case !e.Selected:
		case e.Search != nil:
			out = append(out, e.Search.NextTrials()...)
		default:
			out = append(out, e.HeadTrials...)
		}
	}
	return out
}

// allToRun is every trial the plan runs, on both sides, in the order of
// sharded.
func (p *Plan) allToRun() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.BaseToRun...)
		out = append(out, e.ToRun...)
	}
	return out
}

// Experiment returns the plan of the experiment named name, or nil.
func (p *Plan) Experiment(name string) *ExperimentPlan {
	for _, e := range p.Experiments {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Summary counts a plan's experiments and trials.
type Summary struct {
	Experiments int `json:"experiments"`
	Added       int `json:"added"`
	Modified    int `json:"modified"`
	Removed     int `json:"removed"`
	Unchanged   int `json:"unchanged"`
	// Selected counts the experiments with trials to run or reuse, on
	// either side (in this shard, once narrowed to one).
	Selected int `json:"selected"`
	// ToRun and Reused count the head's trials; BaseToRun and BaseReused
	// the base side's (PlanOptions.WithBaseline).
	ToRun      int `json:"to_run"`
	Reused     int `json:"reused"`
	BaseToRun  int `json:"base_to_run"`
	BaseReused int `json:"base_reused"`
}

// Summary counts the plan.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, e := range p.Experiments {
		s.Experiments++
		switch e.Status {
		case ExperimentAdded:
			s.Added++
		case ExperimentModified:
			s.Modified++
		case ExperimentRemoved:
			s.Removed++
		default:
			s.Unchanged++
		}
		if (e.Selected && len(e.ToRun)+len(e.Reused) > 0) || len(e.BaseToRun)+len(e.BaseReused) > 0 {
			s.Selected++
		}
		s.ToRun += len(e.ToRun)
		s.Reused += len(e.Reused)
		s.BaseToRun += len(e.BaseToRun)
		s.BaseReused += len(e.BaseReused)
	}
	return s
}

// estimate fills the trial weights used to balance shards.
func (p *Plan) estimate() {
	p.estimates = map[*spec.Trial]time.Duration{}
	if p.Options.Estimate == nil {
		return
	}
	for _, t := range p.sharded() {
		if d := p.Options.Estimate(t); d > 0 {
			p.estimates[t] = d
		}
	}
}
