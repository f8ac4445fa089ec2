package runner

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/assaylab/assay/spec"
)

// replay replaces the trials of each side's search with the rounds its
// history supports (plan_search.go), so that change detection, selection
// and the comparison see a search's trials as far as it has got. A
// search that cannot be replayed keeps the trials its spec decides, with
// a warning.
func (p *Plan) replay(e *ExperimentPlan) {
	h := p.Options.History
	side := func(x *spec.Experiment, trials *[]*spec.Trial, out **Search) {
		*out = nil
		if x == nil || !x.Search() || len(*trials) == 0 {
			return
		}
		s, diags := ReplaySearch(x, (*trials)[0].Inputs, h)
		if diags.HasErrors() {
			p.Warnings = append(p.Warnings, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Search could not be replayed",
				Detail:   fmt.Sprintf("Experiment %q: a proposed point does not expand (%s); only the points its spec decides are planned.", x.Name, diags.Error()),
				Subject:  x.DeclRange.Ptr(),
			})
			return
		}
		*trials, *out = s.Trials(), s
	}
	side(e.Head, &e.HeadTrials, &e.Search)
	side(e.Base, &e.BaseTrials, &e.BaseSearch)
}

// UseHistory replays the plan's searches against h and selects again. It
// is for a results store that can only be opened once the head's settings
// are known, like UseRecorded, and for assay run between the rounds of a
// search. An experiment whose replayed trials now differ between base and
// head counts as modified, with the spec diff that explains it.
func (p *Plan) UseHistory(h History) {
	p.Options.History = h
	for _, e := range p.Experiments {
		if e.Search == nil && e.BaseSearch == nil {
			continue
		}
		if e.Search != nil {
			e.HeadTrials = e.Search.staticTrials()
		}
		if e.BaseSearch != nil {
			e.BaseTrials = e.BaseSearch.staticTrials()
		}
		p.replay(e)
		if e.Base != nil && e.Head != nil {
			switch same := sameKeys(e.BaseTrials, e.HeadTrials); {
			case same:
				e.Status, e.Changes = ExperimentUnchanged, nil
			case e.Status == ExperimentUnchanged:
				e.Status = ExperimentModified
				e.Changes = DiffSpecs(e.Base, e.Head, e.BaseTrials, e.HeadTrials, p.BaseProject, p.HeadProject)
			}
		}
		p.selectTrials(e)
	}
	p.estimate()
}

// staticTrials is a trial with the search's inputs, for replaying it
// again: replay reads only the fingerprint.
func (s *Search) staticTrials() []*spec.Trial {
	return []*spec.Trial{{Inputs: s.inputs}}
}

// Searches are the plan's head searches that have a round to run, in
// experiment order.
func (p *Plan) Searches() []*Search {
	var out []*Search
	for _, e := range p.Experiments {
		if e.Selected && e.Search != nil && e.Search.Next != nil {
			out = append(out, e.Search)
		}
	}
	return out
}

// SearchJobs are jobs for the trials of the selected head searches as far
// as they have got: what a run needs to know before later rounds are
// proposed, such as the secret_env its mask must cover (every trial of an
// experiment names the same).
func (p *Plan) SearchJobs() []*Job {
	var trials []*spec.Trial
	for _, e := range p.Experiments {
		if e.Selected && e.Search != nil {
			trials = append(trials, e.HeadTrials...)
		}
	}
	return NewJobs(p.HeadProject, trials)
}

// AttachSearch gives each job of a search's next round its place in the
// search, for its record, and its early-stopping judge.
func (p *Plan) AttachSearch(jobs []*Job) {
	for _, j := range jobs {
		e := p.Experiment(j.Trial.Experiment)
		if e == nil || e.Search == nil {
			continue
		}
		if o := e.Search.Origin(j.Trial.Key); o != nil {
			j.Search = o
			j.EarlyStop = e.Search.EarlyStop()
		}
	}
}

// SearchDocument is a search in a plan's JSON: the budget, how far the
// rounds have got, the best point so far and the next round's points.
type SearchDocument struct {
	// Method is the sweep's: "tpe", or "grid" or "random" with early_stop.
	Method string `json:"method"`
	// Budget counts trials (points × seeds); Batch is points per round.
	Budget int `json:"budget"`
	Batch  int `json:"batch"`
	Rounds int `json:"rounds"`
	// RoundsDone counts settled rounds; NextRound is the round to run,
	// absent once the budget is spent.
	RoundsDone int  `json:"rounds_done"`
	NextRound  *int `json:"next_round,omitempty"`
	// Settled, Stopped and Failed count trials.
	Settled   int    `json:"settled"`
	Stopped   int    `json:"stopped"`
	Failed    int    `json:"failed"`
	Objective string `json:"objective"`
	// EarlyStop names the rule and metric, as "asha on val_loss".
	EarlyStop string `json:"early_stop,omitempty"`
	// Best is the best point that ran to its end, by the objective's mean
	// over its seeds.
	Best *SearchPointDocument `json:"best,omitempty"`
	// Next are the next round's points.
	Next []SearchPointDocument `json:"next"`
}

// SearchPointDocument is one proposed point.
type SearchPointDocument struct {
	Round    int             `json:"round"`
	Proposal int             `json:"proposal"`
	Params   json.RawMessage `json:"params"`
	// Value is the objective's mean over the point's seeds, once known.
	Value *float64 `json:"value,omitempty"`
	// Settled: every trial of the point has settled.
	Settled bool `json:"settled"`
}

// Document is the search's JSON form; nil for a nil search.
func (s *Search) Document() *SearchDocument {
	if s == nil {
		return nil
	}
	d := &SearchDocument{
		Method: s.Experiment.Sweep.Method, Budget: s.Points * s.Seeds, Batch: s.Batch,
		Rounds: (s.Points + s.Batch - 1) / s.Batch, RoundsDone: s.RoundsDone(),
		Settled: s.Settled, Stopped: s.Stopped, Failed: s.Failed, Objective: s.Objective,
		Next: []SearchPointDocument{},
	}
	if es := s.Experiment.EarlyStop; es != nil {
		d.EarlyStop = es.Rule + " on " + s.StopMetric
	}
	if s.Best != nil {
		b := s.Best.Document()
		d.Best = &b
	}
	if s.Next != nil {
		i := s.Next.Index
		d.NextRound = &i
		for _, p := range s.Next.Points {
			d.Next = append(d.Next, p.Document())
		}
	}
	return d
}

// Document is the point's JSON form.
func (p *SearchPoint) Document() SearchPointDocument {
	d := SearchPointDocument{Round: p.Origin.Round, Proposal: p.Origin.Proposal, Params: json.RawMessage(p.Trials[0].ParamsJSON), Settled: p.Settled()}
	if len(d.Params) == 0 {
		d.Params = json.RawMessage("{}")
	}
	if p.HasValue {
		v := p.Value
		d.Value = &v
	}
	return d
}
