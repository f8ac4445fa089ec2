package spool

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool/spooltest"
)

func TestRecordedAnswersFromDiskAndAfterPut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	put := func(s *Spool, id, key string, st runner.Status) {
		t.Helper()
		if err := s.Put(&runner.Run{Result: &runner.Result{RunID: id, TrialKey: key, Status: st}}); err != nil {
			t.Fatal(err)
		}
	}
	put(s, "01", "ok", runner.StatusSucceeded)
	put(s, "02", "bad", runner.StatusFailed)
	if !s.Recorded("ok") || s.Recorded("bad") || s.Recorded("none") {
		t.Errorf("first spool: ok=%v bad=%v none=%v", s.Recorded("ok"), s.Recorded("bad"), s.Recorded("none"))
	}
	put(s, "03", "later", runner.StatusSucceeded)
	if !s.Recorded("later") {
		t.Error("a Put after the first Recorded is not seen")
	}
	// A fresh Spool on the same directory (assay started again after a
	// crash) reads the same answers from disk; a half-written run left
	// behind by the crash is ignored.
	os.MkdirAll(filepath.Join(dir, ".tmp-04-123"), 0o755)
	os.MkdirAll(filepath.Join(dir, "05"), 0o755)
	again, _ := Open(dir)
	if !again.Recorded("ok") || !again.Recorded("later") || again.Recorded("bad") {
		t.Error("a reopened spool forgot its runs")
	}
}

// On one filesystem the spool hard-links the log and the artifacts where
// the trial left them (no second copy of a checkpoint); where the trial's
// folder is on another filesystem, a link cannot be made and they are
// copied. Either way the spool's files outlive the originals.
func TestSpoolLinksOrCopiesTheTrialsFiles(t *testing.T) {
	for _, c := range []struct {
		name   string
		trial  func(t *testing.T) string
		linked bool
	}{
		{"same filesystem", func(t *testing.T) string { return t.TempDir() }, true},
		{"another filesystem", func(t *testing.T) string { return spooltest.OtherFilesystem(t) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			trial := c.trial(t)
			s, _ := Open(filepath.Join(t.TempDir(), "spool"))
			log, arts := filepath.Join(trial, "log"), filepath.Join(trial, "artifacts")
			os.WriteFile(log, []byte("hello\n"), 0o644)
			os.MkdirAll(filepath.Join(arts, "ckpt"), 0o755)
			os.WriteFile(filepath.Join(arts, "ckpt", "model.pt"), []byte("weights"), 0o644)
			if err := s.Put(&runner.Run{Result: &runner.Result{RunID: "01"}, LogPath: log, ArtifactsDir: arts}); err != nil {
				t.Fatal(err)
			}
			for orig, want := range map[string]string{log: "hello\n", filepath.Join(arts, "ckpt", "model.pt"): "weights"} {
				rel, _ := filepath.Rel(trial, orig)
				if rel == "log" {
					rel = LogFile
				}
				spooled := filepath.Join(s.Dir, "01", rel)
				a, _ := os.Stat(orig)
				b, err := os.Stat(spooled)
				if err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				if os.SameFile(a, b) != c.linked {
					t.Errorf("%s: linked %v, want %v", rel, os.SameFile(a, b), c.linked)
				}
				os.Remove(orig)
				if got, err := os.ReadFile(spooled); err != nil || string(got) != want {
					t.Errorf("%s once the trial's copy is gone: %q, %v", rel, got, err)
				}
			}
		})
	}
}

func TestStateDir(t *testing.T) {
	repo := t.TempDir()
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	if got, want := DefaultDir(repo), filepath.Join(repo, ".git", "assay", "spool"); got != want {
		t.Errorf("repo: %s, want %s", got, want)
	}
	wt := t.TempDir()
	gitdir := filepath.Join(repo, ".git", "worktrees", "wt")
	os.MkdirAll(gitdir, 0o755)
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+gitdir+"\n"), 0o644)
	if got, want := StateDir(wt), filepath.Join(gitdir, "assay"); got != want {
		t.Errorf("worktree: %s, want %s", got, want)
	}
	plain := t.TempDir()
	if got, want := DefaultDir(plain), filepath.Join(plain, ".assay", "spool"); got != want {
		t.Errorf("no git: %s, want %s", got, want)
	}
}
