package spool

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
)

func TestPutGetListRemove(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "trial.log")
	os.WriteFile(log, []byte("epoch=1\n"), 0o644)
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(id string) *runner.Run {
		return &runner.Run{
			Result: &runner.Result{Schema: runner.ResultSchema, RunID: id, TrialKey: "k", Status: runner.StatusSucceeded,
				Metrics: map[string]float64{"acc": 0.9}, Started: started},
			Series:  map[string][]runner.Point{"acc": {{Step: 1, Value: 0.9}}},
			LogPath: log,
		}
	}
	var sink runner.Sink = s
	for _, id := range []string{"02", "01"} {
		if err := sink.Record(context.Background(), mk(id)); err != nil {
			t.Fatal(err)
		}
	}
	// A second Put of the same id changes nothing.
	if err := s.Put(mk("01")); err != nil {
		t.Fatal(err)
	}
	ids, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"01", "02"}, ids); diff != "" {
		t.Fatalf("List (-want +got):\n%s", diff)
	}
	got, err := s.Get("01")
	if err != nil {
		t.Fatal(err)
	}
	want := mk("01")
	want.LogPath = filepath.Join(s.Dir, "01", LogFile)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if b, _ := os.ReadFile(got.LogPath); string(b) != "epoch=1\n" {
		t.Errorf("log = %q", b)
	}
	if err := s.Remove("01"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.List(); len(ids) != 1 || ids[0] != "02" {
		t.Errorf("after Remove: %v", ids)
	}
}

// A crash half way through Put leaves only a hidden temporary directory,
// which List never reports.
func TestHalfWrittenRunIsInvisible(t *testing.T) {
	s, _ := Open(t.TempDir())
	os.MkdirAll(filepath.Join(s.Dir, ".tmp-03-123"), 0o755)
	os.WriteFile(filepath.Join(s.Dir, ".tmp-03-123", ResultFile), []byte("{"), 0o644)
	if ids, _ := s.List(); len(ids) != 0 {
		t.Errorf("List = %v, want nothing", ids)
	}
}

func TestRejectsBadRunID(t *testing.T) {
	s, _ := Open(t.TempDir())
	for _, id := range []string{"", "../x", ".hidden", "a/b"} {
		if err := s.Put(&runner.Run{Result: &runner.Result{RunID: id}}); err == nil {
			t.Errorf("Put(%q) succeeded", id)
		}
	}
}
