package results

import (
	"bufio"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// buildFromSegments builds the index at tip from the index segments on
// the branch, without walking the runs/ tree or reading the records they
// describe: what a fresh clone does. ok is false when the branch has no
// segments (an assay before them wrote it), and the caller walks the
// records instead.
//
// Trust comes from the history, not from the segments alone. The first-
// parent history is walked from tip (one small object per commit); a
// commit whose Assay-Index trailer names a segment that a well-formed
// segment on the branch covers has its records in the segments. Every
// other commit (one by an older assay or by hand, one whose segment is
// damaged or gone, a report) is diffed with its parent, oldest first: the
// records it adds are read from the branch (or taken from a segment that
// names the same blob), and the ones it removes or changes are dropped.
// So a missing or corrupt segment costs the reading of its own records,
// and a record deleted by hand is not listed.
func (s *Store) buildFromSegments(tip, tipTree plumbing.Hash) (*Index, bool, error) {
	files, err := s.segmentFiles(tipTree)
	if err != nil || len(files) == 0 || s.noSegments {
		return nil, false, err
	}
	all, covered := s.readSegments(files)
	var unindexed []*object.Commit
	for h := tip; !h.IsZero(); {
		c, err := s.commit(h)
		if err != nil {
			return nil, false, err
		}
		if id := trailerValue(c.Message, TrailerIndex); id == "" || !covered[id] {
			unindexed = append(unindexed, c)
		}
		h = plumbing.ZeroHash
		if len(c.ParentHashes) > 0 {
			h = c.ParentHashes[0]
		}
	}
	// The usual case: every commit indexed, and the entries are the
	// segments' (two writers that compacted at once leave duplicates).
	entries := dedupeEntries(all)
	// Otherwise the unindexed commits are applied to them by path.
	var byPath map[string]segmentEntry
	warnings := map[string]Warning{}
	for i := len(unindexed) - 1; i >= 0; i-- {
		c := unindexed[i]
		var parentTree plumbing.Hash
		if len(c.ParentHashes) > 0 {
			if parentTree, err = s.treeOf(c.ParentHashes[0]); err != nil {
				return nil, false, err
			}
		}
		added, removed, err := diffFiles(s.repo.Storer, parentTree, c.TreeHash)
		if err != nil {
			return nil, false, err
		}
		for _, f := range append(removed, added...) {
			if _, ok := ParseRecordPath(f.Path); ok && byPath == nil {
				byPath = make(map[string]segmentEntry, len(entries.entries))
				for i, e := range entries.entries {
					byPath[e.Path()] = segmentEntry{entry: e, blob: entries.blobs[i]}
				}
				break
			}
		}
		for _, r := range removed {
			delete(byPath, r.Path)
			delete(warnings, r.Path)
		}
		for _, a := range added {
			if _, ok := ParseRecordPath(a.Path); !ok {
				continue
			}
			if se, ok := byPath[a.Path]; ok && se.blob == a.Blob {
				continue // a segment of a later commit already covers it
			}
			e, problem := s.readEntry(a.Path, a.Blob)
			if problem != "" {
				warnings[a.Path] = Warning{Path: a.Path, Problem: problem}
				delete(byPath, a.Path)
				continue
			}
			byPath[a.Path] = segmentEntry{entry: e, blob: a.Blob}
		}
	}
	if byPath != nil {
		entries.entries = entries.entries[:0]
		for _, se := range byPath {
			entries.entries = append(entries.entries, se.entry)
		}
		sortEntries(entries.entries)
	}
	idx := &Index{Tip: tip, Entries: entries.entries}
	for _, w := range sortedKeys(warnings) {
		idx.Warnings = append(idx.Warnings, warnings[w])
	}
	return idx, true, nil
}

// readSegments reads the well-formed segments among files: all their
// entries (with blobs) and the level-0 ids they cover.
func (s *Store) readSegments(files []entryAdd) (*segment, map[string]bool) {
	all, covered := &segment{}, map[string]bool{}
	for _, f := range files {
		seg := s.readSegment(f.Blob)
		if seg == nil {
			continue
		}
		for _, id := range seg.covers {
			covered[id.String()] = true
		}
		all.entries = append(all.entries, seg.entries...)
		all.blobs = append(all.blobs, seg.blobs...)
	}
	return all, covered
}

// dedupeEntries sorts seg's entries as the index keeps them and drops
// repeats of a run (same id, key and experiment).
func dedupeEntries(seg *segment) *segment {
	sortSegment(seg)
	out := &segment{entries: seg.entries[:0:0], blobs: seg.blobs[:0:0]}
	for i, e := range seg.entries {
		if n := len(out.entries); n > 0 {
			p := out.entries[n-1]
			if p.RunID == e.RunID && p.TrialKey == e.TrialKey && p.Experiment == e.Experiment {
				continue
			}
		}
		out.entries = append(out.entries, e)
		out.blobs = append(out.blobs, seg.blobs[i])
	}
	return out
}

// trailerValue is the value of the last trailer key in a commit message.
func trailerValue(msg, key string) string {
	v := ""
	sc := bufio.NewScanner(strings.NewReader(msg))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+": "); ok {
			v = strings.TrimSpace(rest)
		}
	}
	return v
}
