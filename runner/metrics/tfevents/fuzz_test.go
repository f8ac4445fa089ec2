package tfevents

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"testing"
)

// FuzzReadEvents feeds arbitrary bytes to the record reader and the event
// decoder. Neither may panic or loop; each record returned must be framed
// exactly as the input has it at the offset the reader reports; offsets
// only grow; an error names an offset inside the input; a reader with
// tiny chunks gives what one with the usual chunks gives; and what the
// decoder's fast path for PyTorch's events reads, the general path reads
// the same; and a Scanner, with segments of a few bytes on two workers,
// gives exactly what reading record by record gives.
func FuzzReadEvents(f *testing.F) {
	for _, path := range eventFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		// Small seeds keep minimising quick: whole small files, the
		// start of the larger ones.
		f.Add(data[:min(len(data), 1024)])
	}
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	file = AppendRecord(file, TensorScalarEvent(1, 2, "tf2/loss", 3, true))
	f.Add(file)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if small, usual := readItems(t, data, headerLen+len(data)%64), readItems(t, data, 0); !slices.Equal(small, usual) {
			t.Fatalf("chunks of %d bytes: %+v\nthe usual chunks: %+v", headerLen+len(data)%64, small, usual)
		}
		seg := int64(headerLen + len(data)%97)
		if got, want := mustScan(t, data, seg), sequential(t, data, 0); !slices.Equal(got, want) {
			t.Fatalf("scanner with segments of %d bytes: %q\nrecord by record: %q", seg, got, want)
		}
		r := NewReader(bytes.NewReader(data), 0)
		defer r.Close()
		var d Decoder
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatal("more records than bytes")
			}
			start := r.Offset()
			rec, err := r.Next()
			var ce *CorruptError
			switch {
			case err == io.EOF, errors.Is(err, ErrTruncated):
				if r.Offset() != start {
					t.Fatalf("offset moved from %d to %d on %v", start, r.Offset(), err)
				}
				return
			case errors.As(err, &ce):
				if ce.Offset != start || ce.Offset >= int64(len(data)) {
					t.Fatalf("error at offset %d, record started at %d, input has %d bytes", ce.Offset, start, len(data))
				}
				if ce.Framing {
					return
				}
				if r.Offset() <= start {
					t.Fatalf("skipped record did not advance: %d", r.Offset())
				}
				continue
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			}
			end := r.Offset()
			if end <= start || end > int64(len(data)) {
				t.Fatalf("record %d spans %d..%d of %d bytes", i, start, end, len(data))
			}
			if rec != nil && !bytes.Equal(AppendRecord(nil, rec), data[start:end]) {
				t.Fatalf("record at %d is not framed as the input has it", start)
			}
			_ = d.Decode(rec, func(step int64, tag []byte, v float64) {
				if !bytes.Contains(rec, tag) {
					t.Fatalf("tag %q is not in the record", tag)
				}
			})
			if step, tag, v, ok := simpleScalar(rec); ok {
				var general []point
				if err := new(Decoder).decode(rec, func(step int64, tag []byte, v float64) {
					general = append(general, point{step, string(tag), v})
				}); err != nil {
					t.Fatalf("the fast path read %q, the general path fails: %v", rec, err)
				}
				if len(general) != 1 || general[0].Step != step || general[0].Tag != string(tag) || math.Float64bits(general[0].Value) != math.Float64bits(v) {
					t.Fatalf("fast path: %d %q %v; general path: %+v", step, tag, v, general)
				}
			}
		}
	})
}

func mustScan(t *testing.T, data []byte, seg int64) []string {
	lines, _ := scanned(t, data, 0, seg, 2)
	return lines
}
