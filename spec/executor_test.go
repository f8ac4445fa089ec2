package spec

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestExecutorSettings: what an executor block leaves out takes its
// default (GPUs asked of nvidia-smi, a 5 s poll), and gpus takes "auto",
// a list of ids written as strings or numbers, or an empty list: no GPUs.
func TestExecutorSettings(t *testing.T) {
	for _, c := range []struct {
		name, block string
		gpus        []string
		poll        time.Duration
	}{
		{"defaults", `executor "local" {}` + "\nexecutor \"slurm\" {}", nil, 5 * time.Second},
		{"auto", `executor "local" { gpus = "auto" }`, nil, 5 * time.Second},
		{"numbers", `executor "local" { gpus = [0, 1] }`, []string{"0", "1"}, 5 * time.Second},
		{"none", `executor "local" { gpus = [] }`, []string{}, 5 * time.Second},
		{"poll", `executor "slurm" { poll_interval = "1m" }`, nil, time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, diags := loadSrc(t, map[string]string{
				"assay.hcl":         c.block + "\n",
				"experiments/e.hcl": "experiment \"e\" {\n  command = [\"t\"]\n}\n",
			})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if l := p.Executor("local"); l != nil {
				if !cmp.Equal(l.GPUs, c.gpus) || (l.GPUs == nil) != (c.gpus == nil) {
					t.Errorf("gpus = %#v, want %#v", l.GPUs, c.gpus)
				}
			}
			if s := p.Executor("slurm"); s != nil && s.PollInterval != c.poll {
				t.Errorf("poll_interval = %s, want %s", s.PollInterval, c.poll)
			}
		})
	}
}
