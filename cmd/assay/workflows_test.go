package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rhysd/actionlint"
)

// TestWorkflowsPassActionlint lints this project's workflows and the one
// assay init writes. shellcheck runs inside actionlint when it is on PATH
// (.ci/run installs it).
func TestWorkflowsPassActionlint(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)")
	}
	files, _ := filepath.Glob("../../.github/workflows/*.yml")
	files = append(files, "scaffold/.github/workflows/assay.yml")
	if len(files) < 3 {
		t.Fatalf("expected the project's workflows and the scaffold, got %v", files)
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		l, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Shellcheck: shellcheck})
		if err != nil {
			t.Fatal(err)
		}
		errs, err := l.Lint(path, src, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			t.Errorf("%s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
		}
	}
}
