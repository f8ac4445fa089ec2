package gitrepo

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// FS presents a snapshot as an fs.FS (with ReadDir, ReadFile and Stat),
// so spec.Load, file() and fileset() read a commit exactly as they read a
// directory on disk. Files report mode 0644 or 0755, submodules
// fs.ModeIrregular, and every modification time is zero. A symlink is
// listed as fs.ModeSymlink; Open, ReadFile and Stat follow it, as the
// operating system would, when its target is a file inside the snapshot
// (a link that leaves it reads as missing).
func FS(s Snapshot) fs.FS { return snapshotFS{s} }

type snapshotFS struct{ s Snapshot }

var (
	_ fs.ReadDirFS  = snapshotFS{}
	_ fs.ReadFileFS = snapshotFS{}
	_ fs.StatFS     = snapshotFS{}
)

func (f snapshotFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	target, err := f.follow("open", name)
	if err != nil {
		return nil, err
	}
	info, err := f.stat("open", target)
	if err != nil {
		return nil, err
	}
	info.name, name = path.Base(name), target
	if info.IsDir() {
		es, err := f.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dirFile{info: info, entries: es}, nil
	}
	if info.mode&fs.ModeIrregular != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errIsDir}
	}
	b, err := f.s.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &openFile{info: info, r: bytes.NewReader(b)}, nil
}

// ContentID is the git blob id of the regular file at name, when the
// snapshot knows it without reading or hashing the file (a commit does;
// the working tree does not). Symlinks have none here.
func (f snapshotFS) ContentID(name string) (string, bool) {
	if !fs.ValidPath(name) || name == "." {
		return "", false
	}
	e, err := f.s.Lookup(name)
	if err != nil || !e.IsFile() || e.ID.IsZero() {
		return "", false
	}
	return e.ID.String(), true
}

func (f snapshotFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	name, err := f.follow("readfile", name)
	if err != nil {
		return nil, err
	}
	return f.s.ReadFile(name)
}

func (f snapshotFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	target, err := f.follow("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := f.stat("stat", target)
	if err != nil {
		return nil, err
	}
	info.name = path.Base(name)
	return info, nil
}

// maxLinks bounds a chain of symlinks, as the kernel's ELOOP does.
const maxLinks = 8

// follow resolves name while it is a symlink whose target stays inside
// the snapshot.
func (f snapshotFS) follow(op, name string) (string, error) {
	for range maxLinks {
		if name == "." {
			return name, nil
		}
		e, err := f.s.Lookup(name)
		if err != nil || e.Mode != filemode.Symlink {
			return name, nil // errors surface where the caller reads
		}
		target, err := f.s.ReadFile(name)
		if err != nil {
			return "", err
		}
		t := string(target)
		next := path.Join(path.Dir(name), t)
		if path.IsAbs(t) || !fs.ValidPath(next) {
			return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		name = next
	}
	return "", &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
}

// stat describes name without hashing it: the directory listing gives
// the mode, and a file's size comes from the object header or disk.
func (f snapshotFS) stat(op, name string) (*fileInfo, error) {
	if name == "." {
		if _, err := f.s.ReadDir("."); err != nil {
			return nil, err
		}
		return &fileInfo{name: ".", mode: fs.ModeDir | 0o755}, nil
	}
	e, err := f.s.Lookup(name)
	if err != nil {
		return nil, err
	}
	info := entryInfo(e)
	if e.Mode == filemode.Regular || e.Mode == filemode.Executable || e.Mode == filemode.Symlink {
		n, err := f.s.Size(name)
		if err != nil {
			return nil, err
		}
		info.size = n
	}
	return info, nil
}

func (f snapshotFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	es, err := f.s.ReadDir(name)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(es))
	for i, e := range es {
		out[i] = dirEntry{f: f, e: e}
	}
	// fs.ReadDirFS promises entries sorted by name; git order differs
	// for directories ("a.b" < "a/" in git, "a" < "a.b" by name).
	sortByName(out)
	return out, nil
}

func sortByName(es []fs.DirEntry) {
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
}

func entryInfo(e Entry) *fileInfo {
	info := &fileInfo{name: e.Name()}
	switch e.Mode {
	case filemode.Dir:
		info.mode = fs.ModeDir | 0o755
	case filemode.Executable:
		info.mode = 0o755
	case filemode.Symlink:
		info.mode = fs.ModeSymlink | 0o777
	case filemode.Submodule:
		info.mode = fs.ModeIrregular
	default:
		info.mode = 0o644
	}
	return info
}

type dirEntry struct {
	f snapshotFS
	e Entry
}

func (d dirEntry) Name() string               { return d.e.Name() }
func (d dirEntry) IsDir() bool                { return d.e.IsDir() }
func (d dirEntry) Type() fs.FileMode          { return entryInfo(d.e).mode.Type() }
func (d dirEntry) Info() (fs.FileInfo, error) { return d.f.stat("stat", d.e.Path) }

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) Mode() fs.FileMode  { return i.mode }
func (i *fileInfo) ModTime() time.Time { return time.Time{} }
func (i *fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *fileInfo) Sys() any           { return nil }

type openFile struct {
	info *fileInfo
	r    *bytes.Reader
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *openFile) Close() error               { return nil }

type dirFile struct {
	info    *fileInfo
	entries []fs.DirEntry
	off     int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errIsDir}
}
func (d *dirFile) Close() error { return nil }

func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
