package results

import (
	"github.com/go-git/go-git/v5/plumbing"
)

// SegmentWriter makes the index segments of a results branch written
// without a Store, commit by commit, as assay's own writers would: the
// benchmark generator (bench/cmd/resultsgen) uses it so that a generated
// branch is what a team's branch would be.
type SegmentWriter struct {
	byLevel map[int][]entryAdd
	segs    map[string]*segment
}

// NewSegmentWriter starts a branch with no segments.
func NewSegmentWriter() *SegmentWriter {
	return &SegmentWriter{byLevel: map[int][]entryAdd{}, segs: map[string]*segment{}}
}

// Commit returns what a commit adding records (the record files of its
// runs, as RunFiles makes them) adds under index/, the segment paths it
// removes, and the trailer line its message must carry (TrailerIndex).
func (w *SegmentWriter) Commit(records []File) (add []File, remove []string, trailer string) {
	var rs []recordFile
	for _, f := range records {
		if _, ok := ParseRecordPath(f.Path); ok {
			rs = append(rs, recordFile{path: f.Path, blob: plumbing.ComputeHash(plumbing.BlobObject, f.Data), data: f.Data})
		}
	}
	seg := newSegment(rs)
	if len(seg.entries) == 0 {
		return nil, nil, ""
	}
	id := seg.level0()
	removes, carry, level := compactSegments(w.byLevel, func(e entryAdd) *segment { return w.segs[e.Path] }, seg)
	for _, r := range removes {
		remove = append(remove, r.Path)
		delete(w.segs, r.Path)
		lv, _ := segmentLevel(r.Path)
		w.byLevel[lv] = nil
	}
	data := encodeSegment(carry)
	p := segmentPath(level, carry, data)
	w.segs[p] = carry
	w.byLevel[level] = append(w.byLevel[level], entryAdd{Path: p})
	return []File{{Path: p, Data: data}}, remove, TrailerIndex + ": " + id.String()
}
