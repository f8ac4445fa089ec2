package spec

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzParse feeds arbitrary bytes to the loader as an experiment file (and
// as assay.hcl) and expands whatever decodes. Nothing may panic, and a
// clean load must expand without error or produce diagnostics, never both
// silence and a failure.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/invalid", "../examples/quickstart/experiments"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`experiment "a" { command = ["t", "${param.x}"] params = { x = 1 } }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{
			"experiments/x.hcl": {Data: src},
			"assay.hcl":         {Data: src},
		}
		p, diags := Load(fsys, LoadOptions{})
		if p == nil {
			t.Fatal("Load returned no project")
		}
		if diags.HasErrors() {
			return
		}
		for _, e := range p.Experiments {
			// Keep each input cheap: the trial limit already bounds this.
			if _, d := e.Trials(""); d.HasErrors() && len(d) == 0 {
				t.Fatal("failed expansion without a diagnostic")
			}
		}
		if _, d := Format(src, "x.hcl"); d.HasErrors() {
			t.Fatalf("loads cleanly but does not format: %s", d.Error())
		}
	})
}
