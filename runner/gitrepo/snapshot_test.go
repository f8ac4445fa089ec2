package gitrepo_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// sampleRepo commits a small tree with the things trees hold: nested
// directories, an executable, a symlink and names whose git order is not
// their byte order ("a.b" before "a/").
func sampleRepo(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("experiments/resnet.hcl", "experiment \"resnet\" {}\n")
	r.Write("models/resnet/train.py", "print('train')\n")
	r.Write("models/resnet/data/x.csv", "1,2\n")
	r.Write("a.b", "dot\n")
	r.Write("a/c", "slash\n")
	r.Write("run.sh", "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(r.Dir, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("models/resnet/train.py", filepath.Join(r.Dir, "link.py")); err != nil {
		t.Fatal(err)
	}
	r.Commit("initial")
	return r
}

func open(t *testing.T, dir string) *gitrepo.Repo {
	t.Helper()
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func commitSnapshot(t *testing.T, repo *gitrepo.Repo, rev string) gitrepo.Snapshot {
	t.Helper()
	h, err := repo.Resolve(rev)
	if err != nil {
		t.Fatal(err)
	}
	s, err := repo.Commit(h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every id a commit snapshot reports is the id git itself reports.
func TestCommitSnapshotIDsMatchGit(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	s := commitSnapshot(t, open(t, r.Dir), "HEAD")
	for _, p := range []string{"assay.hcl", "experiments", "experiments/resnet.hcl", "models", "models/resnet", "models/resnet/data/x.csv", "a.b", "a", "a/c", "run.sh", "link.py"} {
		e, err := s.Stat(p)
		if err != nil {
			t.Fatalf("Stat(%q): %v", p, err)
		}
		if want := r.Git("rev-parse", "HEAD:"+p); e.ID.String() != want {
			t.Errorf("Stat(%q).ID = %s, git says %s", p, e.ID, want)
		}
	}
	root, err := s.Stat(".")
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Git("rev-parse", "HEAD^{tree}"); root.ID.String() != want {
		t.Errorf("root tree %s, git says %s", root.ID, want)
	}
	modes := map[string]filemode.FileMode{"run.sh": filemode.Executable, "link.py": filemode.Symlink, "a": filemode.Dir, "a.b": filemode.Regular}
	for p, want := range modes {
		if e, _ := s.Stat(p); e.Mode != want {
			t.Errorf("Stat(%q).Mode = %v, want %v", p, e.Mode, want)
		}
	}
	if _, err := s.Stat("models/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat of a missing path: %v, want fs.ErrNotExist", err)
	}
	if _, err := s.Stat("a.b/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat below a file: %v, want fs.ErrNotExist", err)
	}
}

// ReadDir lists what git ls-tree lists, in the same (git) order.
func TestCommitSnapshotReadDirMatchesLsTree(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	s := commitSnapshot(t, open(t, r.Dir), "HEAD")
	for _, dir := range []string{".", "models/resnet"} {
		es, err := s.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Mode.String()[1:]+" "+e.ID.String()+"\t"+e.Path)
		}
		treeish := "HEAD"
		if dir != "." {
			treeish = "HEAD:" + dir
		}
		var want []string
		for _, line := range strings.Split(r.Git("ls-tree", treeish), "\n") {
			fields := strings.Fields(line)
			name := fields[3]
			if dir != "." {
				name = dir + "/" + name
			}
			want = append(want, fields[0][len(fields[0])-6:]+" "+fields[2]+"\t"+name)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("ReadDir(%q):\n%s\ngit ls-tree:\n%s", dir, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// The FS view passes the standard library's fs.FS conformance checks and
// reads the committed bytes, not the working tree's.
func TestCommitFS(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	r.Write("models/resnet/train.py", "print('edited, not committed')\n")
	fsys := gitrepo.FS(commitSnapshot(t, open(t, r.Dir), "HEAD"))
	if err := fstest.TestFS(fsys, "assay.hcl", "experiments/resnet.hcl", "models/resnet/train.py", "models/resnet/data/x.csv", "a.b", "a/c", "run.sh"); err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(fsys, "models/resnet/train.py")
	if err != nil || string(b) != "print('train')\n" {
		t.Fatalf("ReadFile = %q, %v; want the committed content", b, err)
	}
	info, err := fs.Stat(fsys, "run.sh")
	if err != nil || info.Mode().Perm() != 0o755 || info.Size() != int64(len("#!/bin/sh\n")) {
		t.Fatalf("Stat(run.sh) = %v, %v", info, err)
	}
	// A symlink is listed as one, and followed when read, as on disk.
	es, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name() == "link.py" && e.Type()&fs.ModeSymlink == 0 {
			t.Errorf("link.py listed as %v, want a symlink", e.Type())
		}
	}
	if b, err := fs.ReadFile(fsys, "link.py"); err != nil || string(b) != "print('train')\n" {
		t.Errorf("ReadFile(link.py) = %q, %v; want the target's content", b, err)
	}
}

// A commit gives each file's blob id without reading it, as git lists
// it; a symlink, a directory, a missing path and the working tree give
// none.
func TestContentID(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	repo := open(t, r.Dir)
	type idFS interface {
		ContentID(string) (string, bool)
	}
	commit := gitrepo.FS(commitSnapshot(t, repo, "HEAD")).(idFS)
	for _, p := range []string{"models/resnet/train.py", "run.sh", "a.b"} {
		if id, ok := commit.ContentID(p); !ok || id != r.Git("rev-parse", "HEAD:"+p) {
			t.Errorf("ContentID(%s) = %s, %v; git says %s", p, id, ok, r.Git("rev-parse", "HEAD:"+p))
		}
	}
	for _, p := range []string{"link.py", "models", "missing.txt", "../x"} {
		if id, ok := commit.ContentID(p); ok {
			t.Errorf("ContentID(%s) = %s, want none", p, id)
		}
	}
	r.Write("a.b", "edited\n")
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := gitrepo.FS(wt).(idFS).ContentID("a.b"); ok && id == r.Git("rev-parse", "HEAD:a.b") {
		t.Errorf("the working tree gives the committed id %s for an edited file", id)
	}
}

// A project in a sub-directory sees paths relative to itself.
func TestSub(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	s := commitSnapshot(t, open(t, r.Dir), "HEAD")
	sub, err := gitrepo.Sub(s, "models/resnet")
	if err != nil {
		t.Fatal(err)
	}
	e, err := sub.Stat("train.py")
	if err != nil || e.Path != "train.py" || e.ID.String() != r.Git("rev-parse", "HEAD:models/resnet/train.py") {
		t.Fatalf("Stat(train.py) = %+v, %v", e, err)
	}
	root, _ := sub.Stat(".")
	if root.ID.String() != r.Git("rev-parse", "HEAD:models/resnet") {
		t.Errorf("sub root = %s", root.ID)
	}
	if _, err := sub.Stat("../a.b"); err == nil {
		t.Error("a sub-snapshot must not reach outside its directory")
	}
	_, err = sub.Stat("nope.py")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "nope.py" {
		t.Errorf("error %v should name the path as the caller gave it", err)
	}
}

// The working tree hashes as git would commit it: edits, new files and
// deletions count; ignored files do not. git add -A then git write-tree
// is the independent check.
func TestWorktreeMatchesWriteTree(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	r.Write(".gitignore", "*.log\nout/\n")
	r.Write("models/resnet/.gitignore", "/cache\n")
	r.Commit("ignore rules")

	r.Write("models/resnet/train.py", "print('edited')\n")                        // modified
	r.Write("models/resnet/new.py", "x = 1\n")                                    // untracked
	r.Remove("a/c")                                                               // deleted: a/ vanishes
	r.Write("train.log", "noise\n")                                               // ignored
	r.Write("out/model.pt", "weights\n")                                          // ignored directory
	r.Write("models/resnet/cache/blob", "cached\n")                               // ignored by a nested rule
	r.Write("models/resnet/data/empty/.keep-not", "")                             // an empty file still counts
	if err := os.MkdirAll(filepath.Join(r.Dir, "empty/dir"), 0o755); err != nil { // git records no empty dirs
		t.Fatal(err)
	}
	r.Write("forced.log", "tracked although ignored\n")
	r.Git("add", "-f", "forced.log")
	r.Write("forced.log", "tracked although ignored, edited\n")

	repo := open(t, r.Dir)
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range []string{".", "models", "models/resnet", "models/resnet/train.py", "models/resnet/new.py", "experiments", "forced.log"} {
		e, err := wt.Stat(p)
		if err != nil {
			t.Fatalf("Stat(%q): %v", p, err)
		}
		got[p] = e.ID.String()
	}
	for _, p := range []string{"a", "a/c", "train.log", "out", "out/model.pt", "models/resnet/cache", "empty", "empty/dir"} {
		if e, err := wt.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat(%q) = %+v, %v; want not exist", p, e, err)
		}
	}

	r.Git("add", "-A")
	tree := r.Git("write-tree")
	for p, id := range got {
		want := tree
		if p != "." {
			want = r.Git("rev-parse", tree+":"+p)
		}
		if id != want {
			t.Errorf("working tree %q = %s, git write-tree says %s", p, id, want)
		}
	}
}

// A clean checkout hashes to the commit's own tree, file by file from
// the index, without a change.
func TestCleanWorktreeEqualsHead(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	repo := open(t, r.Dir)
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	e, err := wt.Stat(".")
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Git("rev-parse", "HEAD^{tree}"); e.ID.String() != want {
		t.Fatalf("clean working tree %s, HEAD's tree %s", e.ID, want)
	}
	// The snapshot holds a symlink as git stores it, its target path; the
	// FS view follows it.
	b, err := wt.ReadFile("link.py")
	if err != nil || string(b) != "models/resnet/train.py" {
		t.Fatalf("a symlink's blob is its target, as git stores it: %q, %v", b, err)
	}
	if e, err := wt.Stat("link.py"); err != nil || e.ID.String() != r.Git("rev-parse", "HEAD:link.py") {
		t.Fatalf("symlink id %v, %v", e, err)
	}
	b, err = fs.ReadFile(gitrepo.FS(wt), "link.py")
	if err != nil || string(b) != "print('train')\n" {
		t.Fatalf("the FS view follows a symlink inside the tree: %q, %v", b, err)
	}
}

// The FS of a working tree hides what git would not commit.
func TestWorktreeFS(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	r.Write(".gitignore", "*.log\n")
	r.Write("x.log", "ignored\n")
	wt, err := open(t, r.Dir).Worktree()
	if err != nil {
		t.Fatal(err)
	}
	fsys := gitrepo.FS(wt)
	if err := fstest.TestFS(fsys, "assay.hcl", "models/resnet/train.py", ".gitignore", "a/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(fsys, "x.log"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ignored file visible: %v", err)
	}
	if _, err := fs.Stat(fsys, ".git/config"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".git visible: %v", err)
	}
}

// A plain directory, outside any repository, hashes the same way.
func TestWorktreeWithoutRepository(t *testing.T) {
	t.Parallel()
	gittest.Need(t)
	dir := t.TempDir()
	r := gittest.At(t, dir)
	r.Write("models/a.py", "a\n")
	r.Write("notes.txt", "n\n")
	s, err := gitrepo.Worktree(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Stat("models/a.py")
	if err != nil {
		t.Fatal(err)
	}
	if want := r.Git("hash-object", "models/a.py"); e.ID.String() != want {
		t.Errorf("blob id %s, git hash-object says %s", e.ID, want)
	}
}

func TestHashBlobMatchesGit(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	for _, content := range []string{"", "x", "line\n", strings.Repeat("ab\n", 10000)} {
		r.Write("f", content)
		if got, want := gitrepo.HashBlob([]byte(content)), r.Git("hash-object", "f"); got.String() != want {
			t.Errorf("HashBlob(%d bytes) = %s, git says %s", len(content), got, want)
		}
		got, err := gitrepo.HashBlobReader(strings.NewReader(content), int64(len(content)))
		if err != nil || got != gitrepo.HashBlob([]byte(content)) {
			t.Errorf("HashBlobReader = %s, %v", got, err)
		}
	}
	if _, err := gitrepo.HashBlobReader(strings.NewReader("short"), 10); err == nil {
		t.Error("a short read must fail, not hash what it got")
	}
}

func TestHashTreeOrder(t *testing.T) {
	t.Parallel()
	r := sampleRepo(t)
	s := commitSnapshot(t, open(t, r.Dir), "HEAD")
	es, err := s.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	// Reverse the order: HashTree must sort the git way itself.
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	if got, want := gitrepo.HashTree(es), plumbing.NewHash(r.Git("rev-parse", "HEAD^{tree}")); got != want {
		t.Errorf("HashTree = %s, want %s", got, want)
	}
}

// Symlinks that leave the tree, or loop, read as errors, never as files
// outside the repository.
func TestFSSymlinksStayInside(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("a.txt", "a\n")
	for link, target := range map[string]string{"out": "../../etc/passwd", "abs": "/etc/passwd", "loop1": "loop2", "loop2": "loop1", "ok": "a.txt", "dir/up": "../a.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, link)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(r.Dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	r.Commit("links")
	wt, err := open(t, r.Dir).Worktree()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []gitrepo.Snapshot{commitSnapshot(t, open(t, r.Dir), "HEAD"), wt} {
		fsys := gitrepo.FS(s)
		for _, name := range []string{"out", "abs", "loop1"} {
			if b, err := fs.ReadFile(fsys, name); err == nil {
				t.Errorf("%s: ReadFile(%s) = %q, want an error", s, name, b)
			}
		}
		for _, name := range []string{"ok", "dir/up"} {
			if b, err := fs.ReadFile(fsys, name); err != nil || string(b) != "a\n" {
				t.Errorf("%s: ReadFile(%s) = %q, %v", s, name, b, err)
			}
		}
	}
}
