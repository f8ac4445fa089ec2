package runner

import (
	"testing"

	"github.com/assaylab/assay/spec"
)

// A job carries what its experiment declares for running it: the metrics
// to read, the artifacts to keep and the spec file for messages. A trial
// of an experiment the project does not hold gets a bare job.
func TestNewJobs(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write("experiments/alpha.hcl", `experiment "alpha" {
  command   = ["python", "train.py"]
  workdir   = "models/alpha"
  artifacts = ["out/model.pt"]
  metric "loss" { goal = "minimize" }
}
`)
	r.Commit("alpha keeps its model")
	p := buildPlan(t, r.Dir, PlanOptions{All: true})
	trials := append([]*spec.Trial{}, p.Experiment("alpha").HeadTrials...)
	trials = append(trials, &spec.Trial{Experiment: "gone"})
	jobs := NewJobs(p.HeadProject, trials)
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(jobs))
	}
	a := jobs[0]
	if a.Trial != trials[0] || len(a.Metrics) != 1 || a.Metrics[0].Name != "loss" || len(a.Artifacts) != 1 || a.Artifacts[0] != "out/model.pt" || a.SpecFile != "experiments/alpha.hcl" {
		t.Errorf("alpha's job: metrics %+v, artifacts %q, spec file %q", a.Metrics, a.Artifacts, a.SpecFile)
	}
	if g := jobs[1]; g.Trial != trials[1] || g.Metrics != nil || g.Artifacts != nil || g.SpecFile != "" {
		t.Errorf("a job of an unknown experiment: %+v", g)
	}
}

// A job is named in messages by its experiment, its place in the sweep,
// its params in name order (none when it has none) and its seed.
func TestJobName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		trial spec.Trial
		want  string
	}{
		{spec.Trial{Experiment: "base", Index: 0, Seed: 1}, "base[0] seed=1"},
		{spec.Trial{Experiment: "sweep", Index: 3, Seed: 2, Params: map[string]any{"opt": "adam", "lr": 0.01}}, "sweep[3] lr=0.01 opt=adam seed=2"},
	} {
		if got := (&Job{Trial: &c.trial}).Name(); got != c.want {
			t.Errorf("Name() = %q, want %q", got, c.want)
		}
	}
}

// Progress shows one metric of a job: the primary one, else the first
// with a goal, else the first declared, else none.
func TestDisplayMetric(t *testing.T) {
	t.Parallel()
	m := func(name, goal string, primary bool) *spec.Metric {
		return &spec.Metric{Name: name, Goal: goal, Primary: primary}
	}
	for _, c := range []struct {
		metrics []*spec.Metric
		want    string
	}{
		{nil, ""},
		{[]*spec.Metric{m("loss", "", false), m("acc", "", false)}, "loss"},
		{[]*spec.Metric{m("loss", "", false), m("acc", "maximize", false)}, "acc"},
		{[]*spec.Metric{m("loss", "minimize", false), m("acc", "maximize", true)}, "acc"},
	} {
		if got := (&Job{Metrics: c.metrics}).DisplayMetric(); got != c.want {
			t.Errorf("DisplayMetric of %d metrics = %q, want %q", len(c.metrics), got, c.want)
		}
	}
}
