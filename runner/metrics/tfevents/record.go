package tfevents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
)

const (
	headerLen = 12 // length and its masked CRC
	footerLen = 4  // the data's masked CRC
	// MaxRecord bounds the records Next returns whole. A larger one (a
	// graph, an embedded image) is checked as it streams past and not
	// kept: no scalar event comes near this size.
	MaxRecord = 16 << 20
	// maxLength is more than any event file holds; a length beyond it is
	// a broken file, not a record to wait for.
	maxLength = 1 << 40
	// chunkSize is what the reading goroutine reads at a time; a record
	// larger than this gets a buffer of its own. The first chunk of a
	// Reader is smaller: most reads are a poll's few new records.
	chunkSize      = 1 << 20
	firstChunkSize = 64 << 10
	// ahead is how many chunks, read and checked, may wait for the
	// caller: a Reader holds at most ahead+2 chunks.
	ahead = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's checksum: CRC-32C, rotated and offset so that a
// CRC of data holding CRCs does not degenerate.
func maskedCRC(b []byte) uint32 { return mask(crc32.Checksum(b, castagnoli)) }

func mask(c uint32) uint32 { return ((c >> 15) | (c << 17)) + 0xa282ead8 }

// ErrTruncated says the input ends inside a record: a writer has not
// finished it yet, or was killed while writing it.
var ErrTruncated = errors.New("the file ends inside a record")

var errClosed = errors.New("tfevents: read from a closed Reader")

// CorruptError is a record that fails its checks.
type CorruptError struct {
	// Offset is where the record starts.
	Offset int64
	// Framing is set when the record's length cannot be trusted, so
	// nothing after it can be found.
	Framing bool
	Reason  string
}

func (e *CorruptError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason) }

// Reader reads TFRecords one after another.
//
// A goroutine of its own reads ahead and checks both CRCs of each record
// while the caller decodes the records Next returned, so a large file
// takes two cores for about half the time one would. That goroutine stops
// at the first error it meets (the end of the input included) and at
// Close: once Next has returned an error, or Close has returned, nothing
// reads the underlying reader any more, and the caller may reuse or close
// it.
type Reader struct {
	src   io.Reader
	off   int64 // where the next record starts
	chunk int   // chunkSize; smaller in tests, to cross chunk ends often

	batches chan *batch   // from the reading goroutine; nil while none runs
	quit    chan struct{} // closed by Close
	done    chan struct{} // closed when the reading goroutine has ended
	cur     *batch        // the batch Next returns records from
	i       int           // the next record of cur
	resume  []byte        // bytes read past a skipped record, read first next time
	err     error         // a final error, returned again
}

// batch is a chunk of the file and the records found in it, checked.
type batch struct {
	buf  []byte
	recs []span
	// err ends the batches from one goroutine: io.EOF, ErrTruncated, a
	// *CorruptError or the input's error. After a *CorruptError without
	// Framing, reading resumes at next with rest, the bytes already read
	// past the bad record.
	err  error
	next int64
	rest []byte
}

// span is one record in a batch.
type span struct {
	lo, hi int   // its data is buf[lo:hi]; lo < 0 for a record not kept
	next   int64 // the file offset after it
}

// chunks and firstChunks recycle chunks across Readers: the collector
// makes a Reader for every file at every poll.
var (
	chunks      = sync.Pool{New: func() any { return &batch{buf: make([]byte, chunkSize)} }}
	firstChunks = sync.Pool{New: func() any { return &batch{buf: make([]byte, firstChunkSize)} }}
)

// NewReader reads records from r, whose first byte is at offset in the
// file (offsets in errors are file offsets). After ErrTruncated, a
// Framing error or an I/O error the Reader is spent: read again from
// Offset with a new one.
func NewReader(r io.Reader, offset int64) *Reader {
	return &Reader{src: r, off: offset, chunk: chunkSize}
}

// Offset is where the next record starts: after the last record Next
// returned or skipped.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next record's data, valid until the next call; nil for
// a record larger than MaxRecord, which is checked but not kept. It
// returns io.EOF at a clean end, ErrTruncated when the input ends inside
// a record, and a *CorruptError for a record that fails a check (after
// one without Framing, Next can go on to the record after it).
func (r *Reader) Next() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if b := r.cur; b != nil {
			if r.i < len(b.recs) {
				s := &b.recs[r.i]
				r.i++
				r.off = s.next
				if s.lo < 0 {
					return nil, nil
				}
				return b.buf[s.lo:s.hi], nil
			}
			r.cur = nil
			if err := b.err; err != nil {
				r.wait()
				var ce *CorruptError
				switch {
				case errors.As(err, &ce) && !ce.Framing:
					r.off, r.resume = b.next, b.rest
				case err != io.EOF:
					r.err = err
				}
				r.release(b)
				return nil, err
			}
			r.release(b)
		}
		if r.batches == nil {
			r.start()
		}
		r.cur, r.i = <-r.batches, 0
	}
}

// Close stops the reading goroutine and waits for it to end; the records
// Next returned are no longer valid. Safe to call more than once.
func (r *Reader) Close() error {
	if r.batches != nil {
		close(r.quit)
		r.wait()
	}
	if r.cur != nil {
		r.release(r.cur)
		r.cur = nil
	}
	if r.err == nil {
		r.err = errClosed
	}
	return nil
}

// wait waits for the reading goroutine to end.
func (r *Reader) wait() {
	<-r.done
	r.batches = nil
}

// newBatch gives a batch with an empty chunk of its own; first asks for
// a Reader's first, smaller one.
func (r *Reader) newBatch(first bool) *batch {
	if r.chunk != chunkSize {
		return &batch{buf: make([]byte, r.chunk)}
	}
	pool := &chunks
	if first {
		pool = &firstChunks
	}
	b := pool.Get().(*batch)
	b.recs, b.err, b.rest = b.recs[:0], nil, nil
	return b
}

func (r *Reader) release(b *batch) {
	if r.chunk != chunkSize {
		return
	}
	switch len(b.buf) {
	case chunkSize:
		chunks.Put(b)
	case firstChunkSize:
		firstChunks.Put(b)
	}
}

// start starts a goroutine reading from r.off, after r.resume.
func (r *Reader) start() {
	r.batches, r.quit, r.done = make(chan *batch, ahead), make(chan struct{}), make(chan struct{})
	b := r.newBatch(len(r.resume) <= firstChunkSize)
	n := copy(b.buf, r.resume)
	r.resume = nil
	p := &producer{r: r, out: r.batches, quit: r.quit, b: b, buf: b.buf, hi: n, off: r.off}
	go p.run()
}

// producer is the reading goroutine: it frames the records in
// buf[lo:hi], whose first byte is at file offset off, checks them, and
// hands them over a batch at a time.
type producer struct {
	r      *Reader
	out    chan<- *batch
	quit   <-chan struct{}
	b      *batch // the batch being filled; it owns buf
	buf    []byte
	lo, hi int
	off    int64
	rerr   error // the input's error, once it gave one
	seen   headerCache
}

func (p *producer) run() {
	defer close(p.r.done)
	for {
		if p.hi-p.lo < headerLen {
			if !p.fill(headerLen) {
				return
			}
			continue
		}
		hdr := p.buf[p.lo : p.lo+headerLen]
		length := binary.LittleEndian.Uint64(hdr[:8])
		if err := p.seen.check(p.off, length, binary.LittleEndian.Uint32(hdr[8:])); err != nil {
			p.finish(err)
			return
		}
		total := headerLen + int64(length) + footerLen
		if total > int64(p.r.chunk) {
			if !p.large(length, total) {
				return
			}
			continue
		}
		if int64(p.hi-p.lo) < total {
			if !p.fill(int(total)) {
				return
			}
			continue
		}
		// The usual case: the whole record is checked where it lies in
		// the chunk, and nothing is copied.
		lo, hi := p.lo+headerLen, p.lo+headerLen+int(length)
		start := p.off
		p.lo += int(total)
		p.off += total
		if maskedCRC(p.buf[lo:hi]) != binary.LittleEndian.Uint32(p.buf[hi:]) {
			p.skip(start)
			return
		}
		p.b.recs = append(p.b.recs, span{lo: lo, hi: hi, next: p.off})
	}
}

// fill reads until buf[lo:] holds n bytes; false when it cannot, after
// handing over the error that says why.
func (p *producer) fill(n int) bool {
	for empty := 0; p.hi-p.lo < n; {
		if p.rerr != nil {
			switch {
			case p.rerr != io.EOF && p.rerr != io.ErrUnexpectedEOF:
				p.finish(p.rerr)
			case p.hi == p.lo:
				p.finish(io.EOF)
			default:
				p.finish(ErrTruncated)
			}
			return false
		}
		if p.lo+n > len(p.buf) && !p.rotate(n) {
			return false
		}
		m, err := p.r.src.Read(p.buf[p.hi:])
		p.hi += m
		p.rerr = err
		if m == 0 && err == nil {
			if empty++; empty == 100 {
				p.rerr = io.ErrNoProgress
			}
		}
	}
	return true
}

// rotate moves the partial record at buf[lo:hi] to the start of a chunk
// with room for n bytes, handing over the batch of the records before it.
func (p *producer) rotate(n int) bool {
	if len(p.b.recs) == 0 && n <= len(p.buf) {
		p.hi = copy(p.buf, p.buf[p.lo:p.hi])
		p.lo = 0
		return true
	}
	nb := p.r.newBatch(false)
	m := copy(nb.buf, p.buf[p.lo:p.hi])
	if len(p.b.recs) == 0 {
		p.r.release(p.b)
	} else if !p.send(p.b) {
		p.r.release(nb)
		return false
	}
	p.b, p.buf, p.lo, p.hi = nb, nb.buf, 0, m
	return true
}

// large reads a record larger than a chunk, whose header is checked:
// whole into a buffer of its own up to MaxRecord, else through the CRC
// without keeping it.
func (p *producer) large(length uint64, total int64) bool {
	if p.lo > 0 && !p.rotate(0) {
		return false
	}
	if p.rerr != nil && p.rerr != io.EOF && p.rerr != io.ErrUnexpectedEOF {
		p.finish(p.rerr)
		return false
	}
	var in io.Reader = bytes.NewReader(p.buf[:p.hi])
	if p.rerr == nil {
		in = io.MultiReader(in, p.r.src)
	}
	start := p.off
	var rec *batch
	var sum, want uint32
	if length <= MaxRecord {
		rec = &batch{buf: make([]byte, total)}
		if _, err := io.ReadFull(in, rec.buf); err != nil {
			p.finish(truncated(err))
			return false
		}
		data := rec.buf[headerLen : headerLen+length]
		sum, want = maskedCRC(data), binary.LittleEndian.Uint32(rec.buf[headerLen+length:])
		rec.recs = []span{{lo: headerLen, hi: headerLen + int(length), next: start + total}}
	} else {
		h := crc32.New(castagnoli)
		var ftr [headerLen]byte
		if _, err := io.ReadFull(in, ftr[:headerLen]); err != nil {
			p.finish(truncated(err))
			return false
		}
		if _, err := io.CopyN(h, in, int64(length)); err != nil {
			p.finish(truncated(err))
			return false
		}
		if _, err := io.ReadFull(in, ftr[:footerLen]); err != nil {
			p.finish(truncated(err))
			return false
		}
		sum, want = mask(h.Sum32()), binary.LittleEndian.Uint32(ftr[:footerLen])
		rec = &batch{recs: []span{{lo: -1, next: start + total}}}
	}
	p.lo, p.hi = 0, 0 // the chunk's bytes were all this record's
	p.off = start + total
	if sum != want {
		p.skip(start)
		return false
	}
	return p.send(rec)
}

// skip hands over the records so far and the data CRC error of the
// record at start, with what was read past it, and stops: the caller
// decides whether to go on.
func (p *producer) skip(start int64) {
	p.b.err = &CorruptError{Offset: start, Reason: "the record's data fails its CRC check"}
	p.b.next = p.off
	p.b.rest = append([]byte(nil), p.buf[p.lo:p.hi]...)
	p.send(p.b)
}

// finish hands over the records so far and the error that ends them.
func (p *producer) finish(err error) {
	p.b.err = err
	p.send(p.b)
}

func (p *producer) send(b *batch) bool {
	select {
	case p.out <- b:
		return true
	case <-p.quit:
		return false
	}
}

func truncated(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return err
}
