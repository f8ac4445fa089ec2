package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/assaylab/assay/runner"
)

// artifact writes data to a file and returns its manifest entry.
func artifact(t *testing.T, name, data string) (string, runner.ArtifactFile) {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(data))
	return p, runner.ArtifactFile{Path: name, Size: int64(len(data)), SHA256: hex.EncodeToString(h[:]), MediaType: "application/octet-stream"}
}

// fakeS3 is an S3-protocol server in this process; requests counts the
// requests by method, so tests see what went over the wire.
type fakeS3 struct {
	srv      *httptest.Server
	requests map[string]*atomic.Int64
	// fail, while set, answers every write with a 500 after reading part
	// of its body, as a store that breaks mid-upload does.
	fail atomic.Bool
}

func newFakeS3(t *testing.T, bucket string) *fakeS3 {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend)
	f := &fakeS3{requests: map[string]*atomic.Int64{}}
	for _, m := range []string{"GET", "HEAD", "PUT", "POST", "DELETE"} {
		f.requests[m] = &atomic.Int64{}
	}
	inner := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := f.requests[r.Method]; c != nil {
			c.Add(1)
		}
		if f.fail.Load() && (r.Method == "PUT" || r.Method == "POST") {
			buf := make([]byte, 4096)
			r.Body.Read(buf)
			http.Error(w, "<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>", http.StatusInternalServerError)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "assay-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "assay-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return f
}

// URL is the store URL of the fake's bucket under prefix.
func (f *fakeS3) URL(bucket, prefix string) string {
	return "s3://" + bucket + "/" + prefix + "?endpoint=" + f.srv.URL + "&region=us-east-1&use_path_style=true"
}

func TestFileStoreContentAddressing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, "file://"+dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local, f := artifact(t, "out/model.pt", "weights v1")
	skipped, err := s.Upload(ctx, local, f)
	if err != nil || skipped {
		t.Fatalf("Upload = %v, %v", skipped, err)
	}
	obj := filepath.Join(dir, "sha256", f.SHA256[:2], f.SHA256)
	b, err := os.ReadFile(obj)
	if err != nil || string(b) != "weights v1" {
		t.Fatalf("object at %s = %q, %v", obj, b, err)
	}
	if got := s.ObjectURL(f.SHA256); got != "file://"+dir+"/sha256/"+f.SHA256[:2]+"/"+f.SHA256 {
		t.Errorf("ObjectURL = %s", got)
	}
	if s.BrowseURL(f.SHA256) != "" {
		t.Errorf("a file store has no browsable URL")
	}
	// The same content from another run: nothing is written again.
	before, _ := os.Stat(obj)
	other, f2 := artifact(t, "elsewhere/copy.pt", "weights v1")
	if skipped, err := s.Upload(ctx, other, f2); err != nil || !skipped {
		t.Fatalf("second Upload of the same content = %v, %v; want skipped", skipped, err)
	}
	after, _ := os.Stat(obj)
	if !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the object was rewritten")
	}
	// Download verifies.
	dest := filepath.Join(t.TempDir(), "got.pt")
	if err := s.Download(ctx, f, dest); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "weights v1" {
		t.Errorf("downloaded %q", b)
	}
}

func TestDownloadRefusesADamagedObject(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, "file://"+dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local, f := artifact(t, "model.pt", "the real weights")
	if _, err := s.Upload(ctx, local, f); err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "sha256", f.SHA256[:2], f.SHA256)
	if err := os.WriteFile(obj, []byte("the fake weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "model.pt")
	if err := os.WriteFile(dest, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = s.Download(ctx, f, dest)
	var ce *ChecksumError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Download of a damaged object = %v, want a ChecksumError", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep me" {
		t.Errorf("a damaged download replaced the destination: %q", b)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".model.pt.assay-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	// A file never uploaded.
	_, missing := artifact(t, "other.pt", "never stored")
	if err := s.Download(ctx, missing, dest); !errors.Is(err, ErrNotInStore) {
		t.Errorf("Download of a missing object = %v, want ErrNotInStore", err)
	}
}

func TestUploadAbortsWhenTheFileChanged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, "file://"+dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local, f := artifact(t, "model.pt", "as recorded")
	if err := os.WriteFile(local, []byte("as rewritten"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upload(ctx, local, f); err == nil || !strings.Contains(err.Error(), "changed since the run kept it") {
		t.Fatalf("Upload of a changed file = %v", err)
	}
	if ok, _ := s.Has(ctx, f.SHA256); ok {
		t.Fatal("an object was stored under a name its bytes do not have")
	}
}

func TestOpenExplainsBadStores(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "nope")
	for url, want := range map[string]string{
		"file://" + missing:     "does not exist; create it (mkdir -p " + missing + ")",
		"ftp://host/x":          `unknown scheme "ftp"; use one of file://, s3://, gs://, azblob://`,
		"s3:///prefix":          "names no bucket",
		"file://server/share/x": "three slashes",
	} {
		if _, err := Open(ctx, url, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) = %v; want %q", url, err, want)
		}
	}
	def := filepath.Join(t.TempDir(), ".git", "assay", DefaultDirName)
	s, err := Open(ctx, "", def)
	if err != nil {
		t.Fatalf("the default store: %v", err)
	}
	s.Close()
	if info, err := os.Stat(def); err != nil || !info.IsDir() {
		t.Errorf("the default store's directory was not created: %v", err)
	}
}

func TestS3StoreOverHTTP(t *testing.T) {
	ctx := context.Background()
	fake := newFakeS3(t, "team-artifacts")
	s, err := Open(ctx, fake.URL("team-artifacts", "assay/demo"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local, f := artifact(t, "out/curve.png", strings.Repeat("png bytes ", 10000))
	if skipped, err := s.Upload(ctx, local, f); err != nil || skipped {
		t.Fatalf("Upload = %v, %v", skipped, err)
	}
	puts := fake.requests["PUT"].Load() + fake.requests["POST"].Load()
	if puts == 0 {
		t.Fatal("no write reached the S3 server")
	}
	if want := "s3://team-artifacts/assay/demo/sha256/" + f.SHA256[:2] + "/" + f.SHA256; s.ObjectURL(f.SHA256) != want {
		t.Errorf("ObjectURL = %s, want %s", s.ObjectURL(f.SHA256), want)
	}
	if got := s.BrowseURL(f.SHA256); got != fake.srv.URL+"/team-artifacts/assay/demo/sha256/"+f.SHA256[:2]+"/"+f.SHA256 {
		t.Errorf("BrowseURL = %s", got)
	}
	// The object is where the key says, read with a plain HTTP GET.
	resp, err := http.Get(s.BrowseURL(f.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != f.Size {
		t.Errorf("GET of the object: %d, %d bytes", resp.StatusCode, resp.ContentLength)
	}
	// Present already: one existence check, no write.
	if skipped, err := s.Upload(ctx, local, f); err != nil || !skipped {
		t.Fatalf("second Upload = %v, %v; want skipped", skipped, err)
	}
	if got := fake.requests["PUT"].Load() + fake.requests["POST"].Load(); got != puts {
		t.Errorf("a skipped upload wrote: %d writes, was %d", got, puts)
	}
	dest := filepath.Join(t.TempDir(), "curve.png")
	if err := s.Download(ctx, f, dest); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dest); string(b) != strings.Repeat("png bytes ", 10000) {
		t.Errorf("downloaded %d bytes that differ", len(b))
	}
	// A store that breaks mid-upload stores nothing and says so.
	fake.fail.Store(true)
	local2, f2 := artifact(t, "out/model.pt", strings.Repeat("w", 1<<20))
	if _, err := s.Upload(ctx, local2, f2); err == nil {
		t.Fatal("an upload to a failing store succeeded")
	}
	fake.fail.Store(false)
	if ok, err := s.Has(ctx, f2.SHA256); err != nil || ok {
		t.Fatalf("after a failed upload Has = %v, %v", ok, err)
	}
	if _, err := s.Upload(ctx, local2, f2); err != nil {
		t.Fatalf("the upload once the store recovered: %v", err)
	}
}

func TestBrowseURLs(t *testing.T) {
	t.Setenv("AZURE_STORAGE_ACCOUNT", "teamacct")
	sha := strings.Repeat("ab", 32)
	for store, want := range map[string]string{
		"s3://bkt/runs?region=eu-west-1": "https://s3.console.aws.amazon.com/s3/object/bkt?prefix=runs%2Fsha256%2Fab%2F" + sha + "&region=eu-west-1",
		"gs://bkt/runs":                  "https://storage.cloud.google.com/bkt/runs/sha256/ab/" + sha,
		"azblob://ctr":                   "https://teamacct.blob.core.windows.net/ctr/sha256/ab/" + sha,
	} {
		s := &Store{}
		u, _ := url.Parse(store)
		s.prefix = prefixOf(u)
		s.browse = browser(u, s.prefix)
		if got := s.BrowseURL(sha); got != want {
			t.Errorf("%s: BrowseURL = %s, want %s", store, got, want)
		}
	}
}
