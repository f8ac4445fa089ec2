package spool

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestGroupSyncSharesFlushes holds the first flush until every other
// caller has arrived: the 63 who came while it ran must share exactly one
// more flush, and none may return on the first (it may have begun before
// their writes).
func TestGroupSyncSharesFlushes(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]string
	g := newGroupSync(func(paths []string) error {
		mu.Lock()
		batches = append(batches, paths)
		first := len(batches) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return nil
	})
	const callers = 64
	var wg sync.WaitGroup
	flushesSeen := make([]int, callers)
	start := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.wait(fmt.Sprint(i)); err != nil {
				t.Error(err)
			}
			mu.Lock()
			flushesSeen[i] = len(batches)
			mu.Unlock()
		}()
	}
	start(0)
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.running })
	for i := 1; i < callers; i++ {
		start(i)
	}
	waitFor(t, func() bool { g.mu.Lock(); defer g.mu.Unlock(); return len(g.pending) == callers-1 })
	close(release)
	wg.Wait()
	if len(batches) != 2 {
		t.Fatalf("%d flushes for %d callers, want 2: %v", len(batches), callers, batches)
	}
	if len(batches[0]) != 1 || len(batches[1]) != callers-1 {
		t.Errorf("flushes covered %d and %d paths, want 1 and %d", len(batches[0]), len(batches[1]), callers-1)
	}
	for i := 1; i < callers; i++ {
		if flushesSeen[i] != 2 {
			t.Errorf("caller %d returned after %d flushes, want 2: the first began before its writes", i, flushesSeen[i])
		}
	}
}

// TestGroupSyncReportsFailure: every caller a failed flush served gets its
// error; a later flush that works clears it.
func TestGroupSyncReportsFailure(t *testing.T) {
	fail := errors.New("disk full")
	calls := 0
	g := newGroupSync(func([]string) error {
		calls++
		if calls == 1 {
			return fail
		}
		return nil
	})
	if err := g.wait("a"); !errors.Is(err, fail) {
		t.Fatalf("wait = %v, want %v", err, fail)
	}
	if err := g.wait("b"); err != nil {
		t.Fatalf("wait after a good flush = %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}
