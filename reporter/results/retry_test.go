package results

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A clone whose last-seen remote tip is old news (another writer
// delivered since) has its first push refused, fetches and pushes again
// at once: one collision costs a round trip, not a backoff wait. Nothing
// is lost: the remote ends with every writer's records, never forced.
func TestStaleTipIsRetriedWithoutWaiting(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"
	a, b := newCodeRepo(t), newCodeRepo(t)
	setOrigin(t, a, url)
	setOrigin(t, b, url)
	var waits []time.Duration
	sa := openStore(t, a, Options{})
	sb := openStore(t, b, Options{Sleep: func(d time.Duration) { waits = append(waits, d) }})
	ctx := context.Background()

	if _, err := sb.Deliver(ctx, putRuns(t, sb, testRun("20260301T120000.000Z-bbb1", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.Deliver(ctx, putRuns(t, sa, testRun("20260301T120100.000Z-aaa1", "resnet", 2))); err != nil {
		t.Fatal(err)
	}
	waits = nil
	rep, err := sb.Deliver(ctx, putRuns(t, sb, testRun("20260301T120200.000Z-bbb2", "resnet", 3)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sync.Attempts != 2 || rep.Sync.Delivered != 1 || len(waits) != 0 {
		t.Errorf("%d attempts, %d delivered, waits %v; want 2 attempts (refused, then on the fetched tip), 1 delivered, no wait", rep.Sync.Attempts, rep.Sync.Delivered, waits)
	}
	if n := countRecords(branchFiles(t, bare, "assay/results")); n != 3 {
		t.Errorf("remote has %d records, want 3", n)
	}
	checkRemote(t, bare)
}

// A remote that cannot be reached (nothing listens) is tried
// OfflineAttempts times, with a wait between tries, and no more; then the
// results wait in the outbox for assay sync.
func TestUnreachableRemoteIsTriedOfflineAttemptsTimes(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	setOrigin(t, dir, fmt.Sprintf("git://127.0.0.1:%d/team.git", freePort(t)))
	var waits []time.Duration
	s := openStore(t, dir, Options{OfflineAttempts: 3, Sleep: func(d time.Duration) { waits = append(waits, d) }})
	if _, err := s.Commit(putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Sync(context.Background())
	var ob *OutboxError
	if !errors.As(err, &ob) || ob.Pending != 1 {
		t.Fatalf("Sync with nothing listening: %v, want an OutboxError holding 1 run", err)
	}
	if rep.Attempts != 3 || len(waits) != 2 {
		t.Errorf("%d attempts, waits %v; want 3 attempts with a wait between each", rep.Attempts, waits)
	}
}
