package results

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
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

// TestSpoolIsWhereAssayRunLeavesRuns: the store reads the spool where
// `assay run` writes it (spool.DefaultDir), in a linked worktree too,
// which has a git folder of its own.
func TestSpoolIsWhereAssayRunLeavesRuns(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	linked := filepath.Join(t.TempDir(), "linked")
	git_(t, dir, "worktree", "add", "-q", "-b", "feature", linked)
	for _, wt := range []string{dir, linked} {
		s := openStore(t, wt, Options{})
		if got, want := s.SpoolDir(), spool.DefaultDir(wt); got != want {
			t.Errorf("in %s the store reads the spool %s; assay run writes %s", wt, got, want)
		}
	}
}

// TestAFreshCloneReadsTheRemoteTrackingBranch: a git clone that has
// only origin/assay/results reads the runs there, with nothing pending.
func TestAFreshCloneReadsTheRemoteTrackingBranch(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, 0) + "team.git"
	writer := newCodeRepo(t)
	setOrigin(t, writer, url)
	s := openStore(t, writer, Options{})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, testRun("r1", "exp", 1))); err != nil {
		t.Fatal(err)
	}
	git_(t, writer, "push", "-q", "origin", "main")
	clone := filepath.Join(t.TempDir(), "clone")
	git_(t, filepath.Dir(clone), "clone", "-q", url, clone)

	s = openStore(t, clone, Options{})
	tip, err := s.Tip()
	if want := strings.TrimSpace(git_(t, clone, "rev-parse", "origin/assay/results")); err != nil || tip.String() != want {
		t.Errorf("Tip of a fresh clone: %s, %v; want origin/assay/results at %s", tip, err, want)
	}
	if d, err := s.Run("r1"); err != nil || d.Result.RunID != "r1" {
		t.Errorf("Run(r1) in a fresh clone: %v, %v", d, err)
	}
	if n, err := s.Pending(); err != nil || n != 0 {
		t.Errorf("a fresh clone has %d pending, %v", n, err)
	}
}

// TestRecordedIsTheFirstQuestion: a plan asks a store that has read
// nothing yet whether a trial has a succeeded run; it reads the branch
// to answer.
func TestRecordedIsTheFirstQuestion(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ok, failed := testRun("r1", "exp", 1), testRun("r2", "exp", 2)
	failed.Result.Status = runner.StatusFailed
	if _, err := s.Commit(putRuns(t, s, ok, failed)); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{})
	if !s.Recorded(ok.Result.TrialKey) {
		t.Errorf("a fresh store does not see the succeeded run")
	}
	if s.Recorded(failed.Result.TrialKey) || s.Recorded("no-such-key") {
		t.Errorf("a failed run, or none, counts as recorded")
	}
}
