package main

import (
	"os"
	"testing"

	"github.com/assaylab/assay/spec"
)

// load writes a slow spec of size bytes expanding to trials trials, then
// loads and expands it as assay validate does.
func load(t testing.TB, size, trials int) (shape, int) {
	t.Helper()
	dir := t.TempDir()
	sh, err := write(dir, size, trials)
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	p, diags := spec.Load(root.FS(), spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("the generated spec (%s) does not load: %s", sh, diags.Error())
	}
	all, diags := spec.ExpandAll(p.Experiments, nil)
	if diags.HasErrors() {
		t.Fatalf("the generated spec (%s) does not expand: %s", sh, diags.Error())
	}
	n := 0
	for _, ts := range all {
		n += len(ts)
	}
	return sh, n
}

// TestTinySlowSpec generates the slow spec at a tiny size: every part of
// it is there, every limit is met, and it loads and expands to the
// trials it says.
func TestTinySlowSpec(t *testing.T) {
	sh, n := load(t, 32<<10, 500)
	if sh.locals < 100 || sh.templates < 100 || sh.metrics < 100 || sh.experiments < 10 {
		t.Errorf("the spec lacks a part: %s", sh)
	}
	if sh.bytes > 32<<10+1024 {
		t.Errorf("the spec is %d bytes, asked for %d", sh.bytes, 32<<10)
	}
	if n != 500 || sh.trials != 500 {
		t.Errorf("expanded %d trials (%d written), want 500", n, sh.trials)
	}
}

// BenchmarkSlowSpec loads and expands the 1 MiB slow spec at the default
// trial limit: the work of assay validate on it before inputs are checked.
func BenchmarkSlowSpec(b *testing.B) {
	for b.Loop() {
		load(b, spec.MaxFileSize, spec.DefaultMaxTotalTrials)
	}
}
