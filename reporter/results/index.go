package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
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
// from .git/assay/index when it describes that tip; otherwise it is
// brought up to date from the tree diff between the tip it describes and
// the current one, so a new result costs one record's read, or built from
// scratch when there is nothing to start from.
func (s *Store) Index() (*Index, error) {
	tip, err := s.Tip()
	if err != nil {
		return nil, err
	}
	if s.idx != nil && s.idx.Tip == tip {
		return s.idx, nil
	}
	path := s.indexPath()
	old := s.idx
	if old == nil {
		old, _ = readIndexFile(path)
	}
	if old != nil && old.Tip == tip {
		s.idx = old
		return old, nil
	}
	var idx *Index
	if old != nil && !old.Tip.IsZero() && s.hasCommit(old.Tip) {
		idx, err = s.updateIndex(old, tip)
	} else {
		// A full build (once per clone, or after damage) makes a lot of
		// short-lived garbage while the pack cache and the index grow, and
		// then encodes it all: a soft memory limit keeps the peak to a few
		// hundred MB at 100,000 runs, at some cost in collection.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(300 << 20))
		idx, err = s.buildIndex(tip)
	}
	if err != nil {
		return nil, err
	}
	// The index is a cache: failing to save it costs speed, not results.
	_ = writeIndexFile(path, idx)
	s.idx = idx
	return idx, nil
}

// Summary describes the runs a Scan went through.
type Summary struct {
	Tip      plumbing.Hash
	Runs     int
	Warnings []Warning
}

// Scan calls fn for each run at the tip, oldest first, until fn returns
// false. It is Index for queries that keep few runs: when the index file
// is current the runs are decoded one at a time into one reused Entry,
// with no full index built, so a query over 100,000 runs allocates little.
// fn must not keep e or its Metrics past the call: Clone what it keeps.
func (s *Store) Scan(fn func(e *Entry) bool) (Summary, error) {
	tip, err := s.Tip()
	if err != nil {
		return Summary{}, err
	}
	if s.idx == nil || s.idx.Tip != tip {
		if b, err := os.ReadFile(s.indexPath()); err == nil {
			if x, err := openIndex(b); err == nil && x.tip == tip {
				sum := Summary{Tip: tip, Runs: x.runs, Warnings: x.warnings}
				var e Entry
				for x.next(&e) {
					if !fn(&e) {
						return sum, nil
					}
				}
				if x.done() == nil {
					return sum, nil
				}
				// A damaged file: rebuild below and go through it all.
			}
		}
	}
	idx, err := s.Index()
	if err != nil {
		return Summary{}, err
	}
	for _, e := range idx.Entries {
		if !fn(e) {
			break
		}
	}
	return Summary{Tip: idx.Tip, Runs: len(idx.Entries), Warnings: idx.Warnings}, nil
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

// indexPath is the index file of this store's branch.
func (s *Store) indexPath() string {
	return filepath.Join(s.gitDir, "assay", "index", url.PathEscape(s.branch.Short())+".idx")
}

func (s *Store) hasCommit(h plumbing.Hash) bool {
	_, err := object.GetCommit(s.repo.Storer, h)
	return err == nil
}

// buildIndex reads every record under runs/ at tip.
func (s *Store) buildIndex(tip plumbing.Hash) (*Index, error) {
	s.params = map[string]map[string]any{}
	defer func() { s.params = nil }()
	idx := &Index{Tip: tip}
	tree, err := s.treeOf(tip)
	if err != nil || tree.IsZero() {
		return idx, err
	}
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return nil, err
	}
	runs, err := t.FindEntry(RunsDir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return idx, nil
	}
	if err != nil {
		return nil, err
	}
	if runs.Mode != filemode.Dir {
		return idx, nil
	}
	err = s.walkRecords(runs.Hash, RunsDir+"/", 1, func(path string, blob plumbing.Hash) {
		s.addRecord(idx, path, blob)
	})
	if err != nil {
		return nil, err
	}
	sortEntries(idx.Entries)
	return idx, nil
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

// addRecord reads one record into idx, or notes why it cannot.
func (s *Store) addRecord(idx *Index, path string, blob plumbing.Hash) {
	e, problem := s.readEntry(path, blob)
	if problem != "" {
		idx.Warnings = append(idx.Warnings, Warning{Path: path, Problem: problem})
		return
	}
	idx.Entries = append(idx.Entries, e)
}

func (s *Store) readEntry(path string, blob plumbing.Hash) (*Entry, string) {
	data, err := readBlob(s.repo.Storer, blob)
	if err != nil {
		return nil, "cannot be read: " + err.Error()
	}
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
	e := entryOf(&r.Result)
	e.Params = s.internParams(e.Params)
	return e, ""
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

// updateIndex applies the tree diff between old's tip and tip.
func (s *Store) updateIndex(old *Index, tip plumbing.Hash) (*Index, error) {
	oldTree, err := s.treeOf(old.Tip)
	if err != nil {
		return nil, err
	}
	newTree, err := s.treeOf(tip)
	if err != nil {
		return nil, err
	}
	added, removed, err := diffFiles(s.repo.Storer, oldTree, newTree)
	if err != nil {
		return nil, fmt.Errorf("comparing results at %s and %s: %w", old.Tip, tip, err)
	}
	gone := map[string]bool{}
	for _, r := range removed {
		gone[r.Path] = true
	}
	idx := &Index{Tip: tip, Entries: make([]*Entry, 0, len(old.Entries)+len(added))}
	for _, e := range old.Entries {
		if len(gone) == 0 || !gone[e.Path()] {
			idx.Entries = append(idx.Entries, e)
		}
	}
	for _, w := range old.Warnings {
		if !gone[w.Path] {
			idx.Warnings = append(idx.Warnings, w)
		}
	}
	for _, a := range added {
		if _, ok := ParseRecordPath(a.Path); ok {
			s.addRecord(idx, a.Path, a.Blob)
		}
	}
	sortEntries(idx.Entries)
	return idx, nil
}

func sortEntries(es []*Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].RunID != es[j].RunID {
			return es[i].RunID < es[j].RunID
		}
		return es[i].TrialKey < es[j].TrialKey
	})
}

// readIndexFile loads an index file; any problem (missing, corrupt, an
// older format) returns nil and the index is rebuilt.
func readIndexFile(path string) (*Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeIndex(b)
}

// writeIndexFile saves idx atomically: a reader sees the old file or the
// new one, never half of one.
func writeIndexFile(path string, idx *Index) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".idx-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(encodeIndex(idx)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
