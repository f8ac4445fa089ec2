package results

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// mergePart is one part of a merge: its entries as (run id, trial key,
// experiment) and the blob of each record.
type mergePart struct {
	segment bool
	ids     []recordID
	blobs   []byte // 20 bytes a record
}

func blobOf(b byte) plumbing.Hash {
	var h plumbing.Hash
	h[0] = b
	return h
}

func (p mergePart) cursor(t *testing.T, fresh bool) *cursor {
	t.Helper()
	idx := &Index{}
	for _, id := range p.ids {
		idx.Entries = append(idx.Entries, &Entry{RunID: id.RunID, TrialKey: id.TrialKey, Experiment: id.Experiment})
	}
	sd := &segmentData{blobs: p.blobs, body: encodeIndex(idx), count: len(p.ids)}
	x, err := sd.open()
	if err != nil {
		t.Fatal(err)
	}
	return &cursor{x: x, sd: sd, fresh: fresh, segment: p.segment}
}

func blobs(bs ...byte) []byte {
	var out []byte
	for _, b := range bs {
		h := blobOf(b)
		out = append(out, h[:]...)
	}
	return out
}

func rid(run, key, exp string) recordID { return recordID{Experiment: exp, TrialKey: key, RunID: run} }

// TestMergeYieldsEveryRunOnceInOrder merges segments and the records no
// segment covers, as a query reads a branch: every run once, in run id
// order (then trial key, then experiment), with the entries of records
// changed or removed since a segment described them left out.
func TestMergeYieldsEveryRunOnceInOrder(t *testing.T) {
	a, b, c, d := rid("r1", "k", "e"), rid("r2", "k", "e"), rid("r3", "k", "e"), rid("r4", "k", "e")
	for _, tc := range []struct {
		name         string
		parts        []mergePart
		masked       map[recordID]plumbing.Hash
		want         []recordID
		wantUnsorted bool
	}{
		{name: "interleaved parts", parts: []mergePart{
			{segment: true, ids: []recordID{a, c}, blobs: blobs(1, 3)},
			{segment: true, ids: []recordID{b}, blobs: blobs(2)},
			{ids: []recordID{d}, blobs: blobs(4)},
		}, want: []recordID{a, b, c, d}},
		{name: "one run in two segments", parts: []mergePart{
			{segment: true, ids: []recordID{a, b}, blobs: blobs(1, 2)},
			{segment: true, ids: []recordID{b, c}, blobs: blobs(2, 3)},
		}, want: []recordID{a, b, c}},
		{name: "a record changed since its segment", parts: []mergePart{
			{segment: true, ids: []recordID{a, b, c}, blobs: blobs(1, 2, 3)},
			{ids: []recordID{b}, blobs: blobs(9)},
		}, masked: map[recordID]plumbing.Hash{b: blobOf(9)}, want: []recordID{a, b, c}},
		{name: "a record removed since its segment", parts: []mergePart{
			{segment: true, ids: []recordID{a, b, c}, blobs: blobs(1, 2, 3)},
		}, masked: map[recordID]plumbing.Hash{b: {}}, want: []recordID{a, c}},
		{name: "a record rewritten back to what its segment says", parts: []mergePart{
			{segment: true, ids: []recordID{a, b, c}, blobs: blobs(1, 2, 3)},
		}, masked: map[recordID]plumbing.Hash{b: blobOf(2)}, want: []recordID{a, b, c}},
		{name: "ties broken by trial key, then experiment", parts: []mergePart{
			{segment: true, ids: []recordID{rid("r1", "k2", "e1"), rid("r1", "k2", "e2")}, blobs: blobs(1, 2)},
			{segment: true, ids: []recordID{rid("r1", "k1", "e9"), rid("r1", "k2", "e0")}, blobs: blobs(3, 4)},
		}, want: []recordID{rid("r1", "k1", "e9"), rid("r1", "k2", "e0"), rid("r1", "k2", "e1"), rid("r1", "k2", "e2")}},
		{name: "a part out of order", parts: []mergePart{
			{segment: true, ids: []recordID{c, a}, blobs: blobs(3, 1)},
		}, want: []recordID{c, a}, wantUnsorted: true},
		{name: "a part out of order by experiment", parts: []mergePart{
			{segment: true, ids: []recordID{rid("r1", "k", "e2"), rid("r1", "k", "e1")}, blobs: blobs(1, 2)},
		}, want: []recordID{rid("r1", "k", "e2"), rid("r1", "k", "e1")}, wantUnsorted: true},
	} {
		for _, fresh := range []bool{false, true} {
			var cs []*cursor
			for _, p := range tc.parts {
				cs = append(cs, p.cursor(t, fresh))
			}
			m := newMerge(cs, tc.masked)
			var got []recordID
			var kept []*Entry
			for e := m.next(); e != nil; e = m.next() {
				got = append(got, idOf(e))
				kept = append(kept, e)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s (fresh %v): merged (-want +got):\n%s", tc.name, fresh, d)
			}
			if m.unsorted() != tc.wantUnsorted {
				t.Errorf("%s: unsorted() = %v, want %v", tc.name, m.unsorted(), tc.wantUnsorted)
			}
			if err := cursorsDone(cs); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			if fresh {
				// An Index keeps the entries: each must still be its own.
				var after []recordID
				for _, e := range kept {
					after = append(after, idOf(e))
				}
				if d := cmp.Diff(tc.want, after); d != "" {
					t.Errorf("%s: kept entries changed after the merge (-want +got):\n%s", tc.name, d)
				}
			}
		}
	}
}
