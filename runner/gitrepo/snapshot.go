package gitrepo

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Entry is one path of a snapshot: a file, a symlink, a directory or a
// submodule, with its git mode and object id.
type Entry struct {
	// Path is slash-separated and relative to the snapshot's root; the
	// root itself is ".".
	Path string
	// Mode is one of filemode.Regular, Executable, Symlink, Dir or
	// Submodule, as a git tree records it.
	Mode filemode.FileMode
	// ID is the blob id of a file or symlink, the tree id of a directory
	// and the commit id of a submodule. ReadDir may leave it zero where
	// knowing it costs work (see Snapshot).
	ID plumbing.Hash
}

// Name is the last element of the entry's path.
func (e Entry) Name() string { return path.Base(e.Path) }

// IsDir reports whether the entry is a directory (a git tree).
func (e Entry) IsDir() bool { return e.Mode == filemode.Dir }

// IsFile reports whether the entry is a regular or executable file.
func (e Entry) IsFile() bool { return e.Mode == filemode.Regular || e.Mode == filemode.Executable }

// Snapshot is the content of a repository on one side of a comparison: a
// commit's tree or the working tree. Paths are slash-separated, relative
// to the snapshot's root, and valid in the sense of fs.ValidPath. Missing
// paths give errors that satisfy errors.Is(err, fs.ErrNotExist).
//
// A Snapshot is safe for concurrent use; the snapshots of one Repo read
// its object store one at a time.
type Snapshot interface {
	// Stat returns the entry at p with its object id. A directory's id
	// is its tree id: a hash of everything below it. A directory with
	// nothing git would record in it does not exist.
	Stat(p string) (Entry, error)
	// Lookup returns the entry at p as ReadDir would list it: its ID may
	// be zero where knowing it costs work. It is the cheap way to ask
	// whether p exists and what it is.
	Lookup(p string) (Entry, error)
	// ReadDir returns the entries directly inside the directory p, in git
	// order. Their IDs are set where the snapshot already knows them (a
	// commit always does); call Stat for an id ReadDir left zero.
	ReadDir(p string) ([]Entry, error)
	// ReadFile returns the content of the file or symlink at p (a
	// symlink's content is its target, as git stores it).
	ReadFile(p string) ([]byte, error)
	// Size returns the size in bytes of the file or symlink at p.
	Size(p string) (int64, error)
	// String names the snapshot for people, such as "commit 1a2b3c4d5e6f"
	// or "working tree".
	String() string
}

// notExist is the error for a path a snapshot does not have.
func notExist(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
}

func checkPath(op, p string) error {
	if !fs.ValidPath(p) {
		return &fs.PathError{Op: op, Path: p, Err: fs.ErrInvalid}
	}
	return nil
}

// Sub returns the part of s below the directory dir, as a Snapshot rooted
// there: a project that lives in a sub-directory of its repository.
func Sub(s Snapshot, dir string) (Snapshot, error) {
	if err := checkPath("sub", dir); err != nil {
		return nil, err
	}
	if dir == "." {
		return s, nil
	}
	return &subSnapshot{s: s, dir: dir}, nil
}

type subSnapshot struct {
	s   Snapshot
	dir string
}

func (s *subSnapshot) full(p string) string {
	if p == "." {
		return s.dir
	}
	return s.dir + "/" + p
}

func (s *subSnapshot) rel(e Entry) Entry {
	if e.Path == s.dir {
		e.Path = "."
	} else {
		e.Path = strings.TrimPrefix(e.Path, s.dir+"/")
	}
	return e
}

func (s *subSnapshot) Stat(p string) (Entry, error) {
	if err := checkPath("stat", p); err != nil {
		return Entry{}, err
	}
	e, err := s.s.Stat(s.full(p))
	if err != nil {
		return Entry{}, s.relErr(err)
	}
	return s.rel(e), nil
}

func (s *subSnapshot) Lookup(p string) (Entry, error) {
	if err := checkPath("lstat", p); err != nil {
		return Entry{}, err
	}
	e, err := s.s.Lookup(s.full(p))
	if err != nil {
		return Entry{}, s.relErr(err)
	}
	return s.rel(e), nil
}

func (s *subSnapshot) ReadDir(p string) ([]Entry, error) {
	if err := checkPath("readdir", p); err != nil {
		return nil, err
	}
	es, err := s.s.ReadDir(s.full(p))
	if err != nil {
		return nil, s.relErr(err)
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = s.rel(e)
	}
	return out, nil
}

func (s *subSnapshot) ReadFile(p string) ([]byte, error) {
	if err := checkPath("read", p); err != nil {
		return nil, err
	}
	b, err := s.s.ReadFile(s.full(p))
	return b, s.relErr(err)
}

func (s *subSnapshot) Size(p string) (int64, error) {
	if err := checkPath("stat", p); err != nil {
		return 0, err
	}
	n, err := s.s.Size(s.full(p))
	return n, s.relErr(err)
}

func (s *subSnapshot) String() string { return fmt.Sprintf("%s (%s/)", s.s, s.dir) }

// relErr rewrites the path in a PathError so it reads relative to the
// sub-snapshot, as its caller named it.
func (s *subSnapshot) relErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		p := strings.TrimPrefix(pe.Path, s.dir+"/")
		if pe.Path == s.dir {
			p = "."
		}
		return &fs.PathError{Op: pe.Op, Path: p, Err: pe.Err}
	}
	return err
}
