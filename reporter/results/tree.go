package results

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// entryAdd is one file to add to a tree: its path and the blob that holds
// its content, already in the object store. Replace lets it overwrite a
// file already at that path; only report files (see Replaceable) may.
// Remove deletes the file instead; only index segments compacted into a
// new one are ever removed (see segment.go).
type entryAdd struct {
	Path    string
	Blob    plumbing.Hash
	Replace bool
	Remove  bool
}

// writeBlob stores data as a blob and returns its hash.
func writeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// writeFiles stores each file's content as a blob.
func writeFiles(s storer.EncodedObjectStorer, files []File) ([]entryAdd, error) {
	adds := make([]entryAdd, 0, len(files))
	for _, f := range files {
		h, err := writeBlob(s, f.Data)
		if err != nil {
			return nil, fmt.Errorf("storing %s: %w", f.Path, err)
		}
		adds = append(adds, entryAdd{Path: f.Path, Blob: h})
	}
	return adds, nil
}

// treeNode gathers the additions under one folder.
type treeNode struct {
	files map[string]fileAdd
	dirs  map[string]*treeNode
}

type fileAdd struct {
	blob    plumbing.Hash
	replace bool
	remove  bool
}

func newTreeNode() *treeNode {
	return &treeNode{files: map[string]fileAdd{}, dirs: map[string]*treeNode{}}
}

// addToTree returns the tree that is base (zero for none) with adds, writing
// the new trees into s. A path that base already has is left as it is:
// files on the results branch are never rewritten, so adding a record that
// is already there changes nothing. The exception is an add marked Replace
// (a report file), which overwrites other content. added lists the paths
// that were written.
func addToTree(s storer.EncodedObjectStorer, base plumbing.Hash, adds []entryAdd) (tree plumbing.Hash, added []string, err error) {
	root := newTreeNode()
	for _, a := range adds {
		parts := strings.Split(a.Path, "/")
		n := root
		for _, dir := range parts[:len(parts)-1] {
			c := n.dirs[dir]
			if c == nil {
				c = newTreeNode()
				n.dirs[dir] = c
			}
			n = c
		}
		n.files[parts[len(parts)-1]] = fileAdd{blob: a.Blob, replace: a.Replace, remove: a.Remove}
	}
	return writeTreeNode(s, base, root, "")
}

func writeTreeNode(s storer.EncodedObjectStorer, base plumbing.Hash, n *treeNode, prefix string) (plumbing.Hash, []string, error) {
	entries := map[string]object.TreeEntry{}
	if !base.IsZero() {
		t, err := object.GetTree(s, base)
		if err != nil {
			return plumbing.ZeroHash, nil, fmt.Errorf("reading tree %s: %w", prefix, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	var added []string
	for name, fa := range n.files {
		if fa.remove {
			if old, ok := entries[name]; ok && old.Mode != filemode.Dir {
				delete(entries, name)
				added = append(added, prefix+name)
			}
			continue
		}
		if old, ok := entries[name]; ok {
			if old.Mode == filemode.Dir {
				return plumbing.ZeroHash, nil, fmt.Errorf("%s%s is a folder on the results branch, not a file", prefix, name)
			}
			if !fa.replace || old.Hash == fa.blob {
				continue
			}
		}
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: fa.blob}
		added = append(added, prefix+name)
	}
	for name, child := range n.dirs {
		var childBase plumbing.Hash
		if old, ok := entries[name]; ok {
			if old.Mode != filemode.Dir {
				return plumbing.ZeroHash, nil, fmt.Errorf("%s%s is a file on the results branch, not a folder", prefix, name)
			}
			childBase = old.Hash
		}
		h, a, err := writeTreeNode(s, childBase, child, prefix+name+"/")
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		if h != childBase {
			entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
		added = append(added, a...)
	}
	if len(added) == 0 && !base.IsZero() {
		return base, nil, nil
	}
	t := &object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, e := range entries {
		t.Entries = append(t.Entries, e)
	}
	// Git orders a tree's entries by name, comparing a folder's name as
	// if it ended in "/".
	sort.Slice(t.Entries, func(i, j int) bool { return gitSortName(t.Entries[i]) < gitSortName(t.Entries[j]) })
	obj := s.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	h, err := s.SetEncodedObject(obj)
	return h, added, err
}

func gitSortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// newObjects lists the objects of tree that parent (zero for none) lacks:
// tree itself, the folders along changed paths and the changed blobs. It
// is what a push must send when the remote has parent: unchanged folders
// are shared and skipped without being read.
func newObjects(s storer.EncodedObjectStorer, parent, tree plumbing.Hash, out map[plumbing.Hash]bool) error {
	if parent == tree || out[tree] {
		return nil
	}
	out[tree] = true
	t, err := object.GetTree(s, tree)
	if err != nil {
		return err
	}
	old := map[string]plumbing.Hash{}
	if !parent.IsZero() {
		p, err := object.GetTree(s, parent)
		if err != nil {
			return err
		}
		for _, e := range p.Entries {
			old[e.Name] = e.Hash
		}
	}
	for _, e := range t.Entries {
		prev := old[e.Name]
		if prev == e.Hash {
			continue
		}
		switch e.Mode {
		case filemode.Dir:
			if err := newObjects(s, prev, e.Hash, out); err != nil {
				return err
			}
		case filemode.Submodule:
			// A gitlink names a commit in another repository: nothing to send.
		default:
			out[e.Hash] = true
		}
	}
	return nil
}

// insertedFiles lists the files that tree has and parent (zero for none)
// does not, with their blobs: what a commit added.
func insertedFiles(s storer.EncodedObjectStorer, parent, tree plumbing.Hash) ([]entryAdd, error) {
	added, _, err := diffFiles(s, parent, tree)
	return added, err
}

// diffFiles compares two trees (zero for an empty one): added are the files
// b has that a lacks or holds with other content, removed those a has that
// b lacks or holds with other content. Only folders whose hashes differ
// are read, and each such folder once, so the cost follows the size of the
// change, not of the trees.
func diffFiles(s storer.EncodedObjectStorer, a, b plumbing.Hash) (added, removed []entryAdd, err error) {
	var walk func(a, b plumbing.Hash, prefix string) error
	entries := func(h plumbing.Hash) (map[string]object.TreeEntry, []string, error) {
		if h.IsZero() {
			return nil, nil, nil
		}
		t, err := object.GetTree(s, h)
		if err != nil {
			return nil, nil, err
		}
		m := make(map[string]object.TreeEntry, len(t.Entries))
		names := make([]string, len(t.Entries))
		for i, e := range t.Entries {
			m[e.Name] = e
			names[i] = e.Name
		}
		return m, names, nil
	}
	side := func(h plumbing.Hash, prefix string, out *[]entryAdd) error {
		return walkFiles(s, h, prefix, out)
	}
	walk = func(a, b plumbing.Hash, prefix string) error {
		if a == b {
			return nil
		}
		am, anames, err := entries(a)
		if err != nil {
			return err
		}
		bm, bnames, err := entries(b)
		if err != nil {
			return err
		}
		for _, n := range bnames {
			be := bm[n]
			ae, had := am[n]
			if had && ae.Hash == be.Hash && ae.Mode == be.Mode {
				continue
			}
			aDir, bDir := had && ae.Mode == filemode.Dir, be.Mode == filemode.Dir
			switch {
			case aDir && bDir:
				if err := walk(ae.Hash, be.Hash, prefix+n+"/"); err != nil {
					return err
				}
				continue
			case bDir:
				if err := side(be.Hash, prefix+n+"/", &added); err != nil {
					return err
				}
			case be.Mode != filemode.Submodule:
				added = append(added, entryAdd{Path: prefix + n, Blob: be.Hash})
			}
			if had {
				if aDir {
					if err := side(ae.Hash, prefix+n+"/", &removed); err != nil {
						return err
					}
				} else if ae.Mode != filemode.Submodule {
					removed = append(removed, entryAdd{Path: prefix + n, Blob: ae.Hash})
				}
			}
		}
		for _, n := range anames {
			if _, kept := bm[n]; kept {
				continue
			}
			ae := am[n]
			if ae.Mode == filemode.Dir {
				if err := side(ae.Hash, prefix+n+"/", &removed); err != nil {
					return err
				}
			} else if ae.Mode != filemode.Submodule {
				removed = append(removed, entryAdd{Path: prefix + n, Blob: ae.Hash})
			}
		}
		return nil
	}
	err = walk(a, b, "")
	return added, removed, err
}

// walkFiles lists every file under tree h.
func walkFiles(s storer.EncodedObjectStorer, h plumbing.Hash, prefix string, out *[]entryAdd) error {
	t, err := object.GetTree(s, h)
	if err != nil {
		return err
	}
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Dir:
			if err := walkFiles(s, e.Hash, prefix+e.Name+"/", out); err != nil {
				return err
			}
		case filemode.Submodule:
		default:
			*out = append(*out, entryAdd{Path: prefix + e.Name, Blob: e.Hash})
		}
	}
	return nil
}

// hasPath reports whether tree (zero for none) holds a file at p.
// blobAt returns the blob at path p of tree, if there is a file there.
func blobAt(s storer.EncodedObjectStorer, tree plumbing.Hash, p string) (plumbing.Hash, bool, error) {
	if tree.IsZero() {
		return plumbing.ZeroHash, false, nil
	}
	t, err := object.GetTree(s, tree)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	e, err := t.FindEntry(p)
	if err != nil {
		if err == object.ErrEntryNotFound || err == object.ErrDirectoryNotFound {
			return plumbing.ZeroHash, false, nil
		}
		return plumbing.ZeroHash, false, err
	}
	return e.Hash, e.Mode != filemode.Dir, nil
}

func hasPath(s storer.EncodedObjectStorer, tree plumbing.Hash, p string) (bool, error) {
	if tree.IsZero() {
		return false, nil
	}
	t, err := object.GetTree(s, tree)
	if err != nil {
		return false, err
	}
	_, err = t.FindEntry(p)
	if err == object.ErrEntryNotFound || err == object.ErrDirectoryNotFound {
		return false, nil
	}
	return err == nil, err
}

// readBlob returns a blob's content.
func readBlob(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	obj, err := s.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	if po, ok := obj.(*packedObject); ok {
		return po.data, nil // read whole already, and not kept elsewhere
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// The size is known: one allocation, not a doubling buffer (index
	// segments are megabytes).
	buf := make([]byte, obj.Size())
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}
