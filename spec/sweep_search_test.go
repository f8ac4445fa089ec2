package spec

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"
)

func loadExperiment(t *testing.T, src string) *Experiment {
	t.Helper()
	p, diags := Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return p.Experiments[0]
}

const tpeSpec = `
experiment "e" {
  command = ["train", "--lr=${param.lr}", "--opt=${param.opt}", "--seed=${seed}"]
  params  = { lr = 0.1, opt = "sgd", epochs = 5 }
  metric "loss" { goal = "minimize" }
  metric "acc" { goal = "maximize" }
  sweep {
    method    = "tpe"
    budget    = 12
    batch     = 2
    startup   = 3
    seed      = 9
    objective = "acc"
    param "lr" {
      distribution = "log_uniform"
      min          = 0.001
      max          = 1
    }
    param "opt" { values = ["sgd", "adam"] }
  }
  seeds = [1, 2]
}`

// A TPE search's static trials are its startup points, drawn exactly as a
// random sweep with the same seed and samples = startup draws them, real
// values kept to 6 significant digits; the budget counts trials, so 12
// trials over 2 seeds are 6 points.
func TestSearchStartsWithTheRandomSweepsPoints(t *testing.T) {
	e := loadExperiment(t, tpeSpec)
	if !e.Search() || !e.Sweep.Adaptive() || e.SearchPoints() != 6 || e.SearchBatch() != 2 {
		t.Fatalf("search %v, points %d, batch %d", e.Search(), e.SearchPoints(), e.SearchBatch())
	}
	if got := e.PrimaryMetric(); got == nil || got.Name != "acc" || e.Objective() != got {
		t.Errorf("primary = %v: the objective ranks a search", got)
	}
	trials, diags := e.Trials("fp")
	if diags.HasErrors() || len(trials) != 6 {
		t.Fatalf("%d trials, %v", len(trials), diags)
	}
	random := loadExperiment(t, `
experiment "e" {
  command = ["train"]
  params  = { lr = 0.1, opt = "sgd", epochs = 5 }
  sweep {
    method  = "random"
    samples = 3
    seed    = 9
    param "lr" {
      distribution = "log_uniform"
      min          = 0.001
      max          = 1
    }
    param "opt" { values = ["sgd", "adam"] }
  }
}`)
	pts := random.Points()
	for i, p := range pts {
		lr, _ := p.GetAttr("lr").AsBigFloat().Float64()
		want := strings.Replace(jsonOf(p), strconv.FormatFloat(lr, 'f', -1, 64), strconv.FormatFloat(lr, 'g', 6, 64), 1)
		if got := trials[2*i].ParamsJSON; got != want {
			t.Errorf("startup point %d = %s, the random sweep's rounded to 6 digits = %s", i, got, want)
		}
	}
}

// TrialsAt expands proposed points with every seed and the experiment's
// command, laying the proposal over the params.
func TestTrialsAtExpandsProposals(t *testing.T) {
	e := loadExperiment(t, tpeSpec)
	pt := e.SweepPoint(map[string]cty.Value{"lr": cty.NumberFloatVal(0.0123), "opt": cty.StringVal("adam")})
	trials, diags := e.TrialsAt([]cty.Value{pt}, "fp")
	if diags.HasErrors() || len(trials) != 2 {
		t.Fatalf("%d trials, %v", len(trials), diags)
	}
	if got, want := trials[1].ParamsJSON, `{"epochs":5,"lr":0.0123,"opt":"adam"}`; got != want {
		t.Errorf("params = %s, want %s", got, want)
	}
	if got := trials[1].Command; got[1] != "--lr=0.0123" || got[2] != "--opt=adam" || got[3] != "--seed=2" {
		t.Errorf("command = %q", got)
	}
	if trials[0].Key == trials[1].Key || trials[0].Key == "" {
		t.Error("the seeds of a point share a key")
	}
	again, _ := e.TrialsAt([]cty.Value{pt}, "fp")
	if again[0].Key != trials[0].Key {
		t.Error("the same point and seed got another key")
	}
}

// An early_stop block falls back on the objective for its metric and
// fills in its rule's defaults.
func TestEarlyStopDefaults(t *testing.T) {
	e := loadExperiment(t, `
experiment "e" {
  command = ["train"]
  params  = { lr = 0.1 }
  metric "throughput" {}
  metric "loss" { goal = "minimize" }
  sweep {
    batch = 2
    param "lr" { values = [0.1, 0.01, 0.001] }
  }
  early_stop { rule = "asha" }
}`)
	es := e.EarlyStop
	if es == nil || es.Rule != "asha" || es.MinSteps != 1 || es.ReductionFactor != 3 || es.GracePeriod != 3 {
		t.Fatalf("early_stop = %+v", es)
	}
	if m := e.EarlyStopMetric(); m == nil || m.Name != "loss" {
		t.Errorf("metric = %v", m)
	}
	if !e.Search() || e.SearchPoints() != 3 || e.SearchBatch() != 2 {
		t.Errorf("search %v, points %d, batch %d", e.Search(), e.SearchPoints(), e.SearchBatch())
	}
}

func jsonOf(v cty.Value) string {
	var buf bytes.Buffer
	canonicalJSON(&buf, v)
	return buf.String()
}

// TestObjective: a search optimizes its sweep's objective; an experiment
// without one, with a sweep or none, is ranked by its primary metric.
func TestObjective(t *testing.T) {
	for _, c := range []struct{ name, body, want string }{
		{"no sweep", `metric "speed" {}
  metric "loss" { goal = "minimize" }`, "loss"},
		{"grid", `params = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  metric "acc" {
    goal    = "maximize"
    primary = true
  }
  sweep {
    param "lr" { values = [0.1, 0.01] }
  }`, "acc"},
		{"search", `params = { lr = 0.1 }
  metric "loss" { goal = "minimize" }
  metric "acc" { goal = "maximize" }
  sweep {
    method    = "tpe"
    budget    = 8
    objective = "acc"
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }`, "acc"},
	} {
		e := loadExperiment(t, "experiment \"e\" {\n  command = [\"t\"]\n  "+c.body+"\n}\n")
		if got := e.Objective(); got == nil || got.Name != c.want {
			t.Errorf("%s: objective %v, want %s", c.name, got, c.want)
		}
	}
}
