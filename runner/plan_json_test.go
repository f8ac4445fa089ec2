package runner

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/hcl/v2"

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

// A diagnostic's JSON form says whether it is an error or a warning and,
// when it has a place, the file, line and column.
func TestDiagnosticDocumentOf(t *testing.T) {
	t.Parallel()
	at := &hcl.Range{Filename: "experiments/a.hcl", Start: hcl.Pos{Line: 3, Column: 5}}
	for _, c := range []struct {
		d    *hcl.Diagnostic
		want DiagnosticDocument
	}{
		{&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "bad", Detail: "why", Subject: at},
			DiagnosticDocument{Severity: "error", Summary: "bad", Detail: "why", File: "experiments/a.hcl", Line: 3, Column: 5}},
		{&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "odd"}, DiagnosticDocument{Severity: "warning", Summary: "odd"}},
	} {
		if got := DiagnosticDocumentOf(c.d); got != c.want {
			t.Errorf("DiagnosticDocumentOf(%s) = %+v, want %+v", c.d.Summary, got, c.want)
		}
	}
}
