package results

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestOpenDefaults: what a store does when nothing is set is what the
// documentation promises: a remote that cannot be reached is tried
// DefaultOfflineAttempts (3) times, a contended push is retried for
// DefaultPushDeadline (10 minutes), on the branch assay/results; values
// that are set are kept.
func TestOpenDefaults(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	setOrigin(t, dir, fmt.Sprintf("git://127.0.0.1:%d/team.git", freePort(t)))
	var waits []time.Duration
	s := openStore(t, dir, Options{Sleep: func(d time.Duration) { waits = append(waits, d) }})
	if _, err := s.Commit(putRuns(t, s, testRun("r1", "exp", 1))); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Sync(context.Background())
	var ob *OutboxError
	if !errors.As(err, &ob) || rep.Attempts != 3 || len(waits) != 2 {
		t.Errorf("an unreachable remote with the defaults: %d attempts, waits %v, %v; want 3 attempts", rep.Attempts, waits, err)
	}
	if s.Branch() != "refs/heads/assay/results" {
		t.Errorf("the default branch is %s", s.Branch())
	}
	if s.opts.PushDeadline != 10*time.Minute {
		t.Errorf("the default push deadline is %s, want 10m", s.opts.PushDeadline)
	}
	s = openStore(t, dir, Options{PushDeadline: time.Minute, OfflineAttempts: 1, Branch: "team/results"})
	if s.opts.PushDeadline != time.Minute || s.opts.OfflineAttempts != 1 || s.Branch() != "refs/heads/team/results" {
		t.Errorf("settings were not kept: %s, %d, %s", s.opts.PushDeadline, s.opts.OfflineAttempts, s.Branch())
	}
	if _, err := s.Commit(putRuns(t, s, testRun("r2", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Sync(context.Background()); err == nil || rep.Attempts != 1 {
		t.Errorf("OfflineAttempts 1: %d attempts, %v", rep.Attempts, err)
	}
	if got := git_(t, dir, "log", "-1", "--format=%s", "team/results"); !strings.Contains(got, "record 1 run of exp") {
		t.Errorf("the branch team/results holds %q", got)
	}
}
