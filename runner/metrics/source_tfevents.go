package metrics

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/assaylab/assay/runner/metrics/tfevents"
)

// tbReader tails one TensorBoard event file: each poll reads the records
// added since the last, a large read on several cores (tfevents.Scanner).
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
	sc := tfevents.NewScanner(f, r.off, info.Size(), &r.dec)
	defer sc.Close()
	// names holds, per tag table of sc, the entry of each tag: a
	// slice index per value rather than a look-up by name.
	var names [][]*rawName
	// fast holds, per tag table and tag, the series a finite value goes
	// straight into, as watcher.add's first case would put it: set once
	// the tag's raw name has its series and was marked in this poll,
	// which stays so to the end of the read.
	var fast [][]*Series
	plain := w.c.onPoint == nil
	var ce *tfevents.CorruptError
	var ee *tfevents.EventError
	for {
		b, err := sc.Next()
		names = grownTo(names, b.Table+1)
		table := grownTo(names[b.Table], len(b.Tags))
		names[b.Table] = table
		fast = grownTo(fast, b.Table+1)
		ft := grownTo(fast[b.Table], len(b.Tags))
		fast[b.Table] = ft
		n := 0
		for i := range b.Scalars {
			s := &b.Scalars[i]
			if se := ft[s.Tag]; se != nil && s.Value-s.Value == 0 { // v-v is 0 for finite v alone
				if !se.add(s.Step, s.Value) {
					se.Add(s.Step, s.Value)
				}
				n++
				continue
			}
			rn := table[s.Tag]
			if rn == nil {
				rn = w.rawName(sf, []byte(b.Tags[s.Tag]))
				table[s.Tag] = rn
			}
			w.add(sf, rn, s.Step, s.Value)
			if plain && rn.series != nil && rn.poll == w.polls {
				ft[s.Tag] = rn.series
			}
		}
		w.points += n
		r.off = b.End
		switch {
		case err == nil:
		case err == io.EOF:
			return
		case errors.Is(err, tfevents.ErrTruncated):
			if final {
				w.problemAt(sf, "truncated", fmt.Sprintf("the last record (at offset %d, %d bytes before the end) is incomplete, as if the writer was stopped mid-write; skipped", r.off, info.Size()-r.off))
			}
			return
		case errors.As(err, &ee):
			w.c.note("metrics_from:event:"+sf.rel, err.Error(), func(p *problem) string {
				return fmt.Sprintf("metrics_from: %s: %s not a TensorBoard event (first: %s); skipped", sf.rel, records(p.count), p.first)
			})
			r.off = sc.Offset()
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
			r.off = sc.Offset()
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

// grownTo is s with zero values appended until it holds n.
func grownTo[T any](s []T, n int) []T {
	for len(s) < n {
		var zero T
		s = append(s, zero)
	}
	return s
}
