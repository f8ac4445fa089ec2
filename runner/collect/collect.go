package collect

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/assaylab/assay/runner"
)

// MaxFiles bounds the files one run keeps: a record lists each, and every
// clone of the repository fetches records. A trial that writes more
// should pack them into an archive.
const MaxFiles = 1000

// Finish fills run's artifacts after a trial: it keeps the files job's
// artifacts globs match in workdir by copying them into dir (the run's
// ASSAY_ARTIFACTS_DIR), hashes everything dir then holds into the
// manifest, hashes the full log, and copies the job's input lineage into
// the record. Problems become warnings on the record: a trial's result is
// never lost because a file could not be kept. workdir "" skips the globs
// (the trial never got one).
func Finish(run *runner.Run, job *runner.Job, workdir, dir string) {
	res := run.Result
	var globs []string
	if job != nil {
		globs = job.Artifacts
		res.InputArtifacts = job.InputArtifacts
	}
	if workdir == "" {
		globs = nil
	}
	files, warns := Artifacts(workdir, globs, dir)
	res.Manifest = files
	res.Artifacts = nil
	for _, f := range files {
		res.Artifacts = append(res.Artifacts, f.Path)
	}
	res.Warnings = append(res.Warnings, warns...)
	if len(files) > 0 {
		run.ArtifactsDir = dir
	}
	if run.LogPath != "" {
		if f, err := HashFile(run.LogPath, "log"); err == nil {
			res.FullLog = &f
		} else if !errors.Is(err, fs.ErrNotExist) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("log: cannot be read for the artifact store: %v", err))
		}
	}
}

// Artifacts copies the files that globs (relative to workdir) match into
// dir, leaving alone any file the trial already wrote there, and returns
// the manifest of everything dir then holds, sorted by path, with a
// warning for each thing that could not be kept. URLs are left empty: the
// artifact store fills them when the run is recorded.
func Artifacts(workdir string, globs []string, dir string) ([]runner.ArtifactFile, []string) {
	c := &collector{dir: dir, hashed: map[string]runner.ArtifactFile{}, links: map[string]linkIndex{}}
	if len(globs) > 0 {
		c.keepGlobs(workdir, globs)
	}
	c.walkDir()
	return c.manifest(), c.warnings
}

// Kept returns the manifest of the files assay has already kept in dir
// (a run spooled without one, by an assay before manifests): the spool
// hard-links a run's files from where the trial left them, so other names
// of a file are assay's own, not a way out of the artifacts directory.
func Kept(dir string) ([]runner.ArtifactFile, []string) {
	c := &collector{dir: dir, ownLinks: true, hashed: map[string]runner.ArtifactFile{}, links: map[string]linkIndex{}}
	c.walkDir()
	return c.manifest(), c.warnings
}

// manifest lists what was hashed, sorted by path, at most MaxFiles.
func (c *collector) manifest() []runner.ArtifactFile {
	out := make([]runner.ArtifactFile, 0, len(c.hashed))
	for _, f := range c.hashed {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if len(out) > MaxFiles {
		c.warnings = append(c.warnings, fmt.Sprintf("artifacts: the run kept %d files; only the first %d (by path) are listed and stored: pack the rest into an archive", len(out), MaxFiles))
		out = out[:MaxFiles]
	}
	return out
}

type collector struct {
	dir string
	// ownLinks: the files in dir are linked by assay itself (a spool
	// entry's artifacts), so their other names are not the trial's.
	ownLinks bool
	hashed   map[string]runner.ArtifactFile
	warnings []string
	// links index the hard links inside a tree, by the tree's root.
	links map[string]linkIndex
}

func (c *collector) warn(format string, args ...any) {
	c.warnings = append(c.warnings, "artifacts: "+fmt.Sprintf(format, args...))
}

// keepGlobs copies each match of globs in workdir into dir.
func (c *collector) keepGlobs(workdir string, globs []string) {
	root, err := os.OpenRoot(workdir)
	if err != nil {
		c.warn("the workdir %s cannot be read, so no artifacts glob was collected: %v", workdir, err)
		return
	}
	defer root.Close()
	fsys := os.DirFS(workdir)
	var problems []string
	for _, g := range globs {
		if msg := escapingGlob(g); msg != "" {
			c.warn("glob %q %s; artifacts globs are relative to the workdir, so it was not collected", g, msg)
			continue
		}
		matches, err := doublestar.Glob(fsys, strings.TrimPrefix(path.Clean(g), "./"), doublestar.WithFilesOnly(), doublestar.WithNoFollow())
		if err != nil {
			problems = append(problems, fmt.Sprintf("%q: %v", g, err))
			continue
		}
		for _, m := range matches {
			if _, done := c.hashed[m]; done {
				continue
			}
			dst := filepath.Join(c.dir, filepath.FromSlash(m))
			if _, err := os.Lstat(dst); err == nil {
				continue // the trial wrote it itself; walkDir hashes it
			}
			f, err := c.copyIn(root, workdir, m, dst)
			var refused refusal
			switch {
			case err == nil:
			case errors.As(err, &refused):
				c.warn("%s", refused)
				continue
			case escapeMessage(workdir, m, err) != "":
				c.warn("%s", escapeMessage(workdir, m, err))
				continue
			case !errors.Is(err, errIsDir):
				problems = append(problems, err.Error())
				continue
			default:
				continue
			}
			c.hashed[m] = f
		}
	}
	if len(problems) > 0 {
		c.warn("%d could not be kept (first: %s)", len(problems), problems[0])
	}
}

var errIsDir = errors.New("is a directory")

// refusal is a match that is deliberately not kept; its text is the
// warning.
type refusal string

func (r refusal) Error() string { return string(r) }

// copyIn copies workdir/name (read through root, so never from outside
// it) to dst, hashing it on the way. Only a regular file is read, opened
// without blocking, so a FIFO can never hang assay; a hard link whose
// other names are not all inside the workdir is refused like a symlink
// that leads outside.
func (c *collector) copyIn(root *os.Root, workdir, name, dst string) (runner.ArtifactFile, error) {
	info, err := root.Stat(name)
	if err != nil {
		return runner.ArtifactFile{}, err
	}
	if info.IsDir() {
		return runner.ArtifactFile{}, errIsDir
	}
	if !info.Mode().IsRegular() {
		return runner.ArtifactFile{}, refusal(fmt.Sprintf("%s is %s, not a regular file; it was not kept", name, kindOf(info.Mode())))
	}
	in, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return runner.ArtifactFile{}, err
	}
	defer in.Close()
	if info, err = in.Stat(); err != nil {
		return runner.ArtifactFile{}, err
	}
	if !info.Mode().IsRegular() {
		return runner.ArtifactFile{}, refusal(fmt.Sprintf("%s is %s, not a regular file; it was not kept", name, kindOf(info.Mode())))
	}
	if msg := c.outsideLinks(workdir, "workdir", name, info); msg != "" {
		return runner.ArtifactFile{}, refusal(msg)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return runner.ArtifactFile{}, err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return runner.ArtifactFile{}, err
	}
	f, err := hashCopy(out, in, name)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return runner.ArtifactFile{}, fmt.Errorf("copying %s: %w", name, err)
	}
	return f, nil
}

// outsideLinks says why a file with more than one hard link is refused,
// or returns "": every one of its links must lie inside the tree (the
// workdir, or the artifacts directory), else it is another name of a file
// from elsewhere (a credentials file, say) that the trial could reach.
func (c *collector) outsideLinks(tree, what, name string, info fs.FileInfo) string {
	n, id, ok := linkCount(info)
	if !ok || n <= 1 {
		return ""
	}
	idx, done := c.links[tree]
	if !done {
		idx = indexLinks(tree)
		c.links[tree] = idx
	}
	if idx[id] >= n {
		return ""
	}
	return fmt.Sprintf("%s is a hard link to a file with %d names, not all of them inside the %s; it was not kept (artifacts must lie inside the %s: copy the file rather than link it)", name, n, what, what)
}

// kindOf names a file type that is not kept.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	}
	return "not a regular file"
}

// walkDir hashes what the trial wrote into dir itself.
func (c *collector) walkDir() {
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		return // no artifacts directory: nothing was kept
	}
	defer root.Close()
	filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(c.dir, p)
		name := filepath.ToSlash(rel)
		if _, done := c.hashed[name]; done {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			c.materialize(root, name, p)
			return nil
		}
		if !d.Type().IsRegular() {
			c.warn("%s in ASSAY_ARTIFACTS_DIR is %s, not a regular file; it was not kept", name, kindOf(d.Type()))
			return nil
		}
		if info, err := os.Lstat(p); err == nil && !c.ownLinks {
			if msg := c.outsideLinks(c.dir, "artifacts directory", name+" in ASSAY_ARTIFACTS_DIR", info); msg != "" {
				c.warn("%s", msg)
				return nil
			}
		}
		f, err := HashFile(p, name)
		if err != nil {
			c.warn("%s cannot be read: %v", name, err)
			return nil
		}
		c.hashed[name] = f
		return nil
	})
}

// materialize replaces a symlink in the artifacts directory by a copy of
// its target when the target lies inside the directory; otherwise the link
// is refused and left out of the manifest.
func (c *collector) materialize(root *os.Root, name, p string) {
	target, _ := os.Readlink(p)
	if info, err := root.Stat(name); err == nil && !info.Mode().IsRegular() {
		c.warn("%s in ASSAY_ARTIFACTS_DIR is a symlink to %s, which is %s; it was not kept", name, target, kindOf(info.Mode()))
		return
	}
	in, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		c.warn("%s in ASSAY_ARTIFACTS_DIR is a symlink to %s, outside the artifacts directory; it was not kept (write the file itself there)", name, target)
		return
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil || !info.Mode().IsRegular() {
		c.warn("%s in ASSAY_ARTIFACTS_DIR is a symlink to %s, which is not a regular file; it was not kept", name, target)
		return
	}
	if msg := c.outsideLinks(c.dir, "artifacts directory", name+" in ASSAY_ARTIFACTS_DIR", info); msg != "" {
		c.warn("%s", msg)
		return
	}
	tmp := p + ".assay-copy"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		c.warn("%s cannot be kept: %v", name, err)
		return
	}
	f, err := hashCopy(out, in, name)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		c.warn("%s cannot be kept: %v", name, err)
		return
	}
	c.hashed[name] = f
}

// escapingGlob says why a glob leaves the workdir, or "".
func escapingGlob(g string) string {
	switch {
	case g == "":
		return "is empty"
	case strings.HasPrefix(g, "/") || filepath.IsAbs(g):
		return "is absolute"
	}
	for _, part := range strings.Split(filepath.ToSlash(g), "/") {
		if part == ".." {
			return "climbs out of the workdir with \"..\""
		}
	}
	return ""
}

// escapeMessage explains a match that root refused because it leads
// outside the workdir, or returns "" for any other error.
func escapeMessage(workdir, name string, err error) string {
	var pe *fs.PathError
	if !errors.As(err, &pe) || !strings.Contains(pe.Err.Error(), "escapes") {
		return ""
	}
	full := filepath.Join(workdir, filepath.FromSlash(name))
	if target, lerr := os.Readlink(full); lerr == nil {
		return fmt.Sprintf("%s is a symlink to %s, outside the workdir; it was not kept (artifacts must lie inside the workdir)", name, target)
	}
	return fmt.Sprintf("%s leads outside the workdir through a symlinked directory; it was not kept (artifacts must lie inside the workdir)", name)
}

// HashFile describes the regular file at p for a manifest, under the name
// name, reading it once. It opens p without blocking and refuses anything
// but a regular file, so a FIFO put in its place cannot hang the caller.
func HashFile(p, name string) (runner.ArtifactFile, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return runner.ArtifactFile{}, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return runner.ArtifactFile{}, err
	} else if !info.Mode().IsRegular() {
		return runner.ArtifactFile{}, fmt.Errorf("%s is %s, not a regular file", name, kindOf(info.Mode()))
	}
	return hashCopy(io.Discard, f, name)
}

// hashCopy copies r to w, returning the manifest entry of what passed.
func hashCopy(w io.Writer, r io.Reader, name string) (runner.ArtifactFile, error) {
	h := sha256.New()
	sn := &sniffer{}
	n, err := io.CopyBuffer(io.MultiWriter(w, h, sn), r, make([]byte, 256<<10))
	if err != nil {
		return runner.ArtifactFile{}, err
	}
	return runner.ArtifactFile{Path: name, Size: n, SHA256: hexSum(h), MediaType: MediaType(name, sn.head)}, nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// sniffer keeps the first bytes of a stream, for its media type.
type sniffer struct{ head []byte }

func (s *sniffer) Write(p []byte) (int, error) {
	if room := 512 - len(s.head); room > 0 {
		s.head = append(s.head, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
