package metrics

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

func newFile(t *testing.T, content string) (string, *os.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	return path, f
}

func collect(t *testing.T, declared []*spec.Metric, content string) Outcome {
	t.Helper()
	path, _ := newFile(t, content)
	c, err := NewCollector(declared, path)
	if err != nil {
		t.Fatal(err)
	}
	return c.Finish()
}

func TestSummariesAndSeries(t *testing.T) {
	declared := []*spec.Metric{
		{Name: "val_acc", Summary: "max"},
		{Name: "train_loss", Summary: "last"},
		{Name: "lr", Summary: "mean"},
		{Name: "loss_min", Summary: "min"},
	}
	got := collect(t, declared, `{"step": 1, "val_acc": 0.5, "train_loss": 0.9, "lr": 1, "loss_min": 3}
{"step": 2, "val_acc": 0.8, "train_loss": 0.6, "lr": "2", "loss_min": 1}
{"step": 3, "val_acc": 0.7, "train_loss": 0.4, "lr": 3, "loss_min": 2, "extra": 5}
`)
	want := map[string]float64{"val_acc": 0.8, "train_loss": 0.4, "lr": 2, "loss_min": 1, "extra": 5}
	if diff := cmp.Diff(want, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]runner.Point{{Step: 1, Value: 0.5}, {Step: 2, Value: 0.8}, {Step: 3, Value: 0.7}}, got.Series["val_acc"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 0 {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestBadInputIsReportedNotFatal(t *testing.T) {
	declared := []*spec.Metric{{Name: "acc", Summary: "last"}, {Name: "never", Summary: "last"}}
	got := collect(t, declared, strings.Join([]string{
		`{"step": 1, "acc": 0.5, "phase": "train"}`,
		`garbage that is not json`,
		`{"step": 2, "acc": NaN, "phase": "train"}`,
		`{"step": 3, "acc": Infinity}`,
		`{"step": 4, "acc": -Infinity, "note": "NaN is fine in a string"}`,
		`[1, 2, 3]`,
		`{"step": 5, "acc": 0.75, "flag": true}`,
		``,
		`{"step": 6, "acc": 0.9`, // torn: the writer died mid-line
	}, "\n"))
	if diff := cmp.Diff(map[string]float64{"acc": 0.75}, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]runner.Point{{Step: 1, Value: 0.5}, {Step: 5, Value: 0.75}}, got.Series["acc"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	want := []string{
		`metrics file: "phase" is not a number on 2 lines (first: line 1: "train"); ignored`,
		`metrics file: 2 lines are not a JSON object (first: line 2); ignored`,
		`metrics file: "acc" was NaN or infinite on 3 lines (first: line 3); those points were dropped`,
		`metrics file: "note" is not a number on 1 line (first: line 5: "NaN is fine in a string"); ignored`,
		`metrics file: "flag" is not a number on 1 line (first: line 7: true); ignored`,
		`metrics file: the last line (9) is incomplete, as if the trial was stopped mid-write; ignored`,
		`metric "never" is declared but the metrics file never reported it`,
	}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestLastLineWithoutNewlineIsKept(t *testing.T) {
	got := collect(t, nil, `{"loss": 2}`+"\n"+`{"loss": 1}`)
	if diff := cmp.Diff(map[string]float64{"loss": 1}, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	// Lines without "step" are numbered by their order.
	if diff := cmp.Diff([]runner.Point{{Step: 1, Value: 2}, {Step: 2, Value: 1}}, got.Series["loss"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}

func TestFileDeletedMidRunKeepsWhatWasWritten(t *testing.T) {
	path, f := newFile(t, `{"step": 1, "acc": 0.5}`+"\n")
	c, err := NewCollector(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Poll(); !cmp.Equal(got, []string{"acc"}) {
		t.Errorf("Poll = %q", got)
	}
	if v, ok := c.Latest("acc"); !ok || v != 0.5 {
		t.Errorf("Latest = %v, %v", v, ok)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	// The trial still holds the file open and keeps writing to it.
	f.WriteString(`{"step": 2, "acc": 0.6}` + "\n")
	got := c.Finish()
	if diff := cmp.Diff(map[string]float64{"acc": 0.6}, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "deleted") {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestFileReplacedMidRunReadsBoth(t *testing.T) {
	path, _ := newFile(t, `{"step": 1, "acc": 0.5}`+"\n")
	c, err := NewCollector(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	os.WriteFile(path, []byte(`{"step": 2, "acc": 0.7}`+"\n"), 0o644)
	got := c.Finish()
	if diff := cmp.Diff([]runner.Point{{Step: 1, Value: 0.5}, {Step: 2, Value: 0.7}}, got.Series["acc"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "replaced") {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestOverlongLineIsDropped(t *testing.T) {
	long := `{"x": "` + strings.Repeat("a", maxLine+10) + `"}`
	got := collect(t, nil, long+"\n"+`{"acc": 1}`+"\n")
	if diff := cmp.Diff(map[string]float64{"acc": 1}, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "line 1 is longer") {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestPatternMetrics(t *testing.T) {
	declared := []*spec.Metric{
		{Name: "throughput", Summary: "mean", Pattern: regexp.MustCompile(`imgs/s=([^ ]+)`)},
	}
	c, err := NewCollector(declared, "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasPatterns() {
		t.Fatal("HasPatterns = false")
	}
	for _, l := range []string{"epoch 1 imgs/s=100", "nothing here", "imgs/s=300 done", "imgs/s=fast", "imgs/s=nan"} {
		c.ScanLine([]byte(l))
	}
	got := c.Finish()
	if diff := cmp.Diff(map[string]float64{"throughput": 200}, got.Summaries); diff != "" {
		t.Errorf("summaries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]runner.Point{{Step: 1, Value: 100}, {Step: 2, Value: 300}}, got.Series["throughput"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 2 {
		t.Errorf("warnings = %q", got.Warnings)
	}
}

func TestSeriesIsBoundedAndExact(t *testing.T) {
	var s Series
	const n = 1_000_003
	for i := 1; i <= n; i++ {
		s.Add(int64(i), float64(i))
	}
	if len(s.points) >= 2*MaxPoints {
		t.Errorf("kept %d points in memory", len(s.points))
	}
	pts := s.Points()
	if len(pts) > MaxPoints || len(pts) < MaxPoints/2 {
		t.Errorf("Points() has %d points", len(pts))
	}
	if pts[0].Step != 1 || pts[len(pts)-1].Step != n {
		t.Errorf("first %v last %v", pts[0], pts[len(pts)-1])
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Step <= pts[i-1].Step {
			t.Fatalf("not in step order at %d: %v %v", i, pts[i-1], pts[i])
		}
	}
	for rule, want := range map[string]float64{"last": n, "min": 1, "max": n, "mean": (n + 1) / 2.0} {
		if got, _ := s.Summary(rule); got != want {
			t.Errorf("%s = %v, want %v", rule, got, want)
		}
	}
}

// TestSeriesMinMaxAsMath: the summaries min and max are math.Min and
// math.Max over the points, signed zeros included.
func TestSeriesMinMaxAsMath(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, vals := range [][]float64{
		{0, negZero}, {negZero, 0}, {0, negZero, 0}, {1, 0, negZero, 0, -1},
		{negZero, -1, 0, 1}, {3, 3, 3}, {-math.MaxFloat64, math.MaxFloat64, math.SmallestNonzeroFloat64},
	} {
		var s Series
		lo, hi := vals[0], vals[0]
		for i, v := range vals {
			s.Add(int64(i), v)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if got, _ := s.Summary("min"); math.Float64bits(got) != math.Float64bits(lo) {
			t.Errorf("min of %v = %v, want %v", vals, got, lo)
		}
		if got, _ := s.Summary("max"); math.Float64bits(got) != math.Float64bits(hi) {
			t.Errorf("max of %v = %v, want %v", vals, got, hi)
		}
	}
}

// TestSeriesFastAddAsAdd: add, where it takes a point, leaves a Series
// as Add would: points kept, summaries to the bit, signed zeros among
// the values, over enough points to thin the kept ones many times.
func TestSeriesFastAddAsAdd(t *testing.T) {
	negZero := math.Copysign(0, -1)
	var slow, fast Series
	taken := 0
	for i := range 50_000 {
		v := math.Sin(float64(i)) * float64(i%97)
		switch i % 13 {
		case 3:
			v = 0
		case 7:
			v = negZero
		}
		slow.Add(int64(i), v)
		if fast.add(int64(i), v) {
			taken++
		} else {
			fast.Add(int64(i), v)
		}
	}
	if taken < 30_000 { // all but the zeros and the kept points
		t.Errorf("add took %d points of 50,000", taken)
	}
	if diff := cmp.Diff(slow.Points(), fast.Points()); diff != "" {
		t.Errorf("points (-Add +add):\n%s", diff)
	}
	for _, rule := range []string{"last", "min", "max", "mean"} {
		want, _ := slow.Summary(rule)
		if got, _ := fast.Summary(rule); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s = %v, want %v", rule, got, want)
		}
	}
	if slow.Len() != fast.Len() || slow.Last() != fast.Last() {
		t.Errorf("len %d last %v, want %d %v", fast.Len(), fast.Last(), slow.Len(), slow.Last())
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"step": 1, "a": NaN, "b": "Infinity", "c": -Infinity}`))
	f.Add([]byte(`{"a": "\"NaN\\"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		_, _, vals, _ := parseLine(line)
		for _, v := range vals {
			if v.bad == "" && (v.v != v.v) {
				t.Fatalf("NaN accepted: %q", line)
			}
		}
	})
}
