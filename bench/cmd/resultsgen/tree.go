package main

import (
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// tree is a folder of the branch being written, kept in memory between
// commits with where each entry sat in its last written version, so the
// next version is stored as a delta of it (copy the entries that stayed,
// insert the new ones) without searching for one, as git fast-import and
// a push's thin pack store a tree that grows.
type tree struct {
	entries []treeEntry
	dirty   bool
	hash    plumbing.Hash
	// last is the last written version in the pack (off < 0: none), and
	// size its length.
	last stored
	size int
}

type treeEntry struct {
	name string
	sub  *tree // a folder's tree; nil for a file
	hash plumbing.Hash
	// at is the entry's offset in the tree's last written version; -1
	// when it is new or changed since.
	at int
}

func newTree() *tree { return &tree{last: stored{off: -1}} }

// gitLess is git's order of tree entries: by name, a folder's name
// compared as if it ended in "/".
func gitLess(a string, aDir bool, b string, bDir bool) bool {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c < 0
	}
	ca, cb := nameEnd(a, n, aDir), nameEnd(b, n, bDir)
	return ca < cb
}

func nameEnd(s string, n int, dir bool) int {
	switch {
	case n < len(s):
		return int(s[n])
	case dir:
		return '/'
	}
	return 0
}

// find returns where name (a folder when dir) is or would go.
func (t *tree) find(name string, dir bool) (int, bool) {
	i, _ := slices.BinarySearchFunc(t.entries, name, func(e treeEntry, name string) int {
		switch {
		case e.name == name:
			return 0
		case gitLess(e.name, e.sub != nil, name, dir):
			return -1
		}
		return 1
	})
	return i, i < len(t.entries) && t.entries[i].name == name
}

// set puts the blob h at path p, making the folders on the way.
func (t *tree) set(p string, h plumbing.Hash) {
	t.dirty = true
	name, rest, isDir := strings.Cut(p, "/")
	i, ok := t.find(name, isDir)
	if !ok {
		e := treeEntry{name: name, at: -1}
		if isDir {
			e.sub = newTree()
		}
		t.entries = slices.Insert(t.entries, i, e)
	}
	e := &t.entries[i]
	if isDir {
		e.sub.set(rest, h)
		return
	}
	e.hash, e.at = h, -1
}

// remove deletes the file at path p (a folder left empty stays until
// written, where it is dropped, as git drops empty trees).
func (t *tree) remove(p string) {
	name, rest, isDir := strings.Cut(p, "/")
	i, ok := t.find(name, isDir)
	if !ok {
		return
	}
	t.dirty = true
	if isDir {
		t.entries[i].sub.remove(rest)
		return
	}
	t.entries = slices.Delete(t.entries, i, i+1)
}
