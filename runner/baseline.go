package runner

import "github.com/assaylab/assay/spec"

// BaselineTrials are the base side's trials of the experiments a change
// modified or removed that have no succeeded run (with Rerun, all of them):
// what assay run --baseline runs from the base commit's files, so a
// comparison has both sides even when nobody ran the base before. With
// All, every experiment that exists at the base counts.
func (p *Plan) BaselineTrials() (run, reused []*spec.Trial) {
	for _, e := range p.Experiments {
		r, u := p.splitRecorded(p.baseCandidates(e))
		run, reused = append(run, r...), append(reused, u...)
	}
	return run, reused
}

// baseCandidates are the base trials of e that the base side of a
// comparison needs: those of a modified or removed experiment (with All,
// of any experiment at the base).
//
// A search has no base side to run: its base is what the base's search
// settled so far, and running more of it would advance another search.
func (p *Plan) baseCandidates(e *ExperimentPlan) []*spec.Trial {
	if e.Base == nil || e.BaseSearch != nil {
		return nil
	}
	if !p.Options.All && e.Status != ExperimentModified && e.Status != ExperimentRemoved {
		return nil
	}
	return e.BaseTrials
}

// selectBaseSide fills e's base side when the plan runs one
// (PlanOptions.WithBaseline): the base candidates whose key the head does
// not select too (a trial the same on both sides is the head's to run,
// and its record serves both), split into those to run and those with a
// succeeded record. A plan with --scheduled has no base side.
func (p *Plan) selectBaseSide(e *ExperimentPlan) {
	e.BaseSelected, e.BaseToRun, e.BaseReused = nil, nil, nil
	if !p.Options.WithBaseline || p.Options.Scheduled || p.BaseProject == nil {
		return
	}
	head := map[string]bool{}
	if e.Selected {
		for _, t := range e.HeadTrials {
			head[t.Key] = true
		}
	}
	for _, t := range p.baseCandidates(e) {
		if !head[t.Key] {
			head[t.Key] = true // a key twice on the base side runs once
			e.BaseSelected = append(e.BaseSelected, t)
		}
	}
	e.BaseToRun, e.BaseReused = p.splitRecorded(e.BaseSelected)
}

// splitRecorded splits trials into those to run and those whose key has a
// succeeded run, which are reused unless Rerun.
func (p *Plan) splitRecorded(ts []*spec.Trial) (run, reused []*spec.Trial) {
	rec := p.Options.Recorded
	for _, t := range ts {
		if !p.Options.Rerun && rec != nil && rec.Recorded(t.Key) {
			reused = append(reused, t)
		} else {
			run = append(run, t)
		}
	}
	return run, reused
}

// BaseToRun is every base-side trial the plan runs, experiment by
// experiment in name order: the base commit's trials that a comparison
// lacks (PlanOptions.WithBaseline). They run from the base commit's files
// and are recorded with it as their source commit.
func (p *Plan) BaseToRun() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.BaseToRun...)
	}
	return out
}

// BaseReused is every base-side trial whose key already has a succeeded
// run.
func (p *Plan) BaseReused() []*spec.Trial {
	var out []*spec.Trial
	for _, e := range p.Experiments {
		out = append(out, e.BaseReused...)
	}
	return out
}

// Clear drops every trial the plan would run or reuse, on both sides: a
// plan that must run nothing (a fork's pull request that no maintainer
// approved).
func (p *Plan) Clear() {
	for _, e := range p.Experiments {
		e.Selected, e.ToRun, e.Reused = false, nil, nil
		e.BaseSelected, e.BaseToRun, e.BaseReused = nil, nil, nil
	}
}
