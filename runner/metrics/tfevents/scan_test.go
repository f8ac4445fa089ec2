package tfevents

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sequential reads data from offset record by record with a Reader and a
// Decoder, as the format says: one line per scalar, per error (with the
// offset after it), and the final error.
func sequential(t testing.TB, data []byte, offset int64) []string {
	t.Helper()
	r := NewReader(bytes.NewReader(data[offset:]), offset)
	defer r.Close()
	var d Decoder
	var out []string
	for range len(data) + 2 {
		start := r.Offset()
		rec, err := r.Next()
		var ce *CorruptError
		switch {
		case err == nil:
			if derr := d.Decode(rec, func(step int64, tag []byte, v float64) {
				out = append(out, scalarLine(step, string(tag), v))
			}); derr != nil {
				out = append(out, fmt.Sprintf("error %v, then %d", &EventError{Offset: start, Err: derr}, r.Offset()))
			}
		case errors.As(err, &ce) && !ce.Framing:
			out = append(out, fmt.Sprintf("error %v, then %d", err, r.Offset()))
		default:
			return append(out, fmt.Sprintf("end %v at %d", err, r.Offset()))
		}
	}
	t.Fatal("more records than bytes")
	return nil
}

func scalarLine(step int64, tag string, v float64) string {
	return fmt.Sprintf("%d %q %x", step, tag, math.Float64bits(v))
}

// scanned reads data from offset with a Scanner of segments of seg bytes
// and workers goroutines, in the lines sequential gives; redone counts
// the segments read again after a false start. workers -1 reads in
// segments as workers would, but with none: the caller's goroutine
// claims each segment itself while it waits (Scanner.await).
func scanned(t testing.TB, data []byte, offset, seg int64, workers int) (lines []string, redone int) {
	t.Helper()
	var d Decoder
	s := newScanner(bytes.NewReader(data), offset, int64(len(data)), &d, seg, seg/4+1, max(workers, 0))
	if workers < 0 {
		s.startWorkers(offset, 0)
	}
	defer s.Close()
	for range len(data) + 2 {
		b, err := s.Next()
		for _, sc := range b.Scalars {
			lines = append(lines, scalarLine(sc.Step, b.Tags[sc.Tag], sc.Value))
		}
		var ce *CorruptError
		var ee *EventError
		switch {
		case err == nil:
			if b.End != s.Offset() {
				t.Fatalf("batch ends at %d, offset %d", b.End, s.Offset())
			}
		case errors.As(err, &ce) && !ce.Framing, errors.As(err, &ee):
			lines = append(lines, fmt.Sprintf("error %v, then %d", err, s.Offset()))
		default:
			if b.End != s.Offset() {
				t.Fatalf("the last batch ends at %d, offset %d", b.End, s.Offset())
			}
			return append(lines, fmt.Sprintf("end %v at %d", err, s.Offset())), s.redone
		}
	}
	t.Fatal("more batches than bytes")
	return nil, 0
}

// scannerInputs are files to read both ways: the real libraries' files,
// PyTorch-style scalars, records that are no events, records larger than
// a segment, and each damaged in the ways a file gets damaged.
func scannerInputs(t *testing.T) map[string][]byte {
	in := map[string][]byte{}
	for _, path := range eventFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		in[path] = data
	}
	scalars := benchFile(2000)
	in["scalars"] = scalars
	in["not events"] = manyRecords(300, 0)
	in["data CRCs"] = manyRecords(300, 7)
	in["large records"] = bigRecords()
	in["truncated"] = scalars[:len(scalars)-5]

	damaged := func(name string, at int, bit byte) {
		d := bytes.Clone(scalars)
		d[at] ^= bit
		in[name] = d
	}
	// Record i of benchFile starts at recordStart(i).
	second := len(scalars) * 2 / 3
	damaged("data CRC in a later segment", second+40, 0x10)
	damaged("length in a later segment", recordStart(scalars, second), 1)
	damaged("length CRC in a later segment", recordStart(scalars, second)+9, 1)
	d := bytes.Clone(scalars)
	for i := 100; i < len(d); i += 977 {
		d[i] ^= 0x20
	}
	in["many damaged"] = d
	// A record whose valid CRCs frame an event that is not valid.
	var bad []byte
	bad = AppendRecord(bad, ScalarEvent(1, 1, "a", 1))
	bad = AppendRecord(bad, []byte{0x0a, 0xff})
	bad = AppendRecord(bad, ScalarEvent(1, 2, "a", 2))
	in["invalid event"] = bad
	in["nested records"] = nestedRecords()
	return in
}

// recordStart is where the first record that starts at or after off in
// data starts.
func recordStart(data []byte, off int) int {
	p := 0
	for p < off {
		length := int(data[p]) | int(data[p+1])<<8 | int(data[p+2])<<16
		p += headerLen + length + footerLen
	}
	return p
}

// recordsBefore counts the records that start before off.
func recordsBefore(data []byte, off int) int {
	n := 0
	for p := 0; p < off; n++ {
		p = recordStart(data, p+1)
	}
	return n
}

// nestedRecords is a file whose records hold whole event files, as a
// record holding an event file could: every record header inside them
// is a false start for a segment that begins there, with a length that
// fits.
func nestedRecords() []byte {
	var file []byte
	for i := range 6 {
		inner := benchFile(50 + 40*i)
		file = AppendRecord(file, inner)
		file = AppendRecord(file, ScalarEvent(1, int64(i), "outer", float32(i)))
	}
	return file
}

// TestScannerAgreesWithReader reads every input with segments from
// smaller than a header to larger than the file, on the caller's
// goroutine (in one run, and segment by segment as a worker would) and
// on up to four workers besides it, from the start and from a
// record's start inside the file: the scalars, the errors, their offsets
// and the offsets after them are exactly what reading record by record
// gives.
func TestScannerAgreesWithReader(t *testing.T) {
	for name, data := range scannerInputs(t) {
		offsets := []int64{0}
		if name == "scalars" || name == "truncated" || strings.Contains(name, "tfevents") {
			offsets = append(offsets, int64(recordStart(data, len(data)/3)))
		}
		segs := []int64{5, 13, 100, 997, 4096, 1 << 20}
		if len(data) > 200<<10 {
			segs = segs[3:] // tiny segments of a large file take long and find nothing new
		}
		for _, off := range offsets {
			want := sequential(t, data, off)
			for _, seg := range segs {
				for _, workers := range []int{0, -1, 1, 2, 4} {
					if got, _ := scanned(t, data, off, seg, workers); !cmp.Equal(want, got) {
						t.Fatalf("%s from %d, segments of %d, %d workers (-record by record +scanner):\n%s", name, off, seg, workers, cmp.Diff(want, got))
					}
				}
			}
		}
	}
}

// TestScannerSplitsAtRecordBoundaries: on a file of scalars every
// segment's worker finds the record its segment's first really is, so
// nothing is read twice; on a file whose records hold records, the false
// starts are found out and read again, and the result is still exact.
func TestScannerSplitsAtRecordBoundaries(t *testing.T) {
	data := benchFile(5000)
	if _, redone := scanned(t, data, 0, 4096, 2); redone != 0 {
		t.Errorf("scalars: %d segments read again", redone)
	}
	nested := nestedRecords()
	got, redone := scanned(t, nested, 0, 997, 2)
	if redone == 0 {
		t.Errorf("nested records: no false start found out")
	}
	if want := sequential(t, nested, 0); !cmp.Equal(want, got) {
		t.Errorf("nested records (-want +got):\n%s", cmp.Diff(want, got))
	}
}

// TestScannerCallerReadsWhileWaiting: with no worker free, the caller's
// goroutine claims and reads the segment it waits for itself, every one
// of them here, and the scalars come out in order all the same.
func TestScannerCallerReadsWhileWaiting(t *testing.T) {
	data := benchFile(5000)
	var d Decoder
	s := newScanner(bytes.NewReader(data), 0, int64(len(data)), &d, 4096, 1024, 0)
	s.startWorkers(0, 0)
	defer s.Close()
	n := 0
	for {
		b, err := s.Next()
		n += len(b.Scalars)
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if n != 5000 || s.helped != s.segs {
		t.Errorf("%d scalars, %d of %d segments read by the caller; want 5000, all", n, s.helped, s.segs)
	}
}

// TestScannerCorruptInLaterSegment damages a record a worker other than
// the first reads: the error names that record's offset, the scalars
// before it all come first, and reading goes on after it.
func TestScannerCorruptInLaterSegment(t *testing.T) {
	data := benchFile(5000)
	bad := recordStart(data, len(data)*3/4)
	data[bad+headerLen+20] ^= 1
	var d Decoder
	s := newScanner(bytes.NewReader(data), 0, int64(len(data)), &d, 4096, 1024, 2)
	defer s.Close()
	n := 0
	for {
		b, err := s.Next()
		n += len(b.Scalars)
		if err == nil {
			continue
		}
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Framing || ce.Offset != int64(bad) || b.End != int64(bad) {
			t.Fatalf("got %v (batch ends at %d), want a data CRC error at %d", err, b.End, bad)
		}
		if want := recordsBefore(data, bad) - 1; n != want { // the first is the file version
			t.Errorf("%d scalars before the damaged record, want %d", n, want)
		}
		break
	}
	if s.Offset() <= int64(bad) {
		t.Fatalf("offset %d after the damaged record at %d", s.Offset(), bad)
	}
	rest := 0
	for {
		b, err := s.Next()
		rest += len(b.Scalars)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n+rest != 4999 {
		t.Errorf("%d scalars in all, want 4999", n+rest)
	}
}

// TestScannerCloseStopsWorkers closes a Scanner that has read one batch
// of a large file: its goroutines end, and Next says it is closed.
func TestScannerCloseStopsWorkers(t *testing.T) {
	data := benchFile(20000)
	before := runtime.NumGoroutine()
	var d Decoder
	s := newScanner(bytes.NewReader(data), 0, int64(len(data)), &d, 4096, 1024, 4)
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.Next(); !errors.Is(err, errClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
		}
	}
}
