package tfevents

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

// item is what one call of Next gave: a record, or an error at an offset.
type item struct {
	rec    string
	err    string
	offset int64 // Offset() after the call
}

// readItems reads data with a reader whose chunks are chunk bytes, until
// an error that ends the file.
func readItems(t *testing.T, data []byte, chunk int) []item {
	t.Helper()
	r := NewReader(bytes.NewReader(data), 0)
	if chunk > 0 {
		r.chunk = chunk
	}
	defer r.Close()
	var out []item
	for range len(data) + 2 {
		rec, err := r.Next()
		it := item{rec: string(rec), offset: r.Offset()}
		if err != nil {
			it.err = err.Error()
		}
		out = append(out, it)
		var ce *CorruptError
		if err != nil && !(errors.As(err, &ce) && !ce.Framing) {
			return out
		}
	}
	t.Fatal("more calls than bytes")
	return nil
}

// reference reads data the simplest way, one record after another, as
// the format says: what the reader must give, whatever its chunks.
func reference(data []byte) []item {
	var out []item
	off := 0
	for {
		if len(data)-off == 0 {
			return append(out, item{err: io.EOF.Error(), offset: int64(off)})
		}
		if len(data)-off < headerLen {
			return append(out, item{err: ErrTruncated.Error(), offset: int64(off)})
		}
		hdr := data[off : off+headerLen]
		length := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16 | int(hdr[3])<<24
		if maskedCRC(hdr[:8]) != uint32(hdr[8])|uint32(hdr[9])<<8|uint32(hdr[10])<<16|uint32(hdr[11])<<24 {
			ce := &CorruptError{Offset: int64(off), Framing: true, Reason: "the record's length fails its CRC check (not a TFRecord file, or damaged)"}
			return append(out, item{err: ce.Error(), offset: int64(off)})
		}
		total := headerLen + length + footerLen
		if len(data)-off < total {
			return append(out, item{err: ErrTruncated.Error(), offset: int64(off)})
		}
		rec := data[off+headerLen : off+headerLen+length]
		ftr := data[off+headerLen+length : off+total]
		start := off
		off += total
		if maskedCRC(rec) != uint32(ftr[0])|uint32(ftr[1])<<8|uint32(ftr[2])<<16|uint32(ftr[3])<<24 {
			ce := &CorruptError{Offset: int64(start), Reason: "the record's data fails its CRC check"}
			out = append(out, item{err: ce.Error(), offset: int64(off)})
			continue
		}
		if length > MaxRecord {
			rec = nil
		}
		out = append(out, item{rec: string(rec), offset: int64(off)})
	}
}

// manyRecords is a file of n records of sizes from 0 to about 300 bytes,
// every damaged-th with a bad data CRC (none when damaged is 0).
func manyRecords(n, damaged int) []byte {
	var file []byte
	for i := range n {
		start := len(file)
		file = AppendRecord(file, bytes.Repeat([]byte{byte(i)}, (i*37)%301))
		if damaged > 0 && i%damaged == damaged-1 && len(file)-start > headerLen+footerLen {
			file[start+headerLen] ^= 0x80
		}
	}
	return file
}

// bigRecords is a file of about 4 MiB whose records, from a few bytes to
// 1.5 MiB, fill a Reader's first chunk and then whole ones, and outgrow
// them, one damaged among them.
func bigRecords() []byte {
	var file []byte
	for i := range 60 {
		size := (i * 7919 * 13) % 150000
		if i == 30 {
			size = chunkSize + chunkSize/2
		}
		start := len(file)
		file = AppendRecord(file, bytes.Repeat([]byte{byte(i)}, size))
		if i == 40 {
			file[start+headerLen] ^= 1
		}
		for range 20 {
			file = AppendRecord(file, ScalarEvent(1, int64(i), "loss", 0.5))
		}
	}
	return file
}

// TestChunkEndsAnywhere reads files whose records straddle the ends of
// chunks of every size from a header's to a few records': the records,
// errors and offsets are exactly what reading the file one record after
// another gives, and each record stays intact until the next call while
// the reading goroutine runs ahead.
func TestChunkEndsAnywhere(t *testing.T) {
	files := map[string][]byte{
		"clean":     manyRecords(300, 0),
		"damaged":   manyRecords(300, 7),
		"truncated": manyRecords(300, 0)[:20000],
		"framing":   append(manyRecords(50, 0), []byte("not a record at all")...),
		"big":       bigRecords(),
	}
	for name, data := range files {
		want := reference(data)
		if len(want) < 40 {
			t.Fatalf("%s: only %d items", name, len(want))
		}
		for _, chunk := range []int{headerLen, headerLen + 1, 64, 100, 301, 1000, 4096, 0} {
			t.Run(fmt.Sprintf("%s/chunk=%d", name, chunk), func(t *testing.T) {
				got := readItems(t, data, chunk)
				if len(got) != len(want) {
					t.Fatalf("%d items, want %d (last: %+v, want %+v)", len(got), len(want), got[len(got)-1], want[len(want)-1])
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("item %d: %+v, want %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

// watchedReader counts reads, and fails the test on a read after stop.
type watchedReader struct {
	t       *testing.T
	r       io.Reader
	max     int // the most one read returns; 0 for no limit
	reads   atomic.Int64
	stopped atomic.Bool
}

func (w *watchedReader) Read(p []byte) (int, error) {
	if w.stopped.Load() {
		w.t.Errorf("read after the reader said it was done")
	}
	w.reads.Add(1)
	if w.max > 0 && len(p) > w.max {
		p = p[:w.max]
	}
	return w.r.Read(p)
}

// TestNothingReadsAfterAnError: once Next has returned an error, the
// goroutine reading ahead has stopped, so the caller may reuse or close
// what it reads (the collector hands every file the same bufio.Reader).
func TestNothingReadsAfterAnError(t *testing.T) {
	damaged := manyRecords(200, 50)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"eof", manyRecords(200, 0)},
		{"crc", damaged},
		{"truncated", manyRecords(200, 0)[:5000]},
		{"framing", append(manyRecords(20, 0), make([]byte, 100)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Many small reads, so the goroutine has work left when the
			// caller gets the error.
			src := &watchedReader{t: t, r: bytes.NewReader(tc.data), max: 50}
			r := NewReader(src, 0)
			r.chunk = 64
			var err error
			for err == nil {
				_, err = r.Next()
			}
			src.stopped.Store(true)
			time.Sleep(20 * time.Millisecond) // a goroutine still running would read now
			src.stopped.Store(false)
			var ce *CorruptError
			if errors.As(err, &ce) && !ce.Framing {
				// Reading goes on after a skipped record, from where it was.
				rec, err := r.Next()
				if err != nil || len(rec) != (50*37)%301 || rec[0] != 50 {
					t.Fatalf("after the bad record: %d bytes, %v", len(rec), err)
				}
			}
			r.Close()
		})
	}
}

// endless is an event file that never ends.
type endless struct{ rec []byte }

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n+len(e.rec) <= len(p) {
		n += copy(p[n:], e.rec)
	}
	return n, nil
}

// TestCloseStopsReading: a caller that stops early closes the reader, and
// nothing reads ahead any more.
func TestCloseStopsReading(t *testing.T) {
	src := &watchedReader{t: t, r: &endless{rec: AppendRecord(nil, ScalarEvent(1, 1, "loss", 0.5))}}
	r := NewReader(src, 0)
	for range 1000 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	src.stopped.Store(true)
	time.Sleep(20 * time.Millisecond)
	if _, err := r.Next(); err == nil {
		t.Fatal("Next after Close gave a record")
	}
	r.Close() // twice is fine
}

// TestRememberedLengthsStillChecked: a length seen before, with its CRC
// damaged, still fails; lengths are remembered with their CRC bytes.
func TestRememberedLengthsStillChecked(t *testing.T) {
	var file []byte
	for i := range 5 {
		file = AppendRecord(file, ScalarEvent(1, 1, "loss", float32(i)))
	}
	fourth := int64(len(file)) / 5 * 3
	file[fourth+9] ^= 0x10 // the fourth record's length CRC, its length unchanged
	r := NewReader(bytes.NewReader(file), 0)
	defer r.Close()
	for range 3 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Next()
	var ce *CorruptError
	if !errors.As(err, &ce) || !ce.Framing || ce.Offset != fourth {
		t.Fatalf("got %v, want a framing error at offset %d", err, fourth)
	}
}
