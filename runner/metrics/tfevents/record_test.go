package tfevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const fixtures = "../testdata/fixtures"

// point is one scalar as a test sees it.
type point struct {
	Step  int64
	Tag   string
	Value float64
}

// readAll reads every record of data and decodes its scalars, stopping at
// the first error that ends the file.
func readAll(t *testing.T, data []byte) ([]point, error) {
	t.Helper()
	r := NewReader(bytes.NewReader(data), 0)
	var d Decoder
	var out []point
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if err := d.Decode(rec, func(step int64, tag []byte, v float64) {
			out = append(out, point{step, string(tag), v})
		}); err != nil {
			t.Fatalf("decode: %v", err)
		}
	}
}

// eventFiles lists the event files the real libraries wrote.
func eventFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(fixtures, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), "tfevents") {
			out = append(out, path)
		}
		return err
	})
	if err != nil || len(out) < 6 {
		t.Fatalf("event files under %s: %v, %v", fixtures, out, err)
	}
	return out
}

// tbView is tb_view.json: every event file as TensorBoard's own protobuf
// classes decoded it, written beside the fixtures by make_fixtures.py.
type tbView map[string][]struct {
	Step   int64  `json:"step"`
	What   string `json:"what"`
	Tag    string `json:"tag"`
	Kind   string `json:"kind"`
	Plugin string `json:"plugin"`
	Value  any    `json:"value"`
}

// TestFixturesAgreeWithTensorBoard decodes every event file PyTorch,
// TensorBoard, Lightning and the Trainer wrote and compares the scalars
// with what TensorBoard's own protos read from the same bytes: every
// simple_value, and every one-element tensor of a tag whose first
// metadata names the scalars plugin or no plugin (TF2 sends it once).
func TestFixturesAgreeWithTensorBoard(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixtures, "tb_view.json"))
	if err != nil {
		t.Fatal(err)
	}
	var view tbView
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	forms := map[string]bool{}
	for _, path := range eventFiles(t) {
		rel, _ := filepath.Rel(fixtures, path)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, data)
			if err != nil {
				t.Fatal(err)
			}
			entries, ok := view[filepath.ToSlash(rel)]
			if !ok {
				t.Fatalf("%s is not in tb_view.json", rel)
			}
			var want []point
			plugin := map[string]string{}
			for _, e := range entries {
				if e.What != "summary" {
					continue
				}
				if _, seen := plugin[e.Tag]; !seen && (e.Plugin != "" || e.Kind == "tensor") {
					plugin[e.Tag] = e.Plugin
				}
				if e.Value == nil || (e.Kind == "tensor" && plugin[e.Tag] != "scalars" && plugin[e.Tag] != "") {
					continue
				}
				forms[e.Kind+"/"+e.Plugin] = true
				want = append(want, point{e.Step, e.Tag, jsonNumber(t, e.Value)})
			}
			if len(want) == 0 {
				t.Fatal("TensorBoard saw no scalars here")
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("scalars (-TensorBoard +ours):\n%s", diff)
			}
		})
	}
	// The fixtures cover both forms: simple_value, and tensors with and
	// without their metadata.
	for _, f := range []string{"simple_value/", "tensor/scalars", "tensor/"} {
		if !forms[f] {
			t.Errorf("no fixture has a scalar of the form %q (have %v)", f, forms)
		}
	}
}

func jsonNumber(t *testing.T, v any) float64 {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return x
	case string:
		switch x {
		case "nan":
			return math.NaN()
		case "inf":
			return math.Inf(1)
		case "-inf":
			return math.Inf(-1)
		}
	}
	t.Fatalf("value %v", v)
	return 0
}

// TestEveryPrefixIsTruncationNotCorruption cuts a real file at every
// byte: the reader returns exactly the records that lie wholly inside the
// prefix, then io.EOF at a record boundary or ErrTruncated inside a
// record, with the offset left at that record's start. A writer killed
// mid-write never looks like a damaged file.
func TestEveryPrefixIsTruncationNotCorruption(t *testing.T) {
	data, err := os.ReadFile(eventFiles(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	var ends []int64 // where each record ends
	r := NewReader(bytes.NewReader(data), 0)
	for {
		if _, err := r.Next(); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		ends = append(ends, r.Offset())
	}
	for cut := 0; cut <= len(data); cut++ {
		r := NewReader(bytes.NewReader(data[:cut]), 0)
		n := 0
		var err error
		for {
			if _, err = r.Next(); err != nil {
				break
			}
			n++
		}
		whole := 0
		for _, e := range ends {
			if e <= int64(cut) {
				whole++
			}
		}
		atBoundary := cut == 0 || (whole > 0 && ends[whole-1] == int64(cut))
		switch {
		case n != whole:
			t.Fatalf("cut at %d: read %d records, want %d", cut, n, whole)
		case atBoundary && err != io.EOF:
			t.Fatalf("cut at %d (a record boundary): %v, want io.EOF", cut, err)
		case !atBoundary && !errors.Is(err, ErrTruncated):
			t.Fatalf("cut at %d: %v, want ErrTruncated", cut, err)
		}
		if want := int64(0); whole > 0 {
			want = ends[whole-1]
			if r.Offset() != want {
				t.Fatalf("cut at %d: offset %d, want %d", cut, r.Offset(), want)
			}
		}
	}
}

// TestBadDataCRCSkipsOneRecord flips one byte inside a record's data: that
// record is reported at its offset and the next one is read.
func TestBadDataCRCSkipsOneRecord(t *testing.T) {
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	second := int64(len(file))
	file = AppendRecord(file, ScalarEvent(1, 1, "loss", 0.5))
	file = AppendRecord(file, ScalarEvent(1, 2, "loss", 0.25))
	file[second+headerLen+3] ^= 0x40

	r := NewReader(bytes.NewReader(file), 0)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err := r.Next()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != second || ce.Framing {
		t.Fatalf("second record: %v, want a data CRC error at offset %d", err, second)
	}
	if want := fmt.Sprintf("offset %d: the record's data fails its CRC check", second); err.Error() != want {
		t.Errorf("message %q", err)
	}
	rec, err := r.Next()
	if err != nil {
		t.Fatalf("third record: %v", err)
	}
	var d Decoder
	var got []point
	d.Decode(rec, func(step int64, tag []byte, v float64) { got = append(got, point{step, string(tag), v}) })
	if diff := cmp.Diff([]point{{2, "loss", 0.25}}, got); diff != "" {
		t.Errorf("after the bad record (-want +got):\n%s", diff)
	}
}

// TestBadLengthCRCStopsTheFile damages a length: nothing after it can be
// found, so the reader stops there and names the offset.
func TestBadLengthCRCStopsTheFile(t *testing.T) {
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	second := int64(len(file))
	file = AppendRecord(file, ScalarEvent(1, 1, "loss", 0.5))
	file[second+2] ^= 1

	r := NewReader(bytes.NewReader(file), 0)
	r.Next()
	_, err := r.Next()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != second || !ce.Framing {
		t.Fatalf("got %v, want a framing error at offset %d", err, second)
	}
	if r.Offset() != second {
		t.Errorf("offset %d, want %d", r.Offset(), second)
	}
	// Not a TFRecord file at all: the first record already fails.
	_, err = NewReader(strings.NewReader("epoch,step,loss\n0,1,0.5\n"), 0).Next()
	if !errors.As(err, &ce) || ce.Offset != 0 || !ce.Framing {
		t.Fatalf("CSV read as events: %v", err)
	}
}

// TestLargeRecordIsCheckedNotKept streams a record over MaxRecord (an
// embedded image, say) through the CRC without holding it.
func TestLargeRecordIsCheckedNotKept(t *testing.T) {
	var file []byte
	file = AppendRecord(file, bytes.Repeat([]byte{7}, MaxRecord+1))
	file = AppendRecord(file, ScalarEvent(1, 3, "acc", 0.75))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := NewReader(bytes.NewReader(file), 0)
	rec, err := r.Next()
	runtime.ReadMemStats(&after)
	if err != nil || rec != nil {
		t.Fatalf("large record: %d bytes, %v", len(rec), err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > MaxRecord/4 {
		t.Errorf("reading it allocated %d bytes", grew)
	}
	r.Close()
	got, err := readAll(t, file[r.Offset():])
	if err != nil || !cmp.Equal(got, []point{{3, "acc", 0.75}}) {
		t.Errorf("after it: %v, %v", got, err)
	}
	// Damaged, it is reported like any other.
	file[100] ^= 1
	if _, err := NewReader(bytes.NewReader(file), 0).Next(); err == nil || !strings.Contains(err.Error(), "data fails its CRC") {
		t.Errorf("damaged large record: %v", err)
	}
}

// TestOffsetsAreFileOffsets: a reader started mid-file (a tail resuming)
// reports offsets from the start of the file.
func TestOffsetsAreFileOffsets(t *testing.T) {
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	mid := int64(len(file))
	file = AppendRecord(file, ScalarEvent(1, 1, "loss", 0.5))
	file[len(file)-1] ^= 1
	r := NewReader(bytes.NewReader(file[mid:]), mid)
	_, err := r.Next()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset != mid {
		t.Fatalf("got %v, want offset %d", err, mid)
	}
	if r.Offset() != int64(len(file)) {
		t.Errorf("offset %d, want %d", r.Offset(), len(file))
	}
}
