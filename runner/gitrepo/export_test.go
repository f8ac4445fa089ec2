package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// An exported commit matches what the git CLI checks out, and the user's
// work tree is left alone.
func TestExportMatchesGitCheckout(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "one\n")
	r.Write("dir/sub/b.py", "print('b')\n")
	r.Write("run.sh", "#!/bin/sh\necho hi\n")
	if err := os.Chmod(filepath.Join(r.Dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.txt", filepath.Join(r.Dir, "link")); err != nil {
		t.Skipf("this filesystem cannot make symlinks (CI's can): %v", err)
	}
	r.Commit("base")
	base := r.Git("rev-parse", "HEAD")
	r.Write("a.txt", "two\n")
	r.Commit("head")
	r.Write("a.txt", "uncommitted\n")

	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	snap, err := repo.Commit(plumbing.NewHash(base))
	if err != nil {
		t.Fatal(err)
	}
	ours := t.TempDir()
	if err := Export(context.Background(), snap, ours); err != nil {
		t.Fatal(err)
	}
	theirs := t.TempDir()
	r.Git("--work-tree="+theirs, "checkout", base, "--", ".")
	for _, p := range []string{"a.txt", "dir/sub/b.py", "run.sh"} {
		a, err1 := os.ReadFile(filepath.Join(ours, p))
		b, err2 := os.ReadFile(filepath.Join(theirs, p))
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Errorf("%s: exported %q (%v), git checked out %q (%v)", p, a, err1, b, err2)
		}
	}
	if info, err := os.Stat(filepath.Join(ours, "run.sh")); err != nil || info.Mode().Perm()&0o100 == 0 {
		t.Errorf("run.sh lost its executable bit: %v", info.Mode())
	}
	if target, err := os.Readlink(filepath.Join(ours, "link")); err != nil || target != "a.txt" {
		t.Errorf("link: %q %v", target, err)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir, "a.txt")); string(b) != "uncommitted\n" {
		t.Errorf("the work tree was touched: a.txt = %q", b)
	}
}
