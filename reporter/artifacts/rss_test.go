package artifacts

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner/collect"
)

// The memory test runs the upload in a child process (this test binary,
// re-run with ASSAY_UPLOAD_CHILD set) so that its peak RSS is the
// upload's alone: what assay does with one large artifact, hashing it for
// the manifest and streaming it to the store.
func TestMain(m *testing.M) {
	if os.Getenv("ASSAY_UPLOAD_CHILD") != "" {
		os.Exit(uploadChild())
	}
	os.Exit(m.Run())
}

// uploadChild hashes the file ASSAY_UPLOAD_FILE and uploads it to the
// store ASSAY_UPLOAD_STORE; an empty file name measures the process alone.
func uploadChild() int {
	p := os.Getenv("ASSAY_UPLOAD_FILE")
	if p == "" {
		return 0
	}
	ctx := context.Background()
	f, err := collect.HashFile(p, "model.pt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := Open(ctx, os.Getenv("ASSAY_UPLOAD_STORE"), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	if _, err := s.Upload(ctx, p, f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(f.SHA256)
	return 0
}

// childRSS runs the upload child and returns its peak RSS in MiB, its
// wall time and the SHA-256 it printed.
func childRSS(t *testing.T, file, store string) (float64, time.Duration, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ASSAY_UPLOAD_CHILD=1", "ASSAY_UPLOAD_FILE="+file, "ASSAY_UPLOAD_STORE="+store)
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("upload child: %v\n%s", err, stderr)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return float64(ru.Maxrss) / 1024, time.Since(start), string(out)
}

// TestUploadPeakRSS uploads one large artifact (200 MiB here, 2 GiB in
// bench/artifacts.sh through ASSAY_RSS_BYTES) to a file store and to an
// S3 server over HTTP, and holds the uploader's peak RSS under 100 MB.
func TestUploadPeakRSS(t *testing.T) {
	size := int64(200 << 20)
	if testing.Short() {
		size = 32 << 20
	}
	if v := os.Getenv("ASSAY_RSS_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("ASSAY_RSS_BYTES=%q: %v", v, err)
		}
		size = n
	}
	// A file of that size whose bytes are not all alike, written sparsely:
	// a header, a hole, and a tail.
	p := filepath.Join(t.TempDir(), "model.pt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("checkpoint header\n")
	f.WriteAt([]byte("checkpoint tail\n"), size-16)
	f.Close()

	idle, _, _ := childRSS(t, "", "")
	fileStore := t.TempDir()
	fake := newFakeS3(t, "big")
	for _, c := range []struct{ name, store string }{
		{"file", "file://" + fileStore},
		{"s3", fake.URL("big", "runs")},
	} {
		rss, took, sha := childRSS(t, p, c.store)
		mib := float64(size) / (1 << 20)
		t.Logf("%s store: %.0f MiB artifact hashed and uploaded in %s (%.0f MiB/s), peak RSS %.1f MiB; the same process idle: %.1f MiB",
			c.name, mib, took.Round(time.Millisecond), mib/took.Seconds(), rss, idle)
		if rss >= 100*1e6/(1<<20) {
			t.Errorf("%s store: peak RSS %.1f MiB, want under 100 MB", c.name, rss)
		}
		if len(sha) < 64 {
			t.Fatalf("child printed %q", sha)
		}
		s, err := Open(context.Background(), c.store, "")
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Has(context.Background(), sha[:64]); err != nil || !ok {
			t.Errorf("%s store lacks the object: %v", c.name, err)
		}
		s.Close()
	}
}
