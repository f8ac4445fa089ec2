package runner

import "github.com/assaylab/assay/spec"

// BaselineTrials are the base side's trials of the experiments a change
// modified or removed that have no succeeded run (with Rerun, all of them):
// what assay run --baseline runs from the base commit's files, so a
// comparison has both sides even when nobody ran the base before. With
// All, every experiment that exists at the base counts.
func (p *Plan) BaselineTrials() (run, reused []*spec.Trial) {
	rec := p.Options.Recorded
	for _, e := range p.Experiments {
		if e.Base == nil {
			continue
		}
		if !p.Options.All && e.Status != ExperimentModified && e.Status != ExperimentRemoved {
			continue
		}
		for _, t := range e.BaseTrials {
			if !p.Options.Rerun && rec != nil && rec.Recorded(t.Key) {
				reused = append(reused, t)
			} else {
				run = append(run, t)
			}
		}
	}
	return run, reused
}
