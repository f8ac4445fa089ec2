package results

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// Defaults of the push protocol.
const (
	// DefaultPushDeadline is how long a delivery keeps retrying a push
	// that other writers keep beating.
	DefaultPushDeadline = 10 * time.Minute
	// DefaultOfflineAttempts is how many times a delivery tries a remote
	// that cannot be reached before it leaves the results in the outbox.
	DefaultOfflineAttempts = 3
)

// ErrNotRepository is Open outside a git repository.
var ErrNotRepository = errors.New("results are kept on a git branch, so run `git init` first")

// Options configure a Store.
type Options struct {
	// Branch is the results branch; spec.DefaultResultsBranch when empty.
	Branch string
	// ResultsRepo, when set, is the URL (or path) of another repository
	// that holds the results branch (project { results_repo = ... }).
	ResultsRepo string
	// Getenv reads GITHUB_TOKEN, GITHUB_SERVER_URL and the committer
	// identity; os.Getenv when nil.
	Getenv func(string) string
	// PushDeadline bounds the retries of a contended push;
	// DefaultPushDeadline when zero.
	PushDeadline time.Duration
	// OfflineAttempts bounds the tries of an unreachable remote;
	// DefaultOfflineAttempts when zero.
	OfflineAttempts int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Sleep waits between retries; a context-aware sleep when nil.
	Sleep func(time.Duration)
	// ArtifactStore is the blob URL artifacts are uploaded to when runs
	// are recorded (project { artifact_store }); "" is .git/assay/blobs.
	ArtifactStore string
	// ConnectTimeout bounds the wait for a remote's first answer and
	// IdleTimeout any silence after it: when zero, ASSAY_CONNECT_TIMEOUT
	// and ASSAY_IDLE_TIMEOUT (read through Getenv) or the defaults;
	// negative for no deadline.
	ConnectTimeout, IdleTimeout time.Duration
}

// Store is the results branch of one repository: its local copy, its
// remote, its outbox and its index.
type Store struct {
	opts Options
	// codeRepo is the team's repository; repo holds the results branch
	// (the same repository, or a bare copy of results_repo).
	codeRepo *git.Repository
	repo     *git.Repository
	// worktree is the code repository's top folder ("" when bare).
	worktree string
	// stateDir is .git/assay of the code repository: spool, outbox
	// lock, and the results copy when results_repo is set.
	stateDir string
	// gitDir is the git folder of repo: the index and lock live under it.
	gitDir string

	branch     plumbing.ReferenceName
	tracking   plumbing.ReferenceName
	remoteName string
	remoteURL  string
	auth       transport.AuthMethod
	rng        *rand.Rand
	// idx is the index last read, reused while the tip stays.
	idx *Index
	// runTree is the tree Run last read a run from (see runTreeAt).
	runTree     *object.Tree
	runTreeTip  plumbing.Hash
	runTreeUses int
	// arrivals counts the commits the last fetch brought (see Sync).
	arrivals int
	// params interns params maps while an index is built.
	params map[string]map[string]any
	// recordReads counts the records decoded for the index: what the
	// index segments did not spare (tests check it).
	recordReads int
	// noSegments builds the index from the records alone (tests compare
	// the two).
	noSegments bool
	// branchPartReads counts the segments read from the branch rather
	// than from the local cache (tests check it).
	branchPartReads int
	// badParts are segments that pass their checksum but do not decode:
	// the index is made without them, as if they were damaged.
	badParts map[plumbing.Hash]bool
	// arts is the artifact store, opened at the first upload.
	arts *artifactsConn
	// connectTimeout and idleTimeout are the network deadlines (zero:
	// none); see deadline.go.
	connectTimeout, idleTimeout time.Duration
	// corrections are the remote rewrites found so far, and warnings
	// where they are written (standard error when nil).
	corrections []Correction
	warnings    io.Writer
}

// Open returns the results store of the git repository that holds dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Branch == "" {
		opts.Branch = spec.DefaultResultsBranch
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.PushDeadline == 0 {
		opts.PushDeadline = DefaultPushDeadline
	}
	if opts.OfflineAttempts == 0 {
		opts.OfflineAttempts = DefaultOfflineAttempts
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	connect, err := timeoutSetting(opts.ConnectTimeout, opts.Getenv(EnvConnectTimeout), EnvConnectTimeout, DefaultConnectTimeout)
	if err != nil {
		return nil, err
	}
	idle, err := timeoutSetting(opts.IdleTimeout, opts.Getenv(EnvIdleTimeout), EnvIdleTimeout, DefaultIdleTimeout)
	if err != nil {
		return nil, err
	}
	code, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s is not inside a git repository: %w", dir, ErrNotRepository)
		}
		return nil, fmt.Errorf("opening the git repository at %s: %w", dir, err)
	}
	codeGitDir, err := storageDir(code)
	if err != nil {
		return nil, err
	}
	s := &Store{
		opts:           opts,
		codeRepo:       code,
		repo:           code,
		gitDir:         codeGitDir,
		stateDir:       filepath.Join(codeGitDir, "assay"),
		branch:         plumbing.NewBranchReferenceName(opts.Branch),
		connectTimeout: connect,
		idleTimeout:    idle,
		rng:            rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()))),
	}
	if wt, err := code.Worktree(); err == nil {
		s.worktree = wt.Filesystem.Root()
	}
	if opts.ResultsRepo != "" {
		if err := s.openResultsRepo(); err != nil {
			return nil, err
		}
	} else if err := s.findRemote(); err != nil {
		return nil, err
	}
	if s.repo, err = withOpenPacks(s.repo); err != nil {
		return nil, err
	}
	if s.remoteName != "" {
		s.tracking = plumbing.NewRemoteReferenceName(s.remoteName, opts.Branch)
		s.auth = s.authFor(s.remoteURL)
	}
	return s, nil
}

// OpenForProject returns the store that a project's settings describe.
func OpenForProject(dir string, settings spec.Settings, getenv func(string) string) (*Store, error) {
	return Open(dir, Options{Branch: settings.ResultsBranch, ResultsRepo: settings.ResultsRepo, Getenv: getenv, ArtifactStore: settings.ArtifactStore})
}

// withOpenPacks reopens r's storage keeping pack files open between
// object reads. go-git's default opens and closes the pack for every
// object, which makes reading 100,000 records crawl. Objects over
// largeObject (index segments) are streamed from the pack rather than
// copied into a growing buffer and the object cache first.
func withOpenPacks(r *git.Repository) (*git.Repository, error) {
	fs, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return r, nil
	}
	const largeObject = 256 << 10
	st := filesystem.NewStorageWithOptions(fs.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{MaxOpenDescriptors: 16, LargeObjectThreshold: largeObject})
	ps := &packedStorage{Storage: st, packs: &packSet{fs: fs.Filesystem()}}
	// The packs there are now are those go-git will index at its first
	// read; only a later one is worth indexing again for.
	ps.listed, _ = ps.listPacks()
	return git.Open(ps, nil)
}

// Close releases the pack files the store holds open.
func (s *Store) Close() error {
	switch st := s.repo.Storer.(type) {
	case *packedStorage:
		st.packs.close()
		return st.Storage.Close()
	case *filesystem.Storage:
		return st.Close()
	}
	return nil
}

// storageDir is the folder a repository's objects and refs live in.
func storageDir(r *git.Repository) (string, error) {
	fs, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return "", fmt.Errorf("the repository is not on disk")
	}
	return fs.Filesystem().Root(), nil
}

// findRemote picks the code repository's remote for the results branch:
// origin, or the only remote there is. None means the branch stays local.
func (s *Store) findRemote() error {
	remotes, err := s.codeRepo.Remotes()
	if err != nil {
		return fmt.Errorf("reading the repository's remotes: %w", err)
	}
	var pick *git.Remote
	for _, r := range remotes {
		if r.Config().Name == "origin" {
			pick = r
		}
	}
	if pick == nil && len(remotes) == 1 {
		pick = remotes[0]
	}
	if pick == nil || len(pick.Config().URLs) == 0 {
		return nil
	}
	s.remoteName = pick.Config().Name
	s.remoteURL = s.resolveURL(pick.Config().URLs[0])
	return nil
}

// openResultsRepo opens (creating it the first time) the bare local copy of
// results_repo under .git/assay, so the code repository's objects and
// refs are never touched.
func (s *Store) openResultsRepo() error {
	dir := filepath.Join(s.stateDir, "results.git")
	r, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		r, err = git.PlainInit(dir, true)
	}
	if err != nil {
		return fmt.Errorf("opening the local copy of results_repo at %s: %w", dir, err)
	}
	s.repo = r
	s.gitDir = dir
	s.remoteName = "origin"
	s.remoteURL = s.resolveURL(s.opts.ResultsRepo)
	return nil
}

// resolveURL makes a relative path remote absolute, against the work tree
// as git does.
func (s *Store) resolveURL(u string) string {
	if strings.Contains(u, "://") || filepath.IsAbs(u) || isSCPLike(u) || s.worktree == "" {
		return u
	}
	return filepath.Join(s.worktree, u)
}

// isSCPLike recognises user@host:path, the short ssh form.
func isSCPLike(u string) bool {
	colon := strings.IndexByte(u, ':')
	slash := strings.IndexByte(u, '/')
	return colon > 0 && (slash < 0 || colon < slash)
}

// Worktree is the top folder of the code repository's work tree, "" for
// a bare repository.
func (s *Store) Worktree() string { return s.worktree }

// Branch is the results branch's full ref name.
func (s *Store) Branch() string { return s.branch.String() }

// Remote is the URL results are pushed to, or "" when the branch is kept
// only locally.
func (s *Store) Remote() string { return s.remoteURL }

// Outbox names where undelivered results wait, for messages to users.
func (s *Store) Outbox() string {
	if s.tracking == "" {
		return s.branch.Short()
	}
	return fmt.Sprintf("%s, ahead of %s", s.branch.Short(), s.tracking.Short())
}

// SpoolDir is where `assay run` keeps finished runs until they are
// recorded: .git/assay/spool of the code repository.
func (s *Store) SpoolDir() string {
	if s.worktree == "" {
		return filepath.Join(s.stateDir, "spool")
	}
	return spool.DefaultDir(s.worktree)
}

func (s *Store) now() time.Time { return s.opts.Now() }

func (s *Store) getenv(k string) string { return s.opts.Getenv(k) }

// refHash returns what ref points at, or zero when it does not exist.
func (s *Store) refHash(name plumbing.ReferenceName) (plumbing.Hash, error) {
	if name == "" {
		return plumbing.ZeroHash, nil
	}
	ref, err := s.repo.Storer.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading %s: %w", name, err)
	}
	return ref.Hash(), nil
}

// setRef moves name from old to h, failing if another process moved it
// in between.
func (s *Store) setRef(name plumbing.ReferenceName, old, h plumbing.Hash) error {
	ref := plumbing.NewHashReference(name, h)
	var oldRef *plumbing.Reference
	if !old.IsZero() {
		oldRef = plumbing.NewHashReference(name, old)
	}
	if err := s.repo.Storer.CheckAndSetReference(ref, oldRef); err != nil {
		return fmt.Errorf("updating %s: %w", name, err)
	}
	return nil
}

// Tip is the commit reads see: the local results branch, or the
// remote-tracking one when there is no local branch yet. Zero means no
// results at all.
func (s *Store) Tip() (plumbing.Hash, error) {
	h, err := s.refHash(s.branch)
	if err != nil || !h.IsZero() {
		return h, err
	}
	return s.refHash(s.tracking)
}

// treeOf returns a commit's tree, or zero for the zero commit.
func (s *Store) treeOf(commit plumbing.Hash) (plumbing.Hash, error) {
	if commit.IsZero() {
		return plumbing.ZeroHash, nil
	}
	c, err := object.GetCommit(s.repo.Storer, commit)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading commit %s: %w", commit, err)
	}
	return c.TreeHash, nil
}

// Pending counts the runs in the outbox: recorded on the local branch but
// not yet on the remote. A store with no remote has none.
func (s *Store) Pending() (int, error) {
	if s.remoteURL == "" {
		return 0, nil
	}
	local, err := s.refHash(s.branch)
	if err != nil || local.IsZero() {
		return 0, err
	}
	remote, err := s.refHash(s.tracking)
	if err != nil {
		return 0, err
	}
	if local == remote {
		return 0, nil
	}
	return s.countRecordsBetween(remote, local)
}

// Recorded implements runner.Recorded: whether key has a succeeded run on
// the results branch. The index is read once per Store, at the first
// question, so a plan of many trials costs one read; a branch that cannot
// be read counts as no history.
func (s *Store) Recorded(key string) bool {
	if s.idx == nil {
		if _, err := s.Index(); err != nil {
			return false
		}
	}
	return s.idx.Recorded(key)
}

// checkNotCheckedOut refuses to move the results branch under a work tree
// that has it checked out, which would make its files look changed.
func (s *Store) checkNotCheckedOut() error {
	if s.opts.ResultsRepo != "" || s.worktree == "" {
		return nil
	}
	head, err := s.codeRepo.Storer.Reference(plumbing.HEAD)
	if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == s.branch {
		return fmt.Errorf("%s is checked out in %s; switch to another branch (git switch main) so recording results cannot change your files", s.branch.Short(), s.worktree)
	}
	return nil
}

var _ runner.Recorded = (*Store)(nil)
