package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// push points assay at a push event of main from before to after.
func (e *reportEnv) push(before, after string) {
	e.t.Helper()
	p := filepath.Join(e.t.TempDir(), "push.json")
	payload := fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"repository":{"full_name":"acme/models","default_branch":"main"}}`, before, after)
	if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.env["GITHUB_EVENT_NAME"], e.env["GITHUB_EVENT_PATH"] = "push", p
}

// editSpec replaces old with new in the train experiment and commits it.
func (e *reportEnv) editSpec(old, new, msg string) string {
	e.t.Helper()
	spec := filepath.Join(e.dir, "experiments/train.hcl")
	src, _ := os.ReadFile(spec)
	if !strings.Contains(string(src), old) {
		e.t.Fatalf("the spec lacks %q", old)
	}
	os.WriteFile(spec, []byte(strings.Replace(string(src), old, new, 1)), 0o644)
	e.git("commit", "-q", "-am", msg)
	return e.git("rev-parse", "HEAD")
}

// Pushes to main keep its results current: the push that created main
// runs every trial; a push that changes an experiment plans before →
// after and runs it, recorded with the after commit; compare on that push
// has both sides; a force-push falls back to the whole head and runs only
// what has no result.
func TestPushesKeepMainsResultsCurrent(t *testing.T) {
	e := newReportEnv(t, trainProject)
	first := e.git("rev-parse", "HEAD")
	e.push(strings.Repeat("0", 40), first)
	if out := e.mustAssay("plan"); !strings.Contains(out, "Base: none: the push created main") || !strings.Contains(out, "3 trials to run") {
		t.Fatalf("the push that created main:\n%s", out)
	}
	e.mustAssay("run")

	second := e.editSpec("lr = 0.1", "lr = 0.03", "lower the learning rate")
	e.push(first, second)
	out := e.mustAssay("plan")
	for _, want := range []string{"Base: " + first[:12] + ", main before the push", "Head: " + second[:12] + ", main after the push", "3 trials to run, 0 reused, in 1 experiment (1 modified)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the push's plan lacks %q:\n%s", want, out)
		}
	}
	e.mustAssay("run")
	bySource := map[string]int{}
	for _, r := range e.records() {
		if r.Trigger != "push" || r.Status != "succeeded" {
			t.Errorf("record %+v: want a succeeded push run", r)
		}
		bySource[r.SourceCommit]++
	}
	if len(bySource) != 2 || bySource[first] != 3 || bySource[second] != 3 {
		t.Errorf("records by source commit %v: want 3 of each push", bySource)
	}

	var c struct {
		Base, Head struct {
			Commit string `json:"commit"`
		}
		Result string `json:"result"`
		Counts struct {
			MissingTrials int `json:"missing_trials"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(e.mustAssay("compare", "--format", "json")), &c); err != nil {
		t.Fatal(err)
	}
	if c.Base.Commit != first || c.Head.Commit != second || c.Result != "failure" || c.Counts.MissingTrials != 0 {
		t.Errorf("compare on the push: %+v; want %.12s → %.12s, the regression, nothing missing", c, first, second)
	}
	if out := e.mustAssay("plan"); !strings.Contains(out, "0 trials to run, 3 reused") {
		t.Errorf("the same push planned again:\n%s", out)
	}

	// A force-push replaces the lower learning rate with a fourth seed:
	// the old tip is no ancestor, so main plans every experiment, and only
	// the trial without a result runs.
	e.git("reset", "-q", "--hard", first)
	third := e.editSpec("seeds   = [1, 2, 3]", "seeds   = [1, 2, 3, 4]", "a fourth seed instead")
	e.push(second, third)
	out = e.mustAssay("plan")
	if !strings.Contains(out, "is not an ancestor of its after commit (a force-push rewrote main)") || !strings.Contains(out, "1 trial to run, 3 reused") {
		t.Errorf("the force-push's plan:\n%s", out)
	}
}
