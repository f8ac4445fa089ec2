package results

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/runner/spool/spooltest"
)

// The store is still down when assay syncs again: nothing is lost, the
// run stays queued with every file, the report says how many wait and
// why, and no uploads file is committed. The sync after that, with the
// store back, completes it.
func TestAStoreStillDownKeepsTheRunQueued(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	storeURL, down, objects := flakyS3(t, "artifacts")
	down.Store(true)
	s := openStore(t, dir, Options{ArtifactStore: storeURL})
	run := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/a.pt": "a", "out/b.pt": "b"})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, run)); err != nil {
		t.Fatal(err)
	}
	queued, err := os.ReadFile(s.queuePath(run.Result.RunID))
	if err != nil {
		t.Fatal(err)
	}
	tip := git_(t, dir, "rev-parse", "assay/results")

	s = openStore(t, dir, Options{ArtifactStore: storeURL})
	rep, err := s.RetryUploads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 3 || rep.Uploaded != 0 || rep.Completed != 0 || rep.Err == nil || !strings.Contains(rep.Err.Error(), "disk on fire") {
		t.Errorf("retry with the store down: %+v", rep)
	}
	if again, _ := os.ReadFile(s.queuePath(run.Result.RunID)); string(again) != string(queued) {
		t.Errorf("the queue entry changed:\n%s\nwas:\n%s", again, queued)
	}
	if s.PendingUploads() != 1 || objects() != 0 || git_(t, dir, "rev-parse", "assay/results") != tip {
		t.Errorf("%d queued, %d objects stored, branch moved: %v", s.PendingUploads(), objects(), git_(t, dir, "rev-parse", "assay/results") != tip)
	}

	down.Store(false)
	s = openStore(t, dir, Options{ArtifactStore: storeURL})
	if rep, err = s.RetryUploads(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep.Uploaded != 3 || rep.Pending != 0 || rep.Completed != 1 || rep.Err != nil || objects() != 3 || s.PendingUploads() != 0 {
		t.Errorf("retry with the store back: %+v, %d objects", rep, objects())
	}
	if _, err := os.Stat(s.PendingLogPath(run.Result.RunID)); !os.IsNotExist(err) {
		t.Errorf("the kept log is still there: %v", err)
	}
}

// A queued file whose local copy is gone cannot be uploaded: the error
// names it and says how to stop trying; the files that can be uploaded
// are, and are listed with it while the run stays queued. A queue entry
// that cannot be read is reported and the other runs go on.
func TestQueuedFilesThatCannotBeUploaded(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	storeDir := t.TempDir()
	bad := filepath.Join(t.TempDir(), "not-a-folder")
	os.WriteFile(bad, nil, 0o644)
	s := openStore(t, dir, Options{ArtifactStore: "file://" + bad})
	run := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/a.pt": "a", "out/b.pt": "b"})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, run)); err != nil {
		t.Fatal(err)
	}
	id := run.Result.RunID
	if err := os.Remove(filepath.Join(s.ArtifactsDir(id), "out", "b.pt")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(s.queuePath("20260301T110000.000Z-zzzz"), []byte("{not json"), 0o644)

	s = openStore(t, dir, Options{ArtifactStore: "file://" + storeDir})
	rep, err := s.RetryUploads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err == nil || !strings.Contains(rep.Err.Error(), s.queuePath("20260301T110000.000Z-zzzz")+" is damaged") {
		t.Errorf("the damaged entry: %v", rep.Err)
	}
	if rep.Uploaded != 2 || rep.Pending != 1 || rep.Completed != 0 {
		t.Errorf("report %+v, want the model and the log stored and b.pt pending", rep)
	}
	q, err := s.readQueue(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Files) != 2 || q.Files[0].Path != "out/b.pt" || !q.Files[0].Pending || q.Files[1].Path != "out/a.pt" || q.Files[1].Pending || q.Files[1].URL == "" ||
		q.FullLog == nil || q.FullLog.Pending {
		t.Errorf("queue entry: %+v, log %+v", q.Files, q.FullLog)
	}

	// Only the lost file is left: the error names it and the way out.
	s = openStore(t, dir, Options{ArtifactStore: "file://" + storeDir})
	os.Remove(s.queuePath("20260301T110000.000Z-zzzz"))
	rep, _ = s.RetryUploads(context.Background())
	want := "out/b.pt of run " + id + ": its local copy is gone (looked in " +
		filepath.Join(s.ArtifactsDir(id), "out", "b.pt") + ", " + filepath.Join(s.SpoolDir(), id, "artifacts", "out", "b.pt") +
		"), so it cannot be uploaded; delete " + s.queuePath(id) + " to stop trying"
	if rep.Err == nil || rep.Err.Error() != want || rep.Pending != 1 || rep.Present != 2 {
		t.Errorf("got %+v\nwant the error %s", rep, want)
	}
}

// A run spooled without a description of its log or of its files (by an
// older assay; the spool's files are hard links to where the trial left
// them), or that kept files but no log, or a log but no files, still has
// what it kept uploaded and listed in the record.
func TestRunsSpooledWithoutADescriptionAreUploaded(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		name           string
		logUndescribed bool
		filesUndescr   bool
		noLog          bool
		uploaded       int
		files, fullLog bool
	}{
		{"no full log in the record", true, false, false, 2, true, true},
		{"no manifest in the record", false, true, false, 2, true, true},
		{"files kept, no log", false, false, true, 1, true, false},
		{"a log, no files", false, false, false, 1, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := newCodeRepo(t)
			storeDir := t.TempDir()
			s := openStore(t, dir, Options{ArtifactStore: "file://" + storeDir})
			kept := map[string]string{"out/model.pt": "weights"}
			if !c.files {
				kept = nil
			}
			run := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", kept)
			if c.logUndescribed {
				run.Result.FullLog = nil
			}
			if c.filesUndescr {
				run.Result.Manifest = nil
			}
			if c.noLog {
				run.LogPath, run.Result.FullLog = "", nil
			}
			rep, err := s.Deliver(context.Background(), putRuns(t, s, run))
			if err != nil {
				t.Fatal(err)
			}
			got := recordOnBranch(t, dir, "assay/results", run.Result)
			if rep.Uploads.Uploaded != c.uploaded || (len(got.Manifest) == 1) != c.files || (got.FullLog != nil) != c.fullLog {
				t.Errorf("uploaded %d, record manifest %+v, log %+v", rep.Uploads.Uploaded, got.Manifest, got.FullLog)
			}
			if len(got.Manifest) == 1 && (got.Manifest[0].Path != "out/model.pt" || got.Manifest[0].URL == "" || got.Manifest[0].Pending) {
				t.Errorf("manifest %+v", got.Manifest)
			}
		})
	}
}

// A run whose files still cannot all be uploaded stays queued without
// holding back the runs after it: their files are stored and their
// uploads files committed in the same sync.
func TestOneRunStillPendingDoesNotHoldBackTheOthers(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	bad := filepath.Join(t.TempDir(), "not-a-folder")
	os.WriteFile(bad, nil, 0o644)
	s := openStore(t, dir, Options{ArtifactStore: "file://" + bad})
	first := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/a.pt": "a"})
	second := runWithArtifacts(t, "20260301T120000.000Z-bbbb", "pretrain", map[string]string{"out/b.pt": "b"})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, first, second)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.ArtifactsDir(first.Result.RunID), "out", "a.pt")); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir, Options{ArtifactStore: "file://" + t.TempDir()})
	rep, err := s.RetryUploads(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Completed != 1 || rep.Pending != 1 || rep.Err == nil || !strings.Contains(rep.Err.Error(), "out/a.pt of run "+first.Result.RunID) {
		t.Errorf("report %+v, want the second run completed and the first's a.pt pending", rep)
	}
	if _, err := s.readQueue(first.Result.RunID); err != nil {
		t.Errorf("the first run is no longer queued: %v", err)
	}
	if _, err := os.Stat(s.queuePath(second.Result.RunID)); !os.IsNotExist(err) {
		t.Errorf("the second run is still queued: %v", err)
	}
	files := branchFiles(t, dir, "assay/results")
	if !contains(files, UploadsPath("pretrain", second.Result.TrialKey, second.Result.RunID)) ||
		contains(files, UploadsPath("pretrain", first.Result.TrialKey, first.Result.RunID)) {
		t.Errorf("the branch holds %v, want the second run's uploads file only", files)
	}
}

// The spool sits on another filesystem than the store: the log of a run
// whose upload failed cannot be hard-linked out of the spool, so it is
// copied, whole, and uploaded from the copy once the spool entry is gone.
func TestALogWaitingForUploadIsCopiedAcrossFilesystems(t *testing.T) {
	requireGit(t)
	other := spooltest.OtherFilesystem(t)
	dir := newCodeRepo(t)
	bad := filepath.Join(t.TempDir(), "not-a-folder")
	os.WriteFile(bad, nil, 0o644)
	s := openStore(t, dir, Options{ArtifactStore: "file://" + bad})
	sp, err := spool.Open(filepath.Join(other, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	run := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", nil)
	want, _ := os.ReadFile(run.LogPath)
	if err := sp.Put(run); err != nil {
		t.Fatal(err)
	}
	id := run.Result.RunID
	if _, err := s.Deliver(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	if sp.Recorded(id) {
		t.Fatal("the run is still in the spool after its delivery")
	}
	if got, err := os.ReadFile(s.PendingLogPath(id)); err != nil || string(got) != string(want) {
		t.Fatalf("the kept log: %d bytes of %d, %v", len(got), len(want), err)
	}

	storeDir := t.TempDir()
	s = openStore(t, dir, Options{ArtifactStore: "file://" + storeDir})
	rep, err := s.RetryUploads(context.Background())
	if err != nil || rep.Err != nil || rep.Completed != 1 || rep.Uploaded != 1 {
		t.Fatalf("retry: %+v, %v", rep, err)
	}
	d, err := s.Run(id)
	if err != nil {
		t.Fatal(err)
	}
	_, log, err := s.RunArtifacts(d)
	if err != nil || log == nil || log.Pending {
		t.Fatalf("the run's log: %+v, %v", log, err)
	}
	got, err := os.ReadFile(filepath.Join(storeDir, filepath.FromSlash(artifacts.Key(log.SHA256))))
	if err != nil || string(got) != string(want) {
		t.Errorf("the uploaded log: %d bytes of %d, %v", len(got), len(want), err)
	}
}
