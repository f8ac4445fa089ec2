package results

import (
	"container/heap"

	"github.com/go-git/go-git/v5/plumbing"
)

// The index at a tip is read as a merge of sorted parts: the segments the
// branch carries, as they are, and the entries of records no segment
// covers. Each part is in run id order; the merge yields every run once,
// in the index's order, skipping the segment entries that the records
// overrule (masked). A query (Store.Scan) takes the runs one at a time
// from the merge with nothing built; Store.Index keeps them.

// recordID names a record on the branch (its path, without building the
// string).
type recordID struct {
	Experiment, TrialKey, RunID string
}

func idOf(e *Entry) recordID { return recordID{e.Experiment, e.TrialKey, e.RunID} }

// cursor reads one part in order.
type cursor struct {
	// The part's entries, decoded one at a time, and its blobs.
	x  *indexData
	sd *segmentData

	i int
	// fresh decodes each entry into a new Entry, for an Index that keeps
	// them; otherwise one Entry is reused.
	fresh bool
	slab  []Entry
	buf   Entry
	// segment is true for a part whose entries masked can overrule.
	segment bool

	cur  *Entry
	blob plumbing.Hash
	// last is cur's record (the strings are views into the part, so
	// keeping them costs nothing).
	last recordID
	// unsorted is set when the part was not in order (a segment not made
	// by assay): the merge's output then needs a sort.
	unsorted bool
}

func (c *cursor) next() bool {
	if c.i >= c.x.runs {
		c.cur = nil
		return false
	}
	e := &c.buf
	if c.fresh {
		if c.slab == nil {
			c.slab = make([]Entry, c.x.runs)
		}
		e = &c.slab[c.i]
	}
	if !c.x.next(e) {
		c.cur = nil
		return false
	}
	c.cur, c.blob = e, c.sd.blob(c.i)
	id := idOf(c.cur)
	if c.i > 0 && idBefore(id, c.last) {
		c.unsorted = true
	}
	c.last = id
	c.i++
	return true
}

// idBefore orders records as the index keeps them: run id, then trial
// key, then experiment (the order a walk of the records gives).
func idBefore(a, b recordID) bool {
	if a.RunID != b.RunID {
		return a.RunID < b.RunID
	}
	if a.TrialKey != b.TrialKey {
		return a.TrialKey < b.TrialKey
	}
	return a.Experiment < b.Experiment
}

// merge yields the entries of its cursors in order.
type merge struct {
	h      cursorHeap
	masked map[recordID]plumbing.Hash
	last   recordID
	any    bool
	all    []*cursor
	// pending is the cursor whose entry was yielded last: it moves on at
	// the next call, so that entry stays valid until then.
	pending *cursor
}

func newMerge(cs []*cursor, masked map[recordID]plumbing.Hash) *merge {
	m := &merge{masked: masked, all: cs}
	for _, c := range cs {
		if c.next() {
			m.h = append(m.h, c)
		}
	}
	heap.Init(&m.h)
	return m
}

// next returns the next entry, nil at the end. Unless the cursors decode
// fresh entries, the entry is valid only until the following call.
func (m *merge) next() *Entry {
	if m.pending != nil {
		m.step()
		m.pending = nil
	}
	for len(m.h) > 0 {
		c := m.h[0]
		id := c.last
		keep := !(m.any && id == m.last) // two segments describing one run
		if keep && c.segment && len(m.masked) > 0 {
			if b, ok := m.masked[id]; ok && b != c.blob {
				keep = false
			}
		}
		if keep {
			m.last, m.any, m.pending = id, true, c
			return c.cur
		}
		m.step()
	}
	return nil
}

// step moves the cursor on top of the heap past its entry.
func (m *merge) step() {
	if m.h[0].next() {
		heap.Fix(&m.h, 0)
	} else {
		heap.Pop(&m.h)
	}
}

// unsorted reports whether a part was out of order.
func (m *merge) unsorted() bool {
	for _, c := range m.all {
		if c.unsorted {
			return true
		}
	}
	return false
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int           { return len(h) }
func (h cursorHeap) Less(i, j int) bool { return idBefore(h[i].last, h[j].last) }
func (h cursorHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)        { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
