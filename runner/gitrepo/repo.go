package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Repo is a git repository opened with go-git.
type Repo struct {
	git *git.Repository
	// root is the top of the work tree; "" for a bare repository.
	root string
	// store keeps pack files open; Close releases them.
	store *packStorage
	// mu serialises reads of the object store by commit snapshots.
	mu sync.Mutex
}

// Open opens the repository whose work tree holds dir (dir or any of its
// parents has the .git). It fails with ErrNotRepository when there is none.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w", abs, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the git repository at %s: %w", abs, err)
	}
	repo := &Repo{git: r}
	var wtFS billy.Filesystem
	if wt, err := r.Worktree(); err == nil {
		repo.root, wtFS = wt.Filesystem.Root(), wt.Filesystem
	}
	// Reopen the same storage keeping the pack files open (by default
	// go-git opens and closes the pack for every object it reads, which
	// dominates reading a thousand spec files), and read packed objects
	// through the mapped packs (packs.go).
	if fsStore, ok := r.Storer.(*filesystem.Storage); ok {
		dot := fsStore.Filesystem()
		store := newPackStorage(filesystem.NewStorageWithOptions(dot, cache.NewObjectLRUDefault(), filesystem.Options{KeepDescriptors: true}), dot.Root())
		if kept, err := git.Open(store, wtFS); err == nil {
			repo.git, repo.store = kept, store
		} else {
			_ = store.Close()
		}
	}
	return repo, nil
}

// Close releases the pack files the repository keeps open.
func (r *Repo) Close() error {
	if r.store == nil {
		return nil
	}
	return r.store.Close()
}

// Git is the underlying go-git repository, for callers that write to it
// (the results branch).
func (r *Repo) Git() *git.Repository { return r.git }

// Root is the absolute path of the top of the work tree, or "" for a bare
// repository.
func (r *Repo) Root() string { return r.root }

// Shallow reports whether this is a shallow clone: some history is cut off.
func (r *Repo) Shallow() bool {
	s, err := r.git.Storer.Shallow()
	return err == nil && len(s) > 0
}

// Head returns the commit HEAD points at, or ErrNoCommits.
func (r *Repo) Head() (plumbing.Hash, error) {
	ref, err := r.git.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, ErrNoCommits
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading HEAD: %w", err)
	}
	return ref.Hash(), nil
}

// Resolve turns a revision as git rev-parse takes it (a branch, a tag, a
// remote branch such as origin/main, a full or abbreviated SHA, HEAD,
// HEAD~2, main^) into a commit id.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	if strings.TrimSpace(rev) == "" {
		return plumbing.ZeroHash, fmt.Errorf("empty revision: %w", ErrUnknownRevision)
	}
	if rev == "HEAD" || strings.HasPrefix(rev, "HEAD~") || strings.HasPrefix(rev, "HEAD^") || strings.HasPrefix(rev, "@") {
		if _, err := r.Head(); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	h, err := r.git.ResolveRevision(plumbing.Revision(r.expandName(rev)))
	if err == nil {
		// ResolveRevision peels to a commit, but a walk past a shallow
		// boundary reports success with nothing; check the commit is here.
		if _, cerr := r.git.CommitObject(*h); cerr == nil {
			return *h, nil
		}
		err = plumbing.ErrObjectNotFound
	}
	if r.Shallow() && (errors.Is(err, plumbing.ErrObjectNotFound) || strings.ContainsAny(rev, "~^") || plumbing.IsHash(rev) || looksLikeHash(rev)) {
		return plumbing.ZeroHash, fmt.Errorf("revision %q is not in this shallow clone: %w", rev, ErrShallow)
	}
	return plumbing.ZeroHash, fmt.Errorf("%q names no branch, tag or commit in this repository: %w", rev, ErrUnknownRevision)
}

// expandName replaces the name that starts rev (a branch, tag or other
// ref, before any ~ or ^) with its object id, as git rev-parse prefers a
// ref to an abbreviated SHA. go-git tries the name as an abbreviated SHA
// first, which scans every object for a name like "A" or "feed".
func (r *Repo) expandName(rev string) string {
	end := strings.IndexAny(rev, "~^:@")
	if end == 0 {
		return rev
	}
	if end < 0 {
		end = len(rev)
	}
	name, rest := rev[:end], rev[end:]
	if len(name) == 2*len(plumbing.ZeroHash) && plumbing.IsHash(name) {
		return rev
	}
	for _, rule := range plumbing.RefRevParseRules {
		ref, err := storer.ResolveReference(r.git.Storer, plumbing.ReferenceName(fmt.Sprintf(rule, name)))
		if err == nil {
			return ref.Hash().String() + rest
		}
	}
	return rev
}

func looksLikeHash(s string) bool {
	if len(s) < 4 || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// DefaultBranch finds the branch pull requests merge into: what
// origin/HEAD points at, else main, else master (local or on origin).
// It returns the name it found and its commit.
func (r *Repo) DefaultBranch() (string, plumbing.Hash, error) {
	if ref, err := r.git.Reference("refs/remotes/origin/HEAD", true); err == nil {
		return strings.TrimPrefix(ref.Name().String(), "refs/remotes/"), ref.Hash(), nil
	}
	for _, name := range []string{"refs/heads/main", "refs/remotes/origin/main", "refs/heads/master", "refs/remotes/origin/master"} {
		if ref, err := r.git.Reference(plumbing.ReferenceName(name), true); err == nil {
			return plumbing.ReferenceName(name).Short(), ref.Hash(), nil
		}
	}
	return "", plumbing.ZeroHash, ErrNoDefaultBranch
}

// MergeBase returns the best common ancestor of a and b, as git
// merge-base does. When there are several (criss-cross merges), the most
// recent one is returned, by committer time then id, so the answer is
// the same on every machine.
func (r *Repo) MergeBase(a, b plumbing.Hash) (plumbing.Hash, error) {
	ca, err := r.commit(a)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	cb, err := r.commit(b)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		if r.Shallow() || errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, fmt.Errorf("finding the merge-base of %s and %s: %w", short(a), short(b), ErrShallow)
		}
		return plumbing.ZeroHash, fmt.Errorf("finding the merge-base of %s and %s: %w", short(a), short(b), err)
	}
	if len(bases) == 0 {
		if r.Shallow() {
			return plumbing.ZeroHash, fmt.Errorf("no common ancestor of %s and %s in this shallow clone: %w", short(a), short(b), ErrShallow)
		}
		return plumbing.ZeroHash, fmt.Errorf("%s and %s have no common ancestor (unrelated histories)", short(a), short(b))
	}
	sort.Slice(bases, func(i, j int) bool {
		ti, tj := bases[i].Committer.When, bases[j].Committer.When
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return bases[i].Hash.String() < bases[j].Hash.String()
	})
	return bases[0].Hash, nil
}

func (r *Repo) commit(h plumbing.Hash) (*object.Commit, error) {
	r.mu.Lock()
	c, err := r.git.CommitObject(h)
	r.mu.Unlock()
	if err != nil {
		if r.Shallow() {
			return nil, fmt.Errorf("commit %s is not in this shallow clone: %w", short(h), ErrShallow)
		}
		return nil, fmt.Errorf("commit %s: %w", short(h), ErrUnknownRevision)
	}
	return c, nil
}

// Commit returns the snapshot of commit h's tree.
func (r *Repo) Commit(h plumbing.Hash) (Snapshot, error) {
	c, err := r.commit(h)
	if err != nil {
		return nil, err
	}
	return newCommitSnapshot(&r.mu, r.git.Storer, c)
}

// Worktree returns the snapshot of the work tree as git would commit it
// now: tracked files as they are on disk, plus untracked files that no
// ignore rule excludes.
func (r *Repo) Worktree() (Snapshot, error) {
	if r.root == "" {
		return nil, errors.New("a bare repository has no working tree; name a commit with --head")
	}
	var excludes []gitignore.Pattern
	if ps, err := readIgnoreFile(filepath.Join(r.root, ".git", "info", "exclude"), nil); err == nil {
		excludes = append(excludes, ps...)
	}
	rootFS := osfs.New("/")
	if ps, err := gitignore.LoadSystemPatterns(rootFS); err == nil {
		excludes = append(excludes, ps...)
	}
	if ps, err := gitignore.LoadGlobalPatterns(rootFS); err == nil {
		excludes = append(excludes, ps...)
	}
	readIndex := func() (*index.Index, error) {
		idx, err := r.git.Storer.Index()
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !os.IsNotExist(err) {
			return nil, fmt.Errorf("reading the git index: %w", err)
		}
		if idx == nil {
			idx = &index.Index{}
		}
		return idx, nil
	}
	return newWorktree(r.root, readIndex, excludes), nil
}
