package gitrepo_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// history builds main with three commits, a tag, and a feature branch
// that forks from the second and merges main back in once.
//
//	main:    c1 - c2 - c3
//	                \      \
//	feature:         f1 --- m - f2
func history(t *testing.T) (*gittest.Repo, map[string]string) {
	r := gittest.New(t)
	ids := map[string]string{}
	r.Write("a", "1\n")
	ids["c1"] = r.Commit("c1")
	r.Write("a", "2\n")
	ids["c2"] = r.Commit("c2")
	r.Git("tag", "v1")
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("f", "1\n")
	ids["f1"] = r.Commit("f1")
	r.Git("checkout", "-q", "main")
	r.Write("a", "3\n")
	ids["c3"] = r.Commit("c3")
	r.Git("checkout", "-q", "feature")
	r.Git("merge", "-q", "--no-edit", "main")
	ids["m"] = r.Git("rev-parse", "HEAD")
	r.Write("f", "2\n")
	ids["f2"] = r.Commit("f2")
	return r, ids
}

func TestResolve(t *testing.T) {
	t.Parallel()
	r, ids := history(t)
	repo := open(t, r.Dir)
	cases := map[string]string{
		"HEAD":            ids["f2"],
		"feature":         ids["f2"],
		"main":            ids["c3"],
		"refs/heads/main": ids["c3"],
		"v1":              ids["c2"],
		"HEAD~1":          ids["m"],
		"HEAD~2":          ids["f1"],
		"HEAD^":           ids["m"],
		"main~2":          ids["c1"],
		ids["c1"]:         ids["c1"],
		ids["c1"][:7]:     ids["c1"],
	}
	for rev, want := range cases {
		got, err := repo.Resolve(rev)
		if err != nil {
			t.Errorf("Resolve(%q): %v", rev, err)
			continue
		}
		if got.String() != want {
			t.Errorf("Resolve(%q) = %s, want %s", rev, got, want)
		}
		if gitSays := r.Git("rev-parse", rev+"^{commit}"); gitSays != want {
			t.Fatalf("test is wrong: git rev-parse %s = %s", rev, gitSays)
		}
	}
	for _, rev := range []string{"nope", "main~10", "deadbeef", ""} {
		_, err := repo.Resolve(rev)
		if !errors.Is(err, gitrepo.ErrUnknownRevision) {
			t.Errorf("Resolve(%q) = %v, want ErrUnknownRevision", rev, err)
		}
	}
}

func TestMergeBase(t *testing.T) {
	t.Parallel()
	r, _ := history(t)
	repo := open(t, r.Dir)
	for _, pair := range [][2]string{{"feature", "main"}, {"main", "feature"}, {"HEAD~2", "main"}, {"v1", "main"}} {
		a, _ := repo.Resolve(pair[0])
		b, _ := repo.Resolve(pair[1])
		got, err := repo.MergeBase(a, b)
		if err != nil {
			t.Fatalf("MergeBase(%s, %s): %v", pair[0], pair[1], err)
		}
		if want := r.Git("merge-base", pair[0], pair[1]); got.String() != want {
			t.Errorf("MergeBase(%s, %s) = %s, git merge-base says %s", pair[0], pair[1], got, want)
		}
	}
}

func TestDefaultBranch(t *testing.T) {
	t.Parallel()
	r, ids := history(t)
	name, h, err := open(t, r.Dir).DefaultBranch()
	if err != nil || name != "main" || h.String() != ids["c3"] {
		t.Errorf("DefaultBranch = %s %s %v, want main", name, h, err)
	}

	// A clone knows origin/HEAD, even when no local main exists.
	r.Git("checkout", "-q", "main") // the remote's HEAD is what origin/HEAD follows
	clone := t.TempDir()
	r.Git("clone", "-q", "--branch", "feature", "file://"+r.Dir, clone)
	c := gittest.At(t, clone)
	if _, err := c.TryGit("rev-parse", "--verify", "-q", "refs/heads/main"); err == nil {
		t.Fatal("test is wrong: the clone has a local main")
	}
	name, h, err = open(t, clone).DefaultBranch()
	if err != nil || name != "origin/main" || h.String() != ids["c3"] {
		t.Errorf("DefaultBranch of a clone = %s %s %v, want origin/main", name, h, err)
	}

	// master, for older repositories.
	m := gittest.New(t)
	m.Git("checkout", "-q", "-b", "master")
	m.Commit("one")
	if name, _, err := open(t, m.Dir).DefaultBranch(); err != nil || name != "master" {
		t.Errorf("DefaultBranch = %s, %v; want master", name, err)
	}

	// Neither.
	o := gittest.New(t)
	o.Git("checkout", "-q", "-b", "trunk")
	o.Commit("one")
	if _, _, err := open(t, o.Dir).DefaultBranch(); !errors.Is(err, gitrepo.ErrNoDefaultBranch) {
		t.Errorf("DefaultBranch without main or master: %v", err)
	}
}

// A shallow clone says so, instead of calling history unknown.
func TestShallowClone(t *testing.T) {
	t.Parallel()
	r, ids := history(t)
	clone := filepath.Join(t.TempDir(), "shallow")
	r.Git("clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature", "file://"+r.Dir, clone)
	repo := open(t, clone)
	if !repo.Shallow() {
		t.Fatal("Shallow() = false for a --depth 1 clone")
	}
	if _, err := repo.Resolve("HEAD~1"); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("Resolve(HEAD~1) = %v, want ErrShallow", err)
	}
	if _, err := repo.Resolve(ids["c1"]); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("Resolve(an old sha) = %v, want ErrShallow", err)
	}
	head, err := repo.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	origin, err := repo.Resolve("origin/main")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.MergeBase(head, origin); !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("MergeBase in a shallow clone = %v, want ErrShallow", err)
	}
	if !strings.Contains(error(gitrepo.ErrShallow).Error(), "shallow") {
		t.Error("the error must say shallow")
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	gittest.Need(t)
	if _, err := gitrepo.Open(t.TempDir()); !errors.Is(err, gitrepo.ErrNotRepository) {
		t.Errorf("Open of a plain directory = %v, want ErrNotRepository", err)
	}
	empty := gittest.New(t)
	repo := open(t, empty.Dir)
	if _, err := repo.Head(); !errors.Is(err, gitrepo.ErrNoCommits) {
		t.Errorf("Head of an empty repository = %v, want ErrNoCommits", err)
	}
	if _, err := repo.Resolve("HEAD"); !errors.Is(err, gitrepo.ErrNoCommits) {
		t.Errorf("Resolve(HEAD) of an empty repository = %v, want ErrNoCommits", err)
	}
	// Opening from a sub-directory finds the repository above.
	r := sampleRepo(t)
	sub := open(t, filepath.Join(r.Dir, "models", "resnet"))
	if sub.Root() != r.Dir {
		t.Errorf("Root() = %s, want %s", sub.Root(), r.Dir)
	}
}
