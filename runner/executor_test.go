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
