package runner

import (
	"fmt"
	"path/filepath"
	"strings"
)

// ResolveWorkdir returns the directory a trial whose workdir is rel (slash
// form, relative to the repository root) runs in: root/rel with every
// symlink resolved. A workdir that leads outside the repository through a
// symlink is refused, as artifacts that do are: a trial runs inside the
// repository, whose inputs decide its key. Executors start the trial in
// the resolved directory, so swapping the link afterwards moves nothing.
func ResolveWorkdir(root, rel string) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	if !Within(realRoot, dir) {
		return "", fmt.Errorf("workdir %q leads outside the repository through a symlink (to %s); point workdir at a directory inside the repository", rel, dir)
	}
	return dir, nil
}

// Within reports whether path is dir or lies under it (both cleaned,
// absolute or both relative).
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
