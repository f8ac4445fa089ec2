// Command slowspec writes a repository whose one experiment file is built
// to make assay validate slow, and times assay validate on it.
//
//	slowspec -dir /tmp/slow                     # write a 1 MiB spec
//	slowspec -dir /tmp/slow -assay bin/assay    # ... and time assay validate
//
// The file (experiments/slow.hcl, -size bytes) spends a third of its bytes
// on each of the constructs that cost the most per byte:
//
//   - a chain of locals, each referring to the one before it;
//   - a chain of templates, each extending the one before it and adding a
//     metric of its own, as deep as the bytes allow;
//   - experiments that all extend the deepest template and sweep a param,
//     as many as the bytes allow, with their trials adding up to -trials
//     (by default exactly the project's total limit).
//
// Every limit assay enforces is met exactly, so validate has to do all of
// the work and must still succeed. With -assay, validate runs -runs times
// and the median wall time and the peak memory (the largest resident set
// of any run) are printed beside the targets.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/assaylab/assay/spec"
)

// shape is what write put in the file.
type shape struct {
	bytes, locals, templates, metrics, experiments, trials int
}

func (s shape) String() string {
	return fmt.Sprintf("%d bytes: %d chained locals, %d chained templates (%d metrics), %d experiments, %d trials",
		s.bytes, s.locals, s.templates, s.metrics, s.experiments, s.trials)
}

// write writes the repository into dir: assay.hcl and an experiment file
// of at most size bytes whose experiments expand to trials trials.
func write(dir string, size, trials int) (shape, error) {
	if err := os.MkdirAll(filepath.Join(dir, "experiments"), 0o755); err != nil {
		return shape{}, err
	}
	project := fmt.Sprintf("project {\n  experiments = [\"experiments/*.hcl\"]\n  max_trials  = %d\n}\n", trials)
	if err := os.WriteFile(filepath.Join(dir, spec.ProjectFile), []byte(project), 0o644); err != nil {
		return shape{}, err
	}
	src, sh := generate(size, trials)
	return sh, os.WriteFile(filepath.Join(dir, "experiments", "slow.hcl"), src, 0o644)
}

// generate builds the experiment file.
func generate(size, trials int) ([]byte, shape) {
	var b bytes.Buffer
	var sh shape
	third := size / 3

	b.WriteString("locals {\n  l0 = 0\n")
	sh.locals = 1
	for b.Len() < third {
		fmt.Fprintf(&b, "  l%d = local.l%d + 1\n", sh.locals, sh.locals-1)
		sh.locals++
	}
	b.WriteString("}\n")
	last := fmt.Sprintf("local.l%d", sh.locals-1)

	fmt.Fprintf(&b, "template \"t0\" {\n  runner { timeout = \"1h\" }\n}\n")
	sh.templates = 1
	for b.Len() < 2*third && sh.metrics < spec.MaxMetrics {
		fmt.Fprintf(&b, "template \"t%d\" {\n  extends = template.t%d\n  metric \"m%d\" {}\n}\n", sh.templates, sh.templates-1, sh.templates)
		sh.templates++
		sh.metrics++
	}
	for b.Len() < 2*third {
		fmt.Fprintf(&b, "template \"t%d\" {\n  extends = template.t%d\n}\n", sh.templates, sh.templates-1)
		sh.templates++
	}

	// Each experiment is the same size, so their number is known before
	// they are written; the trials are then spread over them evenly.
	one := func(i, points int) string {
		return fmt.Sprintf("experiment \"e%d\" {\n  extends = template.t%d\n  command = [\"train\", \"--x=${param.x}\"]\n  inputs  = [\"experiments/slow.hcl\"]\n  params  = { x = %s }\n  sweep {\n    param \"x\" { values = range(%d) }\n  }\n}\n",
			i, sh.templates-1, last, points)
	}
	per := len(one(99999, 9999))
	n := max(1, (size-b.Len())/per)
	n = min(n, trials)
	for i := range n {
		points := trials / n
		if i < trials%n {
			points++
		}
		b.WriteString(one(i, points))
		sh.trials += points
	}
	sh.experiments = n
	sh.bytes = b.Len()
	return b.Bytes(), sh
}

type sample struct {
	wall   time.Duration
	rssKiB int64
}

func main() {
	dir := flag.String("dir", "", "directory to write the repository into")
	size := flag.Int("size", spec.MaxFileSize, "size of the experiment file in bytes")
	trials := flag.Int("trials", spec.DefaultMaxTotalTrials, "trials the experiments expand to in all")
	assay := flag.String("assay", "", "an assay binary: time assay validate in the repository")
	runs := flag.Int("runs", 3, "runs of assay validate")
	targetWall := flag.Duration("target-wall", 2*time.Second, "assay validate may take this long")
	targetMiB := flag.Float64("target-mib", 500, "assay validate may use this many MiB")
	flag.Parse()
	if *dir == "" || *size < 1024 || *trials < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: slowspec -dir DIR [-size BYTES] [-trials N] [-assay BIN [-runs N]]")
		os.Exit(2)
	}
	sh, err := write(*dir, *size, *trials)
	check(err)
	fmt.Printf("wrote %s/experiments/slow.hcl: %s\n", *dir, sh)
	if *assay == "" {
		return
	}
	var samples []sample
	for range *runs {
		s, err := validate(*assay, *dir)
		check(err)
		samples = append(samples, s)
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i].wall < samples[j].wall })
	var peak int64
	for _, s := range samples {
		peak = max(peak, s.rssKiB)
	}
	wall, mib := samples[len(samples)/2].wall, float64(peak)/1024
	fmt.Printf("assay validate: %.2fs wall (median of %d, target < %s), %.0f MiB peak (target < %.0f MiB)\n",
		wall.Seconds(), len(samples), *targetWall, mib, *targetMiB)
	if wall > *targetWall || mib > *targetMiB {
		fmt.Println("OVER TARGET")
		os.Exit(1)
	}
}

// validate runs assay validate in dir and measures it.
func validate(assay, dir string) (sample, error) {
	cmd := exec.Command(assay, "validate")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("assay validate: %w\n%s", err, out.Bytes())
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return sample{wall: wall, rssKiB: rss}, nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "slowspec:", err)
		os.Exit(1)
	}
}
