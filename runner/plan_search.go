package runner

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/assaylab/assay/runner/search"
	"github.com/assaylab/assay/spec"
)

// Search is one experiment's search replayed from history: the rounds
// proposed so far, each from the results of the rounds before it, and
// the round to run next. Replaying the same spec against the same history
// proposes the same points, to the bit, so every machine that plans a
// search agrees on it without talking to the others.
type Search struct {
	Experiment *spec.Experiment
	// Points is the most param points the search may try, Batch how many
	// each round holds, Seeds the trials of each point.
	Points, Batch, Seeds int
	Rounds               []*SearchRound
	// Next is the round whose trials are not all settled, which runs
	// next; nil when the budget is spent and every round settled.
	Next *SearchRound
	// Best is the point with the best objective so far, nil when none
	// has a value.
	Best *SearchPoint
	// Objective is the metric optimized; StopMetric the one early_stop
	// judges ("" without early_stop).
	Objective, StopMetric string
	// Settled, Stopped and Failed count trials.
	Settled, Stopped, Failed int

	inputs  string
	stopper *search.Stopper
	origin  map[string]*SearchOrigin
}

// SearchRound is one round: the points it proposed.
type SearchRound struct {
	Index  int
	Points []*SearchPoint
}

// SearchPoint is one proposed point and its trials (one per seed).
type SearchPoint struct {
	Origin SearchOrigin
	Trials []*spec.Trial
	// Runs are the runs that settled each trial (nil where unsettled), in
	// Trials order.
	Runs []*Result
	// Value is the mean of the objective over the point's trials that
	// reported it; HasValue is false when none did.
	Value    float64
	HasValue bool
	// Stopped: some trial of the point was stopped early, at the
	// earliest at step StoppedAt.
	Stopped   bool
	StoppedAt int64

	x []float64
}

// Settled reports whether every trial of the point has settled.
func (p *SearchPoint) Settled() bool {
	for _, r := range p.Runs {
		if r == nil {
			return false
		}
	}
	return true
}

// Settled reports whether every point of the round has settled.
func (r *SearchRound) Settled() bool {
	for _, p := range r.Points {
		if !p.Settled() {
			return false
		}
	}
	return true
}

// Trials is every trial of the search's rounds so far, in proposal order.
func (s *Search) Trials() []*spec.Trial {
	var out []*spec.Trial
	for _, r := range s.Rounds {
		for _, p := range r.Points {
			out = append(out, p.Trials...)
		}
	}
	return out
}

// NextTrials are the trials of the round to run, settled or not.
func (s *Search) NextTrials() []*spec.Trial {
	if s.Next == nil {
		return nil
	}
	var out []*spec.Trial
	for _, p := range s.Next.Points {
		out = append(out, p.Trials...)
	}
	return out
}

// RoundsDone counts the settled rounds.
func (s *Search) RoundsDone() int {
	if s.Next != nil {
		return s.Next.Index
	}
	return len(s.Rounds)
}

// Origin is where the search proposed the trial with key, or nil.
func (s *Search) Origin(key string) *SearchOrigin { return s.origin[key] }

// split divides the search's trials into those the next round still has
// to run (each key once) and those already settled.
func (s *Search) split() (run, settled []*spec.Trial) {
	seen := map[string]bool{}
	for _, r := range s.Rounds {
		for _, p := range r.Points {
			for i, t := range p.Trials {
				switch {
				case p.Runs[i] != nil:
					settled = append(settled, t)
				case !seen[t.Key]:
					seen[t.Key] = true
					run = append(run, t)
				}
			}
		}
	}
	return run, settled
}

// ReplaySearch replays the search of e, whose trials read the inputs
// with fingerprint inputs, against h: round after round, each proposes
// its points from the results of the rounds before it, until a round has
// trials that have not settled or the budget is spent. The points of a
// grid or random sweep (with early_stop) and a TPE search's startup points
// come from the spec; TPE proposes the rest.
func ReplaySearch(e *spec.Experiment, inputs string, h History) (*Search, hcl.Diagnostics) {
	if h == nil {
		h = noHistory{}
	}
	obj := e.Objective()
	s := &Search{
		Experiment: e, Points: e.SearchPoints(), Batch: e.SearchBatch(), Seeds: len(e.Seeds),
		inputs: inputs, origin: map[string]*SearchOrigin{},
	}
	if obj != nil {
		s.Objective = obj.Name
	}
	if m := e.EarlyStopMetric(); m != nil {
		s.StopMetric = m.Name
	}
	static := e.Points()
	var (
		space Space
		tpe   *search.TPE
		tried = map[string]bool{}
	)
	if e.Sweep.Adaptive() {
		space = search.SpaceOf(e.Sweep)
		tpe = &search.TPE{Space: space}
	}
	var done []*SearchPoint
	for r := 0; r*s.Batch < s.Points; r++ {
		round := &SearchRound{Index: r}
		var obs []search.Observation
		if tpe != nil {
			obs = s.observations(done)
		}
		var pending [][]float64
		for i := r * s.Batch; i < min((r+1)*s.Batch, s.Points); i++ {
			var pt cty.Value
			var x []float64
			if i < len(static) {
				pt = static[i]
				if tpe != nil {
					x, _ = space.Point(e.Sweep, pt)
				}
			}
			if tpe != nil && (x == nil || tried[pointKey(x)]) {
				// A proposal, or a startup point that repeats one (a small
				// discrete domain): TPE proposes an untried point.
				x = tpe.Propose(obs, pending, func(x []float64) bool { return tried[pointKey(x)] }, search.NewSource(e.Sweep.Seed, i))
				pt = e.SweepPoint(space.Values(e.Sweep, x))
			}
			if x != nil {
				tried[pointKey(x)] = true
				pending = append(pending, x)
			}
			p, diags := s.point(pt, x, SearchOrigin{Round: r, Proposal: i}, h)
			if diags.HasErrors() {
				return s, diags
			}
			round.Points = append(round.Points, p)
		}
		s.Rounds = append(s.Rounds, round)
		if !round.Settled() {
			s.Next = round
			break
		}
		done = append(done, round.Points...)
	}
	s.tally()
	if s.Next != nil && e.EarlyStop != nil {
		s.stopper = s.newStopper(done, h)
	}
	return s, nil
}

// Space is the search package's space, named here for the replay.
type Space = search.Space

// pointKey identifies a point by its coordinates, which are exact.
func pointKey(x []float64) string { return fmt.Sprint(x) }

// point expands one proposal into its trials and finds how they settled.
func (s *Search) point(pt cty.Value, x []float64, origin SearchOrigin, h History) (*SearchPoint, hcl.Diagnostics) {
	e := s.Experiment
	trials, diags := e.TrialsAt([]cty.Value{pt}, s.inputs)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &SearchPoint{Origin: origin, Trials: trials, Runs: make([]*Result, len(trials)), x: x}
	sum, n := 0.0, 0
	for i, t := range trials {
		t.Index, t.Config = origin.Proposal*len(trials)+i, origin.Proposal
		o := origin
		s.origin[t.Key] = &o
		r := settledRun(h.Runs(t.Key))
		p.Runs[i] = r
		if r == nil {
			continue
		}
		if v, ok := r.Metrics[s.Objective]; ok && (r.Status == StatusSucceeded || r.Status == StatusStopped) {
			sum, n = sum+v, n+1
		}
		if r.Status == StatusStopped {
			step := int64(0)
			if pts := h.Series(r, s.StopMetric); len(pts) > 0 {
				step = pts[len(pts)-1].Step
			}
			if !p.Stopped || step < p.StoppedAt {
				p.StoppedAt = step
			}
			p.Stopped = true
		}
	}
	if n > 0 {
		p.Value, p.HasValue = sum/float64(n), true
	}
	return p, nil
}

// loss is a point's value as a number to minimize.
func (s *Search) loss(p *SearchPoint) float64 {
	if m := s.Experiment.Objective(); m != nil && m.Goal == "maximize" {
		return -p.Value
	}
	return p.Value
}

// ranked orders settled points with a value best first: those that ran
// to the end by their objective, then those stopped early, later stops
// first (a trial that survived more rungs was judged better), each by
// objective. Ties keep proposal order.
func (s *Search) ranked(points []*SearchPoint) []*SearchPoint {
	var out []*SearchPoint
	for _, p := range points {
		if p.HasValue && p.Settled() {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Stopped != b.Stopped {
			return !a.Stopped
		}
		if a.Stopped && a.StoppedAt != b.StoppedAt {
			return a.StoppedAt > b.StoppedAt
		}
		return s.loss(a) < s.loss(b)
	})
	return out
}

// observations are what TPE learns from: the settled points with a
// value, best first. Failed points tell it nothing.
func (s *Search) observations(points []*SearchPoint) []search.Observation {
	var out []search.Observation
	for _, p := range s.ranked(points) {
		if p.x != nil {
			out = append(out, search.Observation{X: p.x, Loss: s.loss(p)})
		}
	}
	return out
}

// tally counts the settled trials and finds the best point that ran to
// its end.
func (s *Search) tally() {
	var all []*SearchPoint
	for _, r := range s.Rounds {
		for _, p := range r.Points {
			all = append(all, p)
			for _, run := range p.Runs {
				if run == nil {
					continue
				}
				s.Settled++
				switch run.Status {
				case StatusStopped:
					s.Stopped++
				case StatusFailed, StatusTimedOut:
					s.Failed++
				}
			}
		}
	}
	if r := s.ranked(all); len(r) > 0 && !r[0].Stopped {
		s.Best = r[0]
	}
}

// newStopper is the judge of the next round's trials: the early_stop
// rule with the series of every settled trial of the earlier rounds.
func (s *Search) newStopper(done []*SearchPoint, h History) *search.Stopper {
	e := s.Experiment
	m := e.EarlyStopMetric()
	var ev []search.Evidence
	for _, p := range done {
		for _, r := range p.Runs {
			if r == nil || (r.Status != StatusSucceeded && r.Status != StatusStopped) {
				continue
			}
			pts := h.Series(r, m.Name)
			if len(pts) == 0 {
				continue
			}
			sp := make([]search.Point, len(pts))
			for i, q := range pts {
				sp[i] = search.Point{Step: q.Step, Value: q.Value}
			}
			ev = append(ev, search.Evidence{Points: sp, Completed: r.Status == StatusSucceeded})
		}
	}
	return search.NewStopper(search.StopConfig{
		Rule: e.EarlyStop.Rule, Metric: m.Name, MinSteps: e.EarlyStop.MinSteps,
		ReductionFactor: e.EarlyStop.ReductionFactor, GracePeriod: e.EarlyStop.GracePeriod,
		Summary: m.Summary, Maximize: m.Goal == "maximize",
	}, ev)
}

// EarlyStop is how the next round's trials may be stopped, or nil.
func (s *Search) EarlyStop() *EarlyStop {
	if s.stopper == nil {
		return nil
	}
	return &EarlyStop{Metric: s.StopMetric, Follow: s.stopper.Follow}
}
