package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestBatchID: the shards and job retries of one GitHub Actions workflow
// run share its run id as their batch; outside Actions, or without a run
// id, each invocation gets a new id of its own.
func TestBatchID(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if got := BatchID(envOf(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "4242"}), now); got != "github-4242" {
		t.Errorf("in Actions: batch %q, want github-4242", got)
	}
	for name, env := range map[string]map[string]string{
		"a run id outside Actions": {"GITHUB_RUN_ID": "4242"},
		"Actions without a run id": {"GITHUB_ACTIONS": "true"},
		"neither":                  {},
	} {
		got := BatchID(envOf(env), now)
		if !strings.HasPrefix(got, "20260301T120000.000Z-") || got == BatchID(envOf(env), now) {
			t.Errorf("%s: batch %q, want a new id made from now each time", name, got)
		}
	}
}

// TestTriggerFromEnv: why trials run, and the pull request's number from
// the event payload (the pull request's own number first, else the
// event's), as the records keep them.
func TestTriggerFromEnv(t *testing.T) {
	dir := t.TempDir()
	event := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	both := event("both.json", `{"number": 7, "pull_request": {"number": 8}}`)
	onlyEvent := event("number.json", `{"number": 7}`)
	onlyPR := event("pr.json", `{"pull_request": {"number": 9}}`)
	notJSON := event("bad.json", `{"number": `)
	for _, tc := range []struct {
		name, path string
		want       string
		pr         int
	}{
		{"pull_request", both, TriggerPR, 8},
		{"pull_request_target", onlyPR, TriggerPR, 9},
		{"pull_request", onlyEvent, TriggerPR, 7},
		{"pull_request", notJSON, TriggerPR, 0},
		{"pull_request", filepath.Join(dir, "missing.json"), TriggerPR, 0},
		{"push", both, TriggerPush, 0},
		{"schedule", both, TriggerSchedule, 0},
		{"workflow_dispatch", both, TriggerManual, 0},
		{"", both, TriggerManual, 0},
	} {
		trigger, pr := TriggerFromEnv(envOf(map[string]string{"GITHUB_EVENT_NAME": tc.name, "GITHUB_EVENT_PATH": tc.path}))
		if trigger != tc.want || pr != tc.pr {
			t.Errorf("%s with %s: %q, pr %d; want %q, pr %d", tc.name, filepath.Base(tc.path), trigger, pr, tc.want, tc.pr)
		}
	}
}

// TestAnyRecorded: a key is recorded when any store has it; a store that
// is not there (nil) is passed over.
func TestAnyRecorded(t *testing.T) {
	rs := AnyRecorded{nil, recordedKeys{"a": true}, recordedKeys{"b": true}}
	for key, want := range map[string]bool{"a": true, "b": true, "c": false} {
		if got := rs.Recorded(key); got != want {
			t.Errorf("Recorded(%q) = %v, want %v", key, got, want)
		}
	}
	if (NothingRecorded{}).Recorded("a") {
		t.Error("NothingRecorded has a key")
	}
}

// TestRetryable: the endings an executor runs again under a trial's
// retries: a failure and a timeout, never a success, a cancellation (the
// user asked it to stop) or an early stop (its series is evidence).
func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		status Status
		want   bool
	}{
		{StatusFailed, true},
		{StatusTimedOut, true},
		{StatusSucceeded, false},
		{StatusCancelled, false},
		{StatusStopped, false},
	} {
		if got := tc.status.Retryable(); got != tc.want {
			t.Errorf("%s: retried %v, want %v", tc.status, got, tc.want)
		}
	}
}
