package results

import (
	"fmt"
	"strings"
)

// UnreadableError is run records on the results branch that a command
// needs and cannot read: a corrupt file, or a schema this assay does not
// know. Skipping them would turn a result into a missing one (a
// comparison that says "no runs", a plan that runs the trial again), so
// every command whose answer depends on one stops with this error
// instead, however many times it is asked.
type UnreadableError struct {
	Branch  string
	Records []Warning
}

func (e *UnreadableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s cannot be read, so assay cannot tell what %s:",
		countNoun(len(e.Records), "run record"), e.Branch, map[bool]string{true: "it holds", false: "they hold"}[len(e.Records) == 1])
	shown := e.Records
	if len(shown) > 10 {
		shown = shown[:10]
	}
	for _, w := range shown {
		fmt.Fprintf(&b, "\n  %s", w)
	}
	if len(e.Records) > len(shown) {
		fmt.Fprintf(&b, "\n  ... and %d more", len(e.Records)-len(shown))
	}
	fmt.Fprintf(&b, "\nLook at it with: git show %s:%s", e.Branch, e.Records[0].Path)
	return b.String()
}

// Location is what the warning's path says about the run: every file the
// index warns about sits where a record belongs.
func (w Warning) Location() RecordLocation {
	loc, _ := ParseRecordPath(w.Path)
	return loc
}

// Unreadable returns the records the index could not read whose location
// match accepts (all of them when match is nil), as an *UnreadableError,
// or nil when there are none.
func (x *Index) Unreadable(branch string, match func(RecordLocation) bool) error {
	return unreadable(branch, x.Warnings, match)
}

func unreadable(branch string, warnings []Warning, match func(RecordLocation) bool) error {
	var hit []Warning
	for _, w := range warnings {
		if match == nil || match(w.Location()) {
			hit = append(hit, w)
		}
	}
	if len(hit) == 0 {
		return nil
	}
	return &UnreadableError{Branch: branch, Records: hit}
}

// Unreadable reads the index and returns its unreadable records that
// match accepts, as an *UnreadableError, or nil. A branch that cannot be
// read at all is an error too.
func (s *Store) Unreadable(match func(RecordLocation) bool) error {
	idx, err := s.Index()
	if err != nil {
		return fmt.Errorf("reading the results branch %s: %w", s.branch.Short(), err)
	}
	return idx.Unreadable(s.branch.Short(), match)
}

// UnreadableKeys is Unreadable for the records of some trial keys.
func (s *Store) UnreadableKeys(keys map[string]bool) error {
	if len(keys) == 0 {
		return nil
	}
	return s.Unreadable(func(l RecordLocation) bool { return keys[l.Key] })
}

// Unreadable is Index.Unreadable for the runs a Scan went through.
func (sum Summary) Unreadable(branch string, match func(RecordLocation) bool) error {
	return unreadable(branch, sum.Warnings, match)
}
