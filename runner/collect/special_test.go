package collect

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
)

// artifactsWithin runs Artifacts, failing the test rather than hanging it
// for good if something blocks.
func artifactsWithin(t *testing.T, work string, globs []string, dir string) ([]runner.ArtifactFile, []string) {
	t.Helper()
	type result struct {
		files []runner.ArtifactFile
		warns []string
	}
	done := make(chan result, 1)
	go func() {
		f, w := Artifacts(work, globs, dir)
		done <- result{f, w}
	}()
	select {
	case r := <-done:
		return r.files, r.warns
	case <-time.After(2 * time.Minute):
		t.Fatal("Artifacts hung (a FIFO opened for reading blocks until a writer comes)")
		return nil, nil
	}
}

func warned(warns []string, parts ...string) bool {
	for _, w := range warns {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// FIFOs, sockets and devices matched by a glob or left in the artifacts
// directory are skipped with a warning that names what they are, and
// never opened for reading: a FIFO with no writer would block for good.
func TestSpecialFilesAreSkipped(t *testing.T) {
	work, dir := t.TempDir(), t.TempDir()
	write(t, filepath.Join(work, "out/model.pt"), "weights")
	must(t, syscall.Mkfifo(filepath.Join(work, "out/pipe"), 0o644))
	must(t, syscall.Mkfifo(filepath.Join(dir, "trial-pipe"), 0o644))
	must(t, os.Symlink("trial-pipe", filepath.Join(dir, "link-to-pipe")))
	l, err := net.Listen("unix", filepath.Join(work, "out/sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	device := syscall.Mknod(filepath.Join(work, "out/null"), syscall.S_IFCHR|0o644, 1<<8|3) == nil // /dev/null's numbers

	files, warns := artifactsWithin(t, work, []string{"out/*"}, dir)
	if got := byPath(files); len(got) != 1 || got["out/model.pt"].Size != 7 {
		t.Errorf("manifest %v, want out/model.pt alone", files)
	}
	for _, w := range [][]string{
		{"out/pipe is a FIFO (named pipe), not a regular file; it was not kept"},
		{"out/sock is a socket, not a regular file"},
		{"trial-pipe in ASSAY_ARTIFACTS_DIR is a FIFO (named pipe), not a regular file"},
		{"link-to-pipe in ASSAY_ARTIFACTS_DIR is a symlink to trial-pipe, which is a FIFO"},
	} {
		if !warned(warns, w...) {
			t.Errorf("no warning %q in %q", w, warns)
		}
	}
	if device && !warned(warns, "out/null is a character device") {
		t.Errorf("no warning for the device in %q", warns)
	}
	if _, err := os.Stat(filepath.Join(dir, "out/pipe")); err == nil {
		t.Error("the FIFO was copied into the artifacts directory")
	}
}

// A hard link to a file outside the workdir is refused like a symlink
// leading there; hard links among files inside the workdir are kept.
func TestHardLinksOutsideAreRefused(t *testing.T) {
	base := t.TempDir()
	work, dir, outside := filepath.Join(base, "work"), filepath.Join(base, "artifacts"), filepath.Join(base, "home")
	write(t, filepath.Join(outside, ".aws/credentials"), "aws_secret_access_key = hunter2")
	write(t, filepath.Join(work, "out/a.pt"), "weights")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.Link(filepath.Join(work, "out/a.pt"), filepath.Join(work, "out/b.pt")))
	must(t, os.Link(filepath.Join(outside, ".aws/credentials"), filepath.Join(work, "out/creds.txt")))
	must(t, os.Link(filepath.Join(outside, ".aws/credentials"), filepath.Join(dir, "stolen.txt")))

	files, warns := artifactsWithin(t, work, []string{"out/*"}, dir)
	got := byPath(files)
	if len(got) != 2 || got["out/a.pt"].Size != 7 || got["out/b.pt"].Size != 7 {
		t.Errorf("manifest %v, want out/a.pt and out/b.pt", files)
	}
	for _, w := range []string{
		"out/creds.txt is a hard link to a file with 3 names, not all of them inside the workdir; it was not kept",
		"stolen.txt in ASSAY_ARTIFACTS_DIR is a hard link to a file with 3 names, not all of them inside the artifacts directory",
	} {
		if !warned(warns, w) {
			t.Errorf("no warning %q in %q", w, warns)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out/creds.txt")); err == nil {
		t.Error("the linked credentials were copied")
	}
}

// What assay itself kept (a spool entry's artifacts, hard-linked from
// where the trial left them) is described whole, other names and all.
func TestKeptDescribesFilesAssayLinked(t *testing.T) {
	base := t.TempDir()
	trial, spooled := filepath.Join(base, "trial"), filepath.Join(base, "spool", "artifacts")
	write(t, filepath.Join(trial, "out/model.pt"), "weights")
	must(t, os.MkdirAll(filepath.Join(spooled, "out"), 0o755))
	must(t, os.Link(filepath.Join(trial, "out/model.pt"), filepath.Join(spooled, "out/model.pt")))
	files, warns := Kept(spooled)
	if len(files) != 1 || files[0].Path != "out/model.pt" || files[0].Size != 7 || files[0].SHA256 == "" || len(warns) != 0 {
		t.Errorf("Kept = %+v, %q; want out/model.pt described", files, warns)
	}
	if files, _ := Kept(filepath.Join(base, "none")); len(files) != 0 {
		t.Errorf("Kept of no folder = %+v", files)
	}
}
