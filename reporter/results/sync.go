package results

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// SyncReport says what a Sync did.
type SyncReport struct {
	// Delivered counts the runs pushed to the remote: the outbox's, never
	// records someone else deleted there.
	Delivered int
	// Attempts counts the pushes tried, 1 when nothing contended.
	Attempts int
	// Corrections are rewrites of the remote branch by someone else that
	// this Sync found (each also written as a warning).
	Corrections []Correction
}

// OutboxError is a delivery that did not reach the remote: the results are
// safe in the local outbox and `assay sync` delivers them later.
type OutboxError struct {
	Pending int
	Outbox  string
	Remote  string
	Err     error
}

func (e *OutboxError) Error() string {
	when := "once the remote can be reached"
	if errors.Is(e.Err, errDeclined) {
		when = "once the remote lets assay push its results branch (a server hook or a protected branch refused it)"
	}
	return fmt.Sprintf("could not deliver %s to %s: %v\n%s kept in the local outbox (%s); run `assay sync` %s",
		countNoun(e.Pending, "result"), e.Remote, e.Err, areOrIs(e.Pending), e.Outbox, when)
}

func (e *OutboxError) Unwrap() error { return e.Err }

func areOrIs(n int) string {
	if n == 1 {
		return "It is"
	}
	return "They are"
}

// Fetch brings the remote's results branch into the local copy, keeping
// any results still in the outbox on top of it. With no remote it does
// nothing. An unreachable remote returns an error; the local copy still
// serves reads, so callers may carry on offline.
//
// A remote that stays silent past the connect deadline, or stalls past
// the idle deadline, is unreachable too (IsDeadline tells). Records that
// someone else deleted or changed on the remote since the last fetch are
// written as a warning (see Correction) and kept under a ref.
func (s *Store) Fetch(ctx context.Context) error {
	if s.remoteURL == "" {
		return nil
	}
	// The lock spans the download: a second assay of this clone fetching
	// at the same time must not adopt an older tip after this one adopted
	// a newer, which would look like records deleted on the remote. The
	// deadlines bound how long it is held.
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	remote, err := s.download(ctx)
	if err != nil {
		return fmt.Errorf("fetching the results branch from %s: %w", s.remoteURL, err)
	}
	_, err = s.adopt(remote)
	return err
}

// Sync delivers the outbox: the local results branch's commits that the
// remote does not have. It never forces: when another writer got there
// first it fetches the new tip, re-applies the same files on it and pushes
// again, with jittered exponential backoff, until the push deadline. A
// remote that cannot be reached is tried OfflineAttempts times, and one
// that stays silent past a deadline once; then Sync returns an
// *OutboxError and the results stay in the outbox.
func (s *Store) Sync(ctx context.Context) (SyncReport, error) {
	found := len(s.corrections)
	rep, err := s.deliverOutbox(ctx)
	rep.Corrections = append(rep.Corrections, s.corrections[found:]...)
	return rep, err
}

func (s *Store) deliverOutbox(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	if s.remoteURL == "" {
		return rep, nil
	}
	deadline := s.now().Add(s.opts.PushDeadline)
	offline := 0
	// level sets the backoff. It rises with each collision while other
	// writers keep landing commits, and falls when at most one landed
	// since the last look: the channel is quiet, so waiting long only
	// wastes time. Writers then settle near one try per push round trip
	// and speed up as their number drops.
	level := 0
	for {
		rep.Attempts++
		// The first try pushes on the remote tip last seen, saving a round
		// trip when nobody else wrote since; the remote refuses the push
		// if that tip is stale, and later tries fetch first.
		n, err := s.syncOnce(ctx, rep.Attempts > 1)
		if err == nil {
			rep.Delivered = n
			return rep, nil
		}
		var ue unreachableError
		switch {
		case ctx.Err() != nil:
			return rep, s.outboxError(ctx.Err())
		case errors.As(err, &ue):
			offline++
			// A silent remote already cost a whole deadline: trying
			// again would only multiply the wait.
			if offline >= s.opts.OfflineAttempts || IsDeadline(err) {
				return rep, s.outboxError(err)
			}
		case errors.Is(err, errStale) && rep.Attempts == 1:
			// The tip last seen was old news: fetch and go again at once.
			continue
		case errors.Is(err, errRejected), errors.Is(err, errStale):
			if s.now().After(deadline) {
				return rep, s.outboxError(fmt.Errorf("gave up after %d attempts in %s: other writers kept moving the branch", rep.Attempts, s.opts.PushDeadline))
			}
		default:
			return rep, s.outboxError(err)
		}
		if s.arrivals >= 2 || level < 2 {
			level++
		} else {
			level--
		}
		s.sleep(ctx, s.backoff(level))
	}
}

func (s *Store) outboxError(err error) error {
	n, perr := s.Pending()
	if perr != nil {
		n = 0
	}
	return &OutboxError{Pending: n, Outbox: s.Outbox(), Remote: s.remoteURL, Err: err}
}

// backoff is full-jitter exponential backoff: a random wait between zero
// and 100ms·2^attempt, capped at 30s. Writers that collided spread out
// until about one of them tries per push round trip, which for a few
// dozen writers means waits of several seconds; one collision costs a
// fraction of a second.
func (s *Store) backoff(attempt int) time.Duration {
	ceiling := min(100*time.Millisecond<<min(attempt, 9), 30*time.Second)
	return time.Duration(s.rng.Int64N(int64(ceiling) + 1))
}

func (s *Store) sleep(ctx context.Context, d time.Duration) {
	if s.opts.Sleep != nil {
		s.opts.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// syncOnce makes one attempt: fetch (when asked to, or when there is no
// remote-tracking ref yet), re-apply the outbox on the remote tip, push.
// It returns how many runs it delivered.
func (s *Store) syncOnce(ctx context.Context, fetch bool) (int, error) {
	unlock, err := s.lock()
	if err != nil {
		return 0, err
	}
	remote, err := s.refHash(s.tracking)
	if err == nil && (fetch || remote.IsZero()) {
		// Under the lock, as in Fetch.
		before := remote
		if remote, err = s.download(ctx); err == nil {
			s.arrivals = s.commitsSince(before, remote)
		}
	}
	var local plumbing.Hash
	if err == nil {
		local, err = s.adopt(remote)
	}
	unlock()
	if err != nil {
		return 0, err
	}
	if local == remote || local.IsZero() {
		return 0, nil
	}
	n, err := s.countRecordsBetween(remote, local)
	if err != nil {
		return 0, err
	}
	if err := s.push(ctx, remote, local); err != nil {
		return 0, err
	}
	// The remote has it: the tracking ref follows, emptying the outbox.
	unlock, err = s.lock()
	if err != nil {
		return n, err
	}
	defer unlock()
	return n, s.setSeen(local)
}

// commitsSince counts the commits from old to tip along first parents,
// up to 16: how many writers landed results since the last fetch.
func (s *Store) commitsSince(old, tip plumbing.Hash) int {
	n := 0
	for h := tip; h != old && !h.IsZero() && n < 16; n++ {
		c, err := s.commit(h)
		if err != nil || len(c.ParentHashes) == 0 {
			return n + 1
		}
		h = c.ParentHashes[0]
	}
	return n
}

func (s *Store) countRecordsBetween(old, tip plumbing.Hash) (int, error) {
	ot, err := s.treeOf(old)
	if err != nil {
		return 0, err
	}
	tt, err := s.treeOf(tip)
	if err != nil {
		return 0, err
	}
	adds, err := insertedFiles(s.repo.Storer, ot, tt)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range adds {
		if _, ok := ParseRecordPath(a.Path); ok {
			n++
		}
	}
	return n, nil
}

func (s *Store) commit(h plumbing.Hash) (*object.Commit, error) {
	c, err := object.GetCommit(s.repo.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("reading results commit %s: %w", h, err)
	}
	return c, nil
}

// pendingCommit is a local commit whose files the remote lacks.
type pendingCommit struct {
	commit  *object.Commit
	missing []entryAdd
}

// integrate puts the local results branch on top of base, the remote tip
// (zero when the remote has no branch), and returns the new local tip.
// seen is the remote tip this clone last fetched or pushed (zero for
// none). The caller holds the lock.
//
// The local branch is the remote tip last seen plus the outbox. Walking it
// back from its tip, the walk stops at seen: what lies below was delivered
// before, and whatever the remote did with it since (someone may have
// deleted records) is the remote's to decide, so nothing of it is put
// back. It also stops at a commit whose files base already has: that one
// was delivered by a push whose end this clone did not see. If the walk
// reaches base itself the branch is already on top of it. Otherwise each
// outbox commit is re-applied on base, in order, with its own message:
// only the files base lacks are added, so re-applying a delivered record
// changes nothing and a retry after a crash cannot duplicate a result.
func (s *Store) integrate(base, seen plumbing.Hash) (plumbing.Hash, error) {
	if err := s.checkNotCheckedOut(); err != nil {
		return plumbing.ZeroHash, err
	}
	local, err := s.refHash(s.branch)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if local == base || (base.IsZero() && seen.IsZero()) {
		return local, nil
	}
	if local.IsZero() {
		return base, s.setRef(s.branch, local, base)
	}
	baseTree, err := s.treeOf(base)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	var pending []pendingCommit
	for h := local; !h.IsZero() && h != seen; {
		if h == base {
			return local, nil
		}
		c, err := s.commit(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		var parent, parentTree plumbing.Hash
		if len(c.ParentHashes) > 0 {
			parent = c.ParentHashes[0]
			if parentTree, err = s.treeOf(parent); err != nil {
				return plumbing.ZeroHash, err
			}
		}
		adds, err := insertedFiles(s.repo.Storer, parentTree, c.TreeHash)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		var missing []entryAdd
		for _, a := range adds {
			if Replaceable(a.Path) {
				// A report is re-applied when base holds other content
				// at its path: the newer report wins.
				blob, ok, err := blobAt(s.repo.Storer, baseTree, a.Path)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				if !ok || blob != a.Blob {
					a.Replace = true
					missing = append(missing, a)
				}
				continue
			}
			ok, err := hasPath(s.repo.Storer, baseTree, a.Path)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			if !ok {
				missing = append(missing, a)
			}
		}
		if len(missing) == 0 {
			break
		}
		pending = append(pending, pendingCommit{commit: c, missing: missing})
		h = parent
	}
	tip, tree := base, baseTree
	committer := s.signature()
	for i := len(pending) - 1; i >= 0; i-- {
		p := pending[i]
		newTree, added, err := addToTree(s.repo.Storer, tree, p.missing)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if len(added) == 0 {
			continue
		}
		h, err := writeCommit(s.repo.Storer, newTree, tip, p.commit.Author, committer, p.commit.Message)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		tip, tree = h, newTree
	}
	if tip.IsZero() {
		// The remote dropped the whole branch and there is no outbox to
		// start it again with: the local branch follows.
		if err := s.repo.Storer.RemoveReference(s.branch); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("removing %s: %w", s.branch, err)
		}
		return tip, nil
	}
	if err := s.setRef(s.branch, local, tip); err != nil {
		return plumbing.ZeroHash, err
	}
	return tip, nil
}
