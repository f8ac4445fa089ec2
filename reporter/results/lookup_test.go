package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunReadsASpooledRunUntilItIsRecorded(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	run := testRun("20260301T120000.000Z-spool", "resnet", 1)
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte("epoch 1\nboom: out of memory\n"), 0o644)
	run.LogPath = log
	sp := putRuns(t, s, run)

	// assay run prints "assay show ID" for a failed trial before the run
	// is recorded: the spool answers.
	d, err := s.Run("20260301T120000.000Z-sp")
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != filepath.Join(sp.Dir, run.Result.RunID) || !strings.Contains(string(d.Log), "boom") {
		t.Errorf("spooled run: path %s, log %q", d.Path, d.Log)
	}
	if _, err := s.Deliver(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	// Once recorded, the branch answers, and the spool's copy is gone.
	d, err = s.Run(run.Result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != RecordPath("resnet", run.Result.TrialKey, run.Result.RunID) || !strings.Contains(string(d.Log), "boom") {
		t.Errorf("recorded run: path %s, log %q", d.Path, d.Log)
	}
}

func TestUnreadableRecordIsAnErrorNotAMissingRun(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	good, bad := testRun("r-good", "exp", 1), testRun("r-bad", "exp", 2)
	if _, err := s.Deliver(context.Background(), putRuns(t, s, good, bad)); err != nil {
		t.Fatal(err)
	}
	// Someone breaks a record with the git CLI.
	work := filepath.Join(t.TempDir(), "w")
	git_(t, dir, "worktree", "add", "-q", work, "assay/results")
	p := RecordPath("exp", bad.Result.TrialKey, "r-bad")
	os.WriteFile(filepath.Join(work, p), []byte(`{"schema": "assay.run/v1", "run_id": `), 0o644)
	git_(t, work, "commit", "-q", "-am", "edit by hand")
	git_(t, dir, "worktree", "remove", work)

	// Every reader, every time: a fresh Store reads the index file the
	// first one wrote, and still sees the problem.
	for i := 0; i < 2; i++ {
		s := openStore(t, dir, Options{})
		var ue *UnreadableError
		if _, err := s.Run("r-bad"); !errors.As(err, &ue) || ue.Records[0].Path != p {
			t.Fatalf("reader %d: Run of the broken record: %v, want an *UnreadableError naming %s", i, err, p)
		}
		if !strings.Contains(ue.Error(), "git show assay/results:"+p) {
			t.Errorf("the error does not say how to look at it: %v", ue)
		}
		if err := s.UnreadableKeys(map[string]bool{bad.Result.TrialKey: true}); !errors.As(err, &ue) {
			t.Errorf("reader %d: the broken trial's key: %v", i, err)
		}
		if err := s.UnreadableKeys(map[string]bool{good.Result.TrialKey: true}); err != nil {
			t.Errorf("reader %d: a good trial's key is refused: %v", i, err)
		}
		if _, err := s.Run("r-good"); err != nil {
			t.Errorf("reader %d: the good run: %v", i, err)
		}
	}
}
