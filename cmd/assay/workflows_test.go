package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v4"
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

// TestActionScriptsPassShellcheck checks the shell of the composite
// actions: the install action every job of the reusable workflow runs,
// and the stand-ins the workflow rehearsal runs (actionlint reads
// workflows, not action metadata).
func TestActionScriptsPassShellcheck(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)")
	}
	files, _ := filepath.Glob("../../.github/actions/*/action.yml")
	more, _ := filepath.Glob("testdata/actions/*/action.yml")
	nested, _ := filepath.Glob("testdata/actions/*/*/action.yml")
	files = append(append(files, more...), nested...)
	if len(files) < 5 {
		t.Fatalf("expected the install action and four stand-ins, got %v", files)
	}
	expr := regexp.MustCompile(`\$\{\{[^}]*\}\}`)
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var action struct {
			Runs struct {
				Using string `yaml:"using"`
				Steps []struct {
					Name  string `yaml:"name"`
					ID    string `yaml:"id"`
					Shell string `yaml:"shell"`
					Run   string `yaml:"run"`
				} `yaml:"steps"`
			} `yaml:"runs"`
		}
		if err := yaml.Unmarshal(src, &action); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if action.Runs.Using != "composite" {
			t.Errorf("%s: runs.using is %q, want composite", path, action.Runs.Using)
		}
		for i, step := range action.Runs.Steps {
			if step.Run == "" {
				continue
			}
			if step.Shell != "bash" {
				t.Errorf("%s: step %d runs in %q; the scripts are bash", path, i, step.Shell)
			}
			// An expression is replaced by a word, as the runner would
			// replace it by its value.
			script := expr.ReplaceAllString(step.Run, "x")
			cmd := exec.Command(shellcheck, "--shell=bash", "-")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: step %d (%s%s): shellcheck:\n%s", path, i, step.Name, step.ID, out)
			}
		}
	}
}

// TestWorkflowReferencesAgree: the reusable workflow's header, the caller
// assay init writes, the README and the GitHub docs name the same ref of
// the reusable workflow, the major tag a release moves (@v1), and the
// workflow installs assay with the action at that tag.
func TestWorkflowReferencesAgree(t *testing.T) {
	ref := regexp.MustCompile(`assaylab/assay/\.github/(?:workflows/experiments\.yml|actions/install)@([A-Za-z0-9._-]+)`)
	for _, path := range []string{
		"../../.github/workflows/experiments.yml",
		"scaffold/.github/workflows/assay.yml",
		"../../README.md",
		"../../docs/github.md",
	} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		refs := ref.FindAllStringSubmatch(string(src), -1)
		if len(refs) == 0 {
			t.Errorf("%s does not name the reusable workflow", path)
		}
		for _, m := range refs {
			if m[1] != "v1" {
				t.Errorf("%s names %s; callers pin @v1", path, m[0])
			}
		}
	}
}
