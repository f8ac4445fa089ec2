package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
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
	// A refusal ends at the first try; retrying it as a race would run
	// until this deadline and then blame other writers.
	s := openStore(t, dir, Options{PushDeadline: 2 * time.Second})
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
	rep, err := openStore(t, dir, Options{PushDeadline: 2 * time.Second}).Sync(context.Background())
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

// Another writer lands between the remote's advertisement and assay's
// ref update (the remote's hook moves the branch itself, once): the push
// is rejected as a lost race, not refused and not unreachable, so assay
// fetches, re-applies and lands on top of the other writer's commit, even
// with a store that gives up on an unreachable remote at once.
func TestARaceLostAtTheRefUpdateIsTriedAgain(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 1)
	dir := dirs[0]
	ctx := context.Background()
	s := openStore(t, dir, Options{OfflineAttempts: 1})
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	// Run outside the push's quarantine, so that the other writer's
	// commit and ref move are the repository's own.
	hook := `#!/bin/sh
[ -e "$GIT_DIR/raced" ] && exit 0
touch "$GIT_DIR/raced"
read old new ref
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
blob=$(echo "another writer was here" | git hash-object -w --stdin)
tree=$( (git ls-tree "$old"; printf '100644 blob %s\tNOTES\n' "$blob") | git mktree)
c=$(git commit-tree "$tree" -p "$old" -m "another writer")
git update-ref "$ref" "$c" "$old"
`
	if err := os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Deliver(ctx, putRuns(t, s, testRun("20260301T120100.000Z-bbbb", "resnet", 2)))
	if err != nil {
		t.Fatalf("deliver through a lost race: %v", err)
	}
	if _, err := os.Stat(filepath.Join(bare, "raced")); err != nil {
		t.Fatal("the remote's hook never ran")
	}
	if rep.Sync.Attempts != 2 || rep.Sync.Delivered != 1 {
		t.Errorf("sync report %+v, want the run delivered at the second attempt", rep.Sync)
	}
	files := branchFiles(t, bare, "assay/results")
	if countRecords(files) != 2 || !slices.Contains(files, "NOTES") {
		t.Errorf("the remote holds %v, want both records and the other writer's NOTES", files)
	}
	git_(t, bare, "fsck", "--no-progress")
}
