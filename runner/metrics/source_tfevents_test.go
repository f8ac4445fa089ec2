package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/metrics/tfevents"
)

// A spec whose metrics summarise the large file's tags by every rule.
const largeSpec = `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { tensorboard = "logs" }
  metric "loss1" { summary = "mean" }
  metric "loss2" { summary = "min" }
  metric "loss3" { summary = "max" }
}`

// largeEvents is an event file of n scalars over seven tags, large enough
// to be read on several goroutines: the version record, then loss0 ...
// loss6 in turn, values of both signs.
func largeEvents(n int) []byte {
	file := tfevents.AppendRecord(nil, tfevents.FileVersionEvent(1))
	for i := range n {
		v := float32(math.Sin(float64(i))) * 3
		file = tfevents.AppendRecord(file, tfevents.ScalarEvent(1.7e9+float64(i), int64(i/7), fmt.Sprintf("loss%d", i%7), v))
	}
	return file
}

// recordByRecord is what reading data record by record gives: each tag's
// series and, for rule, its summary, and the points of loss1 in order.
func recordByRecord(t *testing.T, data []byte) (series map[string]*Series, loss1 []runner.Point) {
	t.Helper()
	series = map[string]*Series{}
	r := tfevents.NewReader(bytes.NewReader(data), 0)
	defer r.Close()
	var d tfevents.Decoder
	for {
		rec, err := r.Next()
		var ce *tfevents.CorruptError
		switch {
		case err == io.EOF, errors.Is(err, tfevents.ErrTruncated):
			return series, loss1
		case errors.As(err, &ce) && !ce.Framing:
			continue
		case err != nil:
			t.Fatal(err)
		}
		d.Decode(rec, func(step int64, tag []byte, v float64) {
			s := series[string(tag)]
			if s == nil {
				s = &Series{}
				series[string(tag)] = s
			}
			s.Add(step, v)
			if string(tag) == "loss1" {
				loss1 = append(loss1, runner.Point{Step: step, Value: v})
			}
		})
	}
}

// checkAsRecordByRecord compares what the collector gave with what
// reading data record by record gives, to the last bit.
func checkAsRecordByRecord(t *testing.T, data []byte, got Outcome, loss1 []runner.Point) {
	t.Helper()
	want, wantLoss1 := recordByRecord(t, data)
	if len(got.Series) != len(want) {
		t.Errorf("%d series, want %d", len(got.Series), len(want))
	}
	rules := map[string]string{"loss1": "mean", "loss2": "min", "loss3": "max"}
	for tag, s := range want {
		if diff := cmp.Diff(s.Points(), got.Series[tag]); diff != "" {
			t.Errorf("%s series (-record by record +collector):\n%s", tag, diff)
		}
		v, _ := s.Summary(rules[tag])
		if g, ok := got.Summaries[tag]; !ok || math.Float64bits(g) != math.Float64bits(v) {
			t.Errorf("%s summary %v, want %v", tag, g, v)
		}
	}
	if !cmp.Equal(wantLoss1, loss1) {
		t.Errorf("OnPoint saw %d points of loss1, want %d", len(loss1), len(wantLoss1))
	}
}

// TestLargeEventFileAsRecordByRecord reads an event file large enough for
// the reader's workers, with a damaged record late in it and half a
// record at its end: every series, summary and warning is what reading
// record by record gives, and a metric followed with OnPoint (early
// stopping's judge) sees every one of its points in order.
func TestLargeEventFileAsRecordByRecord(t *testing.T) {
	data := largeEvents(200_000)
	damaged := len(data) * 5 / 6
	r := tfevents.NewReader(bytes.NewReader(data), 0)
	for r.Offset() < int64(damaged) {
		r.Next()
	}
	bad := r.Offset()
	r.Close()
	data[bad+20] ^= 0x08
	data = append(data, tfevents.AppendRecord(nil, tfevents.ScalarEvent(1, 1, "loss0", 1))[:30]...)

	dir := t.TempDir()
	c := watching(t, largeSpec, dir)
	var loss1 []runner.Point
	c.OnPoint("loss1", func(step int64, v float64) { loss1 = append(loss1, runner.Point{Step: step, Value: v}) })
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1"), data)
	got := c.Finish()
	checkAsRecordByRecord(t, data, got, loss1)
	want := []string{
		fmt.Sprintf("metrics_from: logs/events.out.tfevents.1: 1 record failed the CRC check of its data (first at offset %d); skipped", bad),
		fmt.Sprintf("metrics_from: logs/events.out.tfevents.1: the last record (at offset %d, 30 bytes before the end) is incomplete, as if the writer was stopped mid-write; skipped", len(data)-30),
	}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestLargeEventFileGrowing polls a large file while it grows, the last
// record half written at each poll, as a trial writes it: each poll reads
// every whole record there is, and the end is what reading the whole
// file record by record gives.
func TestLargeEventFileGrowing(t *testing.T) {
	data := largeEvents(300_000)
	dir := t.TempDir()
	c := watching(t, largeSpec, dir)
	var loss1 []runner.Point
	c.OnPoint("loss1", func(step int64, v float64) { loss1 = append(loss1, runner.Point{Step: step, Value: v}) })
	path := filepath.Join(dir, "logs/events.out.tfevents.1")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	written := 0
	for _, upTo := range []int{len(data) / 3, len(data)/3 + 100, len(data) * 9 / 10, len(data)} {
		if _, err := f.Write(data[written:upTo]); err != nil {
			t.Fatal(err)
		}
		written = upTo
		c.Poll()
		whole, _ := recordByRecord(t, data[:upTo])
		last := whole["loss1"].Last().Value
		if v, ok := c.Latest("loss1"); !ok || v != last {
			t.Fatalf("with %d bytes written: latest loss1 %v, want %v", upTo, v, last)
		}
	}
	got := c.Finish()
	checkAsRecordByRecord(t, data, got, loss1)
	if len(got.Warnings) != 0 {
		t.Errorf("warnings %q", got.Warnings)
	}
}
