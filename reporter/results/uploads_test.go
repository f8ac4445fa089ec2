package results

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/assaylab/assay/reporter/artifacts"
	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/collect"
)

// runWithArtifacts is a run that kept files, described as the executors
// describe them.
func runWithArtifacts(t *testing.T, id, exp string, files map[string]string) *runner.Run {
	t.Helper()
	run := testRun(id, exp, 1)
	dir := filepath.Join(t.TempDir(), "artifacts")
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte(strings.Repeat("step done\n", 5000)), 0o644)
	run.LogPath = log
	collect.Finish(run, &runner.Job{}, "", dir)
	return run
}

// recordOnBranch reads a run's record as the git CLI sees it.
func recordOnBranch(t *testing.T, dir, ref string, r *runner.Result) *runner.Result {
	t.Helper()
	var got runner.Result
	out := git_(t, dir, "show", ref+":"+RecordPath(r.Experiment, r.TrialKey, r.RunID))
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	return &got
}

func TestRecordingUploadsArtifactsOnce(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	storeDir := t.TempDir()
	s := openStore(t, dir, Options{ArtifactStore: "file://" + storeDir})
	shared := strings.Repeat("weights", 1000)
	r1 := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/model.pt": shared, "out/curve.svg": "<svg/>"})
	r2 := runWithArtifacts(t, "20260301T120100.000Z-bbbb", "pretrain", map[string]string{"out/model.pt": shared})
	sp := putRuns(t, s, r1, r2)
	rep, err := s.Deliver(context.Background(), sp)
	if err != nil {
		t.Fatal(err)
	}
	// Two distinct files and two logs (the same text twice); the second
	// model is the first's bytes, so it is not sent again.
	if rep.Uploads.Uploaded != 3 || rep.Uploads.Present != 2 || rep.Uploads.Pending != 0 {
		t.Errorf("uploads %+v", rep.Uploads)
	}
	got := recordOnBranch(t, dir, "assay/results", r1.Result)
	if len(got.Manifest) != 2 || got.FullLog == nil {
		t.Fatalf("record manifest %+v, log %+v", got.Manifest, got.FullLog)
	}
	for _, f := range append(got.Manifest, *got.FullLog) {
		want := "file://" + storeDir + "/" + artifacts.Key(f.SHA256)
		if f.URL != want || f.Pending {
			t.Errorf("%s: url %q pending %v, want %q", f.Path, f.URL, f.Pending, want)
		}
		obj := filepath.Join(storeDir, filepath.FromSlash(artifacts.Key(f.SHA256)))
		if info, err := os.Stat(obj); err != nil || info.Size() != f.Size {
			t.Errorf("%s: object %s: %v", f.Path, obj, err)
		}
	}
	if rep.Uploads.Pending != 0 || s.PendingUploads() != 0 {
		t.Errorf("nothing should wait: %d queued", s.PendingUploads())
	}
	git_(t, dir, "fsck", "--strict", "--no-dangling")
}

// flakyS3 is an S3-protocol server in this process that fails writes
// while down is set, having read part of the body: a store that breaks
// mid-upload.
func flakyS3(t *testing.T, bucket string) (storeURL string, down *atomic.Bool, objects func() int) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	inner := gofakes3.New(backend).Server()
	down = &atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
			buf := make([]byte, 1024)
			r.Body.Read(buf)
			http.Error(w, "<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>", http.StatusInternalServerError)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "assay-test", "AWS_SECRET_ACCESS_KEY": "assay-test-secret",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"} {
		t.Setenv(k, v)
	}
	objects = func() int {
		l, err := backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Contents)
	}
	return fmt.Sprintf("s3://%s/team?endpoint=%s&region=us-east-1&use_path_style=true", bucket, srv.URL), down, objects
}

func TestAFailedUploadWaitsForSync(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t))
	dir := newCodeRepo(t)
	setOrigin(t, dir, url+"team.git")
	storeURL, down, objects := flakyS3(t, "artifacts")
	down.Store(true)

	s := openStore(t, dir, Options{ArtifactStore: storeURL})
	run := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/model.pt": strings.Repeat("w", 3<<20)})
	sp := putRuns(t, s, run)
	rep, err := s.Deliver(context.Background(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != 1 || rep.Uploads.Pending != 2 || rep.Uploads.Err == nil || !strings.Contains(rep.Uploads.Err.Error(), "uploading out/model.pt") {
		t.Fatalf("report %+v (uploads %+v)", rep, rep.Uploads)
	}
	// The run is recorded and pushed; its files are pending, kept locally.
	got := recordOnBranch(t, bare, "assay/results", run.Result)
	if len(got.Manifest) != 1 || !got.Manifest[0].Pending || got.FullLog == nil || !got.FullLog.Pending {
		t.Fatalf("record on the remote: %+v log %+v", got.Manifest, got.FullLog)
	}
	if !strings.HasPrefix(got.Manifest[0].URL, "s3://artifacts/team/sha256/") {
		t.Errorf("pending entry URL %q", got.Manifest[0].URL)
	}
	if objects() != 0 {
		t.Fatalf("the failing store holds %d objects", objects())
	}
	if s.PendingUploads() != 1 {
		t.Errorf("%d runs queued, want 1", s.PendingUploads())
	}
	if _, err := os.Stat(filepath.Join(s.ArtifactsDir(run.Result.RunID), "out", "model.pt")); err != nil {
		t.Errorf("the local copy is gone: %v", err)
	}

	// The store recovers; the next sync (a new process) uploads.
	down.Store(false)
	s2 := openStore(t, dir, Options{ArtifactStore: storeURL})
	rep, err = s2.Deliver(context.Background(), putRuns(t, s2))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Uploads.Uploaded != 2 || rep.Uploads.Completed != 1 || rep.Uploads.Pending != 0 || rep.Sync.Attempts == 0 {
		t.Fatalf("sync report %+v", rep.Uploads)
	}
	if rep.Uploads.Store != storeURL {
		t.Errorf("the sync's report names the store %q, want %q", rep.Uploads.Store, storeURL)
	}
	if objects() != 2 || s2.PendingUploads() != 0 {
		t.Errorf("store holds %d objects, %d runs queued", objects(), s2.PendingUploads())
	}
	// The record is unchanged; the uploads file beside it, on the remote,
	// says the files are stored.
	files := branchFiles(t, bare, "assay/results")
	up := UploadsPath("pretrain", run.Result.TrialKey, run.Result.RunID)
	if !contains(files, up) || countRecords(files) != 1 {
		t.Fatalf("remote files %v lack %s", files, up)
	}
	d, err := s2.Run(run.Result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	man, log, err := s2.RunArtifacts(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(man) != 1 || man[0].Pending || log == nil || log.Pending {
		t.Errorf("after sync: %+v log %+v", man, log)
	}
	if !d.Result.Manifest[0].Pending {
		t.Error("the record itself was rewritten")
	}
	checkRemote(t, bare)
	git_(t, bare, "fsck", "--strict", "--no-dangling")
}

func TestLatestArtifactPicksTheNewestSucceededRun(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	old := runWithArtifacts(t, "20260301T120000.000Z-aaaa", "pretrain", map[string]string{"out/model.pt": "v1"})
	newer := runWithArtifacts(t, "20260301T130000.000Z-bbbb", "pretrain", map[string]string{"out/model.pt": "v2"})
	failed := runWithArtifacts(t, "20260301T140000.000Z-cccc", "pretrain", map[string]string{"out/model.pt": "v3"})
	failed.Result.Status = runner.StatusFailed
	noFile := runWithArtifacts(t, "20260301T150000.000Z-dddd", "pretrain", map[string]string{"other.txt": "x"})
	for _, r := range []*runner.Run{newer, failed, noFile} {
		r.Result.TrialKey = old.Result.TrialKey
	}
	other := runWithArtifacts(t, "20260301T160000.000Z-eeee", "pretrain", map[string]string{"out/model.pt": "v9"})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, old, newer, failed, noFile, other)); err != nil {
		t.Fatal(err)
	}
	o, ok, err := s.LatestArtifact("pretrain", []string{old.Result.TrialKey}, "out/model.pt")
	if err != nil || !ok {
		t.Fatalf("LatestArtifact = %v, %v", ok, err)
	}
	if o.RunID != newer.Result.RunID || o.SHA256 != newer.Result.Manifest[0].SHA256 || o.URL == "" {
		t.Errorf("origin %+v, want run %s", o, newer.Result.RunID)
	}
	if _, ok, _ := s.LatestArtifact("pretrain", []string{"0000"}, "out/model.pt"); ok {
		t.Error("a key with no runs resolved")
	}
	if _, ok, _ := s.LatestArtifact("finetune", []string{old.Result.TrialKey}, "out/model.pt"); ok {
		t.Error("another experiment's runs resolved")
	}
}
