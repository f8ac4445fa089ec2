package gitrepo

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// commitSnapshot reads a commit's tree straight from the object store.
// Only the trees on the paths asked about are decoded, so the cost
// follows what is looked at, not the size of the repository.
type commitSnapshot struct {
	// mu is the repository's: go-git's object storage reads packs through
	// shared file handles, so one reader at a time.
	mu     *sync.Mutex
	store  storer.EncodedObjectStorer
	commit plumbing.Hash
	// trees caches decoded trees by directory path.
	trees map[string]*object.Tree
	// names indexes each cached tree's entries by name.
	names map[*object.Tree]map[string]int
	// last is the blob read last.
	last plumbing.EncodedObject
}

func newCommitSnapshot(mu *sync.Mutex, store storer.EncodedObjectStorer, c *object.Commit) (*commitSnapshot, error) {
	root, err := object.GetTree(store, c.TreeHash)
	if err != nil {
		return nil, fmt.Errorf("reading the tree of commit %s: %w", short(c.Hash), err)
	}
	return &commitSnapshot{mu: mu, store: store, commit: c.Hash, trees: map[string]*object.Tree{".": root}, names: map[*object.Tree]map[string]int{}}, nil
}

func (s *commitSnapshot) String() string { return "commit " + short(s.commit) }

// tree returns the decoded tree of directory dir.
func (s *commitSnapshot) tree(op, dir string) (*object.Tree, error) {
	if t := s.trees[dir]; t != nil {
		return t, nil
	}
	parent, err := s.tree(op, path.Dir(dir))
	if err != nil {
		return nil, err
	}
	e, ok := s.findEntry(parent, path.Base(dir))
	if !ok || e.Mode != filemode.Dir {
		return nil, notExist(op, dir)
	}
	t, err := object.GetTree(s.store, e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: dir, Err: err}
	}
	s.trees[dir] = t
	return t, nil
}

// findEntry finds name among a tree's entries. Git order is not plain
// string order (a directory sorts as if its name ended in "/"), so the
// entries are indexed by name once per tree instead of searched.
func (s *commitSnapshot) findEntry(t *object.Tree, name string) (object.TreeEntry, bool) {
	m := s.names[t]
	if m == nil {
		m = make(map[string]int, len(t.Entries))
		for i, e := range t.Entries {
			m[e.Name] = i
		}
		s.names[t] = m
	}
	i, ok := m[name]
	if !ok {
		return object.TreeEntry{}, false
	}
	return t.Entries[i], true
}

func (s *commitSnapshot) statLocked(p string) (Entry, error) {
	if err := checkPath("stat", p); err != nil {
		return Entry{}, err
	}
	if p == "." {
		return Entry{Path: ".", Mode: filemode.Dir, ID: s.trees["."].Hash}, nil
	}
	parent, err := s.tree("stat", path.Dir(p))
	if err != nil {
		return Entry{}, err
	}
	e, ok := s.findEntry(parent, path.Base(p))
	if !ok {
		return Entry{}, notExist("stat", p)
	}
	return Entry{Path: p, Mode: e.Mode, ID: e.Hash}, nil
}

func (s *commitSnapshot) readdirLocked(p string) ([]Entry, error) {
	if err := checkPath("readdir", p); err != nil {
		return nil, err
	}
	t, err := s.tree("readdir", p)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(t.Entries))
	for i, e := range t.Entries {
		out[i] = Entry{Path: join(p, e.Name), Mode: e.Mode, ID: e.Hash}
	}
	return out, nil
}

func (s *commitSnapshot) blob(op, p string) (plumbing.EncodedObject, error) {
	e, err := s.statLocked(p)
	if err != nil {
		return nil, err
	}
	if e.Mode == filemode.Dir || e.Mode == filemode.Submodule {
		return nil, &fs.PathError{Op: op, Path: p, Err: errIsDir}
	}
	// Readers ask a file's size, then read it: keep the last object.
	if s.last != nil && s.last.Hash() == e.ID {
		return s.last, nil
	}
	obj, err := s.store.EncodedObject(plumbing.BlobObject, e.ID)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: p, Err: err}
	}
	s.last = obj
	return obj, nil
}

func (s *commitSnapshot) readfileLocked(p string) ([]byte, error) {
	obj, err := s.blob("read", p)
	if err != nil {
		return nil, err
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	defer r.Close()
	b := make([]byte, 0, obj.Size())
	buf := bytesWriter{b: b}
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	return buf.b, nil
}

func (s *commitSnapshot) sizeLocked(p string) (int64, error) {
	obj, err := s.blob("stat", p)
	if err != nil {
		return 0, err
	}
	return obj.Size(), nil
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func join(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

func short(h plumbing.Hash) string { return h.String()[:12] }

func (s *commitSnapshot) Stat(p string) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statLocked(p)
}

// Lookup is Stat: a commit knows every id already.
func (s *commitSnapshot) Lookup(p string) (Entry, error) { return s.Stat(p) }

func (s *commitSnapshot) ReadDir(p string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readdirLocked(p)
}

func (s *commitSnapshot) ReadFile(p string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readfileLocked(p)
}

func (s *commitSnapshot) Size(p string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sizeLocked(p)
}
