package spec

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// memoBase is a project of two spec files: a template and locals in one,
// experiments that use them in the other.
func memoBase() fstest.MapFS {
	return fstest.MapFS{
		"assay.hcl": {Data: []byte(`project { experiments = ["exp/*.hcl"] }`)},
		"exp/common.hcl": {Data: []byte(`
variable "epochs" { default = 3 }
locals { lr = 0.1 }
template "base" {
  command = ["python", "train.py", "--epochs=${var.epochs}", "--seed=${seed}"]
  seeds   = [1, 2]
}
`)},
		"exp/runs.hcl": {Data: []byte(`
experiment "plain" {
  extends = template.base
  params  = { lr = local.lr }
}
experiment "own" {
  command = ["python", "own.py", "--seed=${seed}"]
}
experiment "reads" {
  command = ["python", "train.py", "--config=${file("conf.txt")}"]
}
experiment "lists" {
  command = ["python", "train.py"]
  params  = { files = fileset(".", "data/*.csv") }
}
`)},
		"conf.txt":   {Data: []byte("a")},
		"data/a.csv": {Data: []byte("1")},
	}
}

// loadKeys loads fsys (with cache, when set) and returns every trial key
// by experiment, with the decoded experiments.
func loadKeys(t *testing.T, fsys fstest.MapFS, cache *ParseCache, vars VarValues) (map[string][]string, map[string]*Experiment) {
	t.Helper()
	p, diags := Load(fsys, LoadOptions{Cache: cache, Vars: vars})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	keys, exps := map[string][]string{}, map[string]*Experiment{}
	for _, e := range p.Experiments {
		ts, d := e.Trials("")
		if d.HasErrors() {
			t.Fatal(d)
		}
		for _, tr := range ts {
			keys[e.Name] = append(keys[e.Name], tr.Key)
		}
		exps[e.Name] = e
	}
	return keys, exps
}

// TestSharedDecoding: two loads through one cache share an experiment
// exactly when nothing it depends on differs, and the keys are always
// those of a load on its own.
func TestSharedDecoding(t *testing.T) {
	t.Parallel()
	edit := func(path, content string) func(fstest.MapFS) {
		return func(m fstest.MapFS) { m[path] = &fstest.MapFile{Data: []byte(content)} }
	}
	replace := func(path, old, new string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			src := string(m[path].Data)
			if !strings.Contains(src, old) {
				t.Fatalf("%q not in %s", old, path)
			}
			m[path] = &fstest.MapFile{Data: []byte(strings.Replace(src, old, new, 1))}
		}
	}
	cases := []struct {
		name   string
		change func(fstest.MapFS)
		vars   VarValues
		// shared are the experiments decoded once; changed, those whose
		// keys differ from the first load's.
		shared, changed []string
	}{
		{name: "nothing differs", shared: []string{"own", "plain"}},
		{name: "a file no experiment reads", change: edit("notes.txt", "x"), shared: []string{"own", "plain"}},
		{name: "the file() an experiment reads", change: edit("conf.txt", "b"),
			shared: []string{"own", "plain"}, changed: []string{"reads"}},
		{name: "the files fileset() lists", change: edit("data/b.csv", "2"),
			shared: []string{"own", "plain"}, changed: []string{"lists"}},
		{name: "a template", change: replace("exp/common.hcl", "seeds   = [1, 2]", "seeds   = [1, 3]"),
			shared: []string{"own"}, changed: []string{"plain"}},
		{name: "a local", change: replace("exp/common.hcl", "lr = 0.1", "lr = 0.2"),
			changed: []string{"plain"}},
		{name: "a variable's default", change: replace("exp/common.hcl", "default = 3", "default = 4"),
			changed: []string{"plain"}},
		{name: "a variable set by flag", vars: VarValues{Flags: map[string]string{"epochs": "5"}},
			changed: []string{"plain"}},
		{name: "an experiment's own block", change: replace("exp/runs.hcl", "own.py", "own2.py"),
			changed: []string{"own"}},
		{name: "spacing only", change: replace("exp/runs.hcl", `experiment "own" {`, "experiment   \"own\"   {")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			first, second := memoBase(), memoBase()
			if c.change != nil {
				c.change(second)
			}
			alone, _ := loadKeys(t, second, nil, c.vars)
			cache := NewParseCache()
			keys1, exps1 := loadKeys(t, first, cache, VarValues{})
			keys2, exps2 := loadKeys(t, second, cache, c.vars)
			if !maps.EqualFunc(keys2, alone, slices.Equal) {
				t.Fatalf("keys through a shared cache differ from a load on its own:\n%v\n%v", keys2, alone)
			}
			var shared, changed []string
			for _, name := range slices.Sorted(maps.Keys(exps1)) {
				if exps1[name] == exps2[name] {
					shared = append(shared, name)
				}
				if !slices.Equal(keys1[name], keys2[name]) {
					changed = append(changed, name)
				}
			}
			if !slices.Equal(shared, c.shared) {
				t.Errorf("shared %v, want %v", shared, c.shared)
			}
			if !slices.Equal(changed, c.changed) {
				t.Errorf("keys changed for %v, want %v", changed, c.changed)
			}
			if slices.Contains(shared, "reads") || slices.Contains(shared, "lists") {
				t.Error("an experiment that calls file() or fileset() was shared")
			}
		})
	}
}

// idFS is a MapFS that knows each file's content id, as a git commit
// does, and counts the files read.
type idFS struct {
	fstest.MapFS
	ids   map[string]string
	reads map[string]int
}

func (f *idFS) ContentID(name string) (string, bool) {
	id, ok := f.ids[name]
	return id, ok
}

func (f *idFS) Open(name string) (fs.File, error) {
	f.reads[name]++
	return f.MapFS.Open(name)
}

func (f *idFS) ReadFile(name string) ([]byte, error) {
	f.reads[name]++
	return f.MapFS.ReadFile(name)
}

// TestParseCacheByContentID: a second load of files whose content ids
// the cache has seen reads none of them, and a file whose id changed is
// read and parsed anew.
func TestParseCacheByContentID(t *testing.T) {
	t.Parallel()
	ids := map[string]string{"assay.hcl": "p1", "exp/common.hcl": "c1", "exp/runs.hcl": "r1"}
	first := &idFS{MapFS: memoBase(), ids: ids, reads: map[string]int{}}
	cache := NewParseCache()
	if _, diags := Load(first, LoadOptions{Cache: cache}); diags.HasErrors() {
		t.Fatal(diags)
	}
	if first.reads["exp/runs.hcl"] == 0 {
		t.Fatal("the first load read no spec file")
	}

	second := &idFS{MapFS: memoBase(), ids: map[string]string{"assay.hcl": "p1", "exp/common.hcl": "c1", "exp/runs.hcl": "r2"}, reads: map[string]int{}}
	second.MapFS["exp/runs.hcl"] = &fstest.MapFile{Data: []byte(strings.Replace(string(second.MapFS["exp/runs.hcl"].Data), "own.py", "own2.py", 1))}
	p, diags := Load(second, LoadOptions{Cache: cache})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if n := second.reads["exp/common.hcl"]; n != 0 {
		t.Errorf("exp/common.hcl, same id, read %d times", n)
	}
	if second.reads["exp/runs.hcl"] == 0 {
		t.Error("exp/runs.hcl, new id, was not read")
	}
	ts, _ := p.Experiment("own").Trials("")
	if len(ts) == 0 || !slices.Contains(ts[0].Command, "own2.py") {
		t.Errorf("the changed file was not parsed anew: %v", ts)
	}
}

// TestTemplateMetricsDecodeOnce: experiments that extend a template and
// add no metrics share its decoded metric blocks: one more experiment
// extending a template of 500 metrics allocates under 3 times what one
// extending a template of 1 does, where decoding the 500 again for each
// would be about 20 times. Allocation, unlike time, does not depend on how
// busy the machine is.
func TestTemplateMetricsDecodeOnce(t *testing.T) {
	project := func(metrics, experiments int) map[string]string {
		var b strings.Builder
		b.WriteString("template \"t\" {\n  command = [\"t\"]\n")
		for i := range metrics {
			fmt.Fprintf(&b, "  metric \"m%d\" { goal = \"minimize\" }\n", i)
		}
		b.WriteString("}\n")
		for i := range experiments {
			fmt.Fprintf(&b, "experiment \"e%d\" {\n  extends = template.t\n}\n", i)
		}
		return map[string]string{"experiments/t.hcl": b.String()}
	}
	// perExperiment is what one more experiment allocates.
	perExperiment := func(metrics int) float64 {
		small, large := allocated(t, project(metrics, 25)), allocated(t, project(metrics, 100))
		return float64(large-small) / 75
	}
	one, many := perExperiment(1), perExperiment(500)
	t.Logf("per experiment: %.0f bytes with 1 metric, %.0f with 500", one, many)
	if many > 5*one {
		t.Errorf("an experiment extending a template of 500 metrics allocates %.0f bytes, %.1f times one extending a template of 1; its metrics are decoded again", many, many/one)
	}
}
