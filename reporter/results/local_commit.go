package results

// commitLocal commits adds on the local results branch (or, in a fresh
// clone without one, on the remote-tracking branch) and moves the local
// branch to it. message builds the commit message from the paths actually
// written; nothing is committed when every path is already there. It
// returns those paths. The caller holds the lock.
func (s *Store) commitLocal(adds []entryAdd, message func(added []string) string) ([]string, error) {
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
	tree, added, err := addToTree(s.repo.Storer, baseTree, adds)
	if err != nil || len(added) == 0 {
		return added, err
	}
	sig := s.signature()
	h, err := writeCommit(s.repo.Storer, tree, base, sig, sig, message(added))
	if err != nil {
		return nil, err
	}
	return added, s.setRef(s.branch, local, h)
}
