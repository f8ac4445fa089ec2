package compare_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/compare/comparetest"
	"github.com/assaylab/assay/runner"
)

func mustCompare(t *testing.T, in compare.Input) *compare.Comparison {
	t.Helper()
	c, err := compare.Compare(in)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func experiment(t *testing.T, c *compare.Comparison, name string) *compare.Experiment {
	t.Helper()
	for _, e := range c.Experiments {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no experiment %q in the comparison", name)
	return nil
}

func metric(t *testing.T, r *compare.Row, name string) *compare.Metric {
	t.Helper()
	if r == nil {
		t.Fatalf("no row to find %s in", name)
	}
	for _, m := range r.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no metric %q in the row", name)
	return nil
}

func TestSingleConfigPairsAcrossChangedParams(t *testing.T) {
	c := mustCompare(t, comparetest.Single(t))
	e := experiment(t, c, "resnet18")
	if len(e.Configs) != 1 || e.Configs[0].Pairing != compare.PairSingle {
		t.Fatalf("want one row paired as %q, got %d rows", compare.PairSingle, len(e.Configs))
	}
	if e.Headline != e.Configs[0] {
		t.Error("a single pair is its own headline")
	}
	acc := metric(t, e.Headline, "val_acc")
	if acc.Verdict != compare.Improved || !acc.Significant || acc.Base.N != 3 || acc.Head.N != 3 {
		t.Errorf("val_acc: %+v", acc)
	}
	if got, want := *acc.Delta, (0.921+0.925+0.919-0.912-0.915-0.910)/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("delta %g, want %g", got, want)
	}
	if got, want := *acc.DeltaPct, 100*(*acc.Delta)/acc.Base.Mean; math.Abs(got-want) > 1e-9 {
		t.Errorf("delta %% %g, want %g", got, want)
	}
	if lo, hi := acc.Test.CI[0], acc.Test.CI[1]; !(lo < *acc.Delta && *acc.Delta < hi && lo > 0) {
		t.Errorf("95%% interval [%g, %g] should hold the delta and exclude 0", lo, hi)
	}
	if v := metric(t, e.Headline, "train_loss").Verdict; v != compare.Unchanged {
		t.Errorf("train_loss %s, want unchanged", v)
	}
	if v := metric(t, e.Headline, "throughput").Verdict; v != compare.Reported {
		t.Errorf("a metric without a goal is %s, want reported", v)
	}
	if c.Result != compare.ResultSuccess || e.Verdict != compare.Improved {
		t.Errorf("result %s, verdict %s", c.Result, e.Verdict)
	}
	if len(e.Changes) == 0 || e.Changes[0] != (compare.Change{Field: "params.lr", Base: "0.1", Head: "0.03"}) {
		t.Errorf("changes %+v, want params.lr 0.1 → 0.03 first", e.Changes)
	}
}

func TestSweepPairsConfigsAndPoolsTheChangedOnes(t *testing.T) {
	c := mustCompare(t, comparetest.Sweep(t))
	e := experiment(t, c, "resnet-sweep")
	var pairings []string
	for _, r := range e.Configs {
		pairings = append(pairings, r.Pairing)
	}
	// lr 0.03 became 0.01: each new config is tested against the one it
	// replaced (same batch size), not shown only as new.
	if got := strings.Join(pairings, " "); got != "params params replaced replaced" {
		t.Errorf("pairings %q", got)
	}
	if r := e.Configs[2]; r.Base.Label != "batch_size=64 lr=0.03" || r.Head.Label != "batch_size=64 lr=0.01" {
		t.Errorf("replaced pair %s → %s", r.Base.Label, r.Head.Label)
	}
	// lr=0.1 kept its keys: the same trials on both sides, nothing to test.
	if r := e.Configs[0]; !r.Same || r.Verdict != compare.Unchanged || metric(t, r, "val_acc").Test != nil {
		t.Errorf("same-trials row %+v", r)
	}
	h := e.Headline
	if h == nil || h.Pairing != compare.PairPooled || len(h.Pairs) != 2 {
		t.Fatalf("headline %+v: want the mean over the two changed pairs", h)
	}
	if h.Pairs[0] != (compare.ConfigPair{Base: "batch_size=64 lr=0.03", Head: "batch_size=64 lr=0.01"}) {
		t.Errorf("headline pairs %+v", h.Pairs)
	}
	acc := metric(t, h, "val_acc")
	if acc.Verdict != compare.Improved || acc.Test.Method != "stratified-welch" || acc.Test.Configs != 2 || acc.Head.Configs != 2 {
		t.Errorf("headline val_acc %+v", acc)
	}
	// The headline's delta is the mean of the pairs' deltas: +0.01 and
	// +0.008.
	if got := *acc.Delta; math.Abs(got-0.009) > 1e-12 {
		t.Errorf("pooled delta %g, want 0.009", got)
	}
	// lr=0.1 kept its keys: head reuses base's six records.
	if len(e.Reused) != 6 || e.Reused[0].Commit != comparetest.BaseRef.Commit || e.Reused[0].Trigger != runner.TriggerPush {
		t.Errorf("reused %+v", e.Reused)
	}
	if e.Cost.Head.Runs != 12 || e.Cost.HeadNew.Runs != 6 || math.Abs(e.Cost.HeadNew.GPUHours-5) > 1e-9 {
		t.Errorf("cost %+v: 6 new runs of 50 min on one GPU is 5 GPU-hours", e.Cost)
	}
	// History follows the headline's representative pair: the head's
	// best (lr=0.01, bs=64), whose base partner has nightly runs.
	if len(e.History) == 0 || e.History[0].Metric != "val_acc" || len(e.History[0].Points) != 7 || e.History[0].Spark != "█▇▆▄▃▂▁" {
		t.Errorf("history %+v", e.History)
	}
}

func TestRegressionBeyondToleranceFailsTheCheck(t *testing.T) {
	c := mustCompare(t, comparetest.Regression(t))
	if c.Result != compare.ResultFailure || c.Counts.Regressions != 2 {
		t.Fatalf("result %s with %d regressions", c.Result, c.Counts.Regressions)
	}
	if !strings.Contains(c.Description, "resnet18 val_acc -2.4%") || len([]rune(c.Description)) > 140 {
		t.Errorf("description %q", c.Description)
	}
	e := experiment(t, c, "resnet18")
	if e.Configs[0].Pairing != compare.PairParams {
		t.Errorf("same params should pair by params, got %s", e.Configs[0].Pairing)
	}
	found := false
	for _, ch := range e.Changes {
		if ch.Field == "command" && strings.HasSuffix(ch.Head, "--aug=none") {
			found = true
		}
	}
	if !found {
		t.Errorf("changes %+v lack the command", e.Changes)
	}
}

func TestMissingResultsNameTheCommand(t *testing.T) {
	in := comparetest.MissingBaseline(t)
	c := mustCompare(t, in)
	if c.Result != compare.ResultError || c.Counts.MissingTrials != 4 {
		t.Fatalf("result %s, %d missing", c.Result, c.Counts.MissingTrials)
	}
	vit := experiment(t, c, "vit")
	if vit.Verdict != compare.Missing || len(vit.Missing) != 3 || vit.Missing[0].Side != compare.SideBase || vit.Missing[0].Command != compare.DefaultRunBase {
		t.Errorf("vit: %s %+v", vit.Verdict, vit.Missing)
	}
	bert := experiment(t, c, "bert")
	if len(bert.Missing) != 1 || bert.Missing[0].Side != compare.SideHead || bert.Missing[0].Seed != 3 || bert.Missing[0].Command != compare.DefaultRunHead {
		t.Errorf("bert: %+v", bert.Missing)
	}
	in.RunBase, in.RunHead = "assay run --baseline --base main", "assay run --base main"
	c = mustCompare(t, in)
	if got := experiment(t, c, "vit").Missing[0].Command; got != in.RunBase {
		t.Errorf("command %q, want the caller's %q", got, in.RunBase)
	}
}

func TestFailedTrials(t *testing.T) {
	c := mustCompare(t, comparetest.Failures(t))
	if c.Result != compare.ResultError || c.Counts.FailedTrials != 2 {
		t.Fatalf("result %s, %d failed; base failures do not count", c.Result, c.Counts.FailedTrials)
	}
	gpt := experiment(t, c, "gpt-small")
	acc := metric(t, gpt.Headline, "val_acc")
	if gpt.Verdict != compare.Failed || acc.Verdict != compare.Failed || acc.Head.N != 1 {
		t.Errorf("gpt-small %s, val_acc %s with n=%d; failed trials give no sample", gpt.Verdict, acc.Verdict, acc.Head.N)
	}
	if len(gpt.Failures) != 2 || !strings.Contains(gpt.Failures[0].LogTail, "CUDA out of memory") || gpt.Failures[1].Status != string(runner.StatusTimedOut) {
		t.Errorf("failures %+v", gpt.Failures)
	}
	// A change that fixes a crashing base is judged on base's survivors.
	lstm := experiment(t, c, "lstm")
	if lstm.Verdict != compare.Improved || metric(t, lstm.Headline, "val_acc").Base.N != 2 {
		t.Errorf("lstm %s", lstm.Verdict)
	}
}

func TestOneSeedIsInconclusive(t *testing.T) {
	c := mustCompare(t, comparetest.SingleSeed(t))
	if c.Result != compare.ResultSuccess {
		t.Errorf("result %s: n=1 proves nothing either way", c.Result)
	}
	for _, name := range []string{"mlp", "cnn"} {
		m := metric(t, experiment(t, c, name).Headline, "val_acc")
		if m.Verdict != compare.Inconclusive || m.Test != nil || !strings.Contains(m.Note, "n=1") || !strings.Contains(m.Note, "no p-value") {
			t.Errorf("%s: %+v", name, m)
		}
	}
	if d := metric(t, experiment(t, c, "mlp").Headline, "val_acc").Delta; d == nil || math.Abs(*d+0.06) > 1e-12 {
		t.Errorf("the delta is still shown: %v", d)
	}
}

// TestTheNoteSaysWhichSideHasTooFewValues: a metric with fewer than two
// values on a side has no p-value, and its note names the side or sides
// that need more seeds, with their counts.
func TestTheNoteSaysWhichSideHasTooFewValues(t *testing.T) {
	for _, c := range []struct {
		base, head string // seeds
		want       string
	}{
		{"[1]", "[1]", "n=1 at base and n=1 at head: no p-value; add seeds to test"},
		{"[1, 2]", "[1]", "n=1 at head: no p-value; add seeds to test"},
		{"[1]", "[1, 2]", "n=1 at base: no p-value; add seeds to test"},
		{"[1]", "[1, 2, 3]", "n=1 at base: no p-value; add seeds to test"},
		{"[1, 2, 3]", "[1]", "n=1 at head: no p-value; add seeds to test"},
	} {
		load := func(seeds, in string) *compare.SideInput {
			e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = `+seeds+`
}
`)["x"]
			return comparetest.Side(t, e, in)
		}
		base, head := load(c.base, "a"), load(c.head, "b")
		store := comparetest.NewStore()
		for _, side := range []*compare.SideInput{base, head} {
			for _, tr := range side.Trials {
				v := 0.90 + 0.01*float64(tr.Seed)
				if side == head {
					v -= 0.05
				}
				store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": v, "train_loss": 0.3}})
			}
		}
		e := experiment(t, mustCompare(t, compare.Input{Lookup: store.Lookup,
			Experiments: []compare.ExperimentInput{{Name: "x", Base: base, Head: head}}}), "x")
		if m := metric(t, e.Headline, "val_acc"); m.Verdict != compare.Inconclusive || m.Note != c.want {
			t.Errorf("seeds %s at base, %s at head: %s %q, want inconclusive, %q", c.base, c.head, m.Verdict, m.Note, c.want)
		}
	}
}

func TestStatisticalEdges(t *testing.T) {
	c := mustCompare(t, comparetest.Edges(t))
	// Deterministic training: constant samples four decimals apart are
	// a real difference, found through the resolution floor.
	det := metric(t, experiment(t, c, "deterministic").Headline, "val_acc")
	if det.Verdict != compare.Regressed || det.Test == nil || det.Test.Exact || math.Abs(det.Test.SDFloor-1e-4/math.Sqrt(12)) > 1e-15 || !strings.Contains(det.Note, "written to 0.0001") {
		t.Errorf("constant samples that differ: %+v %+v", det, det.Test)
	}
	// One float apart is no difference, whatever the floor.
	ulp := metric(t, experiment(t, c, "one-ulp").Headline, "val_acc")
	if ulp.Verdict != compare.Unchanged || *ulp.Delta != 0 || ulp.Significant {
		t.Errorf("one ulp apart: %+v", ulp)
	}
	// One step of a 0.01 grid at n = 3: not "p = 0 (exact)".
	grid := metric(t, experiment(t, c, "coarse-grid").Headline, "val_acc")
	if grid.Verdict != compare.Unchanged || grid.Test.Exact || grid.Significant || math.Abs(grid.Test.SDFloor-0.01/math.Sqrt(12)) > 1e-15 {
		t.Errorf("a grid step: %+v %+v", grid, grid.Test)
	}
	if id := metric(t, experiment(t, c, "identical").Headline, "val_acc"); id.Verdict != compare.Unchanged || id.Test.P != 1 || id.Significant {
		t.Errorf("identical samples: %+v", id)
	}
	// One side constant: its spread is floored at the values' grid
	// (0.01), so the test does not rest on the other side alone.
	one := metric(t, experiment(t, c, "one-side-constant").Headline, "val_acc")
	if one.Test == nil || one.Test.Exact || math.Abs(one.Test.SDFloor-0.01/math.Sqrt(12)) > 1e-15 || *one.Test.DF <= 2 {
		t.Errorf("one side constant: %+v", one.Test)
	}
	nan := experiment(t, c, "nan").Headline
	if m := metric(t, nan, "val_acc"); m.Head.N != 2 || m.Head.NonFinite != 1 || math.IsNaN(m.Head.Mean) || !strings.Contains(m.Note, "non-finite") {
		t.Errorf("NaN: %+v", m.Head)
	}
	if m := metric(t, nan, "train_loss"); m.Head.N != 2 || m.Head.Absent != 1 {
		t.Errorf("absent value: %+v", m.Head)
	}
	tol := metric(t, experiment(t, c, "within-tolerance").Headline, "val_acc")
	if !tol.Significant || tol.Verdict != compare.Unchanged || !strings.Contains(tol.Note, "within tolerance") {
		t.Errorf("significant drop within tolerance: %+v", tol)
	}
	if c.Correction.Headline.Method != compare.MethodHolm || c.Correction.Headline.Tests == 0 {
		t.Errorf("correction %+v", c.Correction)
	}
}

func TestAddedAndRemovedExperiments(t *testing.T) {
	c := mustCompare(t, comparetest.AddedRemoved(t))
	if e := experiment(t, c, "new-exp"); e.Status != compare.StatusAdded || e.Verdict != compare.New || e.Headline.Base != nil {
		t.Errorf("added: %s %s", e.Status, e.Verdict)
	}
	if e := experiment(t, c, "old-exp"); e.Status != compare.StatusRemoved || e.Verdict != compare.Removed || len(e.Missing) != 0 {
		t.Errorf("removed: %s %s", e.Status, e.Verdict)
	}
	if c.Result != compare.ResultSuccess {
		t.Errorf("result %s", c.Result)
	}
}

// sweepInput builds a 3-config sweep whose head changes only the inputs;
// acc gives each config's val_acc per side.
func sweepInput(t *testing.T, acc func(head bool, cfg int, seed int64) float64) compare.Input {
	src := comparetest.Template + `
experiment "s" {
  extends = template.train
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  params  = { lr = 0.1 }
  sweep {
    param "lr" { values = [0.1, 0.03, 0.01] }
  }
  seeds = [1, 2, 3, 4]
}
`
	e := comparetest.Load(t, src)["s"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, side := range []*compare.SideInput{base, head} {
		isHead := side == head
		for _, tr := range side.Trials {
			store.Record(tr, comparetest.Run{Metrics: map[string]float64{
				"val_acc": acc(isHead, tr.Config, tr.Seed), "train_loss": 0.3, "throughput": 10,
			}})
		}
	}
	return compare.Input{
		Base: comparetest.BaseRef, Head: comparetest.HeadRef, Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "s", Base: base, Head: head}},
	}
}

func TestTheHeadlineIsTheMeanOverConfigs(t *testing.T) {
	noise := []float64{0.001, -0.001, 0.002, -0.002}
	c := mustCompare(t, sweepInput(t, func(head bool, cfg int, seed int64) float64 {
		v := []float64{0.90, 0.85, 0.80}[cfg] + noise[seed-1]
		if head && cfg == 0 {
			v += 0.02 // the best config improves
		}
		if head && cfg == 2 {
			v -= 0.05 // a poor config gets much worse
		}
		return v
	}))
	e := c.Experiments[0]
	if e.Configs[0].Verdict != compare.Improved || e.Configs[2].Verdict != compare.Regressed {
		t.Errorf("configs %s, %s; each row shows its own change", e.Configs[0].Verdict, e.Configs[2].Verdict)
	}
	// Best against best would say "improved"; the mean change over the
	// configs, each against its own params, is −0.01.
	acc := metric(t, e.Headline, "val_acc")
	if math.Abs(*acc.Delta+0.01) > 1e-12 || acc.Verdict != compare.Regressed || c.Result != compare.ResultFailure {
		t.Errorf("headline Δ %g, %s, result %s", *acc.Delta, acc.Verdict, c.Result)
	}
}

func TestLikeWithLike(t *testing.T) {
	c := mustCompare(t, sweepInput(t, func(head bool, cfg int, seed int64) float64 {
		v := []float64{0.90, 0.85, 0.80}[cfg] + float64(seed)*0.001
		if head && cfg == 1 {
			v = 0.95 + float64(seed)*0.001
		}
		return v
	}))
	e := c.Experiments[0]
	h := e.Headline
	// The head's best config (lr=0.03) stands for the headline, against
	// the same params at base, never against base's best (lr=0.1).
	if h.Base.Label != "lr=0.03" || h.Head.Label != "lr=0.03" || metric(t, h, "val_acc").Verdict != compare.Improved {
		t.Errorf("headline %s → %s", h.Base.Label, h.Head.Label)
	}
	if len(h.Pairs) != 3 || h.Pairs[1] != (compare.ConfigPair{Base: "lr=0.03", Head: "lr=0.03"}) {
		t.Errorf("pairs %+v", h.Pairs)
	}
	if !slices.Contains(e.Notes, "best at head by val_acc: lr=0.03 (0.9525)") {
		t.Errorf("notes %q", e.Notes)
	}
}

func TestTheRunThatCounts(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2, 3]
}
`)["x"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	at := func(h int) time.Time { return comparetest.Epoch.Add(time.Duration(h) * time.Hour) }
	for _, tr := range base.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9, "train_loss": 0.3}, Started: at(0)})
	}
	h1, h2, h3 := head.Trials[0], head.Trials[1], head.Trials[2]
	// Seed 1: a success, then a scheduled rerun that crashed. The success
	// stands.
	store.Record(h1, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.8, "train_loss": 0.3}, Started: at(1)})
	store.Record(h1, comparetest.Run{Status: runner.StatusFailed, ExitCode: 1, Trigger: runner.TriggerSchedule, Started: at(5)})
	// Seed 2: two successes; the later counts, the earlier is where it
	// first ran.
	store.Record(h2, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.1}, Started: at(2), Commit: "old"})
	store.Record(h2, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.8, "train_loss": 0.3}, Started: at(6), Commit: "new"})
	// Seed 3: only failures.
	store.Record(h3, comparetest.Run{Status: runner.StatusFailed, ExitCode: 2, Started: at(3)})
	store.Record(h3, comparetest.Run{Status: runner.StatusCancelled, ExitCode: 130, Started: at(4)})

	c := mustCompare(t, compare.Input{
		Base: comparetest.BaseRef, Head: compare.Ref{Name: "feature", Commit: "new"}, Lookup: store.Lookup,
		Experiments: []compare.ExperimentInput{{Name: "x", Base: base, Head: head}},
	})
	x := c.Experiments[0]
	acc := metric(t, x.Headline, "val_acc")
	if acc.Head.N != 2 || acc.Head.Mean != 0.8 {
		t.Errorf("head sample %+v: want seeds 1 and 2 at 0.8", acc.Head)
	}
	if len(x.Failures) != 1 || x.Failures[0].Seed != 3 || x.Failures[0].Status != string(runner.StatusCancelled) {
		t.Errorf("failures %+v: want seed 3's latest run", x.Failures)
	}
	if len(x.Reused) != 1 || x.Reused[0].Seed != 1 {
		t.Errorf("reused %+v: only seed 1's result predates the head commit", x.Reused)
	}
}

func TestUnreportedMetricIsAnError(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py", "--seed=${seed}"]
  seeds   = [1, 2]
}
`)["x"]
	base, head := comparetest.Side(t, e, "a"), comparetest.Side(t, e, "b")
	store := comparetest.NewStore()
	for _, tr := range base.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"val_acc": 0.9 + float64(tr.Seed)/100, "train_loss": 0.3}})
	}
	for _, tr := range head.Trials {
		store.Record(tr, comparetest.Run{Metrics: map[string]float64{"train_loss": 0.3}})
	}
	c := mustCompare(t, compare.Input{Lookup: store.Lookup, Experiments: []compare.ExperimentInput{{Name: "x", Base: base, Head: head}}})
	if c.Result != compare.ResultError || c.Experiments[0].Verdict != compare.Missing || !strings.Contains(c.Description, "not reported") {
		t.Errorf("result %s, verdict %s, %q", c.Result, c.Experiments[0].Verdict, c.Description)
	}
}

func TestUnchangedStatusFromKeys(t *testing.T) {
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py"]
}
`)["x"]
	c := mustCompare(t, compare.Input{Lookup: comparetest.NewStore().Lookup, Experiments: []compare.ExperimentInput{
		{Name: "x", Base: comparetest.Side(t, e, "a"), Head: comparetest.Side(t, e, "a")},
	}})
	if s := c.Experiments[0].Status; s != compare.StatusUnchanged {
		t.Errorf("status %s for identical keys", s)
	}
}

func TestCompareRejectsNonsense(t *testing.T) {
	lookup := comparetest.NewStore().Lookup
	e := comparetest.Load(t, comparetest.Template+`
experiment "x" {
  extends = template.train
  command = ["python", "train.py"]
}
`)["x"]
	side := comparetest.Side(t, e, "a")
	for name, in := range map[string]compare.Input{
		"no lookup":  {Experiments: []compare.ExperimentInput{{Name: "x", Head: side}}},
		"no sides":   {Lookup: lookup, Experiments: []compare.ExperimentInput{{Name: "x"}}},
		"twice":      {Lookup: lookup, Experiments: []compare.ExperimentInput{{Name: "x", Head: side}, {Name: "x", Head: side}}},
		"alpha of 1": {Lookup: lookup, Alpha: 1},
		"alpha < 0":  {Lookup: lookup, Alpha: -0.1},
	} {
		if _, err := compare.Compare(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	c, err := compare.Compare(compare.Input{Lookup: lookup})
	if err != nil || c.Result != compare.ResultSuccess || c.Description != "no experiment changed" || c.Schema != compare.Schema {
		t.Errorf("empty comparison: %+v, %v", c, err)
	}
}

func TestFortyExperiments(t *testing.T) {
	c := mustCompare(t, comparetest.Forty(t))
	if c.Counts.Experiments != 40 || c.Counts.Verdicts[compare.Regressed] != 1 || c.Counts.Verdicts[compare.Improved] != 2 ||
		c.Counts.Verdicts[compare.Failed] != 1 || c.Counts.Verdicts[compare.Unchanged] != 36 {
		t.Errorf("counts %+v", c.Counts)
	}
	// Most severe first.
	if c.Experiments[0].Name != "exp-21" || c.Experiments[1].Name != "exp-07" {
		t.Errorf("order starts %s, %s", c.Experiments[0].Name, c.Experiments[1].Name)
	}
	if c.Result != compare.ResultFailure {
		t.Errorf("result %s", c.Result)
	}
}

// BenchmarkCompareLarge compares a pull request touching 40 experiments
// of 12 configs and 3 seeds (2,880 trials); reporter/render's
// BenchmarkLarge adds rendering.
func BenchmarkCompareLarge(b *testing.B) {
	in := comparetest.Large(b, 40, []string{"0.1", "0.03", "0.01", "0.003"}, []string{"0.0", "0.0001", "0.001"},
		func(int) string { return "unchanged" }, nil)
	for b.Loop() {
		if _, err := compare.Compare(in); err != nil {
			b.Fatal(err)
		}
	}
}
