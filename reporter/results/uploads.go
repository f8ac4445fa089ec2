package results

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
	"github.com/assaylab/assay/runner/spool"
)

// UploadsSuffix names the file beside a record that lists the artifacts
// a later `assay sync` uploaded for it: <run-id>.uploads. The record is
// never rewritten, so this is how a pending entry becomes stored. It does
// not end in .json, so no reader of records (this one or an older
// assay) mistakes it for one.
const UploadsSuffix = ".uploads"

// UploadsSchema tags an uploads file.
const UploadsSchema = "assay.uploads/v1"

// UploadsPath is where a run's uploads file lives, beside its record.
func UploadsPath(experiment, key, runID string) string {
	return filepath.ToSlash(filepath.Join(RunDir(experiment, key), runID+UploadsSuffix))
}

// UploadsDoc is the content of an uploads file.
type UploadsDoc struct {
	Schema string `json:"schema"`
	RunID  string `json:"run_id"`
	// Files and FullLog are the entries that were pending in the record,
	// now stored, with their URLs.
	Files    []runner.ArtifactFile `json:"files,omitempty"`
	FullLog  *runner.ArtifactFile  `json:"full_log,omitempty"`
	Uploaded time.Time             `json:"uploaded"`
}

// UploadReport says what a delivery did with artifacts.
type UploadReport struct {
	// Uploaded counts files newly stored; Present those the store already
	// had (content addressing: nothing was sent).
	Uploaded, Present int
	// Pending counts files that still wait for `assay sync`.
	Pending int
	// Completed counts runs whose pending uploads all finished now.
	Completed int
	// Store is the artifact store, as configured.
	Store string
	// Err is the first failure, when some file stayed pending.
	Err error
	// storeDown is the store's first failure in this delivery: later
	// files are kept pending rather than tried against it again.
	storeDown error
}

func (r *UploadReport) add(o UploadReport) {
	r.Uploaded += o.Uploaded
	r.Present += o.Present
	r.Pending += o.Pending
	r.Completed += o.Completed
	if r.Store == "" {
		r.Store = o.Store
	}
	if r.Err == nil {
		r.Err = o.Err
	}
}

// artifactsConn is the artifact store once opened, or why it could not be.
type artifactsConn struct {
	store *artifacts.Store
	err   error
}

// ArtifactStore opens the project's artifact store (once per Store; a
// store that failed to open is tried again by the next delivery).
func (s *Store) ArtifactStore(ctx context.Context) (*artifacts.Store, error) {
	if s.arts == nil {
		st, err := artifacts.Open(ctx, s.opts.ArtifactStore, filepath.Join(s.stateDir, artifacts.DefaultDirName))
		s.arts = &artifactsConn{store: st, err: err}
	}
	return s.arts.store, s.arts.err
}

// ArtifactStoreName is the artifact store as configured, for messages.
func (s *Store) ArtifactStoreName() string {
	if s.opts.ArtifactStore != "" {
		return s.opts.ArtifactStore
	}
	return filepath.Join(s.stateDir, artifacts.DefaultDirName)
}

// uploadQueue is a run whose uploads failed: .git/assay/uploads/<run-id>.json.
type uploadQueue struct {
	RunID      string                `json:"run_id"`
	Experiment string                `json:"experiment"`
	TrialKey   string                `json:"trial_key"`
	Files      []runner.ArtifactFile `json:"files,omitempty"`
	FullLog    *runner.ArtifactFile  `json:"full_log,omitempty"`
}

func (s *Store) uploadsDir() string { return filepath.Join(s.stateDir, "uploads") }

func (s *Store) queuePath(id string) string { return filepath.Join(s.uploadsDir(), id+".json") }

// PendingLogPath is where a run's log waits for its upload once the run
// has left the spool.
func (s *Store) PendingLogPath(id string) string { return filepath.Join(s.uploadsDir(), id+".log") }

// uploadRun uploads what a spooled run kept, before its record is written:
// each manifest entry and the full log get their store URL, and those that
// fail are marked pending and queued for `assay sync`. Only a queue that
// cannot be written is an error: the run then stays in the spool.
func (s *Store) uploadRun(ctx context.Context, run *runner.Run, rep *UploadReport) error {
	r := run.Result
	if len(r.Manifest) == 0 && run.ArtifactsDir != "" {
		// Spooled by an assay without manifests: describe the files now.
		var warns []string
		r.Manifest, warns = collect.Kept(run.ArtifactsDir)
		r.Warnings = append(r.Warnings, warns...)
	}
	if r.FullLog == nil && run.LogPath != "" {
		if f, err := collect.HashFile(run.LogPath, "log"); err == nil {
			r.FullLog = &f
		}
	}
	if len(r.Manifest) == 0 && r.FullLog == nil {
		return nil
	}
	st, err := s.ArtifactStore(ctx)
	rep.Store = s.ArtifactStoreName()
	q := uploadQueue{RunID: r.RunID, Experiment: r.Experiment, TrialKey: r.TrialKey}
	put := func(f *runner.ArtifactFile, local string) bool {
		if st != nil {
			f.URL = st.ObjectURL(f.SHA256)
		}
		uerr := err
		if uerr == nil && rep.storeDown != nil {
			// The store just failed: mark the rest pending rather than
			// wait out the same failure for every file.
			uerr = rep.storeDown
		}
		if uerr == nil {
			var skipped bool
			if skipped, uerr = st.Upload(ctx, local, *f); uerr == nil {
				if skipped {
					rep.Present++
				} else {
					rep.Uploaded++
				}
				return true
			}
			rep.storeDown = uerr
		}
		f.Pending = true
		rep.Pending++
		if rep.Err == nil {
			rep.Err = uerr
		}
		return false
	}
	for i := range r.Manifest {
		f := &r.Manifest[i]
		if !put(f, filepath.Join(run.ArtifactsDir, filepath.FromSlash(f.Path))) {
			q.Files = append(q.Files, *f)
		}
	}
	if r.FullLog != nil && !put(r.FullLog, run.LogPath) {
		lf := *r.FullLog
		q.FullLog = &lf
	}
	if len(q.Files) == 0 && q.FullLog == nil {
		return nil
	}
	return s.writeQueue(q)
}

func (s *Store) writeQueue(q uploadQueue) error {
	if err := os.MkdirAll(s.uploadsDir(), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.queuePath(q.RunID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("queueing the pending uploads of run %s: %w", q.RunID, err)
	}
	return os.Rename(tmp, s.queuePath(q.RunID))
}

func (s *Store) readQueue(id string) (*uploadQueue, error) {
	b, err := os.ReadFile(s.queuePath(id))
	if err != nil {
		return nil, err
	}
	var q uploadQueue
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, fmt.Errorf("%s is damaged: %w", s.queuePath(id), err)
	}
	return &q, nil
}

// keepPendingLog keeps the log of a run whose log upload is pending, as
// the run leaves the spool (its artifacts are kept by keepArtifacts).
func (s *Store) keepPendingLog(sp *spool.Spool, id string) error {
	q, err := s.readQueue(id)
	if err != nil || q.FullLog == nil {
		return nil
	}
	src, dst := filepath.Join(sp.Dir, id, spool.LogFile), s.PendingLogPath(id)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	if _, err := os.Stat(src); err != nil {
		return nil // no log in the spool: nothing to keep
	}
	if err := spool.LinkOrCopy(src, dst); err != nil {
		return fmt.Errorf("keeping the log of run %s for its upload: %w", id, err)
	}
	return nil
}

// PendingUploads counts the runs whose artifacts wait for an upload.
func (s *Store) PendingUploads() int {
	ids, _ := s.queuedRuns()
	return len(ids)
}

func (s *Store) queuedRuns() ([]string, error) {
	es, err := os.ReadDir(s.uploadsDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range es {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// RetryUploads uploads the artifacts that failed when their runs were
// recorded. For each run whose files are now all stored it commits an
// uploads file beside the record on the local results branch (Sync
// pushes it) and forgets the queue entry. A store still out of reach is
// no error: the report says how many files wait, and why.
func (s *Store) RetryUploads(ctx context.Context) (UploadReport, error) {
	rep := UploadReport{Store: s.ArtifactStoreName()}
	ids, err := s.queuedRuns()
	if err != nil || len(ids) == 0 {
		return rep, err
	}
	if err := s.checkNotCheckedOut(); err != nil {
		return rep, err
	}
	unlock, err := s.lock()
	if err != nil {
		return rep, err
	}
	defer unlock()
	s.arts = nil // a store that failed before may be back
	var files []File
	var done []string
	for _, id := range ids {
		q, err := s.readQueue(id)
		if err != nil {
			if rep.Err == nil {
				rep.Err = err
			}
			continue
		}
		doc, left := s.retryRun(ctx, q, &rep)
		if left != nil {
			if err := s.writeQueue(*left); err != nil {
				return rep, err
			}
			continue
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return rep, err
		}
		files = append(files, File{Path: UploadsPath(q.Experiment, q.TrialKey, q.RunID), Data: append(b, '\n')})
		done = append(done, id)
	}
	if len(files) > 0 {
		if err := s.commitUploads(files); err != nil {
			return rep, err
		}
	}
	for _, id := range done {
		os.Remove(s.queuePath(id))
		os.Remove(s.PendingLogPath(id))
		rep.Completed++
	}
	return rep, nil
}

// retryRun uploads one queued run's files. It returns the uploads file
// when all are stored, or what is still pending.
func (s *Store) retryRun(ctx context.Context, q *uploadQueue, rep *UploadReport) (*UploadsDoc, *uploadQueue) {
	st, openErr := s.ArtifactStore(ctx)
	doc := &UploadsDoc{Schema: UploadsSchema, RunID: q.RunID, Uploaded: s.now().UTC()}
	left := &uploadQueue{RunID: q.RunID, Experiment: q.Experiment, TrialKey: q.TrialKey}
	put := func(f runner.ArtifactFile, sources []string) (runner.ArtifactFile, bool) {
		err := openErr
		if err == nil && rep.storeDown != nil {
			err = rep.storeDown // the store just failed: keep the rest for next time
		} else if err == nil {
			f.URL = st.ObjectURL(f.SHA256)
			err = fmt.Errorf("%s of run %s: its local copy is gone (looked in %s), so it cannot be uploaded; "+
				"delete %s to stop trying", f.Path, q.RunID, strings.Join(sources, ", "), s.queuePath(q.RunID))
			for _, src := range sources {
				if _, serr := os.Stat(src); serr != nil {
					continue
				}
				var skipped bool
				if skipped, err = st.Upload(ctx, src, f); err == nil {
					if skipped {
						rep.Present++
					} else {
						rep.Uploaded++
					}
					f.Pending = false
					return f, true
				}
				rep.storeDown = err
				break
			}
		}
		rep.Pending++
		if rep.Err == nil {
			rep.Err = err
		}
		return f, false
	}
	spoolDir := s.SpoolDir()
	for _, f := range q.Files {
		rel := filepath.FromSlash(f.Path)
		got, ok := put(f, []string{filepath.Join(s.ArtifactsDir(q.RunID), rel), filepath.Join(spoolDir, q.RunID, spool.ArtifactsDir, rel)})
		if ok {
			doc.Files = append(doc.Files, got)
		} else {
			left.Files = append(left.Files, got)
		}
	}
	if q.FullLog != nil {
		got, ok := put(*q.FullLog, []string{s.PendingLogPath(q.RunID), filepath.Join(spoolDir, q.RunID, spool.LogFile)})
		if ok {
			doc.FullLog = &got
		} else {
			left.FullLog = &got
		}
	}
	if len(left.Files) > 0 || left.FullLog != nil {
		// Keep what was stored too: the uploads file lists every entry.
		left.Files = append(left.Files, doc.Files...)
		if left.FullLog == nil {
			left.FullLog = doc.FullLog
		}
		return nil, left
	}
	return doc, nil
}

// commitUploads adds uploads files on the local results branch. The
// caller holds the lock.
func (s *Store) commitUploads(files []File) error {
	adds, err := writeFiles(s.repo.Storer, files)
	if err != nil {
		return err
	}
	_, err = s.commitLocal(adds, func(added []string) string {
		return fmt.Sprintf("assay: artifacts of %s stored\n\n%s\n", countNoun(len(added), "run"), strings.Join(added, "\n"))
	})
	return err
}
