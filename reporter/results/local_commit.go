package results

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// commitLocal commits adds on the local results branch (or, in a fresh
// clone without one, on the remote-tracking branch) and moves the local
// branch to it. message builds the commit message from the paths actually
// written; nothing is committed when every path is already there. It
// returns those paths. The caller holds the lock.
func (s *Store) commitLocal(adds []entryAdd, message func(added []string) string) ([]string, error) {
	return s.commitLocalWith(s.repo.Storer, adds, nil, message)
}

// commitLocalWith is commitLocal with more files decided from the tree it
// builds on (the index segments of a batch of runs, which depend on the
// segments already there). A commit whose only change would be under
// index/ is not made: its records are all on the branch already. New
// objects go to st; an objectBatch is flushed before the branch moves.
func (s *Store) commitLocalWith(st storer.EncodedObjectStorer, adds []entryAdd, more func(baseTree plumbing.Hash) ([]entryAdd, error), message func(added []string) string) ([]string, error) {
	local, err := s.refHash(s.branch)
	if err != nil {
		return nil, err
	}
	base := local
	if base.IsZero() {
		// A fresh clone has only the remote-tracking branch: build on it.
		if base, err = s.refHash(s.tracking); err != nil {
			return nil, err
		}
	}
	baseTree, err := s.treeOf(base)
	if err != nil {
		return nil, err
	}
	if more != nil {
		extra, err := more(baseTree)
		if err != nil {
			return nil, err
		}
		adds = append(adds[:len(adds):len(adds)], extra...)
	}
	tree, added, err := addToTree(st, baseTree, adds)
	if err != nil || !changesOutsideIndex(added) {
		return nil, err
	}
	sig := s.signature()
	h, err := writeCommit(st, tree, base, sig, sig, message(added))
	if err != nil {
		return nil, err
	}
	if b, ok := st.(*objectBatch); ok {
		if err := b.flush(); err != nil {
			return nil, err
		}
	}
	return added, s.setRef(s.branch, local, h)
}

// changesOutsideIndex reports whether a commit of added changes anything
// but index segments.
func changesOutsideIndex(added []string) bool {
	for _, p := range added {
		if !strings.HasPrefix(p, IndexDir+"/") {
			return true
		}
	}
	return false
}
