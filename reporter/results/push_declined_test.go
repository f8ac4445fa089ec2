package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A remote whose hook refuses the push (a protected branch, a server
// rule) is not a race lost to another writer: assay stops at the first
// refusal instead of retrying until the push deadline, says what the
// remote said, keeps the results in the outbox, and delivers them once
// the remote accepts.
func TestARefusedPushStopsAtOnceAndKeepsTheResults(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 1)
	hook := filepath.Join(bare, "hooks", "pre-receive")
	os.MkdirAll(filepath.Dir(hook), 0o755)
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'results are read-only on this server' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := dirs[0]
	s := openStore(t, dir, Options{})
	sp := putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))
	_, err := s.Deliver(context.Background(), sp)
	var ob *OutboxError
	if !errors.As(err, &ob) || !errors.Is(err, errDeclined) {
		t.Fatalf("Deliver to a remote that refuses: %v, want an OutboxError for a refusal", err)
	}
	for _, want := range []string{"pre-receive hook declined", "remote: results are read-only on this server", "1 result", "a server hook or a protected branch refused it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	rep, err := openStore(t, dir, Options{}).Sync(context.Background())
	if !errors.Is(err, errDeclined) || rep.Attempts != 1 {
		t.Errorf("sync against the refusing remote: %d attempts, %v; want one attempt and the refusal", rep.Attempts, err)
	}
	if n, _ := s.Pending(); n != 1 {
		t.Errorf("the outbox holds %d results, want 1", n)
	}

	os.Remove(hook)
	rep, err = openStore(t, dir, Options{}).Sync(context.Background())
	if err != nil || rep.Delivered != 1 {
		t.Fatalf("sync once the remote accepts: %+v, %v", rep, err)
	}
	if n := countRecords(branchFiles(t, bare, "assay/results")); n != 1 {
		t.Errorf("the remote has %d records, want 1", n)
	}
}

func TestRemoteSaysKeepsTheEndOfWhatTheRemotePrinted(t *testing.T) {
	var r remoteSays
	r.Write([]byte("Resolving deltas:  50%\rResolving deltas: 100%\r\n"))
	r.Write([]byte(strings.Repeat("x", 3000) + "\n\nGH006: Protected branch update failed\n"))
	got := r.text()
	if !strings.HasSuffix(got, "\nremote: GH006: Protected branch update failed") {
		t.Errorf("text = %q", got)
	}
	if strings.Contains(got, "Resolving") || len(got) > remoteSaysKeep+40 {
		t.Errorf("kept more than the end: %d bytes, %q…", len(got), got[:min(len(got), 80)])
	}
	var quiet remoteSays
	if quiet.text() != "" {
		t.Errorf("nothing said: %q", quiet.text())
	}
	var progress remoteSays
	progress.Write([]byte("Resolving deltas:  50%\rResolving deltas: 100%\r\n"))
	if got := progress.text(); got != "\nremote: Resolving deltas: 100%" {
		t.Errorf("a progress line: %q, want its last state", got)
	}
}
