package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
)

func TestDownsampleKeepsEndsAndExtremes(t *testing.T) {
	var s []runner.Point
	for i := int64(0); i < 100_000; i++ {
		s = append(s, runner.Point{Step: i, Value: math.Sin(float64(i) / 500)})
	}
	s[31_337].Value = 7  // a spike
	s[77_777].Value = -9 // a dip
	s[50_000].Value = math.NaN()
	got := Downsample(s, MaxSeriesPoints)
	if len(got) > MaxSeriesPoints {
		t.Fatalf("%d points, want at most %d", len(got), MaxSeriesPoints)
	}
	if got[0] != s[0] || got[len(got)-1] != s[len(s)-1] {
		t.Errorf("first or last point lost")
	}
	has := func(step int64) bool {
		for _, p := range got {
			if p.Step == step {
				return true
			}
		}
		return false
	}
	if !has(31_337) || !has(77_777) {
		t.Errorf("the maximum or minimum was dropped")
	}
	for i := 1; i < len(got); i++ {
		if got[i].Step <= got[i-1].Step {
			t.Fatalf("steps out of order at %d: %d after %d", i, got[i].Step, got[i-1].Step)
		}
	}
	short := s[:10]
	if out := Downsample(short, MaxSeriesPoints); len(out) != 10 {
		t.Errorf("a short series changed: %d points", len(out))
	}
}

func TestLogTail(t *testing.T) {
	small := []byte("one\ntwo\n")
	if got := LogTail(small, 100); !bytes.Equal(got, small) {
		t.Errorf("a short log changed: %q", got)
	}
	var b strings.Builder
	for i := 0; b.Len() < 100_000; i++ {
		b.WriteString("step é line\n")
	}
	log := []byte(b.String() + "the end\n")
	got := LogTail(log, LogTailBytes)
	if len(got) > LogTailBytes {
		t.Errorf("tail is %d bytes, want at most %d", len(got), LogTailBytes)
	}
	first, rest, _ := strings.Cut(string(got), "\n")
	if !strings.HasPrefix(first, "[assay: ") || !strings.HasPrefix(rest, "step é line\n") || !strings.HasSuffix(rest, "the end\n") {
		t.Errorf("tail starts %q then %q", first, rest[:20])
	}
}

func TestSeriesFileRoundTrip(t *testing.T) {
	in := map[string][]runner.Point{
		"acc":  {{Step: 1, Value: 0.123456789}, {Step: 2, Value: math.NaN()}, {Step: 3, Value: 3}},
		"loss": {{Step: 10, Value: 1e-7}},
	}
	b := encodeSeries(in)
	if !json.Valid(b) {
		t.Fatalf("not JSON: %s", b)
	}
	var cols map[string]seriesColumns
	if err := json.Unmarshal(b, &cols); err != nil {
		t.Fatal(err)
	}
	out, err := decodeSeries(cols)
	if err != nil {
		t.Fatal(err)
	}
	acc := out["acc"]
	// Four digits of the largest value, 3: steps of 0.001.
	if len(acc) != 3 || acc[0].Value != 0.123 || !math.IsNaN(acc[1].Value) || acc[2].Value != 3 || acc[2].Step != 3 || out["loss"][0].Value != 1e-7 {
		t.Errorf("round trip: %v from %s", out, b)
	}
	if !strings.Contains(string(b), `"step":[1,2,3]`) && !strings.Contains(string(b), `"step_from":1,"step_every":1`) {
		t.Errorf("steps not kept: %s", b)
	}
	// A long, smooth, evenly stepped curve stays small.
	var curve []runner.Point
	for i := int64(1); i <= 500; i++ {
		curve = append(curve, runner.Point{Step: 10 * i, Value: 2.3 * math.Exp(-float64(i)/100)})
	}
	big := encodeSeries(map[string][]runner.Point{"loss": curve})
	if !strings.Contains(string(big), `"step_from":10,"step_every":10`) {
		t.Errorf("even steps not compacted: %.80s", big)
	}
	var back map[string]seriesColumns
	json.Unmarshal(big, &back)
	pts, _ := decodeSeries(back)
	for i, p := range pts["loss"] {
		if math.Abs(p.Value-curve[i].Value) > 0.0005 || p.Step != curve[i].Step {
			t.Fatalf("point %d: %v, want %v", i, p, curve[i])
		}
	}
}

func TestIndexFileRoundTripAndDamage(t *testing.T) {
	r := testRun("20260301T120000.000Z-aaaa", "resnet", 1).Result
	r.Params["layers"] = []any{1.0, 2.0}
	r.Params["aug"] = true
	r.Params["none"] = nil
	r2 := testRun("20260301T120001.000Z-bbbb", "resnet", 2).Result
	r2.Status, r2.Search = runner.StatusStopped, &runner.SearchOrigin{Round: 0, Proposal: 3}
	idx := &Index{Entries: []*Entry{entryOf(r), entryOf(r2)}, Warnings: []Warning{{Path: "runs/x", Problem: "bad"}}}
	b := encodeIndex(idx)
	got, err := decodeIndex(b)
	if err != nil {
		t.Fatal(err)
	}
	e := got.Entries[0]
	if e.RunID != r.RunID || e.Params["aug"] != true || e.Params["none"] != nil || len(e.Params["layers"].([]any)) != 2 ||
		e.Metrics["val_acc"] != r.Metrics["val_acc"] || !e.Started.Equal(r.Started) || got.Warnings[0].Path != "runs/x" {
		t.Errorf("round trip lost something: %+v", e)
	}
	if e.Search != nil {
		t.Errorf("a run of no search came back with %+v", e.Search)
	}
	if e2 := got.Entries[1]; e2.Status != runner.StatusStopped || e2.Search == nil || *e2.Search != (runner.SearchOrigin{Round: 0, Proposal: 3}) ||
		e2.Result().Search == nil {
		t.Errorf("a search's run came back with status %s, search %+v", e2.Status, e2.Search)
	}
	for _, cut := range []int{0, 10, len(b) / 2, len(b) - 1} {
		if _, err := decodeIndex(b[:cut]); err == nil {
			t.Errorf("a file cut at %d decoded", cut)
		}
	}
	flipped := append([]byte(nil), b...)
	flipped[len(flipped)/2] ^= 0xff
	if _, err := decodeIndex(flipped); err == nil {
		t.Errorf("a damaged file decoded")
	}
}

// rising is n points whose values all differ, each step's value its step.
func rising(n int) []runner.Point {
	s := make([]runner.Point, n)
	for i := range s {
		s[i] = runner.Point{Step: int64(i), Value: float64(i)}
	}
	return s
}

// points is a series given as step, value pairs.
func points(sv ...float64) []runner.Point {
	s := make([]runner.Point, 0, len(sv)/2)
	for i := 0; i+1 < len(sv); i += 2 {
		s = append(s, runner.Point{Step: int64(sv[i]), Value: sv[i+1]})
	}
	return s
}

func TestDownsampleSizes(t *testing.T) {
	flat := rising(10)
	for i := 3; i < 7; i++ {
		flat[i].Value = 2 // ties: a bucket of two equal values keeps one
	}
	for _, c := range []struct {
		name string
		s    []runner.Point
		max  int
		want []int64 // the steps kept
	}{
		{"a limit below 4 keeps the ends and the one bucket's extremes", rising(100), 1, []int64{0, 1, 98, 99}},
		{"a series as long as the limit is kept whole, ties and all", flat, 10, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"one point past the limit loses one", rising(11), 10, []int64{0, 1, 2, 3, 4, 5, 6, 7, 9, 10}},
		{"each bucket gives its highest and its lowest, in step order",
			points(0, 0, 1, 5, 2, 1, 3, 9, 4, -3, 5, 2, 6, 0), 6, []int64{0, 1, 2, 3, 4, 6}},
	} {
		got := Downsample(c.s, c.max)
		var steps []int64
		for _, p := range got {
			steps = append(steps, p.Step)
		}
		if fmt.Sprint(steps) != fmt.Sprint(c.want) {
			t.Errorf("%s: kept steps %v, want %v", c.name, steps, c.want)
		}
	}
	// The limit is used in full: two points from each of 499 buckets,
	// and the ends.
	if got := Downsample(rising(100_000), MaxSeriesPoints); len(got) != MaxSeriesPoints {
		t.Errorf("100,000 points came down to %d, want %d", len(got), MaxSeriesPoints)
	}
}

func TestDownsampleNaNNeverHidesAnExtreme(t *testing.T) {
	// One bucket (a limit of 4) that starts with a NaN: the NaN counts as
	// its lowest value, and the highest survives beside it.
	s := points(0, 0, 1, math.NaN(), 2, 5, 3, 1, 4, 0)
	got := Downsample(s, 4)
	if len(got) != 4 || !math.IsNaN(got[1].Value) || got[2] != s[2] {
		t.Errorf("kept %v, want the ends, the NaN at step 1 and the 5 at step 2", got)
	}
}

func TestDownsampleKeepsWhereAPlateauStarts(t *testing.T) {
	// A curve that reaches its best and stays there: the chart shows the
	// step where it was first reached, and where the lowest was first
	// reached too.
	s := points(0, 0, 1, 0.2, 2, 0.9, 3, 0.9, 4, 0.9, 5, 0.2, 6, 0.5, 7, 0.5)
	got := Downsample(s, 4)
	if len(got) != 4 || got[1] != s[1] || got[2] != s[2] {
		t.Errorf("kept %v, want the ends, the 0.2 at step 1 and the 0.9 at step 2", got)
	}
}

func TestLogTailCuts(t *testing.T) {
	const limit = 200
	marker := func(n int) string {
		return fmt.Sprintf("[assay: %d earlier bytes of the log are not kept on the results branch]\n", n)
	}
	// The room left for the log after the marker of a 1,000-byte log.
	room := limit - len(marker(1000))
	pad := func(n int) string { return strings.Repeat("a", n) }
	tail := func(n int) string { return strings.Repeat("b", n) }
	for _, c := range []struct {
		name      string
		limit     int
		log, want string
	}{
		{"a log of exactly the limit is kept whole", limit, pad(limit), pad(limit)},
		{"the cut falls at the start of a line: the tail starts there", limit,
			pad(1000-room-1) + "\n" + tail(room),
			marker(1000-room) + tail(room)},
		{"the cut falls on a newline: the next line starts the tail", limit,
			pad(1000-room) + "\n" + tail(room-1),
			marker(1000-room+1) + tail(room-1)},
		{"a newline just inside the first quarter starts the tail", limit,
			pad(1000-room) + pad(room/4-1) + "\n" + tail(room-room/4),
			marker(1000-room+room/4) + tail(room-room/4)},
		{"a newline at the first quarter is too far: the tail starts mid-line", limit,
			pad(1000-room) + pad(room/4) + "\n" + tail(room-room/4-1),
			marker(1000-room) + pad(room/4) + "\n" + tail(room-room/4-1)},
		{"a limit shorter than the marker keeps the marker alone", 10, pad(1000), marker(1000)},
		{"never inside a UTF-8 sequence", limit,
			pad(1000-room-1) + "é" + tail(room-1),
			marker(1000-room+1) + tail(room-1)},
	} {
		if len(c.log) != 1000 && len(c.log) != limit {
			t.Fatalf("%s: the log is %d bytes", c.name, len(c.log))
		}
		if got := string(LogTail([]byte(c.log), c.limit)); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestRunFilesKeepMoreLogOfARunThatFailed(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; b.Len() < 2*FailedLogTailBytes; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	log := filepath.Join(dir, "log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		status   runner.Status
		min, max int
	}{
		{runner.StatusSucceeded, LogTailBytes - 100, LogTailBytes},
		{runner.StatusFailed, FailedLogTailBytes - 100, FailedLogTailBytes},
		{runner.StatusTimedOut, FailedLogTailBytes - 100, FailedLogTailBytes},
	} {
		run := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
		run.Result.Status, run.LogPath = c.status, log
		files, err := RunFiles(run)
		if err != nil {
			t.Fatal(err)
		}
		got := files[len(files)-1]
		if !strings.HasSuffix(got.Path, ".log") || len(got.Data) < c.min || len(got.Data) > c.max {
			t.Errorf("a %s run keeps %s of %d bytes, want %d to %d", c.status, got.Path, len(got.Data), c.min, c.max)
		}
	}
}

func TestRunFilesOfALogThatCannotBeRead(t *testing.T) {
	run := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	run.LogPath = t.TempDir() // a folder: opened, but not read
	_, err := RunFiles(run)
	if err == nil || !strings.HasPrefix(err.Error(), "run 20260301T120000.000Z-aaaa: reading log: ") {
		t.Errorf("got %v, want the run's log named as unreadable", err)
	}
}

// failingReader is a log whose every read fails.
type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("input/output error") }

func TestLogTailOfALogThatFailsToRead(t *testing.T) {
	for _, size := range []int64{100, 1 << 20} { // under and over the limit
		if _, err := readTail(failingReader{}, size, LogTailBytes); err == nil || err.Error() != "input/output error" {
			t.Errorf("a %d-byte log: got %v, want the read's error", size, err)
		}
	}
}

func TestSeriesFileFormat(t *testing.T) {
	for _, c := range []struct {
		name   string
		series map[string][]runner.Point
		want   string
	}{
		{"no series", nil, `{}`},
		{"two even steps are a start and a stride", map[string][]runner.Point{"a": points(5, 1, 7, 2)},
			`{"a":{"step_from":5,"step_every":2,"exp":-3,"delta":[1000,1000]}}`},
		{"uneven steps are listed", map[string][]runner.Point{"a": points(1, 1, 2, 2, 4, 3)},
			`{"a":{"step":[1,2,4],"exp":-3,"delta":[1000,1000,1000]}}`},
		{"a repeated step is listed", map[string][]runner.Point{"a": points(3, 1, 3, 2)},
			`{"a":{"step":[3,3],"exp":-3,"delta":[1000,1000]}}`},
		{"steps that go back are listed", map[string][]runner.Point{"a": points(3, 1, 2, 2, 1, 3)},
			`{"a":{"step":[3,2,1],"exp":-3,"delta":[1000,1000,1000]}}`},
		{"NaN and infinities are gaps that do not move the running value",
			map[string][]runner.Point{"a": points(1, 0.5, 2, math.Inf(1), 3, math.NaN(), 4, math.Inf(-1), 5, 0.25)},
			`{"a":{"step_from":1,"step_every":1,"exp":-4,"delta":[5000,null,null,null,-2500]}}`},
		{"an all-zero series", map[string][]runner.Point{"z": points(1, 0, 2, 0)},
			`{"z":{"step_from":1,"step_every":1,"exp":0,"delta":[0,0]}}`},
		{"metrics in name order, four digits of the largest value",
			map[string][]runner.Point{"b": points(1, -123.456), "a": points(1, 0.012345, 2, 0.0001)},
			`{"a":{"step_from":1,"step_every":1,"exp":-5,"delta":[1235,-1225]},"b":{"step":[1],"exp":-1,"delta":[-1235]}}`},
	} {
		if got := string(encodeSeries(c.series)); got != c.want+"\n" {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestSeriesFileThatDoesNotAddUp(t *testing.T) {
	var cols map[string]seriesColumns
	if err := json.Unmarshal([]byte(`{"loss":{"step":[1,2,3],"exp":0,"delta":[1,2]}}`), &cols); err != nil {
		t.Fatal(err)
	}
	_, err := decodeSeries(cols)
	if err == nil || err.Error() != `series "loss" has 3 steps but 2 values` {
		t.Errorf("got %v, want the steps and values counted", err)
	}
}
