package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveWorkdir(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	root := filepath.Join(base, "repo")
	outside := filepath.Join(base, "elsewhere")
	for _, d := range []string{filepath.Join(root, "models", "real"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, os.Symlink(outside, filepath.Join(root, "escape")))
	must(t, os.Symlink("real", filepath.Join(root, "models", "inside")))
	must(t, os.Symlink("../..", filepath.Join(root, "models", "up")))

	if got, err := ResolveWorkdir(root, "models/inside"); err != nil || got != filepath.Join(root, "models", "real") {
		t.Errorf("a symlink inside the repository: %q, %v", got, err)
	}
	if got, err := ResolveWorkdir(root, "."); err != nil || got != root {
		t.Errorf("the root: %q, %v", got, err)
	}
	for _, rel := range []string{"escape", "models/up"} {
		_, err := ResolveWorkdir(root, rel)
		if err == nil || !strings.Contains(err.Error(), "leads outside the repository") {
			t.Errorf("%s: err = %v, want a refusal", rel, err)
		}
	}
	if _, err := ResolveWorkdir(root, "missing"); !os.IsNotExist(err) {
		t.Errorf("missing: err = %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
