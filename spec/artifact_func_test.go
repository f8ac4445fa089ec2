package spec

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestArtifactFuncBuildsTheInputsEntry(t *testing.T) {
	fsys := fstest.MapFS{"experiments/e.hcl": {Data: []byte(`
experiment "finetune" {
  command = ["true"]
  inputs  = ["src/**", artifact("pretrain", "./out//model.pt")]
}
`)}}
	p, diags := Load(fsys, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := p.Experiment("finetune").Inputs
	if len(got) != 2 || got[1] != "artifact://pretrain/out/model.pt" {
		t.Fatalf("inputs = %q, want the artifact entry with a clean path", got)
	}
	a, ok, err := ParseArtifactInput(got[1])
	if !ok || err != nil || a.Experiment != "pretrain" || a.Path != "out/model.pt" {
		t.Fatalf("ParseArtifactInput(%q) = %+v, %v, %v", got[1], a, ok, err)
	}
	if _, ok, _ := ParseArtifactInput("src/**"); ok {
		t.Fatal("a plain glob parsed as an artifact")
	}
}

func TestParseArtifactInputRefuses(t *testing.T) {
	for entry, want := range map[string]string{
		"artifact://pretrain":             "names no file",
		"artifact://pretrain/":            "names no file",
		"artifact://pre train/x":          "not an experiment name",
		"artifact://pretrain/../x":        "leaves the experiment's artifacts",
		"artifact://pretrain/out/*.pt":    "is a glob",
		"artifact://pretrain//etc/passwd": "is absolute",
	} {
		_, ok, err := ParseArtifactInput(entry)
		if !ok || err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseArtifactInput(%q) = %v, %v; want an error with %q", entry, ok, err, want)
		}
	}
}

func TestArtifactFuncErrorsName(t *testing.T) {
	fsys := fstest.MapFS{"experiments/e.hcl": {Data: []byte(`
experiment "finetune" {
  command = ["true"]
  inputs  = [artifact("pretrain", "/abs/model.pt")]
}
`)}}
	_, diags := Load(fsys, LoadOptions{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "is absolute") {
		t.Fatalf("diags = %v, want the absolute path refused", diags)
	}
}
