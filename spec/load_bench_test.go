package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writeBenchTree writes files experiment files, each expanding to 200
// trials (a 10 × 10 grid over two seeds) through a shared template.
func writeBenchTree(b *testing.B, files int) string {
	b.Helper()
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "experiments", "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "assay.hcl"), []byte(`
project { experiments = ["experiments/**/*.hcl"] }
executor "local" { labels = ["gpu", "a100"] }
`), 0o644)
	os.WriteFile(filepath.Join(dir, "experiments", "templates", "gpu.hcl"), []byte(`
template "gpu" {
  runner {
    labels  = ["gpu", "a100"]
    gpus    = 1
    timeout = "2h"
  }
  metric "val_acc" {
    goal      = "maximize"
    summary   = "max"
    tolerance = 0.005
  }
}
locals { base_lr = 0.1 }
`), 0o644)
	for i := range files {
		sub := filepath.Join(dir, "experiments", fmt.Sprintf("team%02d", i%20))
		os.MkdirAll(sub, 0o755)
		src := fmt.Sprintf(`
experiment "exp%04d" {
  extends = template.gpu
  command = ["python", "train.py", "--lr=${param.lr}", "--wd=${param.wd}", "--seed=${seed}"]
  workdir = "models/m%04d"
  env     = { DATASET = "cifar10", RUN = "exp%04d" }
  params  = { lr = local.base_lr, wd = 0.0001, batch_size = 128 }
  sweep {
    param "lr" { values = [0.1, 0.05, 0.03, 0.01, 0.005, 0.003, 0.001, 0.0005, 0.0003, 0.0001] }
    param "wd" { values = [0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1] }
  }
  seeds = [1, 2]
  metric "train_loss" { goal = "minimize" }
}
`, i, i, i)
		os.WriteFile(filepath.Join(sub, fmt.Sprintf("exp%04d.hcl", i)), []byte(src), 0o644)
	}
	return dir
}

// BenchmarkLoadAndExpand parses and expands 500 experiment files into
// 100,000 trials with keys: the cost of every assay plan before git.
func BenchmarkLoadAndExpand(b *testing.B) {
	dir := writeBenchTree(b, 500)
	root, err := os.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	fsys := root.FS()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, diags := Load(fsys, LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		all, diags := ExpandAll(p.Experiments, func(*Experiment) string { return "fingerprint" })
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		n := 0
		for _, ts := range all {
			n += len(ts)
		}
		if n != 100000 {
			b.Fatalf("expanded %d trials, want 100000", n)
		}
	}
}
