// Command tfeventsbench writes a large TensorBoard event file and reads it
// the way a trial's metrics_from is read, for bench/tfevents.sh.
//
//	tfeventsbench gen FILE N   write N scalars (PyTorch's simple_value form)
//	tfeventsbench read FILE    read FILE through runner/metrics; print what it found
//	tfeventsbench read FILE PROFILE   the same, writing a CPU profile (go tool pprof)
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"testing/fstest"
	"time"

	"github.com/assaylab/assay/runner/metrics"
	"github.com/assaylab/assay/runner/metrics/tfevents"
	"github.com/assaylab/assay/spec"
)

// The tags are as long as real ones get, so 10 M scalars make about
// 1 GiB, the size the benchmark's target names.
var tags = func() []string {
	var out []string
	for i := range 10 {
		out = append(out, fmt.Sprintf("train/losses/cross_entropy_component_%02d_with_label_smoothing_on", i))
	}
	return out
}()

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tfeventsbench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 3 && args[0] == "gen":
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		return gen(args[1], n)
	case len(args) == 2 && args[0] == "read":
		return read(args[1])
	case len(args) == 3 && args[0] == "read":
		f, err := os.Create(args[2])
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		err = read(args[1])
		pprof.StopCPUProfile()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return fmt.Errorf("usage: tfeventsbench gen FILE N | read FILE [PROFILE]")
}

func gen(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(tfevents.AppendRecord(nil, tfevents.FileVersionEvent(1)))
	var rec []byte
	for i := range n {
		step := int64(i / len(tags))
		ev := tfevents.ScalarEvent(1.7e9+float64(i), step, tags[i%len(tags)], float32(i%1000)/1000)
		rec = tfevents.AppendRecord(rec[:0], ev)
		w.Write(rec)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func read(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	src := `experiment "bench" {
  command = ["true"]
  metrics_from { tensorboard = "logs" }
}`
	p, diags := spec.Load(fstest.MapFS{"experiments/bench.hcl": {Data: []byte(src)}}, spec.LoadOptions{})
	if diags.HasErrors() {
		return diags
	}
	trials, _ := p.Experiments[0].Trials("")
	dir, err := os.MkdirTemp("", "tfeventsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := metrics.NewCollector(nil, "")
	if err != nil {
		return err
	}
	c.Watch(p.Experiments[0].MetricsFrom, trials[0], dir)
	// The file appears after the trial starts, as a trial's would.
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		return err
	}
	if err := os.Link(abs, filepath.Join(dir, "logs", "events.out.tfevents.1")); err != nil {
		return err
	}
	start := time.Now()
	out := c.Finish()
	elapsed := time.Since(start)
	points := 0
	for _, s := range out.Series {
		points += len(s)
	}
	fmt.Printf("read %d metrics in %.2fs (%d series points kept); warnings: %d\n", len(out.Summaries), elapsed.Seconds(), points, len(out.Warnings))
	for _, w := range out.Warnings {
		fmt.Println("  ", w)
	}
	return nil
}
