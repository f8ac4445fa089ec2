package results

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// BatchSize is the most runs one results commit records.
const BatchSize = 500

// DeliverReport says what a Deliver did.
type DeliverReport struct {
	// Recorded counts the runs newly committed to the local branch.
	Recorded int
	// AlreadyRecorded counts spooled runs the branch already had (a
	// retry after a crash): they left the spool and changed nothing.
	AlreadyRecorded int
	// Problems are spooled runs that cannot be recorded; they stay in the
	// spool, untouched, for a person to look at.
	Problems []error
	// Uploads is what became of the runs' artifacts (see uploads.go).
	Uploads UploadReport
	Sync    SyncReport
}

// Deliver records every run in sp on the results branch and pushes it.
// Runs are committed locally first, one commit per batch, and leave the
// spool only once the commit holding them is on the local branch, so a
// finished result is always on disk somewhere. The push then follows the
// protocol of Sync; when it fails the returned error is an *OutboxError
// and the results wait in the outbox.
func (s *Store) Deliver(ctx context.Context, sp *spool.Spool) (DeliverReport, error) {
	retried, err := s.RetryUploads(ctx)
	if err != nil {
		return DeliverReport{Uploads: retried}, err
	}
	rep, err := s.commitSpool(ctx, sp)
	rep.Uploads.add(retried)
	if err != nil {
		return rep, err
	}
	rep.Sync, err = s.Sync(ctx)
	return rep, err
}

// Commit records the spooled runs on the local results branch without
// pushing, emptying the spool of what it recorded. Their artifacts and
// full logs go to the artifact store first; a file that cannot be
// uploaded is marked pending in the record and waits for `assay sync`.
func (s *Store) Commit(sp *spool.Spool) (DeliverReport, error) {
	return s.commitSpool(context.Background(), sp)
}

func (s *Store) commitSpool(ctx context.Context, sp *spool.Spool) (DeliverReport, error) {
	var rep DeliverReport
	if err := s.checkNotCheckedOut(); err != nil {
		return rep, err
	}
	unlock, err := s.lock()
	if err != nil {
		return rep, err
	}
	defer unlock()
	ids, err := sp.List()
	if err != nil {
		return rep, fmt.Errorf("reading the spool %s: %w", sp.Dir, err)
	}
	for len(ids) > 0 {
		n := min(len(ids), BatchSize)
		batch := ids[:n]
		ids = ids[n:]
		if err := s.commitBatch(ctx, sp, batch, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Store) commitBatch(ctx context.Context, sp *spool.Spool, ids []string, rep *DeliverReport) error {
	var adds []entryAdd
	var records []recordFile
	objects := newObjectBatch(s.repo.Storer)
	byRecord := map[string]*runner.Result{}
	var done []string
	for _, id := range ids {
		run, err := sp.Get(id)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Errorf("spooled run %s cannot be read: %w", id, err))
			continue
		}
		if err := s.uploadRun(ctx, run, &rep.Uploads); err != nil {
			rep.Problems = append(rep.Problems, fmt.Errorf("spooled run %s cannot be recorded: %w", id, err))
			continue
		}
		files, err := RunFiles(run)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Errorf("spooled run %s cannot be recorded: %w", id, err))
			continue
		}
		a, err := writeFiles(objects, files)
		if err != nil {
			return err
		}
		adds = append(adds, a...)
		records = append(records, recordFile{path: files[0].Path, blob: a[0].Blob, data: files[0].Data})
		byRecord[files[0].Path] = run.Result
		done = append(done, id)
	}
	if len(done) == 0 {
		return nil
	}
	var recorded []*runner.Result
	seg := newSegment(records)
	var trailer string
	if len(seg.entries) > 0 {
		trailer = TrailerIndex + ": " + seg.level0().String() + "\n"
	}
	more := func(baseTree plumbing.Hash) ([]entryAdd, error) { return s.segmentAdds(objects, baseTree, seg) }
	_, err := s.commitLocalWith(objects, adds, more, func(added []string) string {
		for _, p := range added {
			if r, ok := byRecord[p]; ok {
				recorded = append(recorded, r)
			}
		}
		sort.Slice(recorded, func(i, j int) bool { return recorded[i].RunID < recorded[j].RunID })
		return commitMessage(recorded) + trailer
	})
	if err != nil {
		return err
	}
	rep.Recorded += len(recorded)
	rep.AlreadyRecorded += len(done) - len(recorded)
	for _, id := range done {
		if err := s.keepArtifacts(sp, id); err != nil {
			return err
		}
		if err := s.keepPendingLog(sp, id); err != nil {
			return err
		}
		if err := sp.Remove(id); err != nil {
			return fmt.Errorf("removing recorded run %s from the spool: %w", id, err)
		}
	}
	return nil
}

// ArtifactsDir is where a recorded run's artifacts are kept once its
// spool entry is gone: .git/assay/artifacts/<run-id>. They are too big for
// the results branch; this is the local artifact store.
func (s *Store) ArtifactsDir(runID string) string {
	return filepath.Join(s.stateDir, "artifacts", runID)
}

// keepArtifacts moves a spooled run's artifacts out of the spool before
// the entry is removed (a rename: same filesystem, nothing copied).
func (s *Store) keepArtifacts(sp *spool.Spool, id string) error {
	src := filepath.Join(sp.Dir, id, spool.ArtifactsDir)
	if _, err := os.Stat(src); err != nil {
		return nil
	}
	dst := s.ArtifactsDir(id)
	if _, err := os.Stat(dst); err == nil {
		return nil // kept by an earlier delivery that stopped before removing the entry
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return fmt.Errorf("keeping the artifacts of run %s: %w", id, err)
	}
	return nil
}
