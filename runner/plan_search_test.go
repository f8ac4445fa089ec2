package runner

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/assaylab/assay/spec"
)

// memHistory is a results store in memory: runs by key, series by run.
type memHistory struct {
	runs   map[string][]*Result
	series map[string]map[string][]Point
	n      int
}

func newMemHistory() *memHistory {
	return &memHistory{runs: map[string][]*Result{}, series: map[string]map[string][]Point{}}
}

func (h *memHistory) Runs(key string) []*Result { return h.runs[key] }

func (h *memHistory) Series(r *Result, metric string) []Point { return h.series[r.RunID][metric] }

// record adds a run of t that ended with status, its metrics the last
// point of each series.
func (h *memHistory) record(t *spec.Trial, status Status, batch string, attempt int, series map[string][]Point) *Result {
	h.n++
	r := &Result{
		Schema: ResultSchema, RunID: fmt.Sprintf("run-%05d", h.n), TrialKey: t.Key, Experiment: t.Experiment,
		Params: t.Params, Seed: t.Seed, Status: status, Attempt: attempt, Batch: batch, Metrics: map[string]float64{},
		Started: time.Unix(int64(h.n), 0).UTC(),
	}
	for m, pts := range series {
		if len(pts) > 0 {
			r.Metrics[m] = pts[len(pts)-1].Value
		}
	}
	h.runs[t.Key] = append(h.runs[t.Key], r)
	h.series[r.RunID] = series
	return r
}

func loadSearch(t *testing.T, src string) *spec.Experiment {
	t.Helper()
	p, diags := spec.Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return p.Experiments[0]
}

const tpeSearch = `
experiment "tpe" {
  command = ["train", "--lr=${param.lr}", "--layers=${param.layers}", "--opt=${param.opt}"]
  params  = { lr = 0.1, layers = 2, opt = "sgd", epochs = 10 }
  metric "loss" {
    goal    = "minimize"
    summary = "last"
  }
  sweep {
    method  = "tpe"
    budget  = 24
    batch   = 3
    startup = 4
    seed    = 11
    param "lr" {
      distribution = "log_uniform"
      min          = 1e-4
      max          = 1
    }
    param "layers" {
      distribution = "int"
      min          = 1
      max          = 6
    }
    param "opt" { values = ["sgd", "adam", "lion"] }
  }
  seeds = [1, 2]
}`

// lossOf is a made-up training loss of a trial's params and seed.
func lossOf(t *spec.Trial) float64 {
	lr := t.Params["lr"].(float64)
	layers := t.Params["layers"].(float64)
	opt := map[string]float64{"sgd": 0.3, "adam": 0, "lion": 0.1}[t.Params["opt"].(string)]
	return math.Pow(math.Log10(lr)+2.5, 2) + 0.1*math.Abs(layers-4) + opt + 0.01*float64(t.Seed)
}

// runSearch plays a search to its end: each round, every trial the plan
// would run is recorded with its loss. It returns the rounds as they were
// proposed, as JSON.
func runSearch(t *testing.T, e *spec.Experiment, h *memHistory) []string {
	return runSearchWith(t, e, "fp", h)
}

func runSearchWith(t *testing.T, e *spec.Experiment, inputs string, h *memHistory) []string {
	t.Helper()
	var live []string
	for range 100 {
		s, diags := ReplaySearch(e, inputs, h)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if s.Next == nil {
			return live
		}
		live = append(live, roundJSON(s.Next))
		run, _ := s.split()
		for _, tr := range run {
			h.record(tr, StatusSucceeded, fmt.Sprintf("batch-%d", s.Next.Index), 1, map[string][]Point{"loss": {{Step: 1, Value: lossOf(tr)}}})
		}
	}
	t.Fatal("the search did not end")
	return nil
}

func roundJSON(r *SearchRound) string {
	var b strings.Builder
	for _, p := range r.Points {
		d := p.Document()
		d.Value, d.Settled = nil, false
		j, _ := json.Marshal(d)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func allRounds(s *Search) []string {
	var out []string
	for _, r := range s.Rounds {
		out = append(out, roundJSON(r))
	}
	return out
}

// Replaying a finished search from its recorded history proposes every
// round's points again, byte for byte, and so does a history that went
// through JSON, as records on the results branch do.
func TestReplayProposesTheSamePointsByteForByte(t *testing.T) {
	e := loadSearch(t, tpeSearch)
	h := newMemHistory()
	live := runSearch(t, e, h)
	if len(live) != 4 {
		t.Fatalf("%d rounds, want 12 points / 3 per round = 4", len(live))
	}
	s, _ := ReplaySearch(e, "fp", h)
	if s.Next != nil || s.Settled != 24 {
		t.Fatalf("next %v, %d settled", s.Next, s.Settled)
	}
	if got := allRounds(s); strings.Join(got, "") != strings.Join(live, "") {
		t.Errorf("replay differs from the live search:\nlive:\n%s\nreplay:\n%s", strings.Join(live, ""), strings.Join(got, ""))
	}
	// Through JSON, as the results branch keeps runs.
	b, err := json.Marshal(h.runs)
	if err != nil {
		t.Fatal(err)
	}
	h2 := newMemHistory()
	if err := json.Unmarshal(b, &h2.runs); err != nil {
		t.Fatal(err)
	}
	s2, _ := ReplaySearch(e, "fp", h2)
	if got := allRounds(s2); strings.Join(got, "") != strings.Join(live, "") {
		t.Errorf("replay from JSON records differs:\n%s", strings.Join(got, ""))
	}
	// Distinct points, inside the domain, best point known.
	seen := map[string]bool{}
	for _, tr := range s.Trials() {
		if tr.Seed == 1 {
			if seen[tr.ParamsJSON] {
				t.Errorf("point %s proposed twice", tr.ParamsJSON)
			}
			seen[tr.ParamsJSON] = true
		}
	}
	if s.Best == nil || s.Best.Value > 0.5 {
		t.Errorf("best = %+v", s.Best)
	}
}

// Round r is a function of the rounds before it: without the results of
// rounds 2 and 3, the replay proposes rounds 0-2 exactly as before and
// stops at round 2, whose trials are what runs next. Different results in
// round 1 change round 2 and leave rounds 0 and 1 alone.
func TestRoundsDependOnlyOnEarlierRounds(t *testing.T) {
	e := loadSearch(t, tpeSearch)
	full := newMemHistory()
	live := runSearch(t, e, full)

	s, _ := ReplaySearch(e, "fp", full)
	cut := newMemHistory()
	for _, r := range s.Rounds[:2] {
		for _, p := range r.Points {
			for _, tr := range p.Trials {
				cut.runs[tr.Key] = full.runs[tr.Key]
			}
		}
	}
	part, _ := ReplaySearch(e, "fp", cut)
	if part.Next == nil || part.Next.Index != 2 || len(part.Rounds) != 3 {
		t.Fatalf("next round %v of %d", part.Next, len(part.Rounds))
	}
	if got := strings.Join(allRounds(part), ""); got != strings.Join(live[:3], "") {
		t.Errorf("rounds 0-2 differ without the later results:\n%s", got)
	}
	run, settled := part.split()
	if len(run) != 6 || len(settled) != 12 {
		t.Errorf("%d to run, %d settled; want round 2's 6 trials and rounds 0-1's 12", len(run), len(settled))
	}

	worse := newMemHistory()
	for _, r := range s.Rounds[:2] {
		for _, p := range r.Points {
			for _, tr := range p.Trials {
				v := lossOf(tr)
				if r.Index == 1 {
					v = -v
				}
				worse.record(tr, StatusSucceeded, "b", 1, map[string][]Point{"loss": {{Step: 1, Value: v}}})
			}
		}
	}
	changed, _ := ReplaySearch(e, "fp", worse)
	got := allRounds(changed)
	if strings.Join(got[:2], "") != strings.Join(live[:2], "") {
		t.Error("rounds 0-1 changed with the results of round 1")
	}
	if got[2] == live[2] {
		t.Error("round 2 did not change when round 1's results did")
	}
}

// A search resumes where it stopped: a trial cancelled by a crash or
// Ctrl-C has not settled and runs again; a failed attempt retried in the
// same invocation is settled by the retry; a stopped trial is settled and
// counted; a point whose trials another experiment or an earlier search
// already ran (the same keys) is reused.
func TestSettlingAndResuming(t *testing.T) {
	e := loadSearch(t, tpeSearch)
	h := newMemHistory()
	s, _ := ReplaySearch(e, "fp", h)
	round0 := s.NextTrials()
	if len(round0) != 6 {
		t.Fatalf("round 0 has %d trials", len(round0))
	}
	loss := func(tr *spec.Trial) map[string][]Point {
		return map[string][]Point{"loss": {{Step: 1, Value: lossOf(tr)}}}
	}
	h.record(round0[0], StatusCancelled, "b1", 1, nil)
	h.record(round0[1], StatusFailed, "b1", 1, nil)
	h.record(round0[1], StatusSucceeded, "b1", 2, loss(round0[1]))
	h.record(round0[2], StatusStopped, "b1", 1, loss(round0[2]))
	h.record(round0[3], StatusFailed, "b1", 1, nil)
	h.record(round0[3], StatusSucceeded, "b2", 1, loss(round0[3])) // a later rerun does not unsettle it
	s, _ = ReplaySearch(e, "fp", h)
	run, settled := s.split()
	if s.Next.Index != 0 || len(run) != 3 || len(settled) != 3 {
		t.Fatalf("round %d: %d to run, %d settled", s.Next.Index, len(run), len(settled))
	}
	if run[0].Key != round0[0].Key {
		t.Error("the cancelled trial does not run again")
	}
	if s.Stopped != 1 || s.Failed != 1 {
		t.Errorf("stopped %d, failed %d", s.Stopped, s.Failed)
	}
	for _, tr := range run {
		h.record(tr, StatusSucceeded, "b3", 1, loss(tr))
	}
	s, _ = ReplaySearch(e, "fp", h)
	if s.Next == nil || s.Next.Index != 1 {
		t.Fatalf("next = %+v", s.Next)
	}
	if o := s.Origin(s.NextTrials()[0].Key); o == nil || o.Round != 1 || o.Proposal != 3 {
		t.Errorf("origin = %+v, want round 1, proposal 3", o)
	}
}

// The best point is the best that ran to its end; stopped points rank
// after every finished one, later stops first, so TPE learns from them
// without mistaking a partial value for a final one.
func TestRankingOfStoppedPoints(t *testing.T) {
	s := &Search{Experiment: loadSearch(t, tpeSearch)}
	mk := func(v float64, stoppedAt int64) *SearchPoint {
		return &SearchPoint{Value: v, HasValue: true, Stopped: stoppedAt > 0, StoppedAt: stoppedAt, Runs: []*Result{{}}}
	}
	// c was stopped later than b, so ranks before it, though b's loss
	// is lower.
	a, b, c, d := mk(0.5, 0), mk(0.01, 3), mk(0.1, 9), mk(0.7, 0)
	got := s.ranked([]*SearchPoint{a, b, c, d})
	if got[0] != a || got[1] != d || got[2] != c || got[3] != b {
		t.Errorf("ranking %v", got)
	}
	// Ties keep proposal order, so the best of two equal points is the
	// one proposed first.
	e := mk(0.5, 0)
	if got := s.ranked([]*SearchPoint{d, a, e}); got[0] != a || got[1] != e || got[2] != d {
		t.Errorf("ranking of a tie %v", got)
	}
	// An objective to maximize ranks the highest first.
	up := &Search{Experiment: loadSearch(t, strings.Replace(tpeSearch, `goal    = "minimize"`, `goal    = "maximize"`, 1))}
	if got := up.ranked([]*SearchPoint{a, d}); got[0] != d || got[1] != a {
		t.Errorf("ranking to maximize %v", got)
	}
}

// A grid sweep with early_stop runs in rounds of batch points; the next
// round's judge holds the series of the earlier rounds' trials and stops
// a trial that falls behind them at a rung.
func TestEarlyStopJudgesAgainstEarlierRounds(t *testing.T) {
	e := loadSearch(t, `
experiment "halving" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 3
    param "lr" { values = [1, 2, 3, 4, 5, 6] }
  }
  early_stop {
    rule             = "asha"
    min_steps        = 2
    reduction_factor = 3
    grace_period     = 3
  }
}`)
	h := newMemHistory()
	s, _ := ReplaySearch(e, "fp", h)
	if s.EarlyStop() == nil || s.Next.Index != 0 {
		t.Fatal("no judge for round 0")
	}
	// Round 0 has no earlier rounds: its judge never stops.
	judge := s.EarlyStop().Follow()
	for step := int64(1); step <= 20; step++ {
		if why := judge(step, 100); why != "" {
			t.Fatalf("round 0 stopped at step %d: %s", step, why)
		}
	}
	for i, tr := range s.NextTrials() {
		var pts []Point
		for step := int64(1); step <= 20; step++ {
			pts = append(pts, Point{Step: step, Value: float64(i+1) / float64(step)})
		}
		h.record(tr, StatusSucceeded, "b", 1, map[string][]Point{"loss": pts})
	}
	s, _ = ReplaySearch(e, "fp", h)
	if s.Next == nil || s.Next.Index != 1 {
		t.Fatalf("next = %+v", s.Next)
	}
	es := s.EarlyStop()
	if es == nil || es.Metric != "loss" {
		t.Fatalf("early stop = %+v", es)
	}
	// At rung 0 (step 2) the earlier losses are 0.5, 1, 1.5; a trial
	// with 1.2 is third of four, behind the best ⌊4/3⌋ = 1: it stops.
	judge = es.Follow()
	if why := judge(1, 2.4); why != "" {
		t.Fatalf("stopped before min_steps: %s", why)
	}
	if why := judge(2, 1.2); !strings.Contains(why, "at step 2 (rung 0") {
		t.Errorf("reason %q", why)
	}
	// The best goes on past rung 0 and rung 1 (step 6).
	judge = es.Follow()
	for step := int64(1); step <= 20; step++ {
		if why := judge(step, 0.4/float64(step)); why != "" {
			t.Fatalf("the best trial stopped: %s", why)
		}
	}
}

// Raising a finished search's budget continues it: its recorded rounds
// replay as they were, nothing of them runs again, and the search goes on
// with new rounds after them.
func TestRaisingTheBudgetContinuesTheSearch(t *testing.T) {
	h := newMemHistory()
	live := runSearch(t, loadSearch(t, tpeSearch), h)
	bigger := loadSearch(t, strings.Replace(tpeSearch, "budget  = 24", "budget  = 36", 1))
	s, diags := ReplaySearch(bigger, "fp", h)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := allRounds(s)[:len(live)]; strings.Join(got, "") != strings.Join(live, "") {
		t.Errorf("the recorded rounds replay differently with a larger budget:\nbefore:\n%s\nafter:\n%s", strings.Join(live, ""), strings.Join(got, ""))
	}
	if s.Next == nil || s.Next.Index != len(live) || s.Settled != 24 {
		t.Fatalf("next round %v, %d settled; want round %d next and the 24 trials settled", s.Next, s.Settled, len(live))
	}
	more := runSearch(t, bigger, h)
	if len(more) != 2 {
		t.Errorf("%d more rounds, want (36-24)/2 seeds/3 a round = 2", len(more))
	}
}

// A TPE search's startup points are the spec's own, the points a plan
// without history shows: the first round is them, in order, and TPE
// proposes from the first point past startup.
func TestStartupPointsComeFromTheSpec(t *testing.T) {
	t.Parallel()
	e := loadSearch(t, tpeSearch)
	h := newMemHistory()
	runSearch(t, e, h)
	s, _ := ReplaySearch(e, "fp", h)
	static := e.Points()
	var got []string
	for _, r := range s.Rounds {
		for _, p := range r.Points {
			got = append(got, p.Trials[0].ParamsJSON)
		}
	}
	for i := range 4 {
		want, diags := e.TrialsAt(static[i:i+1], "fp")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got[i] != want[0].ParamsJSON {
			t.Errorf("point %d is %s, want the spec's startup point %s", i, got[i], want[0].ParamsJSON)
		}
	}
	if len(got) != 12 {
		t.Fatalf("%d points, want 12", len(got))
	}
}

// In a domain of three points, a budget of three tries each once, for
// any sweep seed: a startup point that repeats one, or a proposal of one
// already tried, is replaced by an untried point.
func TestSmallDomainTriesEachPointOnce(t *testing.T) {
	t.Parallel()
	for seed := 1; seed <= 8; seed++ {
		e := loadSearch(t, fmt.Sprintf(`
experiment "small" {
  command = ["train", "--opt=${param.opt}"]
  params  = { opt = "sgd", lr = 0.1, layers = 2 }
  metric "loss" { goal = "minimize" }
  sweep {
    method  = "tpe"
    budget  = 3
    batch   = 2
    startup = 2
    seed    = %d
    param "opt" { values = ["sgd", "adam", "lion"] }
  }
}`, seed))
		h := newMemHistory()
		runSearch(t, e, h)
		s, _ := ReplaySearch(e, "fp", h)
		seen := map[string]bool{}
		for _, tr := range s.Trials() {
			seen[tr.ParamsJSON] = true
		}
		if len(seen) != 3 || len(s.Trials()) != 3 {
			t.Errorf("sweep seed %d: %d distinct points of %d trials, want all 3 once", seed, len(seen), len(s.Trials()))
		}
	}
}

// A point's value is the mean of the objective over its seeds that ran
// to their end or were stopped; a failed seed's last report is left out,
// and a stopped point is never the best.
func TestPointValueIsTheMeanOfItsSeeds(t *testing.T) {
	t.Parallel()
	e := loadSearch(t, tpeSearch)
	h := newMemHistory()
	s, _ := ReplaySearch(e, "fp", h)
	pts := s.Next.Points
	loss := func(v float64) map[string][]Point { return map[string][]Point{"loss": {{Step: 1, Value: v}}} }
	h.record(pts[0].Trials[0], StatusSucceeded, "b0", 1, loss(1))
	h.record(pts[0].Trials[1], StatusSucceeded, "b0", 1, loss(3))
	h.record(pts[1].Trials[0], StatusSucceeded, "b0", 1, loss(5))
	h.record(pts[1].Trials[1], StatusFailed, "b0", 1, loss(100))
	h.record(pts[2].Trials[0], StatusStopped, "b0", 1, loss(0.5))
	h.record(pts[2].Trials[1], StatusStopped, "b0", 1, loss(0.7))
	s, _ = ReplaySearch(e, "fp", h)
	var got []string
	for _, p := range s.Rounds[0].Points {
		got = append(got, fmt.Sprintf("%v %v %v", p.Value, p.HasValue, p.Stopped))
	}
	if want := "2 true false, 5 true false, 0.6 true true"; strings.Join(got, ", ") != want {
		t.Errorf("values %s, want %s", strings.Join(got, ", "), want)
	}
	if s.Best != s.Rounds[0].Points[0] || s.Settled != 6 || s.Failed != 1 || s.Stopped != 2 {
		t.Errorf("best %+v, %d settled, %d failed, %d stopped; want the first point (the lowest loss), 6, 1, 2", s.Best, s.Settled, s.Failed, s.Stopped)
	}
}

// A point whose seeds were stopped at different steps was stopped at the
// earliest of them; one whose seeds all failed has no value.
func TestStoppedPointTakesTheEarliestStop(t *testing.T) {
	t.Parallel()
	e := loadSearch(t, `
experiment "halving" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 3
    param "lr" { values = [1, 2, 3, 4, 5, 6] }
  }
  seeds = [1, 2, 3]
  early_stop {
    rule      = "median"
    min_steps = 1
  }
}`)
	h := newMemHistory()
	s, _ := ReplaySearch(e, "fp", h)
	series := func(last int64) map[string][]Point {
		var pts []Point
		for step := int64(1); step <= last; step++ {
			pts = append(pts, Point{Step: step, Value: 1 / float64(step)})
		}
		return map[string][]Point{"loss": pts}
	}
	for i, last := range []int64{4, 2, 3} {
		h.record(s.Next.Points[0].Trials[i], StatusStopped, "b0", 1, series(last))
	}
	for _, tr := range s.Next.Points[1].Trials {
		h.record(tr, StatusSucceeded, "b0", 1, series(6))
	}
	for _, tr := range s.Next.Points[2].Trials {
		h.record(tr, StatusFailed, "b0", 1, nil)
	}
	s, _ = ReplaySearch(e, "fp", h)
	if p := s.Rounds[0].Points[0]; !p.Stopped || p.StoppedAt != 2 {
		t.Errorf("stopped %v at step %d, want the earliest stop, step 2", p.Stopped, p.StoppedAt)
	}
	if p := s.Rounds[0].Points[1]; p.Stopped || s.Best != p {
		t.Errorf("the point that ran to its end: stopped %v, best %v", p.Stopped, s.Best == p)
	}
	if p := s.Rounds[0].Points[2]; p.HasValue || p.Value != 0 {
		t.Errorf("a point whose seeds all failed has value %v (%v), want none", p.Value, p.HasValue)
	}
}

// The judge of a round learns from the earlier rounds' trials that ran
// to their end or were stopped, never from failed ones; the median rule
// counts only those that ran to their end.
func TestJudgeLearnsFromFinishedAndStoppedTrials(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rule string
		want bool // whether a loss of 0.5 at step 2 stops
	}{
		// asha: 0.1 (stopped) is better, 1 (succeeded) worse: 0.5 is not
		// the best 1 of 3; the failed 2 is not evidence.
		{"rule = \"asha\"\n    reduction_factor = 3", true},
		// median: the succeeded trial's 1 alone; 0.5 is better.
		{"rule = \"median\"", false},
	} {
		e := loadSearch(t, `
experiment "halving" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 3
    param "lr" { values = [1, 2, 3, 4, 5, 6] }
  }
  early_stop {
    `+c.rule+`
    min_steps    = 2
    grace_period = 1
  }
}`)
		h := newMemHistory()
		s, _ := ReplaySearch(e, "fp", h)
		flat := func(v float64) map[string][]Point {
			return map[string][]Point{"loss": {{Step: 1, Value: v}, {Step: 2, Value: v}, {Step: 3, Value: v}}}
		}
		tr := s.NextTrials()
		h.record(tr[0], StatusSucceeded, "b0", 1, flat(1))
		h.record(tr[1], StatusStopped, "b0", 1, flat(0.1))
		h.record(tr[2], StatusFailed, "b0", 1, flat(2))
		s, _ = ReplaySearch(e, "fp", h)
		judge := s.EarlyStop().Follow()
		if why := judge(1, 0.5); why != "" {
			t.Fatalf("%s: stopped before min_steps: %s", c.rule, why)
		}
		if why := judge(2, 0.5); (why != "") != c.want {
			t.Errorf("%s: a loss of 0.5 at step 2: %q, want stopped %v", c.rule, why, c.want)
		}
	}
}
