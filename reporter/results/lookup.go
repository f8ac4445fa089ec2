package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// RunDetail is everything the results branch holds about one run.
type RunDetail struct {
	// Path is the record's path on the branch.
	Path   string
	Result *runner.Result
	// Series are the metric series as recorded (downsampled).
	Series map[string][]runner.Point
	// Log is the log tail kept on the branch; nil when none was kept.
	Log []byte
}

// ErrNoRun is returned by Run when no run id starts with the prefix.
var ErrNoRun = errors.New("no such run")

// AmbiguousError is a run id prefix that matches more than one run.
type AmbiguousError struct {
	Prefix  string
	Matches []string
}

func (e *AmbiguousError) Error() string {
	shown := e.Matches
	if len(shown) > 10 {
		shown = shown[:10]
	}
	more := ""
	if len(e.Matches) > len(shown) {
		more = fmt.Sprintf("\n  ... and %d more", len(e.Matches)-len(shown))
	}
	return fmt.Sprintf("run id prefix %q is ambiguous; it matches %d runs:\n  %s%s\nGive more of the id.",
		e.Prefix, len(e.Matches), strings.Join(shown, "\n  "), more)
}

// Run reads the run whose id is prefix or starts with it (a unique
// prefix, as git takes for commits), with its series and log tail.
func (s *Store) Run(prefix string) (*RunDetail, error) {
	idx, err := s.Index()
	if err != nil {
		return nil, err
	}
	matches := idx.Lookup(prefix)
	for _, m := range matches {
		if m.RunID == prefix {
			matches = []*Entry{m}
			break
		}
	}
	if len(matches) != 1 || matches[0].RunID != prefix {
		// A run whose record cannot be read is not "no such run".
		if err := idx.Unreadable(s.branch.Short(), func(l RecordLocation) bool {
			return prefix != "" && strings.HasPrefix(l.RunID, prefix)
		}); err != nil {
			return nil, err
		}
	}
	switch {
	case prefix != "" && len(matches) == 0:
		// A run that has finished and waits in the spool to be recorded
		// (assay run prints "assay show ID" for it before it is).
		if d, err := s.spooledRun(prefix); d != nil || err != nil {
			return d, err
		}
		return nil, fmt.Errorf("%w: no run id starts with %q on %s", ErrNoRun, prefix, s.branch.Short())
	case prefix == "":
		return nil, fmt.Errorf("%w: no run id starts with %q on %s", ErrNoRun, prefix, s.branch.Short())
	case len(matches) > 1:
		ids := make([]string, len(matches))
		for i, m := range matches {
			ids[i] = m.RunID
		}
		return nil, &AmbiguousError{Prefix: prefix, Matches: ids}
	}
	e := matches[0]
	t, err := s.runTreeAt(idx.Tip)
	if err != nil {
		return nil, err
	}
	d := &RunDetail{Path: e.Path(), Result: &runner.Result{}}
	rec, err := fileAt(t, d.Path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", d.Path, err)
	}
	if err := json.Unmarshal(rec, d.Result); err != nil {
		return nil, fmt.Errorf("%s is not a valid record: %w", d.Path, err)
	}
	if b, err := fileAt(t, SeriesPath(e.Experiment, e.TrialKey, e.RunID)); err == nil {
		var cols map[string]seriesColumns
		if err := json.Unmarshal(b, &cols); err == nil {
			d.Series, _ = decodeSeries(cols)
		}
	}
	if b, err := fileAt(t, LogPath(e.Experiment, e.TrialKey, e.RunID)); err == nil {
		d.Log = b
	}
	return d, nil
}

// runTreeReuses bounds how many runs are read through one runTree, so
// the subtrees it keeps stay few in a long-lived process.
const runTreeReuses = 4096

// runTreeAt is the tree of the results branch at tip, kept between calls
// while the tip stays: go-git's Tree remembers the subtrees a lookup
// walks through, so runs read one after another (a site reads
// thousands) decode runs/ and an experiment's folder once, not once
// per run (it was half the cost of reading a run).
func (s *Store) runTreeAt(tip plumbing.Hash) (*object.Tree, error) {
	if s.runTree != nil && s.runTreeTip == tip && s.runTreeUses < runTreeReuses {
		s.runTreeUses++
		return s.runTree, nil
	}
	tree, err := s.treeOf(tip)
	if err != nil {
		return nil, err
	}
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return nil, err
	}
	s.runTree, s.runTreeTip, s.runTreeUses = t, tip, 1
	return t, nil
}

func fileAt(t *object.Tree, p string) ([]byte, error) {
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// spooledRun reads the run in the spool whose id is prefix or starts with
// it, or returns nil when there is none. Its Path is the spooled run's
// folder and its Log the end of the full log, as much as the branch
// will keep.
func (s *Store) spooledRun(prefix string) (*RunDetail, error) {
	sp := &spool.Spool{Dir: s.SpoolDir()}
	ids, err := sp.List()
	if err != nil {
		return nil, nil
	}
	var match []string
	for _, id := range ids {
		if id == prefix {
			match = []string{id}
			break
		}
		if strings.HasPrefix(id, prefix) {
			match = append(match, id)
		}
	}
	switch {
	case len(match) == 0:
		return nil, nil
	case len(match) > 1:
		return nil, &AmbiguousError{Prefix: prefix, Matches: match}
	}
	run, err := sp.Get(match[0])
	if err != nil {
		return nil, fmt.Errorf("run %s waits in the spool %s but cannot be read: %w", match[0], sp.Dir, err)
	}
	d := &RunDetail{Path: filepath.Join(sp.Dir, match[0]), Result: run.Result, Series: run.Series}
	if run.LogPath != "" {
		if d.Log, err = readLogTail(run.LogPath, logLimit(run.Result.Status)); err != nil {
			d.Log = nil
		}
	}
	return d, nil
}
