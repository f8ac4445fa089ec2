package local

import (
	"testing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/gpu"
)

// Check's refusal says what the trial needs, what this machine has, and
// how to tell assay otherwise, in the singular or plural the counts call
// for; a trial that needs exactly what the machine has is not refused.
func TestCheckRefusals(t *testing.T) {
	devices := func(ids ...string) []gpu.Device {
		ds := []gpu.Device{}
		for _, id := range ids {
			ds = append(ds, gpu.Device{ID: id})
		}
		return ds
	}
	const hint = `none (nvidia-smi was not found; set ASSAY_GPUS=0,1 or executor "local" { gpus = ["0", "1"] } if it has GPUs)`
	for _, c := range []struct {
		name   string
		labels []string // the machine's
		inv    gpu.Inventory
		need   []string // the trial's labels
		gpus   int
		want   string // "" for no refusal
	}{
		{name: "labels it does not offer", labels: []string{"cpu", "gpu"}, need: []string{"a100", "cpu", "tpu"},
			want: `needs labels a100, tpu, which this machine does not offer (it offers cpu, gpu); add them to executor "local" { labels = [...] } in assay.hcl, or set ASSAY_LABELS, if it has them`},
		{name: "one label, none offered", need: []string{"a100"},
			want: `needs label a100, which this machine does not offer (it offers no labels); add it to executor "local" { labels = [...] } in assay.hcl, or set ASSAY_LABELS, if it has them`},
		{name: "labels it offers", labels: []string{"cpu", "gpu"}, need: []string{"gpu"}},
		{name: "a GPU, no nvidia-smi", inv: gpu.Inventory{Source: "none"}, gpus: 1,
			want: "needs 1 GPU but this machine has " + hint},
		{name: "GPUs, no inventory at all", gpus: 2,
			want: "needs 2 GPUs but this machine has " + hint},
		{name: "GPUs, an empty list from the spec", inv: gpu.Inventory{Source: "assay.hcl"}, gpus: 2,
			want: "needs 2 GPUs but this machine has none (from assay.hcl)"},
		{name: "more GPUs than it has", inv: gpu.Inventory{Source: "nvidia-smi", Devices: devices("0", "1")}, gpus: 3,
			want: "needs 3 GPUs but this machine has 2 (0, 1, from nvidia-smi)"},
		{name: "as many GPUs as it has", inv: gpu.Inventory{Source: "nvidia-smi", Devices: devices("0", "1")}, gpus: 2},
		{name: "both", inv: gpu.Inventory{Source: "ASSAY_GPUS", Devices: devices("3")}, need: []string{"tpu"}, gpus: 2,
			want: `needs label tpu, which this machine does not offer (it offers no labels); add it to executor "local" { labels = [...] } in assay.hcl, or set ASSAY_LABELS, if it has them; and it needs 2 GPUs but this machine has 1 (3, from ASSAY_GPUS)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := New(Config{Labels: c.labels, GPUs: c.inv})
			j := trial("needy", "true")
			j.Trial.Runner.Labels, j.Trial.Runner.GPUs = c.need, c.gpus
			refusals := x.Check([]*runner.Job{j})
			var got string
			if len(refusals) == 1 && refusals[0].Job == j {
				got = refusals[0].Reason
			} else if len(refusals) > 1 {
				t.Fatalf("%d refusals of one job", len(refusals))
			}
			if got != c.want {
				t.Errorf("refusal\n got %q\nwant %q", got, c.want)
			}
		})
	}
}
