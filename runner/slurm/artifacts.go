package slurm

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/bmatcuk/doublestar/v4"
)

// maxListedArtifacts bounds the artifact names a record lists.
const maxListedArtifacts = 1000

// keepArtifacts copies the files that globs (relative to workdir) match
// into dir, leaving alone any file the trial already wrote there, and
// lists everything dir then holds. These are the local executor's rules
// (runner/local/artifacts.go); the workdir is on the filesystem the nodes
// share, so assay collects them after the job as the local executor does.
// The two copies should become one function in package runner.
func keepArtifacts(workdir string, globs []string, dir string) ([]string, string) {
	var problems []string
	fsys := os.DirFS(workdir)
	for _, g := range globs {
		matches, err := doublestar.Glob(fsys, g, doublestar.WithFilesOnly())
		if err != nil {
			problems = append(problems, fmt.Sprintf("%q: %v", g, err))
			continue
		}
		for _, m := range matches {
			dst := filepath.Join(dir, filepath.FromSlash(m))
			if _, err := os.Lstat(dst); err == nil {
				continue
			}
			if err := copyFile(filepath.Join(workdir, filepath.FromSlash(m)), dst); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	var names []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(names)
	if len(names) > maxListedArtifacts {
		names = names[:maxListedArtifacts]
	}
	warn := ""
	if len(problems) > 0 {
		warn = fmt.Sprintf("artifacts: %d could not be kept (first: %s)", len(problems), problems[0])
	}
	return names, warn
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
