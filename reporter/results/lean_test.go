package results

import (
	"bytes"
	"encoding/json"
	"math"
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
