package metrics

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/assaylab/assay/runner/metrics/tfevents"
)

// tbReader tails one TensorBoard event file record by record.
type tbReader struct {
	off     int64 // where the next unread record starts
	dec     tfevents.Decoder
	stopped bool // framing lost: nothing after off can be found
}

func (r *tbReader) read(w *watcher, sf *sourceFile, f *os.File, info os.FileInfo, final bool) {
	if r.stopped || info.Size() <= r.off {
		if final && !r.stopped && info.Size() < r.off {
			w.problemAt(sf, "shrank", fmt.Sprintf("the file shrank to %d bytes after %d were read; what was read is kept", info.Size(), r.off))
		}
		return
	}
	if _, err := f.Seek(r.off, io.SeekStart); err != nil {
		return
	}
	w.br.Reset(f)
	rd := tfevents.NewReader(w.br, r.off)
	defer rd.Close() // its goroutine reads w.br, which the next file reuses
	emit := func(step int64, tag []byte, v float64) { w.point(sf, tag, step, v) }
	var ce *tfevents.CorruptError
	for {
		rec, err := rd.Next()
		switch {
		case err == nil:
			if derr := r.dec.Decode(rec, emit); derr != nil {
				w.c.note("metrics_from:event:"+sf.rel, fmt.Sprintf("offset %d: %v", r.off, derr), func(p *problem) string {
					return fmt.Sprintf("metrics_from: %s: %s not a TensorBoard event (first: %s); skipped", sf.rel, records(p.count), p.first)
				})
			}
			r.off = rd.Offset()
		case err == io.EOF:
			return
		case errors.Is(err, tfevents.ErrTruncated):
			if final {
				w.problemAt(sf, "truncated", fmt.Sprintf("the last record (at offset %d, %d bytes before the end) is incomplete, as if the writer was stopped mid-write; skipped", r.off, info.Size()-r.off))
			}
			return
		case errors.As(err, &ce):
			if !final {
				// Bytes a network file system shows before they are
				// written fail their check too: judge once the trial
				// has ended.
				return
			}
			if ce.Framing {
				r.stopped = true
				w.problemAt(sf, "framing", fmt.Sprintf("offset %d: %s; the rest of the file (%d bytes) was not read", ce.Offset, ce.Reason, info.Size()-ce.Offset))
				return
			}
			w.c.note("metrics_from:crc:"+sf.rel, fmt.Sprintf("offset %d", ce.Offset), func(p *problem) string {
				return fmt.Sprintf("metrics_from: %s: %s failed the CRC check of its data (first at %s); skipped", sf.rel, times(p.count, "record"), p.first)
			})
			r.off = rd.Offset()
		default:
			w.problemAt(sf, "io", fmt.Sprintf("cannot be read at offset %d: %v", r.off, err))
			r.stopped = true
			return
		}
	}
}

func records(n int) string {
	if n == 1 {
		return "1 record is"
	}
	return fmt.Sprintf("%d records are", n)
}
