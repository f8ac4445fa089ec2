package runner

import (
	"encoding/json"
	"testing"

	"github.com/assaylab/assay/spec"
)

// A trial in the plan's JSON writes an empty env, command, labels or
// params as {} or [], never null, and keeps what it has.
func TestTrialDocumentEmptyFields(t *testing.T) {
	for _, c := range []struct {
		name  string
		trial *spec.Trial
		want  string
	}{
		{"empty", &spec.Trial{Experiment: "a"},
			`{"experiment":"a","index":0,"key":"","config":0,"params":{},"seed":0,"command":[],"env":{},"workdir":"","labels":[],"gpus":0,"retries":0,"inputs":"","action":""}`},
		{"full", &spec.Trial{Experiment: "a", ParamsJSON: `{"lr":0.1}`, Command: []string{"train"}, Env: map[string]string{"K": "v"}, Runner: spec.Runner{Labels: []string{"gpu"}}},
			`{"experiment":"a","index":0,"key":"","config":0,"params":{"lr":0.1},"seed":0,"command":["train"],"env":{"K":"v"},"workdir":"","labels":["gpu"],"gpus":0,"retries":0,"inputs":"","action":""}`},
	} {
		b, err := json.Marshal(TrialDocumentOf(c.trial))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, b, c.want)
		}
	}
}
