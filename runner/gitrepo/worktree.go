package gitrepo

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// worktreeSnapshot is the files on disk as git would commit them: tracked
// files, and untracked files that no ignore rule excludes. Ids are
// computed the way git computes them; a file whose size and mtime match
// its index entry reuses the index's blob id, as git status does, so an
// unchanged file is stat'ed but never read.
//
// The working tree may list a directory that holds nothing git would
// record (it is empty, or everything in it is ignored); Stat reports such
// a directory as not existing, as it would not exist in a commit.
type worktreeSnapshot struct {
	mu   sync.Mutex
	root string
	// readIndex loads the index; nil outside a repository.
	readIndex func() (*index.Index, error)
	// excludes are the repository-wide ignore patterns
	// (.git/info/exclude, core.excludesFile).
	excludes []gitignore.Pattern

	indexLoaded  bool
	tracked      map[string]*index.Entry
	trackedPaths []string // sorted, for "is anything under this directory tracked"
	indexMod     time.Time

	dirs map[string]*wtDir
	ids  map[string]Entry
}

type wtDir struct {
	entries  []Entry
	byName   map[string]int
	patterns []gitignore.Pattern
}

// Worktree returns the snapshot of the files in dir, a directory that is
// not a git repository: every file counts except those a .gitignore file
// excludes.
func Worktree(dir string) (Snapshot, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return newWorktree(abs, nil, nil), nil
}

func newWorktree(root string, readIndex func() (*index.Index, error), excludes []gitignore.Pattern) *worktreeSnapshot {
	return &worktreeSnapshot{
		root: root, readIndex: readIndex, excludes: excludes,
		dirs: map[string]*wtDir{}, ids: map[string]Entry{},
	}
}

func (s *worktreeSnapshot) String() string { return "working tree" }

func (s *worktreeSnapshot) loadIndex() error {
	if s.indexLoaded {
		return nil
	}
	s.indexLoaded = true
	s.tracked = map[string]*index.Entry{}
	if s.readIndex == nil {
		return nil
	}
	idx, err := s.readIndex()
	if err != nil {
		return err
	}
	s.indexMod = idx.ModTime
	for _, e := range idx.Entries {
		if e.Stage != index.Merged {
			// A conflicted path: its content is whatever is on disk.
			s.trackedPaths = append(s.trackedPaths, e.Name)
			continue
		}
		s.tracked[e.Name] = e
		s.trackedPaths = append(s.trackedPaths, e.Name)
	}
	sort.Strings(s.trackedPaths)
	return nil
}

// trackedUnder reports whether the index tracks anything below dir.
func (s *worktreeSnapshot) trackedUnder(dir string) bool {
	prefix := dir + "/"
	i := sort.SearchStrings(s.trackedPaths, prefix)
	return i < len(s.trackedPaths) && strings.HasPrefix(s.trackedPaths[i], prefix)
}

func (s *worktreeSnapshot) isTracked(p string) bool {
	i := sort.SearchStrings(s.trackedPaths, p)
	return i < len(s.trackedPaths) && s.trackedPaths[i] == p
}

func (s *worktreeSnapshot) abs(p string) string {
	return filepath.Join(s.root, filepath.FromSlash(p))
}

// dir lists directory p once, applying the ignore rules in force there.
func (s *worktreeSnapshot) dir(op, p string) (*wtDir, error) {
	if d := s.dirs[p]; d != nil {
		return d, nil
	}
	if err := s.loadIndex(); err != nil {
		return nil, err
	}
	var inherited []gitignore.Pattern
	if p == "." {
		inherited = s.excludes
	} else {
		parent, err := s.dir(op, path.Dir(p))
		if err != nil {
			return nil, err
		}
		i, ok := parent.byName[path.Base(p)]
		if !ok || parent.entries[i].Mode != filemode.Dir {
			return nil, notExist(op, p)
		}
		inherited = parent.patterns
	}
	des, err := os.ReadDir(s.abs(p))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notExist(op, p)
		}
		return nil, err
	}
	d := &wtDir{byName: map[string]int{}, patterns: inherited}
	var domain []string
	if p != "." {
		domain = strings.Split(p, "/")
	}
	if own, err := readIgnoreFile(s.abs(join(p, ".gitignore")), domain); err != nil {
		return nil, err
	} else if len(own) > 0 {
		d.patterns = append(append([]gitignore.Pattern(nil), inherited...), own...)
	}
	matcher := gitignore.NewMatcher(d.patterns)
	for _, de := range des {
		name := de.Name()
		if name == ".git" {
			continue
		}
		child := join(p, name)
		parts := append(append([]string(nil), domain...), name)
		var e Entry
		switch t := de.Type(); {
		case t.IsDir():
			if _, err := os.Lstat(filepath.Join(s.abs(child), ".git")); err == nil {
				// A nested repository: git records a submodule by the
				// commit in the index and skips an untracked one.
				ie := s.tracked[child]
				if ie == nil || ie.Mode != filemode.Submodule {
					continue
				}
				e = Entry{Path: child, Mode: filemode.Submodule, ID: ie.Hash}
				break
			}
			if matcher.Match(parts, true) && !s.trackedUnder(child) {
				continue
			}
			e = Entry{Path: child, Mode: filemode.Dir}
		case t.IsRegular(), t&fs.ModeSymlink != 0:
			if matcher.Match(parts, false) && !s.isTracked(child) {
				continue
			}
			e = Entry{Path: child, Mode: filemode.Regular}
			if t&fs.ModeSymlink != 0 {
				e.Mode = filemode.Symlink
			} else if info, err := de.Info(); err == nil && info.Mode()&0o111 != 0 {
				e.Mode = filemode.Executable
			}
		default:
			continue // sockets, devices: git records none of them
		}
		d.entries = append(d.entries, e)
	}
	sortGitOrder(d.entries)
	for i, e := range d.entries {
		d.byName[e.Name()] = i
	}
	s.dirs[p] = d
	return d, nil
}

// readIgnoreFile parses one .gitignore file; a missing file has no
// patterns.
func readIgnoreFile(file string, domain []string) ([]gitignore.Pattern, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	return ps, sc.Err()
}

func (s *worktreeSnapshot) readdirLocked(p string) ([]Entry, error) {
	if err := checkPath("readdir", p); err != nil {
		return nil, err
	}
	d, err := s.dir("readdir", p)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(d.entries))
	for i, e := range d.entries {
		if known, ok := s.ids[e.Path]; ok {
			e = known
		}
		out[i] = e
	}
	return out, nil
}

// lookup finds p in its directory's listing, so ignored and missing
// paths are refused alike.
func (s *worktreeSnapshot) lookup(op, p string) (Entry, error) {
	if p == "." {
		if _, err := s.dir(op, "."); err != nil {
			return Entry{}, err
		}
		return Entry{Path: ".", Mode: filemode.Dir}, nil
	}
	d, err := s.dir(op, path.Dir(p))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Entry{}, notExist(op, p)
		}
		return Entry{}, err
	}
	i, ok := d.byName[path.Base(p)]
	if !ok {
		return Entry{}, notExist(op, p)
	}
	return d.entries[i], nil
}

func (s *worktreeSnapshot) statLocked(p string) (Entry, error) {
	if err := checkPath("stat", p); err != nil {
		return Entry{}, err
	}
	if e, ok := s.ids[p]; ok {
		if e.ID.IsZero() {
			return Entry{}, notExist("stat", p)
		}
		return e, nil
	}
	e, err := s.lookup("stat", p)
	if err != nil {
		return Entry{}, err
	}
	switch e.Mode {
	case filemode.Submodule:
	case filemode.Dir:
		e.ID, err = s.treeID(p)
	default:
		e.ID, err = s.blobID(e)
	}
	if err != nil {
		return Entry{}, err
	}
	s.ids[p] = e
	if e.ID.IsZero() {
		return Entry{}, notExist("stat", p)
	}
	return e, nil
}

// treeID hashes directory p as git write-tree would; zero when nothing in
// it would be recorded.
func (s *worktreeSnapshot) treeID(p string) (plumbing.Hash, error) {
	d, err := s.dir("stat", p)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	children := make([]Entry, 0, len(d.entries))
	for _, c := range d.entries {
		ce, err := s.statLocked(c.Path)
		if errors.Is(err, fs.ErrNotExist) && c.Mode == filemode.Dir {
			continue
		}
		if err != nil {
			return plumbing.ZeroHash, err
		}
		children = append(children, ce)
	}
	if len(children) == 0 {
		return plumbing.ZeroHash, nil
	}
	return HashTree(children), nil
}

// blobID returns the blob id of a file or symlink, from the index when
// the file is unchanged since it was staged.
func (s *worktreeSnapshot) blobID(e Entry) (plumbing.Hash, error) {
	full := s.abs(e.Path)
	info, err := os.Lstat(full)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if ie := s.tracked[e.Path]; ie != nil && s.statClean(ie, info) {
		return ie.Hash, nil
	}
	if e.Mode == filemode.Symlink {
		target, err := os.Readlink(full)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return HashBlob([]byte(filepath.ToSlash(target))), nil
	}
	f, err := os.Open(full)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer f.Close()
	return HashBlobReader(f, info.Size())
}

// statClean is git's stat check: same size and mtime as when staged, and
// staged after the file was last written (otherwise a write within the
// same clock tick could go unnoticed: git's "racy" case).
func (s *worktreeSnapshot) statClean(ie *index.Entry, info fs.FileInfo) bool {
	if int64(ie.Size) != info.Size()&0xffffffff || !ie.ModifiedAt.Equal(info.ModTime()) || !info.ModTime().Before(s.indexMod) {
		return false
	}
	// git also trusts the inode change time (core.trustctime): a rewrite
	// that restores the mtime still moves it.
	if ctime, ok := changeTime(info); ok && !ie.CreatedAt.IsZero() {
		return ie.CreatedAt.Equal(ctime)
	}
	return true
}

func (s *worktreeSnapshot) readfileLocked(p string) ([]byte, error) {
	if err := checkPath("read", p); err != nil {
		return nil, err
	}
	e, err := s.lookup("read", p)
	if err != nil {
		return nil, err
	}
	switch e.Mode {
	case filemode.Dir, filemode.Submodule:
		return nil, &fs.PathError{Op: "read", Path: p, Err: errIsDir}
	case filemode.Symlink:
		target, err := os.Readlink(s.abs(p))
		return []byte(filepath.ToSlash(target)), err
	}
	return os.ReadFile(s.abs(p))
}

func (s *worktreeSnapshot) sizeLocked(p string) (int64, error) {
	if err := checkPath("stat", p); err != nil {
		return 0, err
	}
	e, err := s.lookup("stat", p)
	if err != nil {
		return 0, err
	}
	if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
		return 0, &fs.PathError{Op: "stat", Path: p, Err: errIsDir}
	}
	info, err := os.Lstat(s.abs(p))
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

func (s *worktreeSnapshot) Stat(p string) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statLocked(p)
}

func (s *worktreeSnapshot) Lookup(p string) (Entry, error) {
	if err := checkPath("lstat", p); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.ids[p]; ok && !e.ID.IsZero() {
		return e, nil
	}
	return s.lookup("lstat", p)
}

func (s *worktreeSnapshot) ReadDir(p string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readdirLocked(p)
}

func (s *worktreeSnapshot) ReadFile(p string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readfileLocked(p)
}

func (s *worktreeSnapshot) Size(p string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sizeLocked(p)
}
