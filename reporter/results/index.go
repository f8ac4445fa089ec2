package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/assaylab/assay/runner"
)

// Entry is one run as the index keeps it: what queries filter, sort and
// print. The full record, series and log are read from the branch by
// Store.Run.
type Entry struct {
	RunID      string
	TrialKey   string
	Experiment string
	Status     runner.Status
	ExitCode   int
	Attempt    int
	Seed       int64
	// Params may be shared by the runs of one config: treat it as
	// read-only.
	Params    map[string]any
	Metrics   map[string]float64
	Started   time.Time
	Finished  time.Time
	DurationS float64
	Host      string
	// GPUs counts the devices the run held.
	GPUs         int
	SourceCommit string
	Trigger      string
	PR           int
	Batch        string
	// Search is the round and proposal of a search's trial, else nil.
	Search *runner.SearchOrigin
}

// Result is the entry as a run record, with what the index keeps of it
// (no command, warnings or system details beyond the host).
func (e *Entry) Result() *runner.Result {
	return &runner.Result{
		Schema: runner.ResultSchema, RunID: e.RunID, TrialKey: e.TrialKey, Experiment: e.Experiment,
		Params: e.Params, Seed: e.Seed, Status: e.Status, ExitCode: e.ExitCode, Attempt: e.Attempt,
		Metrics: e.Metrics, Started: e.Started, Finished: e.Finished, DurationS: e.DurationS,
		GPUs: make([]string, e.GPUs), System: runner.System{Host: e.Host},
		SourceCommit: e.SourceCommit, Trigger: e.Trigger, PR: e.PR, Batch: e.Batch, Search: e.Search,
	}
}

// Path is the entry's record on the results branch.
func (e *Entry) Path() string { return RecordPath(e.Experiment, e.TrialKey, e.RunID) }

// Warning is a file on the results branch that could not be indexed: a
// corrupt record, or one of a schema this assay does not know.
type Warning struct {
	Path    string
	Problem string
}

func (w Warning) String() string { return w.Path + ": " + w.Problem }

// Index is every run on the results branch at one tip.
type Index struct {
	// Tip is the commit the index describes.
	Tip plumbing.Hash
	// Entries are sorted by run id, so oldest first.
	Entries  []*Entry
	Warnings []Warning

	succeeded map[string]bool
}

// Recorded reports whether key has a succeeded run.
func (x *Index) Recorded(key string) bool {
	if x.succeeded == nil {
		x.succeeded = make(map[string]bool)
		for _, e := range x.Entries {
			if e.Status == runner.StatusSucceeded {
				x.succeeded[e.TrialKey] = true
			}
		}
	}
	return x.succeeded[key]
}

// Lookup returns the runs whose id starts with prefix.
func (x *Index) Lookup(prefix string) []*Entry {
	i := sort.Search(len(x.Entries), func(i int) bool { return x.Entries[i].RunID >= prefix })
	var out []*Entry
	for ; i < len(x.Entries) && strings.HasPrefix(x.Entries[i].RunID, prefix); i++ {
		out = append(out, x.Entries[i])
	}
	return out
}

// ByKey returns the runs of a trial key, oldest first.
func (x *Index) ByKey(key string) []*Entry {
	return x.filter(func(e *Entry) bool { return e.TrialKey == key })
}

// ByExperiment returns the runs of an experiment, oldest first.
func (x *Index) ByExperiment(name string) []*Entry {
	return x.filter(func(e *Entry) bool { return e.Experiment == name })
}

// BySource returns the runs made from a source commit, given in full or as
// a prefix of at least 7 hex digits.
func (x *Index) BySource(commit string) []*Entry {
	if len(commit) < 7 {
		return nil
	}
	return x.filter(func(e *Entry) bool { return strings.HasPrefix(e.SourceCommit, commit) })
}

func (x *Index) filter(keep func(*Entry) bool) []*Entry {
	var out []*Entry
	for _, e := range x.Entries {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Index returns the index of the results branch at its tip. It is read
// from the cache under .git/assay/index when that describes the tip;
// otherwise it is brought up to date from the commits since the tip the
// cache describes, or built from the segments the branch carries (see
// index_segments.go and index_cache.go).
func (s *Store) Index() (*Index, error) {
	tip, err := s.Tip()
	if err != nil {
		return nil, err
	}
	if s.idx != nil && s.idx.Tip == tip {
		return s.idx, nil
	}
	for retry := false; ; retry = true {
		st, err := s.state(tip)
		if err != nil {
			return nil, err
		}
		idx, err := s.materialize(st)
		if err == nil {
			s.idx = idx
			return idx, nil
		}
		if retry {
			return nil, err
		}
		// A cached segment that passed its checksum but does not decode:
		// read everything from the branch again.
		s.dropCache()
	}
}

// Summary describes the runs a Scan went through.
type Summary struct {
	Tip      plumbing.Hash
	Runs     int
	Warnings []Warning
}

// Scan calls fn for each run at the tip, oldest first, until fn returns
// false. It is Index for queries that keep few runs: the runs are decoded
// one at a time from the segments into reused Entries, with no full index
// built, so a query over 100,000 runs allocates little. fn must not keep
// e or its Metrics past the call: Clone what it keeps.
func (s *Store) Scan(fn func(e *Entry) bool) (Summary, error) {
	tip, err := s.Tip()
	if err != nil {
		return Summary{}, err
	}
	if s.idx != nil && s.idx.Tip == tip {
		sum := Summary{Tip: tip, Warnings: s.idx.Warnings}
		for _, e := range s.idx.Entries {
			sum.Runs++
			if !fn(e) {
				break
			}
		}
		return sum, nil
	}
	st, err := s.state(tip)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Tip: tip, Warnings: st.warnings}
	cs, err := s.cursors(st, false)
	if err == nil {
		m := newMerge(cs, st.masked)
		for e := m.next(); e != nil; e = m.next() {
			sum.Runs++
			if !fn(e) {
				return sum, nil
			}
		}
		err = cursorsDone(cs)
	}
	if err != nil {
		// Only a cached segment changed after it was checked gets here:
		// the next read starts from the branch.
		s.dropCache()
		return sum, fmt.Errorf("the local index under %s was damaged and has been removed; run the command again: %w", filepath.Dir(s.manifestPath()), err)
	}
	return sum, nil
}

// state returns the index state at tip: the cache's when it describes
// tip, else brought up to date from it or built; checked and saved.
func (s *Store) state(tip plumbing.Hash) (*indexState, error) {
	old := s.readManifest()
	if old != nil && old.tip == tip {
		if s.loadParts(old) {
			if bad := s.checkParts(old); bad.IsZero() {
				if !old.allCached() {
					// The cache is only a cache: failing to save it costs
					// speed, not results.
					_ = s.saveState(old)
				}
				return old, nil
			}
		}
		old = nil
	}
	for {
		var st *indexState
		var ok bool
		var err error
		if old != nil {
			st, ok, err = s.updateState(old, tip)
		}
		if err == nil && !ok {
			st, err = s.buildState(tip)
		}
		if err != nil {
			return nil, err
		}
		// A segment that passes its checksum yet does not decode is set
		// aside like a damaged one, and the state made again without it.
		if bad := s.checkParts(st); !bad.IsZero() {
			if s.badParts == nil {
				s.badParts = map[plumbing.Hash]bool{}
			}
			s.badParts[bad] = true
			continue
		}
		_ = s.saveState(st)
		return st, nil
	}
}

// readManifest reads the cache's manifest; nil when there is none or it
// is damaged.
func (s *Store) readManifest() *indexState {
	b, err := os.ReadFile(s.manifestPath())
	if err != nil {
		return nil
	}
	st, err := decodeManifest(b)
	if err != nil {
		return nil
	}
	return st
}

// loadParts reads the segments a manifest names, from the cache or, for
// one missing or damaged there, from the branch; false when one cannot be
// read at all.
func (s *Store) loadParts(st *indexState) bool {
	blobs := make([]plumbing.Hash, len(st.parts))
	for i := range st.parts {
		blobs[i] = st.parts[i].blob
	}
	for i, p := range s.loadPartsOf(blobs) {
		if p == nil || s.badParts[p.blob] {
			return false
		}
		st.parts[i] = *p
	}
	return true
}

func (st *indexState) allCached() bool {
	for _, p := range st.parts {
		if !p.cached {
			return false
		}
	}
	return true
}

// checkParts decodes every segment not yet in the cache (a file there
// was checked before it was written) and returns the blob of the first
// that does not decode, zero when all do.
func (s *Store) checkParts(st *indexState) plumbing.Hash {
	for _, p := range st.parts {
		if p.cached {
			continue
		}
		x, err := p.sd.open()
		if err != nil {
			return p.blob
		}
		var e Entry
		for x.next(&e) {
		}
		if x.done() != nil {
			return p.blob
		}
	}
	return plumbing.ZeroHash
}

// dropCache removes the cache of this store's branch.
func (s *Store) dropCache() {
	os.Remove(s.manifestPath())
	os.RemoveAll(s.partsDir())
}

// cursors opens the parts of st and its records for a merge.
func (s *Store) cursors(st *indexState, fresh bool) ([]*cursor, error) {
	cs := make([]*cursor, 0, len(st.parts)+1)
	for i := range st.parts {
		x, err := st.parts[i].sd.open()
		if err != nil {
			return nil, err
		}
		cs = append(cs, &cursor{x: x, sd: st.parts[i].sd, fresh: fresh, segment: true})
	}
	sd, _, err := openRecords(st.recordsData)
	if err != nil {
		return nil, err
	}
	x, err := sd.open()
	if err != nil {
		return nil, err
	}
	return append(cs, &cursor{x: x, sd: sd, fresh: fresh}), nil
}

// cursorsDone checks that every cursor read its whole part.
func cursorsDone(cs []*cursor) error {
	for _, c := range cs {
		if err := c.x.done(); err != nil {
			return err
		}
	}
	return nil
}

// materialize reads st's runs into an Index.
func (s *Store) materialize(st *indexState) (*Index, error) {
	cs, err := s.cursors(st, true)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range cs {
		n += c.x.runs
	}
	idx := &Index{Tip: st.tip, Warnings: st.warnings, Entries: make([]*Entry, 0, n)}
	m := newMerge(cs, st.masked)
	for e := m.next(); e != nil; e = m.next() {
		idx.Entries = append(idx.Entries, e)
	}
	if err := cursorsDone(cs); err != nil {
		return nil, err
	}
	if m.unsorted() {
		// A segment not in order (not made by assay): sort, and drop the
		// repeats the merge could not see.
		sortEntries(idx.Entries)
		out := idx.Entries[:0]
		for i, e := range idx.Entries {
			if i > 0 && idOf(e) == idOf(out[len(out)-1]) {
				continue
			}
			out = append(out, e)
		}
		idx.Entries = out
	}
	return idx, nil
}

// Clone copies e, with a map of its own for Metrics.
func (e *Entry) Clone() *Entry {
	c := *e
	if e.Metrics != nil {
		c.Metrics = make(map[string]float64, len(e.Metrics))
		for k, v := range e.Metrics {
			c.Metrics[k] = v
		}
	}
	return &c
}

func (s *Store) hasCommit(h plumbing.Hash) bool {
	_, err := object.GetCommit(s.repo.Storer, h)
	return err == nil
}

// walkRecords calls fn for every record file in the runs/ tree: depth
// counts the folders below runs/ (experiment, key prefix, key).
func (s *Store) walkRecords(tree plumbing.Hash, prefix string, depth int, fn func(string, plumbing.Hash)) error {
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return fmt.Errorf("reading %s: %w", prefix, err)
	}
	for _, e := range t.Entries {
		p := prefix + e.Name
		if depth < 4 {
			if e.Mode == filemode.Dir {
				if err := s.walkRecords(e.Hash, p+"/", depth+1, fn); err != nil {
					return err
				}
			}
			continue
		}
		if e.Mode.IsFile() {
			if _, ok := ParseRecordPath(p); ok {
				fn(p, e.Hash)
			}
		}
	}
	return nil
}

func (s *Store) readEntry(path string, blob plumbing.Hash) (*Entry, string) {
	s.recordReads++
	data, err := readBlob(s.repo.Storer, blob)
	if err != nil {
		return nil, "cannot be read: " + err.Error()
	}
	e, problem := entryFromRecord(path, data)
	if e != nil {
		e.Params = s.internParams(e.Params)
	}
	return e, problem
}

// entryFromRecord decodes the record at path into its index entry, or
// says why it cannot: the same for a reader and for a writer building an
// index segment.
func entryFromRecord(path string, data []byte) (*Entry, string) {
	// Only what the index keeps is decoded: a build reads every record.
	var r struct {
		runner.Result
		Command  skipJSON `json:"command"`
		Labels   skipJSON `json:"labels"`
		Warnings skipJSON `json:"warnings"`
		System   struct {
			Host string `json:"host"`
		} `json:"system"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		var head struct {
			Schema string `json:"schema"`
		}
		if json.Unmarshal(data, &head) == nil && head.Schema != runner.ResultSchema {
			return nil, fmt.Sprintf("has schema %q, which this assay does not read (it reads %q); skipped", head.Schema, runner.ResultSchema)
		}
		return nil, "is not a valid record (" + err.Error() + "); skipped"
	}
	if r.Schema != runner.ResultSchema {
		return nil, fmt.Sprintf("has schema %q, which this assay does not read (it reads %q); skipped", r.Schema, runner.ResultSchema)
	}
	r.Result.System.Host = r.System.Host
	loc, _ := ParseRecordPath(path)
	if r.RunID != loc.RunID || r.TrialKey != loc.Key || r.Experiment != loc.Experiment {
		return nil, fmt.Sprintf("holds run %s of %s (key %s), which does not match its path; skipped", r.RunID, r.Experiment, shortKey(r.TrialKey))
	}
	return entryOf(&r.Result), ""
}

// internParams shares one map among the runs of a config while an index
// is built, as the index file does.
func (s *Store) internParams(p map[string]any) map[string]any {
	if s.params == nil || len(p) == 0 {
		return p
	}
	b, err := json.Marshal(p)
	if err != nil {
		return p
	}
	if shared, ok := s.params[string(b)]; ok {
		return shared
	}
	s.params[string(b)] = p
	return p
}

// skipJSON is a record field the index has no use for: it is passed over
// without being decoded.
type skipJSON struct{}

func (skipJSON) UnmarshalJSON([]byte) error { return nil }

// entryOf keeps what the index needs of a record.
func entryOf(r *runner.Result) *Entry {
	return &Entry{
		RunID: r.RunID, TrialKey: r.TrialKey, Experiment: r.Experiment, Status: r.Status,
		ExitCode: r.ExitCode, Attempt: r.Attempt, Seed: r.Seed, Params: r.Params, Metrics: r.Metrics,
		Started: r.Started.UTC(), Finished: r.Finished.UTC(), DurationS: r.DurationS, Host: r.System.Host,
		GPUs: len(r.GPUs), SourceCommit: r.SourceCommit, Trigger: r.Trigger, PR: r.PR, Batch: r.Batch, Search: r.Search,
	}
}

func sortEntries(es []*Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].RunID != es[j].RunID {
			return es[i].RunID < es[j].RunID
		}
		return es[i].TrialKey < es[j].TrialKey
	})
}
