package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
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

// FuzzLimits builds projects from a few numbers: a chain of extends, a
// chain of locals, experiments with sweeps, metrics spread over the chain,
// a project trial limit, and optionally a reference to something
// undeclared. Whatever the numbers, the load either succeeds within every
// limit, with the chains meaning what they say, or fails with the error
// of the limit it broke.
func FuzzLimits(f *testing.F) {
	f.Add(uint16(3), uint16(3), uint8(2), uint8(1), uint16(10), uint32(0), uint8(0))
	f.Add(uint16(400), uint16(900), uint8(20), uint8(3), uint16(50), uint32(999), uint8(1))
	f.Add(uint16(1), uint16(1), uint8(1), uint8(0), uint16(1), uint32(1), uint8(2))
	f.Add(uint16(1200), uint16(10), uint8(1), uint8(1), uint16(1), uint32(0), uint8(0))
	f.Fuzz(func(t *testing.T, depth, nlocals uint16, exps, metricEvery uint8, points uint16, maxTrials uint32, undeclared uint8) {
		depth, nlocals = depth%1500+1, nlocals%1500+1
		n, pts := int(exps%40)+1, int(points%1024)+1
		var b strings.Builder
		b.WriteString("locals {\n  l0 = 0\n")
		for i := 1; i < int(nlocals); i++ {
			fmt.Fprintf(&b, "  l%d = local.l%d + 1\n", i, i-1)
		}
		b.WriteString("}\ntemplate \"t0\" {\n  runner { timeout = \"7m\" }\n}\n")
		metrics := 0
		for i := 1; i < int(depth); i++ {
			m := ""
			if metricEvery > 0 && i%int(metricEvery) == 0 {
				m = fmt.Sprintf("  metric \"m%d\" {}\n", i)
				metrics++
			}
			fmt.Fprintf(&b, "template \"t%d\" {\n  extends = template.t%d\n%s}\n", i, i-1, m)
		}
		ref := fmt.Sprintf("local.l%d", nlocals-1)
		switch undeclared % 3 {
		case 1:
			ref = "local.nope"
		case 2:
			ref = "var.nope"
		}
		for i := range n {
			fmt.Fprintf(&b, "experiment \"e%d\" {\n  extends = template.t%d\n  command = [\"t\", \"${param.x}\"]\n  params = { x = 0, y = %s }\n  sweep {\n    param \"x\" { values = range(%d) }\n  }\n}\n",
				i, depth-1, ref, pts)
		}
		fsys := fstest.MapFS{"experiments/x.hcl": {Data: []byte(b.String())}}
		limit := DefaultMaxTotalTrials
		if maxTrials > 0 {
			limit = int(maxTrials%200000) + 1
			fsys[ProjectFile] = &fstest.MapFile{Data: []byte(fmt.Sprintf("project {\n  max_trials = %d\n}\n", limit))}
		}
		p, diags := Load(fsys, LoadOptions{})
		var summaries []string
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				summaries = append(summaries, d.Summary)
			}
		}
		var want []string
		switch {
		case metrics > MaxMetrics:
			// The chain breaks at the template over the limit, so nothing
			// below it is decoded.
			want = []string{"Too many metrics"}
		case undeclared%3 == 1:
			// One for each experiment's reference, nothing else.
			want = slices.Repeat([]string{"Reference to undeclared local"}, n)
		case undeclared%3 == 2:
			want = slices.Repeat([]string{"Reference to undeclared variable"}, n)
		case n*pts > limit:
			want = []string{"Too many trials in all"}
		}
		if strings.Join(summaries, "|") != strings.Join(want, "|") {
			t.Fatalf("errors %q, want %q: %s", summaries, want, diags.Error())
		}
		if len(want) > 0 {
			return
		}
		for _, e := range p.Experiments {
			if len(e.Metrics) != metrics || e.Runner.Timeout.Minutes() != 7 {
				t.Fatalf("%s: %d metrics (want %d), timeout %v: the chain lost something", e.Name, len(e.Metrics), metrics, e.Runner.Timeout)
			}
			if y := e.Params.GetAttr("y").AsBigFloat().String(); y != fmt.Sprint(nlocals-1) {
				t.Fatalf("%s: y = %s, want %d: the locals chain lost something", e.Name, y, nlocals-1)
			}
		}
	})
}
