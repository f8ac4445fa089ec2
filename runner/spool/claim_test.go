package spool

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// TestMain doubles as an assay that claims a state directory and is then
// killed: with SPOOL_CLAIM_HELPER set it claims that folder, starts a
// trial's working folder, says so and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("SPOOL_CLAIM_HELPER"); dir != "" {
		if _, _, err := Claim(dir); err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(1)
		}
		os.MkdirAll(filepath.Join(dir, RunsDir, "killed-run"), 0o755)
		os.WriteFile(filepath.Join(dir, RunsDir, "killed-run", "log"), []byte("epoch 1\n"), 0o644)
		os.Stdout.WriteString("claimed\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(gittest.NoLeaks(m).Run())
}

func TestClaimAfterAKilledRunRemovesWhatItLeft(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the claim is a flock, which Windows does not have")
	}
	state := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SPOOL_CLAIM_HELPER="+state)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 8)
	if _, err := out.Read(buf); err != nil || !strings.HasPrefix(string(buf), "claimed") {
		t.Fatalf("the helper did not claim the folder: %q %v", buf, err)
	}

	// While it runs, its trial's folder is not touched.
	removed, release, err := Claim(state)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if len(removed) != 0 {
		t.Fatalf("Claim removed %v while another assay was running", removed)
	}

	// kill -9, as the user's Ctrl-\ or the OOM killer would.
	cmd.Process.Kill()
	cmd.Wait()
	os.MkdirAll(filepath.Join(state, "spool", ".tmp-r9-123"), 0o755)
	removed, release, err = Claim(state)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	want := []string{filepath.Join(state, RunsDir, "killed-run"), filepath.Join(state, "spool", ".tmp-r9-123")}
	if strings.Join(removed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Claim after the kill removed %q, want %q", removed, want)
	}
	for _, p := range want {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
}

func TestTwoRunningAssaysShareTheStateFolder(t *testing.T) {
	state := t.TempDir()
	_, release1, err := Claim(state)
	if err != nil {
		t.Fatal(err)
	}
	trial := filepath.Join(state, RunsDir, "r1")
	os.MkdirAll(trial, 0o755)
	removed, release2, err := Claim(state)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 {
		t.Errorf("the second assay removed %v, the first one's running trial", removed)
	}
	release2()
	release1()
	if _, err := os.Stat(trial); err != nil {
		t.Errorf("the running trial's folder is gone: %v", err)
	}
}

func TestAssayFolderStaysOutOfGit(t *testing.T) {
	gittest.Need(t)
	repo := gittest.New(t)
	repo.Write("train.py", "print(1)\n")
	sp, err := Open(PreGitDir(repo.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Put(spooledRun(t, "r1", "k1")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Claim(filepath.Dir(sp.Dir)); err != nil {
		t.Fatal(err)
	}
	repo.Git("add", "-A")
	staged := repo.Git("diff", "--cached", "--name-only")
	if staged != "train.py" {
		t.Fatalf("git add -A staged %q, want only train.py: .assay must be ignored", staged)
	}
	if status := repo.Git("status", "--porcelain", "--ignored"); !strings.Contains(status, "!! .assay/") {
		t.Errorf("git does not see .assay as ignored:\n%s", status)
	}
}

func TestAdoptMovesTheRunsKeptBeforeGitInit(t *testing.T) {
	root := t.TempDir()
	pre, err := Open(PreGitDir(root))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"r1", "r2"} {
		if err := pre.Put(spooledRun(t, id, "key-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(pre.Dir, ".tmp-r3-1"), 0o755)
	sp, err := Open(filepath.Join(root, ".git", "assay", "spool"))
	if err != nil {
		t.Fatal(err)
	}
	// r2 reached this spool already (a run that was interrupted after
	// moving it): it is not moved twice.
	if err := sp.Put(spooledRun(t, "r2", "key-r2")); err != nil {
		t.Fatal(err)
	}
	if sp.Recorded("key-r1") {
		t.Fatal("r1 counts as recorded before it moved")
	}
	n, err := sp.Adopt(pre.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Adopt moved %d runs, want 1 (r1; r2 was there already)", n)
	}
	ids, _ := sp.List()
	if strings.Join(ids, ",") != "r1,r2" {
		t.Errorf("the spool holds %v, want r1 and r2", ids)
	}
	if !sp.Recorded("key-r1") {
		t.Error("the moved run does not count as recorded: plan would run it again")
	}
	if _, err := os.Stat(filepath.Join(root, PreGitStateDir)); !os.IsNotExist(err) {
		t.Errorf(".assay is still there after its runs moved: %v", err)
	}
	if n, err := sp.Adopt(pre.Dir); n != 0 || err != nil {
		t.Errorf("adopting again: %d, %v; want nothing to do", n, err)
	}
}

func spooledRun(t *testing.T, id, key string) *runner.Run {
	t.Helper()
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte("done\n"), 0o644)
	return &runner.Run{
		Result:  &runner.Result{Schema: runner.ResultSchema, RunID: id, TrialKey: key, Status: runner.StatusSucceeded},
		LogPath: log,
	}
}
