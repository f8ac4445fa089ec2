// Command planbench times assay plan against git ls-tree on the same
// repository in the same run, and reports assay's peak memory.
//
//	planbench -assay bin/assay -repo /tmp/big -base A -head B -runs 5
//
// The baseline is what reading both trees costs git itself:
// git ls-tree -r BASE, then git ls-tree -r HEAD. Each side is run -runs
// times, alternating so that a noisy machine slows both alike; the
// median wall time is reported, with CPU time (user+sys) beside it, which
// a busy machine disturbs less. Peak memory is the largest resident set
// of any assay run (getrusage maxrss of the child).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
}

func main() {
	assay := flag.String("assay", "bin/assay", "the assay binary")
	repo := flag.String("repo", "", "the repository to plan")
	base := flag.String("base", "A", "base revision")
	head := flag.String("head", "B", "head revision")
	runs := flag.Int("runs", 5, "runs of each side")
	targetRatio := flag.Float64("target-ratio", 2, "assay's wall time may be this many times git's")
	targetMiB := flag.Float64("target-mib", 300, "assay's peak memory may be this many MiB")
	flag.Parse()
	if *repo == "" || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: planbench -repo DIR [-assay BIN] [-base A] [-head B] [-runs N]")
		os.Exit(2)
	}
	var gitRuns, assayRuns []sample
	for i := 0; i < *runs; i++ {
		g1, err := run(*repo, "git", "ls-tree", "-r", *base)
		check(err)
		g2, err := run(*repo, "git", "ls-tree", "-r", *head)
		check(err)
		gitRuns = append(gitRuns, sample{wall: g1.wall + g2.wall, cpu: g1.cpu + g2.cpu})
		a, err := run(*repo, *assay, "plan", "--base", *base, "--head", *head, "--format", "json")
		check(err)
		assayRuns = append(assayRuns, a)
	}
	g, a := median(gitRuns), median(assayRuns)
	var peak int64
	for _, s := range assayRuns {
		peak = max(peak, s.rssKiB)
	}
	ratio := a.wall.Seconds() / g.wall.Seconds()
	cpuRatio := a.cpu.Seconds() / g.cpu.Seconds()
	peakMiB := float64(peak) / 1024
	fmt.Printf("%-44s %10s %10s\n", "median of "+fmt.Sprint(*runs)+" runs", "wall", "cpu")
	fmt.Printf("%-44s %10s %10s\n", "git ls-tree -r "+*base+" + git ls-tree -r "+*head, ms(g.wall), ms(g.cpu))
	fmt.Printf("%-44s %10s %10s\n", "assay plan --base "+*base+" --head "+*head+" --format json", ms(a.wall), ms(a.cpu))
	fmt.Printf("%-44s %9.2fx %9.2fx   (target ≤ %.1fx)\n", "assay / git", ratio, cpuRatio, *targetRatio)
	fmt.Printf("%-44s %8.0f MiB              (target < %.0f MiB)\n", "assay peak memory (max RSS)", peakMiB, *targetMiB)
	if ratio > *targetRatio || peakMiB >= *targetMiB {
		fmt.Println("result: OVER TARGET")
		os.Exit(1)
	}
	fmt.Println("result: within target")
}

func run(dir, name string, args ...string) (sample, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout = io.Discard
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, fmt.Errorf("%s %v: %w", name, args, err)
	}
	s := sample{wall: time.Since(start)}
	s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.rssKiB = ru.Maxrss
	}
	return s, nil
}

func median(ss []sample) sample {
	walls := make([]time.Duration, len(ss))
	cpus := make([]time.Duration, len(ss))
	for i, s := range ss {
		walls[i], cpus[i] = s.wall, s.cpu
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
	return sample{wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2]}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "planbench:", err)
		os.Exit(1)
	}
}
