package executortest

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

// span is when a trial ran and on what, as the trial itself saw it.
type span struct {
	name       string
	gpus       []string
	start, end float64
}

// spanJob's script records the trial's CUDA_VISIBLE_DEVICES and its
// start and end times (from the machine's clock) into its log.
func spanJob(name string, sleep string, opts ...func(*runner.Job)) *runner.Job {
	script := `echo "start $(date +%s.%N) gpus=$CUDA_VISIBLE_DEVICES"; sleep ` + sleep + `; echo "end $(date +%s.%N)"`
	return job(name, script, opts...)
}

var spanLine = regexp.MustCompile(`(?m)^start ([0-9.]+) gpus=(.*)\nend ([0-9.]+)$`)

func spans(t *testing.T, runs map[string][]*runner.Run) []span {
	t.Helper()
	var out []span
	for name, rs := range runs {
		for _, r := range rs {
			m := spanLine.FindStringSubmatch(readLog(t, r))
			if m == nil {
				t.Fatalf("%s: log has no span: %q", name, readLog(t, r))
			}
			s := span{name: name}
			s.start, _ = strconv.ParseFloat(m[1], 64)
			s.end, _ = strconv.ParseFloat(m[3], 64)
			if m[2] != "" {
				s.gpus = strings.Split(m[2], ",")
			}
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// span is a trial length in seconds, stretched by SpanScale.
func (h Harness) span(s float64) string {
	return strconv.FormatFloat(s*max(h.SpanScale, 1), 'f', -1, 64)
}

func overlap(a, b span) bool { return a.start < b.end && b.start < a.end }

func testGPUSlots(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{GPUs: []string{"0", "1", "2"}, Parallel: 1, KillGrace: time.Second})
	jobs := []*runner.Job{
		spanJob("one-a", h.span(0.3), withGPUs(1)),
		spanJob("one-b", h.span(0.3), withGPUs(1)),
		spanJob("two", h.span(0.3), withGPUs(2)),
		spanJob("three", h.span(0.2), withGPUs(3)),
		spanJob("one-c", h.span(0.3), withGPUs(1)),
		spanJob("cpu-a", h.span(0.2)),
		spanJob("cpu-b", h.span(0.2)),
	}
	runs := e.execute(context.Background(), x, jobs...)
	ss := spans(t, runs)
	if len(ss) != len(jobs) {
		t.Fatalf("%d trials ran, want %d", len(ss), len(jobs))
	}
	need := map[string]int{}
	for _, j := range jobs {
		need[j.Trial.Experiment] = j.Trial.Runner.GPUs
	}
	for _, s := range ss {
		r := only(t, runs, s.name)
		if len(s.gpus) != need[s.name] || fmt.Sprint(s.gpus) != fmt.Sprint(r.Result.GPUs) {
			t.Errorf("%s saw CUDA_VISIBLE_DEVICES=%v, recorded %v, needs %d", s.name, s.gpus, r.Result.GPUs, need[s.name])
		}
		seen := map[string]bool{}
		for _, g := range s.gpus {
			if seen[g] || (g != "0" && g != "1" && g != "2") {
				t.Errorf("%s got GPUs %v", s.name, s.gpus)
			}
			seen[g] = true
		}
	}
	// Largest first: the 3-GPU trial starts before any other GPU trial.
	for _, s := range ss {
		if len(s.gpus) > 0 {
			if s.name != "three" {
				t.Errorf("first GPU trial to start was %s, want three", s.name)
			}
			break
		}
	}
	// No GPU is ever held by two trials at once; CPU slots (1) are
	// separate from GPUs.
	for i := range ss {
		for j := i + 1; j < len(ss); j++ {
			a, b := ss[i], ss[j]
			if !overlap(a, b) {
				continue
			}
			for _, g := range a.gpus {
				for _, g2 := range b.gpus {
					if g == g2 {
						t.Errorf("%s and %s shared GPU %s", a.name, b.name, g)
					}
				}
			}
			if len(a.gpus) == 0 && len(b.gpus) == 0 {
				t.Errorf("%s and %s ran at once with one CPU slot", a.name, b.name)
			}
		}
	}
	// Slots stay busy: once "three" ended, "two" and a 1-GPU trial ran
	// side by side, filling all three GPUs.
	two := find(ss, "two")
	busy := false
	for _, s := range ss {
		if len(s.gpus) == 1 && overlap(s, two) {
			busy = true
		}
	}
	if !busy {
		t.Errorf("no 1-GPU trial ran beside the 2-GPU trial: %+v", ss)
	}
}

func find(ss []span, name string) span {
	for _, s := range ss {
		if s.name == name {
			return s
		}
	}
	return span{}
}

func testCPUSlots(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 3, KillGrace: time.Second})
	var jobs []*runner.Job
	for i := range 7 {
		jobs = append(jobs, spanJob(fmt.Sprintf("cpu%d", i), h.span(0.3)))
	}
	ss := spans(t, e.execute(context.Background(), x, jobs...))
	most := 0
	for _, s := range ss {
		n := 0
		for _, o := range ss {
			if o.start <= s.start && s.start < o.end {
				n++
			}
		}
		most = max(most, n)
	}
	if most != 3 {
		t.Errorf("at most %d trials ran at once, want exactly the 3 slots", most)
	}
}

func testRefusals(t *testing.T, h Harness) {
	x := h.New(t, Machine{GPUs: []string{"0", "1"}, Labels: []string{"cpu", "gpu"}, Parallel: 2, KillGrace: time.Second})
	fits := job("fits", "true", withGPUs(2))
	fits.Trial.Runner.Labels = []string{"gpu"}
	big := job("big", "true", withGPUs(4))
	odd := job("odd", "true")
	odd.Trial.Runner.Labels = []string{"a100", "cpu", "tpu"}
	refusals := x.Check([]*runner.Job{fits, big, odd})
	if len(refusals) != 2 {
		t.Fatalf("refusals = %+v", refusals)
	}
	got := map[string]string{}
	for _, r := range refusals {
		got[r.Job.Trial.Experiment] = r.Reason
	}
	// Executors name where they run in their own words ("this machine",
	// "partition gpu"); the need and what is there are always said.
	if !contains(got["big"], "needs 4 GPUs but ") || !contains(got["big"], " 2") {
		t.Errorf("big: %q", got["big"])
	}
	if !contains(got["odd"], "needs labels a100, tpu, which this ") || !contains(got["odd"], " does not offer") {
		t.Errorf("odd: %q", got["odd"])
	}
	// Execute never runs what Check refuses, and never hangs on it.
	e := newEnv(t)
	runs := e.execute(context.Background(), x, big, fits)
	if len(runs["big"]) != 0 || len(runs["fits"]) != 1 {
		t.Errorf("runs = %v", keys(runs))
	}
}

func testBadMetrics(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	script := `f="$ASSAY_METRICS_FILE"
echo '{"step": 1, "loss": 1.5}' >> "$f"
echo 'not json at all' >> "$f"
echo '{"step": 2, "loss": NaN, "acc": "high"}' >> "$f"
echo '{"step": 3, "loss": 0.5, "acc": Infinity}' >> "$f"
printf '{"step": 4, "loss": 0.2' >> "$f"`
	r := only(t, e.execute(context.Background(), x, job("garbage", script, withMetrics(&spec.Metric{Name: "loss", Summary: "min"}))), "garbage")
	wantStatus(t, r, runner.StatusSucceeded, 0)
	if len(r.Result.Metrics) != 1 || r.Result.Metrics["loss"] != 0.5 {
		t.Errorf("metrics = %v", r.Result.Metrics)
	}
	w := strings.Join(r.Result.Warnings, "\n")
	for _, want := range []string{"not a JSON object", `"loss" was NaN or infinite`, `"acc" is not a number`, `"acc" was NaN or infinite`, "last line (5) is incomplete"} {
		if !contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func testMetricsFileDeleted(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	script := `echo '{"step": 1, "acc": 0.5}' >> "$ASSAY_METRICS_FILE"; sleep 0.3; rm "$ASSAY_METRICS_FILE"; sleep 0.3
echo '{"step": 2, "acc": 0.9}' >> "$ASSAY_METRICS_FILE"`
	r := only(t, e.execute(context.Background(), x, job("deleted", script)), "deleted")
	wantStatus(t, r, runner.StatusSucceeded, 0)
	if _, ok := r.Result.Metrics["acc"]; !ok {
		t.Errorf("metrics = %v", r.Result.Metrics)
	}
	if w := strings.Join(r.Result.Warnings, "\n"); !contains(w, "deleted") && !contains(w, "replaced") {
		t.Errorf("warnings = %q", w)
	}
}

func testLargeStdout(t *testing.T, h Harness) {
	e := newEnv(t)
	x := h.New(t, Machine{Parallel: 2, KillGrace: time.Second})
	const mib = 16
	// 16 MiB of lines, some long, with a pattern metric at the end.
	script := fmt.Sprintf(`head -c %d /dev/zero | tr '\0' 'x' | fold -w 1000; echo; echo "loss=0.25"`, mib<<20)
	r := only(t, e.execute(context.Background(), x, job("big", script,
		withMetrics(&spec.Metric{Name: "loss", Summary: "last", Pattern: regexp.MustCompile(`^loss=([0-9.]+)$`)}))), "big")
	wantStatus(t, r, runner.StatusSucceeded, 0)
	info, err := os.Stat(r.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(mib<<20) + int64(mib<<20)/1000 + 1 + int64(len("loss=0.25\n"))
	if d := info.Size() - want; d < -2 || d > 2 {
		t.Errorf("log is %d bytes, want about %d", info.Size(), want)
	}
	if r.Result.Metrics["loss"] != 0.25 {
		t.Errorf("metrics = %v", r.Result.Metrics)
	}
}
