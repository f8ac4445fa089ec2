package results

import (
	"bufio"
	"errors"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// The index at a tip is the segments the branch carries, merged, with
// what its history says they lack.
//
// Trust comes from the history, not from the segments alone. The first-
// parent history is walked from the tip (one small object per commit); a
// commit whose Assay-Index trailer names a level-0 segment that a
// well-formed segment at the tip covers has its records in the segments.
// Every other commit (one by an older assay or by hand, one whose segment
// is damaged or gone, a report) is diffed with its parent, oldest first:
// the records it adds are read from the branch (or taken from a segment
// entry that names the same blob), and the ones it removes or changes
// overrule the segments' entries for them (masked). So a missing or
// corrupt segment costs the reading of its own records, and a record
// deleted by hand is not listed.
//
// When the tip moves, only the new commits are walked and applied to the
// state the cache holds, as long as the old tip is in the new one's
// first-parent history and every level-0 segment the old state relied on
// is still covered at the new tip (compaction carries them along);
// otherwise the state is built again from the tip.

// buildState makes the index state at tip with no earlier state to start
// from: from the segments and the history, or, on a branch with no
// segments (an assay before them wrote it), by reading every record.
func (s *Store) buildState(tip plumbing.Hash) (*indexState, error) {
	st := &indexState{tip: tip, covered: map[segmentID]bool{}}
	tree, err := s.treeOf(tip)
	if err != nil {
		return nil, err
	}
	files, err := s.segmentFiles(tree)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 || s.noSegments {
		return s.stateFromRecords(st, tree)
	}
	ed := s.newStateEdit(st, nil)
	if err := ed.setParts(files); err != nil {
		return nil, err
	}
	if _, err := ed.walk(plumbing.ZeroHash); err != nil {
		return nil, err
	}
	if len(ed.named) < len(st.covered) {
		// The segments cover commits the history does not hold: it was
		// rewritten with the segments kept, and their entries may
		// describe records that are gone. The tip's records decide.
		if err := ed.reconcile(tree); err != nil {
			return nil, err
		}
	}
	ed.finish()
	return st, nil
}

// updateState brings old, the state at an earlier tip, to tip: ok is
// false when it cannot (the old tip is not in the new tip's history, or
// a segment it relied on is gone) and the caller builds it instead.
func (s *Store) updateState(old *indexState, tip plumbing.Hash) (*indexState, bool, error) {
	if old.tip.IsZero() || !s.hasCommit(old.tip) {
		return nil, false, nil
	}
	tree, err := s.treeOf(tip)
	if err != nil {
		return nil, false, err
	}
	files, err := s.segmentFiles(tree)
	if err != nil {
		return nil, false, err
	}
	if s.noSegments {
		files = nil
	}
	records, err := decodeRecords(old.recordsData)
	if err != nil {
		return nil, false, nil
	}
	st := &indexState{tip: tip, covered: map[segmentID]bool{}, masked: map[recordID]plumbing.Hash{}}
	for id, b := range old.masked {
		st.masked[id] = b
	}
	st.records, st.warnings = records, old.warnings
	ed := s.newStateEdit(st, records)
	if err := ed.setParts(files); err != nil {
		return nil, false, err
	}
	for id := range old.covered {
		if !st.covered[id] {
			return nil, false, nil
		}
	}
	found, err := ed.walk(old.tip)
	if err != nil || !found {
		return nil, false, err
	}
	for id := range st.covered {
		if !old.covered[id] && !ed.named[id] {
			return nil, false, nil // a segment no new commit accounts for
		}
	}
	ed.finish()
	return st, true, nil
}

// stateFromRecords reads every record under runs/ at tree.
func (s *Store) stateFromRecords(st *indexState, tree plumbing.Hash) (*indexState, error) {
	ed := s.newStateEdit(st, nil)
	runs, ok, err := s.runsTree(tree)
	if err != nil {
		return nil, err
	}
	if ok {
		// Reading every record makes a lot of short-lived garbage while
		// the pack cache and the index grow: a soft memory limit keeps
		// the peak to a few hundred MB at 100,000 runs, at some cost in
		// collection. (Not for segments: their garbage is small.)
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(300 << 20))
		err = s.walkRecords(runs, RunsDir+"/", 1, func(path string, blob plumbing.Hash) {
			ed.read(path, blob)
		})
		if err != nil {
			return nil, err
		}
	}
	ed.finish()
	return st, nil
}

// runsTree finds the runs/ folder of tree.
func (s *Store) runsTree(tree plumbing.Hash) (plumbing.Hash, bool, error) {
	if tree.IsZero() {
		return plumbing.ZeroHash, false, nil
	}
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	runs, err := t.FindEntry(RunsDir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	return runs.Hash, runs.Mode == filemode.Dir, nil
}

// stateEdit changes a state: the records read from the branch, and the
// segment entries they overrule.
type stateEdit struct {
	s        *Store
	st       *indexState
	records  map[recordID]segmentEntry
	warnings map[string]Warning
	// segBlobs maps each record the parts describe to the blob their
	// entries name (zero when two entries disagree), made when first
	// needed.
	segBlobs map[recordID]plumbing.Hash
	// named are the covered level-0 ids that the walked commits name.
	named map[segmentID]bool
}

func (s *Store) newStateEdit(st *indexState, records []segmentEntry) *stateEdit {
	ed := &stateEdit{s: s, st: st, records: make(map[recordID]segmentEntry, len(records)), warnings: map[string]Warning{},
		named: map[segmentID]bool{}}
	for _, r := range records {
		ed.records[idOf(r.entry)] = r
	}
	for _, w := range st.warnings {
		ed.warnings[w.Path] = w
	}
	if st.masked == nil {
		st.masked = map[recordID]plumbing.Hash{}
	}
	s.params = map[string]map[string]any{}
	return ed
}

// setParts loads the well-formed segments among files as the state's
// parts, and the level-0 ids they cover.
func (ed *stateEdit) setParts(files []entryAdd) error {
	seen := map[plumbing.Hash]bool{}
	var blobs []plumbing.Hash
	for _, f := range files {
		if seen[f.Blob] || ed.s.badParts[f.Blob] {
			continue
		}
		seen[f.Blob] = true
		blobs = append(blobs, f.Blob)
	}
	for _, p := range ed.s.loadPartsOf(blobs) {
		if p == nil {
			continue
		}
		ed.st.parts = append(ed.st.parts, *p)
		for _, id := range p.sd.covers {
			ed.st.covered[id] = true
		}
	}
	return nil
}

// walk goes down the first-parent history from the tip to stop (zero for
// the root) and applies the commits the segments do not cover, oldest
// first. found is false when stop is not in that history.
func (ed *stateEdit) walk(stop plumbing.Hash) (found bool, err error) {
	s := ed.s
	var unindexed []*object.Commit
	h := ed.st.tip
	for !h.IsZero() && h != stop {
		c, err := s.commit(h)
		if err != nil {
			return false, err
		}
		if id, ok := ed.coveredID(trailerValue(c.Message, TrailerIndex)); ok {
			ed.named[id] = true
		} else {
			unindexed = append(unindexed, c)
		}
		h = plumbing.ZeroHash
		if len(c.ParentHashes) > 0 {
			h = c.ParentHashes[0]
		}
	}
	if h != stop {
		return false, nil
	}
	for i := len(unindexed) - 1; i >= 0; i-- {
		c := unindexed[i]
		var parentTree plumbing.Hash
		if len(c.ParentHashes) > 0 {
			if parentTree, err = s.treeOf(c.ParentHashes[0]); err != nil {
				return false, err
			}
		}
		added, removed, err := diffFiles(s.repo.Storer, parentTree, c.TreeHash)
		if err != nil {
			return false, err
		}
		for _, r := range removed {
			ed.remove(r.Path)
		}
		for _, a := range added {
			ed.add(a.Path, a.Blob)
		}
	}
	return true, nil
}

// coveredID parses a trailer's segment id and reports whether the parts
// cover it.
func (ed *stateEdit) coveredID(hexID string) (segmentID, bool) {
	var id segmentID
	if len(hexID) != 2*len(id) {
		return id, false
	}
	for i := range id {
		hi, lo := unhex(hexID[2*i]), unhex(hexID[2*i+1])
		if hi < 0 || lo < 0 {
			return id, false
		}
		id[i] = byte(hi<<4 | lo)
	}
	return id, ed.st.covered[id]
}

// reconcile makes the state agree with the records at tree: segment
// entries of records that are not there, or hold other content, no
// longer count, and records no entry describes are read.
func (ed *stateEdit) reconcile(tree plumbing.Hash) error {
	runs, ok, err := ed.s.runsTree(tree)
	if err != nil {
		return err
	}
	type file struct {
		path string
		blob plumbing.Hash
	}
	atTip := map[recordID]file{}
	if ok {
		err = ed.s.walkRecords(runs, RunsDir+"/", 1, func(path string, blob plumbing.Hash) {
			if id, ok := recordOf(path); ok {
				atTip[id] = file{path, blob}
			}
		})
		if err != nil {
			return err
		}
	}
	ed.segmentBlob(recordID{}) // describe every segment entry
	for id := range ed.segBlobs {
		if _, ok := atTip[id]; !ok {
			ed.st.masked[id] = plumbing.ZeroHash
		}
	}
	for id := range ed.records {
		if _, ok := atTip[id]; !ok {
			delete(ed.records, id)
		}
	}
	for p := range ed.warnings {
		if id, ok := recordOf(p); !ok || atTip[id].path != p {
			delete(ed.warnings, p)
		}
	}
	for _, f := range atTip {
		ed.add(f.path, f.blob)
	}
	return nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	}
	return -1
}

func recordOf(path string) (recordID, bool) {
	loc, ok := ParseRecordPath(path)
	return recordID{Experiment: loc.Experiment, TrialKey: loc.Key, RunID: loc.RunID}, ok
}

// remove notes that the record at path is gone (or changed): no segment
// entry describes it any more.
func (ed *stateEdit) remove(path string) {
	id, ok := recordOf(path)
	if !ok {
		return
	}
	ed.st.masked[id] = plumbing.ZeroHash
	delete(ed.records, id)
	delete(ed.warnings, path)
}

// add notes the record at path with content blob: a segment entry that
// names the blob describes it, else the record is read.
func (ed *stateEdit) add(path string, blob plumbing.Hash) {
	id, ok := recordOf(path)
	if !ok {
		return
	}
	if r, ok := ed.records[id]; ok && r.blob == blob {
		return
	}
	if ed.segmentBlob(id) == blob {
		if _, masked := ed.st.masked[id]; masked {
			ed.st.masked[id] = blob
		}
		delete(ed.records, id)
		delete(ed.warnings, path)
		return
	}
	ed.st.masked[id] = plumbing.ZeroHash
	ed.read(path, blob)
}

// read reads the record at path into the state.
func (ed *stateEdit) read(path string, blob plumbing.Hash) {
	id, _ := recordOf(path)
	e, problem := ed.s.readEntry(path, blob)
	if problem != "" {
		ed.warnings[path] = Warning{Path: path, Problem: problem}
		delete(ed.records, id)
		return
	}
	delete(ed.warnings, path)
	ed.records[id] = segmentEntry{entry: e, blob: blob}
}

// segmentBlob is the blob the parts' entries name for id (zero for none,
// or when they disagree).
func (ed *stateEdit) segmentBlob(id recordID) plumbing.Hash {
	if ed.segBlobs == nil {
		ed.segBlobs = map[recordID]plumbing.Hash{}
		for i := range ed.st.parts {
			sd := ed.st.parts[i].sd
			x, err := sd.open()
			if err != nil {
				continue
			}
			var e Entry
			for j := 0; x.next(&e); j++ {
				rid, b := idOf(&e), sd.blob(j)
				if prev, ok := ed.segBlobs[rid]; ok && prev != b {
					b = plumbing.ZeroHash
				}
				ed.segBlobs[rid] = b
			}
		}
	}
	return ed.segBlobs[id]
}

// finish stores the records and warnings in the state, in order.
func (ed *stateEdit) finish() {
	st := ed.st
	st.records = st.records[:0:0]
	for _, r := range ed.records {
		st.records = append(st.records, r)
	}
	sort.Slice(st.records, func(i, j int) bool { return idBefore(idOf(st.records[i].entry), idOf(st.records[j].entry)) })
	st.warnings = nil
	for _, p := range sortedKeys(ed.warnings) {
		st.warnings = append(st.warnings, ed.warnings[p])
	}
	st.recordsData = encodeRecords(st.records, st.warnings)
	ed.s.params = nil
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
