package spec

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestMetricsFromPerTrial(t *testing.T) {
	_, p, diags := loadCase(t, "testdata/valid/metrics_from.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	mnist := p.Experiment("mnist")
	if mnist.MetricsFrom == nil {
		t.Fatal("mnist has no metrics_from")
	}
	if got := mnist.Metric("val_acc"); got == nil || got.Tag != "val/acc" {
		t.Errorf("val_acc from the template: %+v", got)
	}
	trials, diags := mnist.Trials("")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got [][]MetricSource
	for _, tr := range trials {
		s, d := mnist.MetricsFrom.Sources(tr)
		if d.HasErrors() {
			t.Fatal(d)
		}
		got = append(got, s)
	}
	// The experiment's tensorboard replaces the template's, its csv is
	// inherited, and the glob follows each trial's seed.
	want := [][]MetricSource{
		{{Format: "tensorboard", Globs: []string{"runs/seed-1/**"}}, {Format: "csv", Globs: []string{"lightning_logs/*/metrics.csv"}}},
		{{Format: "tensorboard", Globs: []string{"runs/seed-2/**"}}, {Format: "csv", Globs: []string{"lightning_logs/*/metrics.csv"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}

	bert := p.Experiment("bert")
	trials, _ = bert.Trials("")
	var globs []string
	for _, tr := range trials {
		s, d := bert.MetricsFrom.Sources(tr)
		if d.HasErrors() {
			t.Fatal(d)
		}
		globs = append(globs, s[0].Globs[0])
		// The glob reads the param as the command does.
		if !strings.Contains(strings.Join(tr.Command, " "), strings.TrimSuffix(s[0].Globs[0], "/trainer_state.json")) {
			t.Errorf("command %q and glob %q disagree", tr.Command, s[0].Globs[0])
		}
	}
	if diff := cmp.Diff([]string{"out/0.001/trainer_state.json", "out/0.0003/trainer_state.json"}, globs); diff != "" {
		t.Errorf("per-config globs (-want +got):\n%s", diff)
	}
}

// TestMetricsFromIsNotInTheKey: where metrics are read from does not
// change what a trial computes, so adding metrics_from reruns nothing.
func TestMetricsFromIsNotInTheKey(t *testing.T) {
	keys := func(src string) []string {
		p, diags := Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, LoadOptions{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		trials, _ := p.Experiments[0].Trials("x")
		var out []string
		for _, tr := range trials {
			out = append(out, tr.Key)
		}
		return out
	}
	plain := `experiment "e" {
  command = ["python", "train.py"]
  seeds   = [1, 2]
}`
	with := `experiment "e" {
  command = ["python", "train.py"]
  seeds   = [1, 2]
  metrics_from { tensorboard = "runs/${seed}" }
  metric "acc" { tag = "val/acc" }
}`
	if a, b := keys(plain), keys(with); !cmp.Equal(a, b) {
		t.Errorf("keys changed: %v vs %v", a, b)
	}
}
