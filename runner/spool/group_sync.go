package spool

import "sync"

// groupSync makes writes durable in groups: every caller of wait needs a
// flush that started after its writes, and one flush serves every caller
// that arrived while the previous one ran. With 8 trials finishing at
// once that is one flush for the 8, where a flush per file (five per run)
// had each trial wait its turn for the disk.
type groupSync struct {
	// flush makes durable every write made before it started; paths are
	// the files and folders the callers since the last flush wrote (what
	// a platform without a whole-filesystem sync must fsync one by one).
	flush func(paths []string) error

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // flushes begun
	done    uint64 // flushes ended
	running bool
	pending []string
	// failed is the last flush that returned an error, and that error:
	// every caller that needed it gets it.
	failed    uint64
	failedErr error
}

func newGroupSync(flush func(paths []string) error) *groupSync {
	g := &groupSync{flush: flush}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// wait returns once a flush that began after the call has ended,
// running it itself when no flush is running: writes made before wait
// are then durable.
func (g *groupSync) wait(paths ...string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending = append(g.pending, paths...)
	// A flush running now may have begun before this caller's writes, so
	// only the next one counts.
	target := g.started + 1
	for g.done < target {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		gen, batch := g.started, g.pending
		g.pending = nil
		g.mu.Unlock()
		err := g.flush(batch)
		g.mu.Lock()
		g.running = false
		g.done = gen
		if err != nil {
			g.failed, g.failedErr = gen, err
		}
		g.cond.Broadcast()
	}
	if g.failed >= target {
		return g.failedErr
	}
	return nil
}
