package github

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseEventFillsWhatThePayloadLeavesOut: webhook payloads differ in
// where they put a pull request's number and whether they name its base
// repository; each is read to the same pull request, and the fork check
// sees the right repositories.
func TestParseEventFillsWhatThePayloadLeavesOut(t *testing.T) {
	head := `"head":{"sha":"` + sha('f') + `","repo":{"full_name":"mallory/models"}}`
	own := `"head":{"sha":"` + sha('f') + `","repo":{"full_name":"acme/models"}}`
	repo := `"repository":{"full_name":"acme/models"}`
	for _, c := range []struct {
		name, event, payload string
		number               int
		baseRepo             string
		fork                 bool
	}{
		// A review's payload has no top-level number.
		{"review", "pull_request_review", `{"action":"submitted","pull_request":{"number":7,` + head + `,"base":{"repo":{"full_name":"acme/models"}}},` + repo + `}`, 7, "acme/models", true},
		// The number only at the top level.
		{"number at the top", "pull_request", `{"number":9,"pull_request":{` + head + `,"base":{"repo":{"full_name":"acme/models"}}},` + repo + `}`, 9, "acme/models", true},
		// No base repository: the workflow's repository is the base, so a
		// pull request from a branch of it is no fork.
		{"no base repository", "pull_request", `{"number":3,"pull_request":{"number":3,` + own + `,"base":{}},` + repo + `}`, 3, "acme/models", false},
		{"no base repository, a fork", "pull_request", `{"number":3,"pull_request":{"number":3,` + head + `,"base":{}},` + repo + `}`, 3, "acme/models", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(c.payload), c.event)
			if err != nil {
				t.Fatal(err)
			}
			if ev.PR == nil || ev.PR.Number != c.number || ev.PR.BaseRepo != c.baseRepo || ev.PR.IsFork() != c.fork {
				t.Errorf("pull request %+v, want #%d into %s, fork %v", ev.PR, c.number, c.baseRepo, c.fork)
			}
		})
	}
	// A comment on an issue that is no pull request says so with null.
	ev, err := ParseEvent([]byte(`{"issue":{"number":4,"pull_request":null},`+repo+`}`), "issue_comment")
	if err != nil || ev.PR != nil {
		t.Errorf("comment on an issue: event %+v, err %v; want no pull request", ev, err)
	}
	// A pull request without a number cannot be reported on.
	for _, p := range []string{`{"pull_request":{` + head + `},` + repo + `}`, `{"issue":{"number":0,"pull_request":{"url":"x"}},` + repo + `}`} {
		if _, err := ParseEvent([]byte(p), "pull_request"); err == nil || !strings.Contains(err.Error(), "names a pull request without a number") {
			t.Errorf("%s: err = %v, want a pull request without a number", p, err)
		}
	}
}

// TestReadEventReadsTheFile: the payload GITHUB_EVENT_PATH names is read;
// a missing one is an error that says which file it was.
func TestReadEventReadsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "event.json")
	payload := `{"number":5,"pull_request":{"number":5,"head":{"repo":{"full_name":"acme/models"}},"base":{"repo":{"full_name":"acme/models"}}},"repository":{"full_name":"acme/models"}}`
	if err := os.WriteFile(path, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	ev, err := ReadEvent(path, "pull_request")
	if err != nil || ev.Name != "pull_request" || ev.Repository != "acme/models" || ev.PR == nil || ev.PR.Number != 5 {
		t.Fatalf("event %+v, err %v", ev, err)
	}
	_, err = ReadEvent(filepath.Join(t.TempDir(), "missing.json"), "pull_request")
	if err == nil || !strings.Contains(err.Error(), "reading the workflow's event (GITHUB_EVENT_PATH)") {
		t.Errorf("missing payload: err = %v", err)
	}
}
