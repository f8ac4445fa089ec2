package spec

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
)

// loadSrc loads files (path → source) as a project.
func loadSrc(t testing.TB, files map[string]string) (*Project, hcl.Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{}
	for path, src := range files {
		fsys[path] = &fstest.MapFile{Data: []byte(src)}
	}
	return Load(fsys, LoadOptions{})
}

// errorsOf returns "summary: detail" of each error in diags.
func errorsOf(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d.Summary+": "+d.Detail)
		}
	}
	return out
}

func TestUndeclaredReferencesNameTheBlockToAdd(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{
			name: "variable never declared",
			src:  "experiment \"a\" {\n  command = [\"t\"]\n  env = { DATASET = var.dataset }\n}\n",
			want: []string{"Reference to undeclared variable: var.dataset is not declared.", `variable "dataset" {}`, "-var dataset=VALUE", "ASSAY_VAR_dataset"},
		},
		{
			name: "variable misspelt",
			src:  "variable \"dataset\" { default = \"c\" }\nexperiment \"a\" {\n  command = [\"t\", var.datset]\n}\n",
			want: []string{`var.datset is not declared (did you mean "dataset"?)`, `variable "datset" {}`},
		},
		// Three edits away is too far to suggest; between names equally
		// close, the first in order is suggested.
		{
			name: "variable three edits from the one declared",
			src:  "variable \"lr\" { default = 1 }\nexperiment \"a\" {\n  command = [\"t\", var.lrate]\n}\n",
			want: []string{"Reference to undeclared variable: var.lrate is not declared."},
		},
		{
			name: "variable one edit from two declared",
			src:  "variable \"lr_b\" { default = 1 }\nvariable \"lr_a\" { default = 1 }\nexperiment \"a\" {\n  command = [\"t\", var.lr_c]\n}\n",
			want: []string{`var.lr_c is not declared (did you mean "lr_a"?)`},
		},
		{
			name: "local used by an experiment",
			src:  "locals { base_lr = 0.1 }\nexperiment \"a\" {\n  command = [\"t\"]\n  params = { lr = local.base_rl }\n}\n",
			want: []string{`Reference to undeclared local: local.base_rl is not declared (did you mean "base_lr"?)`, "locals { base_rl = ... }"},
		},
		{
			name: "local used by a local",
			src:  "locals {\n  a = local.missing + 1\n}\nexperiment \"a\" {\n  command = [\"t\"]\n}\n",
			want: []string{"Reference to undeclared local: local.missing is not declared.", "locals { missing = ... }"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags := loadSrc(t, map[string]string{"experiments/x.hcl": c.src})
			got := strings.Join(errorsOf(diags), "\n")
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("errors lack %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "Unsupported attribute") {
				t.Errorf("HCL's raw message is still there:\n%s", got)
			}
		})
	}
	// An attribute missing from an object that is not var or local keeps
	// HCL's message: it is not about a declaration.
	_, diags := loadSrc(t, map[string]string{"experiments/x.hcl": "locals { o = { a = 1 } }\nexperiment \"a\" {\n  command = [\"t\"]\n  params = { x = local.o.b }\n}\n"})
	if got := strings.Join(errorsOf(diags), "\n"); !strings.Contains(got, "Unsupported attribute") || strings.Contains(got, "undeclared") {
		t.Errorf("local.o.b: %s", got)
	}
}

// trialsSrc is an experiment expanding to n trials (n points, one seed).
func trialsSrc(name string, n int) string {
	return fmt.Sprintf("experiment %q {\n  command = [\"t\", \"${param.a}\", \"${param.b}\"]\n  params = { a = 0, b = 0 }\n  sweep {\n    param \"a\" { values = range(%d) }\n    param \"b\" { values = range(%d) }\n  }\n}\n", name, n/100, 100)
}

func TestTotalTrialLimit(t *testing.T) {
	// 10 experiments of 10,000 trials each are exactly the default limit.
	files := map[string]string{}
	for i := range 10 {
		files[fmt.Sprintf("experiments/e%d.hcl", i)] = trialsSrc(fmt.Sprintf("e%d", i), 10000)
	}
	if _, diags := loadSrc(t, files); diags.HasErrors() {
		t.Fatalf("%d trials, exactly the limit: %s", DefaultMaxTotalTrials, diags.Error())
	}

	// One trial more is refused, at the experiment that crossed it, before
	// anything is expanded.
	files["experiments/zz.hcl"] = "experiment \"zz\" {\n  command = [\"t\"]\n}\n"
	_, diags := loadSrc(t, files)
	got := errorsOf(diags)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Too many trials in all: The experiments expand to 100001 trials together, more than the project's limit of 100000") ||
		!strings.Contains(got[0], "project { max_trials = 100001 }") || !strings.Contains(got[0], "the largest: e0 10000") {
		t.Fatalf("errors = %q", got)
	}
	if s := diags[0].Subject; s == nil || s.Filename != "experiments/zz.hcl" || s.Start.Line != 1 {
		t.Errorf("the error points at %v, want the experiment that crossed the limit", s)
	}

	// max_trials raises it, and lowers it: the error then points at the
	// setting.
	files[ProjectFile] = "project {\n  max_trials = 100001\n}\n"
	if _, diags := loadSrc(t, files); diags.HasErrors() {
		t.Errorf("max_trials = 100001: %s", diags.Error())
	}
	files[ProjectFile] = "project {\n  max_trials = 50\n}\n"
	delete(files, "experiments/zz.hcl")
	for i := 1; i < 10; i++ {
		delete(files, fmt.Sprintf("experiments/e%d.hcl", i))
	}
	_, diags = loadSrc(t, files)
	got = errorsOf(diags)
	if len(got) != 1 || !strings.Contains(got[0], "more than the project's limit of 50") || !strings.Contains(got[0], "raise max_trials to 10000") {
		t.Fatalf("max_trials = 50: errors = %q", got)
	}
	if s := diags[0].Subject; s == nil || s.Filename != ProjectFile || s.Start.Line != 2 {
		t.Errorf("the error points at %v, want max_trials in %s", s, ProjectFile)
	}
	files[ProjectFile] = "project {\n  max_trials = 0\n}\n"
	if _, diags := loadSrc(t, files); !strings.Contains(diags.Error(), `"max_trials" must be between 1 and`) {
		t.Errorf("max_trials = 0: %s", diags.Error())
	}
}

func TestMetricLimit(t *testing.T) {
	metrics := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  metric \"%s%d\" {}\n", prefix, i)
		}
		return b.String()
	}
	// Exactly the limit, half inherited: fine.
	src := "template \"t\" {\n" + metrics("a", MaxMetrics/2) + "}\nexperiment \"e\" {\n  extends = template.t\n  command = [\"t\"]\n" + metrics("b", MaxMetrics/2) + "}\n"
	p, diags := loadSrc(t, map[string]string{"experiments/x.hcl": src})
	if diags.HasErrors() || len(p.Experiment("e").Metrics) != MaxMetrics {
		t.Fatalf("%d metrics: %s", MaxMetrics, diags.Error())
	}
	// One more through extends: refused at the experiment.
	src = "template \"t\" {\n" + metrics("a", MaxMetrics/2) + "}\nexperiment \"e\" {\n  extends = template.t\n  command = [\"t\"]\n" + metrics("b", MaxMetrics/2+1) + "}\n"
	_, diags = loadSrc(t, map[string]string{"experiments/x.hcl": src})
	got := errorsOf(diags)
	want := fmt.Sprintf("Too many metrics: Experiment \"e\" has %d metric blocks with those it extends, more than the limit of %d.", MaxMetrics+1, MaxMetrics)
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("errors = %q, want one starting %q", got, want)
	}
	// One more in one block.
	src = "experiment \"e\" {\n  command = [\"t\"]\n" + metrics("b", MaxMetrics+1) + "}\n"
	_, diags = loadSrc(t, map[string]string{"experiments/x.hcl": src})
	if got := errorsOf(diags); len(got) != 1 || !strings.HasPrefix(got[0], "Too many metrics") {
		t.Errorf("errors = %q", got)
	}
}

// allocated returns the bytes Load allocates for files.
func allocated(t *testing.T, files map[string]string) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, diags := loadSrc(t, files)
	runtime.ReadMemStats(&after)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestChainsCostLinearMemory loads chains of extends and of locals at two
// lengths: four times as long may allocate about four times as much, not
// sixteen (a copy of everything above at each level, as before, is
// quadratic: 7.8 and 15.9 times). Allocation, unlike time, does not depend
// on how busy the machine is.
func TestChainsCostLinearMemory(t *testing.T) {
	extends := func(n int) map[string]string {
		var b strings.Builder
		b.WriteString("template \"t0\" {\n  metric \"m\" {}\n}\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "template \"t%d\" {\n  extends = template.t%d\n  runner { timeout = \"%dm\" }\n}\n", i, i-1, i)
		}
		fmt.Fprintf(&b, "experiment \"e\" {\n  extends = template.t%d\n  command = [\"t\"]\n}\n", n-1)
		return map[string]string{"experiments/t.hcl": b.String()}
	}
	locals := func(n int) map[string]string {
		var b strings.Builder
		b.WriteString("locals {\n  l0 = 0\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "  l%d = local.l%d + 1\n", i, i-1)
		}
		fmt.Fprintf(&b, "}\nexperiment \"e\" {\n  command = [\"t\"]\n  params = { x = local.l%d }\n}\n", n-1)
		return map[string]string{"experiments/l.hcl": b.String()}
	}
	for name, gen := range map[string]func(int) map[string]string{"extends": extends, "locals": locals} {
		small, large := allocated(t, gen(2000)), allocated(t, gen(8000))
		ratio := float64(large) / float64(small)
		t.Logf("%s: %d → %d bytes, ratio %.1f", name, small, large, ratio)
		if ratio > 6 {
			t.Errorf("%s: a chain 4 times as long allocates %.1f times as much (%d → %d bytes); want about 4", name, ratio, small, large)
		}
	}
	// The chains still mean what they say.
	p, diags := loadSrc(t, locals(3000))
	if diags.HasErrors() || p.Experiment("e").Params.GetAttr("x").AsBigFloat().String() != "2999" {
		t.Errorf("local.l2999 = %v, %s", p.Experiment("e").Params, diags.Error())
	}
	p, diags = loadSrc(t, extends(3000))
	if e := p.Experiment("e"); diags.HasErrors() || e.Runner.Timeout.Minutes() != 2999 || len(e.Metrics) != 1 {
		t.Errorf("extends: runner %+v, metrics %d, %s", e.Runner, len(e.Metrics), diags.Error())
	}
}

func TestLocalValueLimit(t *testing.T) {
	// Thirty locals, each twice the one before, would be 16 GiB: refused
	// at the first over the limit, before it is built; those after it
	// stay quiet.
	var b strings.Builder
	b.WriteString("locals {\n  s0 = \"0123456789abcdef\"\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  s%d = \"${local.s%d}${local.s%d}\"\n", i, i-1, i-1)
	}
	b.WriteString("}\nexperiment \"e\" {\n  command = [\"t\"]\n  params = { n = strlen(local.s30) }\n}\n")
	_, diags := loadSrc(t, map[string]string{"experiments/x.hcl": b.String()})
	got := errorsOf(diags)
	if len(got) != 1 || !strings.HasPrefix(got[0], "Local value too large: local.s18 refers to 4194336 bytes of other locals, more than 4194304, the limit for one value.") {
		t.Fatalf("errors = %q", got)
	}
	if s := diags[0].Subject; s == nil || s.Start.Line != 20 {
		t.Errorf("the error points at %v, want local.s18 on line 20", s)
	}

	// One reference, many copies: measured once built. 1,024 copies of
	// 4,000 bytes (and 16 for each value) are within the limit; of 4,100
	// they are not.
	for _, c := range []struct {
		n    int
		want string
	}{
		{4000, ""},
		{4100, "Local value too large: local.big is larger than 4194304 bytes, the limit for one value."},
	} {
		src := fmt.Sprintf("locals {\n  k = %q\n  big = [for i in range(1024) : local.k]\n}\nexperiment \"e\" {\n  command = [\"t\"]\n  params = { n = length(local.big) }\n}\n", strings.Repeat("k", c.n))
		p, diags := loadSrc(t, map[string]string{"experiments/x.hcl": src})
		got := strings.Join(errorsOf(diags), "\n")
		if c.want == "" {
			if got != "" || p.Experiment("e").Params.GetAttr("n").AsBigFloat().String() != "1024" {
				t.Errorf("%d bytes a copy: %s", c.n, got)
			}
		} else if !strings.HasPrefix(got, c.want) {
			t.Errorf("%d bytes a copy: errors = %q, want %q", c.n, got, c.want)
		}
	}
}
