package spool

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// killChildEnv makes the test binary the writer of TestKilledPutsLoseNoFinishedRun.
const killChildEnv = "ASSAY_SPOOL_KILL_CHILD"

// TestKilledPutsLoseNoFinishedRun runs 8 writers putting runs into a
// spool in a child process, each printing a run's id the moment its Put
// returns (the moment the executor reports the trial finished), and kills
// the child with SIGKILL in the middle. Every run whose id was printed
// must be in the spool, whole; every run in the spool must be readable
// (a kill between the writes and the rename leaves no half run).
//
// A kill keeps the page cache, so this proves the order of the writes,
// the flushes and the acknowledgement, not the flush itself: that is
// syncfs(2)'s contract (fsync per file on other systems).
func TestKilledPutsLoseNoFinishedRun(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "spool")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledPutsLoseNoFinishedRun$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // stopped even when the test fails early
	const killAfter = 200
	kept := map[string]bool{}
	lines := bufio.NewScanner(out)
	killed := false
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), "kept ")
		if !ok {
			continue
		}
		kept[id] = true
		if len(kept) == killAfter && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("the writer ended after %d runs, before it could be killed: %v", len(kept), err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the writer was not killed by SIGKILL: %v", err)
	}

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	inSpool := map[string]bool{}
	for _, id := range ids {
		inSpool[id] = true
		run, err := s.Get(id)
		if err != nil {
			t.Errorf("run %s in the spool is not whole: %v", id, err)
			continue
		}
		if run.Result.RunID != id || run.Series["loss"][0].Value != 0.5 || run.LogPath == "" {
			t.Errorf("run %s in the spool reads back wrong: %+v", id, run)
		}
		if b, err := os.ReadFile(run.LogPath); err != nil || string(b) != "log of "+id+"\n" {
			t.Errorf("run %s: log %q, %v", id, b, err)
		}
	}
	for id := range kept {
		if !inSpool[id] {
			t.Errorf("run %s was reported kept but is not in the spool after the kill", id)
		}
	}
	if len(kept) < killAfter {
		t.Fatalf("only %d runs reported kept", len(kept))
	}
	t.Logf("%d runs reported kept, %d in the spool after SIGKILL", len(kept), len(ids))
}

// killChild puts runs with 8 writers until it is killed.
func killChild(dir string) {
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	logs := dir + ".logs" // beside the spool, in the parent test's folder
	if err := os.MkdirAll(logs, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100000; i++ {
				id := fmt.Sprintf("%02d-%06d", w, i)
				log := filepath.Join(logs, id)
				if err := os.WriteFile(log, []byte("log of "+id+"\n"), 0o644); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				run := &runner.Run{
					Result:  &runner.Result{Schema: runner.ResultSchema, RunID: id, TrialKey: "k" + id, Status: runner.StatusSucceeded, Started: time.Now()},
					Series:  map[string][]runner.Point{"loss": {{Step: 1, Value: 0.5}}},
					LogPath: log,
				}
				if err := s.Put(run); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				os.Remove(log)
				mu.Lock()
				fmt.Printf("kept %s\n", id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}
