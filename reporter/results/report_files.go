package results

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
)

// ReportsDir holds the reports assay publishes (reports/pr-<N>/<sha>.md and
// .html). Unlike runs, a report may be rewritten: the report of a head
// commit is regenerated as its results arrive, and the newest one wins.
const ReportsDir = "reports"

// Replaceable reports whether the file at p may be overwritten on the
// results branch. Only reports may; a run's files never are.
func Replaceable(p string) bool {
	return strings.HasPrefix(p, ReportsDir+"/")
}

// PutReport commits body at p (under reports/) on the results branch and
// pushes it like runs are pushed: never forcing, re-applied on a newer tip
// when another writer got there first. Writing the content already there
// changes nothing. When the remote cannot be reached the commit stays in
// the outbox, the report is kept, and PutReport returns nil: assay sync
// delivers it later.
func (s *Store) PutReport(ctx context.Context, p string, body []byte) error {
	return s.PutReports(ctx, []File{{Path: p, Data: body}})
}

// PutReports commits several report files at once (a markdown report and
// its HTML twin), as PutReport does one.
func (s *Store) PutReports(ctx context.Context, files []File) error {
	for _, f := range files {
		if clean := path.Clean(f.Path); clean != f.Path || !Replaceable(f.Path) || strings.Contains(f.Path, "..") {
			return fmt.Errorf("report path %q must be a clean path under %s/", f.Path, ReportsDir)
		}
	}
	if err := s.commitReports(files); err != nil {
		return err
	}
	_, err := s.Sync(ctx)
	var ob *OutboxError
	if errors.As(err, &ob) {
		return nil
	}
	return err
}

func (s *Store) commitReports(files []File) error {
	if err := s.checkNotCheckedOut(); err != nil {
		return err
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	adds, err := writeFiles(s.repo.Storer, files)
	if err != nil {
		return err
	}
	for i := range adds {
		adds[i].Replace = true
	}
	_, err = s.commitLocal(adds, func(added []string) string {
		return fmt.Sprintf("assay: report %s\n", strings.Join(added, ", "))
	})
	return err
}
