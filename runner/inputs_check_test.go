package runner

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assaylab/assay/spec"
)

func TestCheckInputs(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"experiments/a.hcl": {Data: []byte(`
experiment "root" {
  command = ["python", "train.py"]
}
experiment "workdir" {
  command = ["python", "train.py"]
  workdir = "models/w"
}
experiment "explicit" {
  command = ["python", "train.py"]
  inputs  = ["train.py"]
}
experiment "per_seed" {
  command = ["python", "train.py"]
  workdir = "${seed == 1 ? "." : "models/s"}"
  seeds   = [1, 2]
}
`)},
	}
	p, diags := spec.Load(fsys, spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, d := range CheckInputs(p) {
		if d.Summary != "Inputs are the whole repository" || d.Subject == nil || !strings.Contains(d.Detail, "inputs = [") {
			t.Errorf("diagnostic %v", d)
		}
		got = append(got, strings.Split(d.Detail, `"`)[1])
	}
	if strings.Join(got, " ") != "per_seed root" {
		t.Errorf("warned about %v, want per_seed and root", got)
	}
}
