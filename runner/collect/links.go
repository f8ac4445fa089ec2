package collect

import (
	"io/fs"
	"path/filepath"
	"syscall"
)

// fileID names a file by its device and inode.
type fileID struct{ dev, ino uint64 }

// linkIndex counts, for each file with more than one hard link, the
// names it has inside one tree.
type linkIndex map[fileID]uint64

// linkCount returns a file's number of hard links and its identity.
func linkCount(info fs.FileInfo) (uint64, fileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fileID{}, false
	}
	return uint64(st.Nlink), fileID{uint64(st.Dev), uint64(st.Ino)}, true
}

// indexLinks walks the tree at root, following no symlink, and counts the
// names of every multiply-linked regular file in it. The walk happens only
// when a file to keep has more than one link, which is rare.
func indexLinks(root string) linkIndex {
	idx := linkIndex{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if n, id, ok := linkCount(info); ok && n > 1 {
			idx[id]++
		}
		return nil
	})
	return idx
}
