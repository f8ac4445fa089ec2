package gitrepo

import (
	"bytes"
	"io"
	"sort"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// HashBlob returns the git blob id of content, as git hash-object does.
func HashBlob(content []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, content)
}

// HashBlobReader returns the git blob id of the size bytes read from r.
func HashBlobReader(r io.Reader, size int64) (plumbing.Hash, error) {
	h := plumbing.NewHasher(plumbing.BlobObject, size)
	n, err := io.Copy(h, r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if n != size {
		return plumbing.ZeroHash, io.ErrUnexpectedEOF
	}
	return h.Sum(), nil
}

// HashTree returns the git tree id of a directory holding entries, as git
// write-tree computes it. Only each entry's base name, mode and id are
// used; the order of entries does not matter.
func HashTree(entries []Entry) plumbing.Hash {
	sorted := make([]Entry, len(entries))
	copy(sorted, entries)
	sortGitOrder(sorted)
	var buf bytes.Buffer
	for _, e := range sorted {
		buf.WriteString(strconv.FormatUint(uint64(e.Mode), 8))
		buf.WriteByte(' ')
		buf.WriteString(e.Name())
		buf.WriteByte(0)
		buf.Write(e.ID[:])
	}
	return plumbing.ComputeHash(plumbing.TreeObject, buf.Bytes())
}

// sortGitOrder sorts entries as git orders a tree: by name, with a
// directory's name compared as if it ended in "/".
func sortGitOrder(entries []Entry) {
	sort.Slice(entries, func(i, j int) bool {
		return gitLess(entries[i].Name(), entries[i].Mode == filemode.Dir, entries[j].Name(), entries[j].Mode == filemode.Dir)
	})
}

func gitLess(a string, aDir bool, b string, bDir bool) bool {
	if aDir {
		a += "/"
	}
	if bDir {
		b += "/"
	}
	return a < b
}
