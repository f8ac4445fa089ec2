package compare_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/spec"
)

// The cases below are the fixed samples of the verdicts that used to be
// wrong, each with the outcome a careful reviewer expects.

// onePair compares one single-config experiment whose metrics are the
// given HCL blocks, with the values of each metric per seed at each side.
func onePair(t *testing.T, metrics string, base, head map[string][]float64) (*compare.Comparison, *compare.Experiment) {
	t.Helper()
	n := 0
	for _, v := range base {
		n = max(n, len(v))
	}
	seeds := make([]string, n)
	for i := range seeds {
		seeds[i] = fmt.Sprint(i + 1)
	}
	e := comparetest.Load(t, fmt.Sprintf(`
experiment "x" {
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [%s]
  %s
}
`, strings.Join(seeds, ", "), metrics))["x"]
	b, h := comparetest.Side(t, e, "base"), comparetest.Side(t, e, "head")
	store := comparetest.NewStore()
	record := func(side *compare.SideInput, vals map[string][]float64) {
		for _, tr := range side.Trials {
			m := map[string]float64{}
			for k, v := range vals {
				m[k] = v[tr.Seed-1]
			}
			store.Record(tr, comparetest.Run{Metrics: m})
		}
	}
	record(b, base)
	record(h, head)
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: b, Head: h}}})
	if _, err := json.Marshal(c); err != nil {
		t.Fatalf("the comparison is not valid JSON: %v", err)
	}
	return c, c.Experiments[0]
}

const accMetric = `metric "val_acc" {
    goal      = "maximize"
    tolerance = 0.005
  }`

func TestDivergedSeedsAreSetAside(t *testing.T) {
	// One seed of each side collapsed to 0.5: with it, Welch's test saw
	// p = 0.85; the main modes differ by 0.02 at p = 0.016.
	c, e := onePair(t, accMetric,
		map[string][]float64{"val_acc": {0.80, 0.81, 0.79, 0.805, 0.50}},
		map[string][]float64{"val_acc": {0.78, 0.79, 0.77, 0.785, 0.50}})
	m := metric(t, e.Headline, "val_acc")
	if len(m.Base.Diverged) != 1 || m.Base.Diverged[0] != 0.5 || len(m.Head.Diverged) != 1 || m.Base.N != 5 || m.Base.MainN() != 4 {
		t.Fatalf("diverged: base %v head %v", m.Base.Diverged, m.Head.Diverged)
	}
	if math.Abs(m.Base.Mean-0.80125) > 1e-12 || math.Abs(*m.Delta+0.02) > 1e-12 {
		t.Errorf("main-mode mean %g, Δ %g", m.Base.Mean, *m.Delta)
	}
	want, _ := compare.WelchTest(compare.NewSample([]float64{0.80, 0.81, 0.79, 0.805}), compare.NewSample([]float64{0.78, 0.79, 0.77, 0.785}), 0.05)
	d := m.Test.Diverged
	if d == nil || math.Abs(d.MainP-want.P) > 1e-12 || math.Abs(d.MainP-0.016) > 0.001 || math.Abs(d.P-1) > 1e-9 || math.Abs(m.Test.P-2*want.P) > 1e-12 {
		t.Errorf("test %+v %+v: want Welch's on the main modes (%g), doubled beside Fisher's p = 1", m.Test, d, want.P)
	}
	if m.Verdict != compare.Regressed || c.Result != compare.ResultFailure || !strings.Contains(m.Note, "1 of 5 base seeds diverged (0.5), set aside") {
		t.Errorf("%s, %s, note %q", m.Verdict, c.Result, m.Note)
	}
}

func TestDivergingMoreOftenIsARegression(t *testing.T) {
	// The main modes agree; head's seeds collapse six times in ten.
	base := []float64{0.80, 0.81, 0.79, 0.805, 0.80, 0.795, 0.80, 0.81, 0.79, 0.805}
	head := []float64{0.5, 0.81, 0.5, 0.5, 0.80, 0.5, 0.5, 0.81, 0.5, 0.80}
	c, e := onePair(t, accMetric, map[string][]float64{"val_acc": base}, map[string][]float64{"val_acc": head})
	m := metric(t, e.Headline, "val_acc")
	d := m.Test.Diverged
	if d == nil || d.Base != 0 || d.Head != 6 || !d.Decides || !d.Worse {
		t.Fatalf("divergence test %+v", d)
	}
	// Fisher's exact test of 0/10 against 6/10: the table and its mirror
	// image, each C(10,0)·C(10,6)/C(20,6).
	if want := 2 * 210.0 / 38760; math.Abs(d.P-want) > 1e-12 {
		t.Errorf("Fisher's p = %g, want %g", d.P, want)
	}
	if m.Verdict != compare.Regressed || c.Result != compare.ResultFailure || !strings.Contains(m.Note, "seeds diverged 0 of 10 at base, 6 of 10 at head") {
		t.Errorf("%s, %s, note %q", m.Verdict, c.Result, m.Note)
	}
}

func TestMostSeedsOfOneSideCollapsed(t *testing.T) {
	// Three of five base seeds collapsed, one head seed: the main mode is
	// the one both sides share, not the collapsed median of base.
	_, e := onePair(t, accMetric,
		map[string][]float64{"val_acc": {0.5, 0.81, 0.5, 0.80, 0.5}},
		map[string][]float64{"val_acc": {0.80, 0.5, 0.81, 0.805, 0.795}})
	m := metric(t, e.Headline, "val_acc")
	if len(m.Base.Diverged) != 3 || len(m.Head.Diverged) != 1 || math.Abs(m.Base.Mean-0.805) > 1e-12 {
		t.Errorf("base %+v head %+v", m.Base, m.Head)
	}
	if m.Verdict != compare.Unchanged {
		t.Errorf("verdict %s: the main modes agree", m.Verdict)
	}
}

func TestAChangeFarBeyondTheSpreadIsNotDivergence(t *testing.T) {
	_, e := onePair(t, accMetric,
		map[string][]float64{"val_acc": {0.80, 0.81, 0.79, 0.805, 0.80}},
		map[string][]float64{"val_acc": {0.50, 0.51, 0.49, 0.505, 0.50}})
	m := metric(t, e.Headline, "val_acc")
	if len(m.Base.Diverged)+len(m.Head.Diverged) != 0 || m.Verdict != compare.Regressed {
		t.Errorf("diverged %v %v, verdict %s", m.Base.Diverged, m.Head.Diverged, m.Verdict)
	}
}

func TestOneFloatApartIsNoChange(t *testing.T) {
	// Used to be "regressed, p = 0 (exact)" while the table showed 0.00%.
	c, e := onePair(t, accMetric,
		map[string][]float64{"val_acc": {0.9417, 0.9417, 0.9417}},
		map[string][]float64{"val_acc": {0.9416999999999999, 0.9416999999999999, 0.9416999999999999}})
	m := metric(t, e.Headline, "val_acc")
	if *m.Delta != 0 || m.Verdict != compare.Unchanged || m.Test.Exact || m.Significant || c.Result != compare.ResultSuccess {
		t.Errorf("Δ %g, %s, test %+v, result %s", *m.Delta, m.Verdict, m.Test, c.Result)
	}
}

func TestAConstantStepOnACoarseGridIsNotExact(t *testing.T) {
	// Accuracy on 100 examples, two seeds: one grid step is no proof.
	_, e := onePair(t, accMetric,
		map[string][]float64{"val_acc": {0.99, 0.99}},
		map[string][]float64{"val_acc": {0.98, 0.98}})
	m := metric(t, e.Headline, "val_acc")
	// The floor is 0.01/√12 a side: se = 0.01/√12, t = −√12, df = 2.
	tt := -math.Sqrt(12)
	want := 1 - math.Abs(tt)/math.Sqrt(2+tt*tt)
	if m.Test.Exact || math.Abs(m.Test.P-want) > 1e-9 || math.Abs(*m.Test.DF-2) > 1e-9 || m.Verdict != compare.Unchanged {
		t.Errorf("test %+v (p %g, want %g), %s", m.Test, m.Test.P, want, m.Verdict)
	}
	if !strings.Contains(m.Note, "written to 0.01") {
		t.Errorf("note %q does not say why", m.Note)
	}
}

func TestToleranceAtTheDisplayedRounding(t *testing.T) {
	const tol1 = `metric "val_acc" {
    goal      = "maximize"
    tolerance = 0.01
  }`
	// 0.79 − 0.80 is −0.010000000000000009 in floats: the table shows
	// −0.01, which is within a tolerance of 0.01.
	c, e := onePair(t, tol1,
		map[string][]float64{"val_acc": {0.80, 0.80, 0.80, 0.80, 0.80}},
		map[string][]float64{"val_acc": {0.79, 0.79, 0.79, 0.79, 0.79}})
	m := metric(t, e.Headline, "val_acc")
	if !(math.Abs(*m.Delta) > 0.01) {
		t.Fatalf("premise: Δ = %.17g should exceed 0.01 in floats", *m.Delta)
	}
	if !m.Significant || m.Verdict != compare.Unchanged || !strings.Contains(m.Note, "within tolerance 0.01") || c.Result != compare.ResultSuccess {
		t.Errorf("%s (significant %v), note %q, result %s", m.Verdict, m.Significant, m.Note, c.Result)
	}
	// One more hundredth and it is beyond.
	_, e = onePair(t, tol1,
		map[string][]float64{"val_acc": {0.80, 0.80, 0.80, 0.80, 0.80}},
		map[string][]float64{"val_acc": {0.78, 0.78, 0.78, 0.78, 0.78}})
	if v := metric(t, e.Headline, "val_acc").Verdict; v != compare.Regressed {
		t.Errorf("a drop of 0.02 is %s", v)
	}
}

const lossMetric = `metric "train_loss" {
    goal = "minimize"
  }`

func TestHugeValuesKeepTheirStatistics(t *testing.T) {
	// Values above ~1e154 used to overflow the variance: p = 1.000,
	// "unchanged", and JSON that failed on +Inf.
	_, e := onePair(t, lossMetric,
		map[string][]float64{"train_loss": {0.5, 0.4, 0.6}},
		map[string][]float64{"train_loss": {1e200, 2e200, 3e200}})
	m := metric(t, e.Headline, "train_loss")
	// Base's variance is nothing beside head's: t = 2e200/(1e200/√3),
	// df = 2 (Welch–Satterthwaite with one side's variance only), and
	// for ν = 2, p = 1 − t/√(2 + t²).
	tt := 2 * math.Sqrt(3)
	if m.Test == nil || math.Abs(*m.Test.T-tt) > 1e-9 || math.Abs(*m.Test.DF-2) > 1e-9 || math.Abs(m.Test.P-(1-tt/math.Sqrt(2+tt*tt))) > 1e-9 {
		t.Fatalf("test %+v", m.Test)
	}
	if math.Abs(m.Head.SD/1e200-1) > 1e-14 || math.Abs(m.Head.Mean/2e200-1) > 1e-14 {
		t.Errorf("head sample %+v", m.Head)
	}
}

func TestAnOverflowingDifferenceCannotBeCompared(t *testing.T) {
	c, e := onePair(t, lossMetric,
		map[string][]float64{"train_loss": {-1.7e308, -1.6e308, -1.5e308}},
		map[string][]float64{"train_loss": {1.5e308, 1.6e308, 1.7e308}})
	m := metric(t, e.Headline, "train_loss")
	if m.Verdict != compare.Inconclusive || m.Test != nil || m.Delta != nil || !strings.Contains(m.Note, "cannot compare") {
		t.Errorf("%s, test %+v, note %q", m.Verdict, m.Test, m.Note)
	}
	if c.Result != compare.ResultSuccess {
		t.Errorf("result %s", c.Result)
	}
}

func TestTinyValuesKeepTheirStatistics(t *testing.T) {
	_, e := onePair(t, lossMetric,
		map[string][]float64{"train_loss": {1e-300, 2e-300, 3e-300}},
		map[string][]float64{"train_loss": {4e-300, 5e-300, 6e-300}})
	m := metric(t, e.Headline, "train_loss")
	// The same samples scaled by 1e300 give the same t, df and p.
	w, _ := compare.WelchTest(compare.NewSample([]float64{1, 2, 3}), compare.NewSample([]float64{4, 5, 6}), 0.05)
	if m.Test == nil || math.Abs(*m.Test.T-w.T) > 1e-9 || math.Abs(m.Test.P-w.P) > 1e-9 || math.Abs(m.Base.SD/1e-300-1) > 1e-12 {
		t.Errorf("test %+v, want t %g p %g; base %+v", m.Test, w.T, w.P, m.Base)
	}
}

// quickstartPair is the quickstart's grid over lr and l2, as a
// comparetest template experiment.
func quickstartPair(t *testing.T, baseLR string) *spec.Experiment {
	return comparetest.Load(t, comparetest.Template+fmt.Sprintf(`
experiment "logreg" {
  extends = template.train
  command = ["python3", "train.py", "--lr=${param.lr}", "--l2=${param.l2}", "--seed=${seed}"]
  params  = { lr = %[1]s, l2 = 0.001 }
  sweep {
    param "lr" { values = [%[1]s, 0.03] }
    param "l2" { values = [0.001, 0.01] }
  }
  seeds = [1, 2, 3]
}
`, baseLR))["logreg"]
}

func TestAReplacedConfigIsTestedAgainstTheOneItReplaced(t *testing.T) {
	// The quickstart's change, lr 0.1 → 0.3: both new configs score
	// below the configs they replace. They used to be shown as "new",
	// the headline "unchanged".
	b, h := comparetest.Side(t, quickstartPair(t, "0.1"), "in"), comparetest.Side(t, quickstartPair(t, "0.3"), "in")
	store := comparetest.NewStore()
	acc := map[float64]float64{0.1: 0.94, 0.3: 0.90, 0.03: 0.93}
	for _, side := range []*compare.SideInput{b, h} {
		for _, tr := range side.Trials {
			if len(store.Lookup(tr.Key)) > 0 {
				continue
			}
			v := acc[tr.Params["lr"].(float64)] + 0.002*float64(tr.Seed)
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": v, "train_loss": 1 - v}})
		}
	}
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "logreg", Base: b, Head: h}}})
	e := c.Experiments[0]
	var got []string
	for _, r := range e.Configs {
		got = append(got, r.Pairing)
	}
	if strings.Join(got, " ") != "replaced replaced params params" || !e.Configs[2].Same {
		t.Errorf("pairings %v", got)
	}
	if r := e.Configs[0]; r.Base.Label != "l2=0.001 lr=0.1" || r.Head.Label != "l2=0.001 lr=0.3" || r.Verdict != compare.Regressed {
		t.Errorf("first replaced pair %s → %s: %s", r.Base.Label, r.Head.Label, r.Verdict)
	}
	if v := metric(t, e.Headline, "val_acc").Verdict; v != compare.Regressed || c.Result != compare.ResultFailure {
		t.Errorf("headline %s, result %s", v, c.Result)
	}
	if got := e.HeadlineConfigs(); got != "2 configs, replaced" {
		t.Errorf("the headline names %q", got)
	}
}

func TestANarrowedSweepComparesTheConfigItKept(t *testing.T) {
	sweep := func(values string, seeds string) *spec.Experiment {
		return comparetest.Load(t, comparetest.Template+fmt.Sprintf(`
experiment "s" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [%s] }
  }
  seeds = [%s]
}
`, values, seeds))["s"]
	}
	b, h := comparetest.Side(t, sweep("0.1, 0.03, 0.01", "1, 2, 3"), "a"), comparetest.Side(t, sweep("0.03", "1, 2, 3"), "b")
	store := comparetest.NewStore()
	for _, side := range []*compare.SideInput{b, h} {
		for _, tr := range side.Trials {
			v := map[float64]float64{0.1: 0.90, 0.03: 0.92, 0.01: 0.85}[tr.Params["lr"].(float64)] + 0.001*float64(tr.Seed)
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": v, "train_loss": 1 - v}})
		}
	}
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "s", Base: b, Head: h}}})
	hl := c.Experiments[0].Headline
	if len(hl.Pairs) != 1 || hl.Pairs[0] != (compare.ConfigPair{Base: "lr=0.03", Head: "lr=0.03"}) || hl.Pairing != compare.PairParams {
		t.Errorf("headline pairs %+v (%s)", hl.Pairs, hl.Pairing)
	}
	if v := metric(t, hl, "val_acc").Verdict; v != compare.Unchanged {
		t.Errorf("the kept config did not change: %s", v)
	}
}

func TestWorkingTreeRunsAreTheChangesOwn(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2, 3]
}
`)["x"]
	b, h := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, tr := range b.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9}, Commit: "c1", GPUs: 1})
	}
	// Seeds 1 and 2 ran from the working tree (on c2), seed 3 earlier.
	for _, tr := range h.Trials {
		commit := "c2"
		if tr.Seed == 3 {
			commit = "c0"
		}
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9}, Commit: commit, GPUs: 1})
	}
	in := compare.Input{
		Base: compare.Ref{Name: "main", Commit: "c1"}, Head: compare.Ref{Name: "working tree", Parent: "c2"},
		Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: b, Head: h}},
	}
	x := mustCompare(t, in).Experiments[0]
	if len(x.Reused) != 1 || x.Reused[0].Seed != 3 || x.Cost.HeadNew.Runs != 2 {
		t.Errorf("reused %+v, new runs %d: the working tree's own runs are new", x.Reused, x.Cost.HeadNew.Runs)
	}
	// Editing on the base commit itself: a trial both sides share keeps
	// being the base's result.
	in.Head.Parent = "c1"
	in.Experiments[0].Head = b
	if x := mustCompare(t, in).Experiments[0]; len(x.Reused) != 3 || x.Cost.HeadNew.Runs != 0 {
		t.Errorf("reused %d, new runs %d: shared trials run on the base are the base's", len(x.Reused), x.Cost.HeadNew.Runs)
	}
}
