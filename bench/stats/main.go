// Command stats measures, by simulation through the real comparison code
// (reporter/compare) and the real nightly drift rule (reporter/drift),
// how often assay's verdicts are wrong: A/A pull requests that fail the
// status, false labels per comment, real regressions missed, diverged
// seeds, discrete metrics, and drift alarms. Each rate is printed with its
// replicate count and a 95% Wilson interval; docs/compare.md quotes the
// figures.
//
//	go run ./bench/stats                      # every scenario, full replicates (make bench-stats)
//	go run ./bench/stats -run aa-40x12x2-n5   # one scenario
//	go run ./bench/stats -scale 0.1           # a tenth of the replicates
//
// `go test ./bench/stats` runs the scenarios that carry targets with fewer
// replicates and checks each target with a one-sided binomial test that a
// correct implementation fails with probability below 1e-6.
package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

func main() {
	var (
		only  = flag.String("run", "", "comma-separated scenario ids (default: all)")
		scale = flag.Float64("scale", 1, "multiply every replicate count by this")
		seed  = flag.Uint64("seed", 16, "random seed")
	)
	flag.Parse()
	var ids []string
	if *only != "" {
		ids = strings.Split(*only, ",")
	}
	if err := report(os.Stdout, ids, *scale, *seed); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// report runs the scenarios and prints one markdown table per kind.
func report(w io.Writer, ids []string, scale float64, seed uint64) error {
	prs := selected(scenarios(), ids)
	if len(prs) > 0 {
		fmt.Fprintln(w, "| scenario | situation | replicates | status fails | event | labels per comment | targets |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	}
	for _, s := range prs {
		reps := max(1, int(float64(s.full)*scale))
		start := time.Now()
		o := s.run(stream(seed, s.id), reps)
		hit := "–"
		if s.hitIs != "" {
			hit = s.hitIs + ": " + o.hit.String()
		}
		var claims []string
		for _, c := range s.claims {
			claims = append(claims, c.String()+" "+verdictOf(c, o))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s |\n", s.id, s.title, reps, o.fail, hit, o.labels, strings.Join(claims, "; "))
		fmt.Fprintf(os.Stderr, "%s: %d replicates in %s\n", s.id, reps, time.Since(start).Round(time.Millisecond))
	}
	drifts := selectedDrift(driftScenarios(), ids)
	if len(drifts) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| scenario | situation | replicates | result | targets |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
	}
	for _, s := range drifts {
		reps := max(1, int(float64(s.full)*scale))
		start := time.Now()
		res := s.run(stream(seed, s.id), reps)
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s |\n", s.id, s.title, reps, res, s.claimText(res))
		fmt.Fprintf(os.Stderr, "%s: %d replicates in %s\n", s.id, reps, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// verdictOf says whether the point estimate meets claim c.
func verdictOf(c claim, o outcome) string {
	var x float64
	switch c.what {
	case "fail":
		x = o.fail.p()
	case "hit":
		x = o.hit.p()
	default:
		x = o.labels.value()
	}
	if (c.atMost && x <= c.target) || (!c.atMost && x >= c.target) {
		return "✓"
	}
	return "✗"
}

// stream is the random stream of one scenario: a function of the seed and
// the scenario's id only, so a scenario's figures do not move when others
// are added.
func stream(seed uint64, id string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
