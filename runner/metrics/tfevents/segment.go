package tfevents

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// EventError is a record that passed its CRC checks but holds no valid
// Event; it gives no values, and reading goes on after it.
type EventError struct {
	Offset int64
	Err    error
}

func (e *EventError) Error() string { return fmt.Sprintf("offset %d: %v", e.Offset, e.Err) }

func (e *EventError) Unwrap() error { return e.Err }

const noTag = ^uint32(0)

// tagState is what a segmentWorker keeps of one tag.
type tagState struct {
	next uint32 // the tag that followed it last: files repeat one order
	// shape holds the bytes of the tag's PyTorch-style scalar event
	// (simpleScalar's) after the wall time and step and before the
	// value: equal bytes say the event is one of that tag's, read
	// without taking the event apart.
	shape []byte
}

// segmentWorker reads segments for a Scanner, one at a time: its own
// buffer, its own tag table, its own remembered lengths.
type segmentWorker struct {
	mem    []byte // the buffer: a segment and its slack
	buf    []byte // file bytes [bufOff, bufOff+len(buf)): mem, or a large record's own
	bufOff int64
	limit  int64 // the segment being read ends here

	table int
	tags  []string
	index map[string]uint32
	state []tagState // per tag
	last  uint32     // the tag of the last value

	found []found
	seen  headerCache

	// The run of records in buf[runLo:runHi] whose data CRCs are yet
	// to be checked (sumRun); runFailed once one failed.
	runLo, runHi int
	runFailed    bool
}

// scan reads the records that start in [start, limit), start being a
// record's start, into j. It checks the data CRCs of a run of records at
// once (sumRun), and when a run fails, reads the segment again checking
// each record's alone, to find which failed.
func (w *segmentWorker) scan(s *Scanner, j *job, start, limit int64) {
	if !w.scanRecords(s, j, start, limit, false) {
		w.buf = nil // its CRCs were rewritten
		w.scanRecords(s, j, start, limit, true)
	}
	w.buf = nil
}

// scanRecords is scan, checking each record's data CRC on its own when
// each is set, else in runs; false when a run failed its check.
func (w *segmentWorker) scanRecords(s *Scanner, j *job, start, limit int64, each bool) bool {
	j.start, j.limit, j.end = start, limit, limit
	j.batches, j.errs = j.batches[:0], j.errs[:0]
	w.limit, w.runFailed = limit, false
	b := w.open(j)
	p := start
	for p < limit {
		if !each {
			if p = w.easy(b, p, limit); p >= limit {
				break
			}
		}
		if len(w.tags) >= maxTableTags {
			w.close(j, b, p, nil)
			s.newTable(w)
			b = w.open(j)
		}
		if s.size-p < headerLen {
			w.close(j, b, p, ErrTruncated)
			return w.sumRun()
		}
		hdr, err := w.window(s, p, headerLen)
		if err != nil {
			w.close(j, b, p, err)
			return w.sumRun()
		}
		length := binary.LittleEndian.Uint64(hdr)
		if err := w.seen.check(p, length, binary.LittleEndian.Uint32(hdr[8:])); err != nil {
			w.close(j, b, p, err)
			return w.sumRun()
		}
		total := headerLen + int64(length) + footerLen
		if total > s.size-p {
			w.close(j, b, p, ErrTruncated)
			return w.sumRun()
		}
		var data []byte
		good := true
		switch {
		case length <= maxRunRecord && !each:
			rec, err := w.record(s, p, total)
			if err != nil {
				w.close(j, b, p, err)
				return w.sumRun()
			}
			data = rec[headerLen : headerLen+length]
			w.addToRun(p, rec, length)
		case length <= MaxRecord:
			rec, err := w.record(s, p, total)
			if err != nil {
				w.close(j, b, p, err)
				return w.sumRun()
			}
			data = rec[headerLen : headerLen+length]
			good = maskedCRC(data) == binary.LittleEndian.Uint32(rec[headerLen+length:])
		default:
			sum, want, err := w.stream(s, p, length)
			if err != nil {
				w.close(j, b, p, err)
				return w.sumRun()
			}
			good = sum == want
		}
		var skip error
		if !good {
			skip = &CorruptError{Offset: p, Reason: "the record's data fails its CRC check"}
		} else if err := w.values(b, data); err != nil {
			skip = &EventError{Offset: p, Err: err}
		}
		if skip != nil {
			w.close(j, b, p, skip)
			b.resume = p + total
			b = w.open(j)
		}
		p += total
	}
	w.close(j, b, p, nil)
	j.end = p
	return w.sumRun()
}

// easy reads the records from p on that need nothing unusual, as
// scanRecords would, and returns where it stopped: each wholly in the
// buffer, with a header checked before, added to the run, and a scalar
// event shaped as the last one of the tag that followed the last tag,
// with a step of at most four bytes. That is most of a large file, read
// here in one loop with few variables, so that the compiler keeps more
// of them in registers (no more than 14 fit).
func (w *segmentWorker) easy(b *Batch, p, limit int64) int64 {
	le := binary.LittleEndian
	buf := w.buf
	i := int(p - w.bufOff)
	last := w.last
	if i < 0 || last == noTag {
		return p
	}
	if i != w.runHi {
		w.sumRun()
		w.runLo, w.runHi = i, i
	}
	// The loop runs while i, the offset in buf, is before end, and
	// writes out[n].
	end := min(int(limit-w.bufOff), len(buf)-headerLen+1)
	state, seen := w.state, &w.seen
	out := b.Scalars[:cap(b.Scalars)]
	n := len(b.Scalars)
loop:
	for i < end && n < len(out) {
		h := buf[i:]
		length := le.Uint64(h)
		slot := &seen[length%uint64(len(seen))]
		if slot.length != length || slot.crc != le.Uint32(h[8:]) || !slot.zeroOK {
			break
		}
		total := headerLen + int(length) + footerLen // length <= maxRunRecord: zeroOK
		if total > len(h) || length < 14 {
			break
		}
		data := h[headerLen : headerLen+length]
		g := state[last].next
		if g == noTag || data[0] != wallTimeKey {
			break
		}
		// The step, in up to four bytes (to 268,435,455).
		var step uint64
		k := 9
		if data[k] == stepKey {
			switch {
			case data[k+1] < 0x80:
				step, k = uint64(data[k+1]), k+2
			case data[k+2] < 0x80:
				step, k = uint64(data[k+1]&0x7f)|uint64(data[k+2])<<7, k+3
			case data[k+3] < 0x80:
				step, k = uint64(data[k+1]&0x7f)|uint64(data[k+2]&0x7f)<<7|uint64(data[k+3])<<14, k+4
			case data[k+4] < 0x80:
				step, k = uint64(data[k+1]&0x7f)|uint64(data[k+2]&0x7f)<<7|uint64(data[k+3]&0x7f)<<14|uint64(data[k+4])<<21, k+5
			default:
				break loop
			}
		}
		// The bytes after the step, but for the value, equal the
		// shape.
		if sh := state[g].shape; k+len(sh)+4 != len(data) || string(sh) != string(data[k:k+len(sh)]) {
			break
		}
		le.PutUint32(h[8:], slot.runHeader)
		ftr := h[headerLen+length:]
		le.PutUint32(ftr, unmask(le.Uint32(ftr))^slot.zero)
		last = g
		// Field by field: a Scalar built whole and then copied into
		// out makes the copy wait for the stores that built it.
		sc := &out[n]
		sc.Step = int64(step)
		sc.Value = float64(math.Float32frombits(le.Uint32(data[len(data)-4:])))
		sc.Tag, sc.pending, sc.tensor, sc.meta = g, false, false, pluginUnknown
		n++
		i += total
	}
	b.Scalars, w.last, w.runHi = out[:n], last, i
	return w.bufOff + int64(i)
}

// open starts a batch in j, reusing the memory of an earlier one.
func (w *segmentWorker) open(j *job) *Batch {
	n := len(j.batches)
	if n < cap(j.batches) {
		j.batches = j.batches[:n+1]
		j.batches[n] = Batch{Scalars: j.batches[n].Scalars[:0]}
	} else {
		j.batches = append(j.batches, Batch{})
	}
	j.errs = append(j.errs, nil)
	return &j.batches[n]
}

// close ends b, the last batch of j, at end with err.
func (w *segmentWorker) close(j *job, b *Batch, end int64, err error) {
	b.End, b.Tags, b.Table = end, w.tags, w.table
	j.errs[len(j.errs)-1] = err
}

// values appends the values of one Event to b.
func (w *segmentWorker) values(b *Batch, data []byte) error {
	// Most likely the event is the next tag's scalar event, shaped as
	// that tag's last one was.
	if g := w.next(); g != noTag {
		if step, i, ok := scalarStep(data); ok && string(w.state[g].shape) == string(data[i:len(data)-4]) {
			w.last = g
			v := float64(math.Float32frombits(binary.LittleEndian.Uint32(data[len(data)-4:])))
			b.Scalars = append(b.Scalars, Scalar{Step: step, Value: v, Tag: g})
			return nil
		}
	}
	if step, tag, v, ok := simpleScalar(data); ok {
		g := w.tag(tag)
		if w.state[g].shape == nil {
			_, i, _ := scalarStep(data)
			w.state[g].shape = append([]byte(nil), data[i:len(data)-4]...)
		}
		b.Scalars = append(b.Scalars, Scalar{Step: step, Value: v, Tag: g})
		return nil
	}
	step, fs, err := parseEvent(data, w.found[:0])
	w.found = fs[:0]
	if err != nil {
		return err
	}
	for _, f := range fs {
		b.Scalars = append(b.Scalars, Scalar{Step: step, Value: f.v, Tag: w.tag(f.tag), pending: !f.simple, tensor: f.tensor, meta: f.meta})
		b.pending = b.pending || !f.simple
	}
	return nil
}

// next is the tag that followed the last one last time; noTag if none.
func (w *segmentWorker) next() uint32 {
	if w.last == noTag {
		return noTag
	}
	return w.state[w.last].next
}

// scalarStep reads the start of an event as simpleScalar does: the wall
// time and the step; i is where the summary starts, ok false when the
// event cannot be simpleScalar's.
func scalarStep(data []byte) (step int64, i int, ok bool) {
	if len(data) < 14 || data[0] != wallTimeKey {
		return 0, 0, false
	}
	i = 9
	if data[i] == stepKey {
		s, n := varint(data[i+1:])
		if n < 0 || len(data)-4 < i+1+n {
			return 0, 0, false
		}
		step, i = int64(s), i+1+n
	}
	return step, i, true
}

// tag gives tag's index in w's table, adding it when new.
func (w *segmentWorker) tag(tag []byte) uint32 {
	if g := w.next(); g != noTag && w.tags[g] == string(tag) {
		w.last = g
		return g
	}
	i, ok := w.index[string(tag)]
	if !ok {
		if w.index == nil {
			w.index = map[string]uint32{}
		}
		i = uint32(len(w.tags))
		w.tags = append(w.tags, string(tag))
		w.index[w.tags[i]] = i
		w.state = append(w.state, tagState{next: noTag})
	}
	if w.last != noTag {
		w.state[w.last].next = i
	}
	w.last = i
	return i
}

// window gives the file's bytes [off, off+n), reading them when the
// buffer does not hold them: as far as the segment's end and its slack.
func (w *segmentWorker) window(s *Scanner, off int64, n int) ([]byte, error) {
	if i := uint64(off - w.bufOff); i <= uint64(len(w.buf)) && uint64(n) <= uint64(len(w.buf))-i {
		return w.buf[i:][:n], nil
	}
	return w.refill(s, off, n)
}

// record gives the bytes of the record at p, total of them, whose
// header window just gave.
func (w *segmentWorker) record(s *Scanner, p, total int64) ([]byte, error) {
	if i := p - w.bufOff; i+total <= int64(len(w.buf)) {
		return w.buf[i : i+total], nil
	}
	return w.refill(s, p, int(total))
}

// refill reads the file's bytes from off, n of them at least, into the
// buffer.
func (w *segmentWorker) refill(s *Scanner, off int64, n int) ([]byte, error) {
	w.sumRun() // before its bytes go
	want := max(int64(n), min(w.limit+s.slack, s.size)-off)
	var buf []byte
	if want <= s.seg+s.slack {
		if w.mem == nil {
			w.mem = make([]byte, s.seg+s.slack)
		}
		buf = w.mem[:want]
	} else {
		buf = make([]byte, n) // a large record: a buffer of its own
	}
	m, err := s.src.ReadAt(buf, off)
	w.buf, w.bufOff = buf[:m], off
	if m < n {
		w.buf = nil
		if err == io.EOF || err == nil {
			return nil, ErrTruncated // the file shrank
		}
		return nil, err
	}
	return buf[:n], nil
}

// stream checks the data CRC of a record larger than MaxRecord, whose
// header is checked, without keeping it.
func (w *segmentWorker) stream(s *Scanner, p int64, length uint64) (sum, want uint32, err error) {
	var crc uint32
	off, end := p+headerLen, p+headerLen+int64(length)
	for off < end {
		n := int(min(end-off, s.seg))
		b, err := w.window(s, off, n)
		if err != nil {
			return 0, 0, err
		}
		crc = crc32.Update(crc, castagnoli, b)
		off += int64(n)
	}
	ftr, err := w.window(s, end, footerLen)
	if err != nil {
		return 0, 0, err
	}
	return mask(crc), binary.LittleEndian.Uint32(ftr), nil
}

// sync finds the first record that starts in [lo, limit): the first
// offset holding a length that fits in the file and the masked CRC of
// that length. It may be a false start (a record's data that looks like
// a header); the Scanner finds out and reads the segment again. -1 when
// there is none.
func (w *segmentWorker) sync(s *Scanner, lo, limit int64) int64 {
	w.limit = limit
	end := min(limit+headerLen, s.size)
	buf, err := w.window(s, lo, int(end-lo))
	if err != nil {
		return -1
	}
	for p := lo; p < limit && p+headerLen <= end; p++ {
		h := buf[p-lo:]
		length := binary.LittleEndian.Uint64(h)
		if length > maxLength || int64(length) > s.size-p-headerLen-footerLen {
			continue
		}
		if maskedCRC(h[:8]) == binary.LittleEndian.Uint32(h[8:]) {
			return p
		}
	}
	return -1
}

// headerCache remembers the last length checked for each of a few
// lengths with its masked CRC: the lengths of a file's records repeat
// (each tag's events have one size), and a header equal to one already
// checked needs no CRC.
type headerCache [64]checkedHeader

type checkedHeader struct {
	length uint64
	crc    uint32
	ok     bool
	// zero is the CRC of length zero bytes, once a Scanner needed it
	// (zeroCRC), and runHeader what the header's CRC is rewritten to
	// for a run (addToRun).
	zero, runHeader uint32
	zeroOK          bool
}

// check checks the header of the record at off: its length against its
// masked CRC, and that the length is one a file can hold.
func (c *headerCache) check(off int64, length uint64, crc uint32) error {
	slot := &c[length%uint64(len(c))]
	if slot.length != length || slot.crc != crc || !slot.ok {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], length)
		if maskedCRC(b[:]) != crc {
			return &CorruptError{Offset: off, Framing: true, Reason: "the record's length fails its CRC check (not a TFRecord file, or damaged)"}
		}
		*slot = checkedHeader{length: length, crc: crc, ok: true}
	}
	if length > maxLength {
		return &CorruptError{Offset: off, Framing: true, Reason: fmt.Sprintf("the record claims %d bytes, more than any event file holds", length)}
	}
	return nil
}
