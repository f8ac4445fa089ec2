package results

import (
	"bytes"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// listPacks is the sorted list of packs in the pack folder.
func (s *packedStorage) listPacks() ([]plumbing.Hash, error) {
	packs, err := s.Storage.ObjectPacks()
	slices.SortFunc(packs, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	return packs, err
}

// newPacks makes go-git index the packs again when the pack folder holds
// others than it last indexed, and says whether it did. go-git reads the
// pack indexes once and then answers "object not found" for anything in
// a pack written after that, by another process: `assay run` recording
// runs while `assay ui` serves them, `git fetch`, `git gc`. The store
// reads the branch tip afresh for every question, so the commit a newer
// tip names must be found too. A lookup that misses with the list
// unchanged costs one directory read.
func (s *packedStorage) newPacks() bool {
	packs, err := s.listPacks()
	if err != nil {
		return false
	}
	if slices.Equal(packs, s.listed) {
		return false
	}
	s.listed = packs
	s.Storage.Reindex()
	return true
}
