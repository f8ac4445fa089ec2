package tfevents

import (
	"io"
	"runtime"
	"sync"
)

const (
	// segmentSize is the part of a file one goroutine of a Scanner reads,
	// checks and decodes at a time: small enough that the bytes it reads
	// are still in the core's cache when it checks and decodes them.
	segmentSize = 256 << 10
	// segmentSlack is read past a segment's end for the record that
	// crosses it.
	segmentSlack = 8 << 10
	// parallelFrom is the size below which a Scanner reads on the
	// caller's goroutine alone: a poll's few new records.
	parallelFrom = 4 << 20
	// maxTableTags bounds one tag table; a file with more tags gets
	// another table.
	maxTableTags = 1 << 16
)

// Scalar is one scalar value a Scanner found.
type Scalar struct {
	Step  int64
	Value float64
	// Tag indexes the Tags of the Batch holding it.
	Tag uint32
	// pending marks a value whose being a scalar depends on the
	// plugin its tag was first seen with, which Decoder.settle decides:
	// tensor says it holds a one-element numeric tensor (Value), meta
	// what its own metadata says.
	pending bool
	tensor  bool
	meta    pluginKind
}

// Batch is the scalars of consecutive records, in file order.
type Batch struct {
	Scalars []Scalar
	// Tags holds the tags Scalars index: tag table Table. A table's
	// indexes stay the same across one Scanner's batches, so a caller
	// can keep what it derived from a tag by table and index.
	Tags  []string
	Table int
	// End is the offset after the batch's last record: where the
	// record that the error ending the batch is about starts.
	End int64
	// resume is where reading goes on after a record skipped for a
	// *CorruptError without Framing or an *EventError.
	resume  int64
	pending bool // some Scalars are pending
}

// Scanner reads the scalars of an event file from an offset up to a
// size, in file order: what Reader and Decoder together give, with the
// same offsets and errors. A large read goes on several goroutines: the
// file is cut into segments, and each goroutine reads a segment with
// ReadAt, finds the first record that starts in it, then checks both
// CRCs of and decodes the records that start in it, while the caller
// takes the segments before it in order, reading the next segment not
// yet claimed itself whenever the one it needs is not ready. Where a
// segment's first record starts is certain only once the segment before
// it is done: the record after that segment's last must start exactly
// where the goroutine found one, or the segment is read again from the
// right offset on the caller's goroutine (a segment that lies inside one
// large record, or a false start in a record's data). A small read (a
// poll's new records) stays on the caller's goroutine.
type Scanner struct {
	src  io.ReaderAt
	size int64
	pos  int64 // where the next record starts
	dec  *Decoder
	err  error
	// seg and slack are segmentSize and segmentSlack; smaller in tests,
	// to cross segment ends often.
	seg, slack int64

	cur    *job // the job whose batches Next returns
	next   int  // the next batch of cur
	inline *segmentWorker
	own    job // the job inline reads into; its memory serves each segment
	// helper reads segments on the caller's goroutine while the one it
	// needs next is not ready (await).
	helper *segmentWorker

	// With workers: segment i starts at first+i*seg; its job
	// is ring[i%len(ring)].
	par    bool
	first  int64
	segs   int
	taken  int // segments the caller has taken
	ring   []*job
	slots  chan struct{} // a worker takes one per segment; the caller gives it back
	quit   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	claims int // segments the workers have claimed
	tables int // tag tables handed out
	redone int // segments read again after a false start
	helped int // segments the caller's goroutine read while it waited
}

// job is one segment read by one worker.
type job struct {
	limit   int64 // the records that start before limit, and in the segment, are the job's
	start   int64 // where its first record starts; -1 when none does
	end     int64 // where the record after its last starts
	batches []Batch
	errs    []error // errs[i] ends batches[i]
	ready   chan struct{}
	slot    bool // holds a slot, to give back once taken
}

// NewScanner reads the scalars of src from offset, where a record starts,
// to size, settling tensor values' plugins with dec (keep one per file,
// across Scanners). Close it when done.
func NewScanner(src io.ReaderAt, offset, size int64, dec *Decoder) *Scanner {
	workers := 0
	if n := runtime.GOMAXPROCS(0); n > 1 && size-offset >= parallelFrom {
		workers = min(n-1, 7) // and the caller's goroutine, which helps
	}
	return newScanner(src, offset, size, dec, segmentSize, segmentSlack, workers)
}

// newScanner is NewScanner with segments of seg bytes read with slack
// more, on workers goroutines besides the caller's (none: the caller's
// alone).
func newScanner(src io.ReaderAt, offset, size int64, dec *Decoder, seg, slack int64, workers int) *Scanner {
	s := &Scanner{src: src, size: size, pos: offset, dec: dec, seg: seg, slack: slack}
	s.inline = s.newWorker()
	if workers > 0 {
		s.startWorkers(offset, workers)
	}
	return s
}

// Offset is where the next record starts: after the records Next
// returned, and after a record skipped with a *CorruptError without
// Framing or an *EventError.
func (s *Scanner) Offset() int64 { return s.pos }

// Next returns the next batch, valid until the next call, and the error
// that ends it. The error is nil when more follows; io.EOF at size;
// ErrTruncated when the input ends inside the record at Offset; a
// *CorruptError for the record at its Offset (after one without Framing,
// Next goes on with the record after it); an *EventError for a record
// that holds no valid Event (Next goes on after it); or the input's
// error. After any other error than those two, the Scanner is spent.
func (s *Scanner) Next() (*Batch, error) {
	for s.err == nil {
		if j := s.cur; j != nil && s.next < len(j.batches) {
			b, err := &j.batches[s.next], j.errs[s.next]
			s.next++
			if b.pending {
				s.dec.settle(b)
			}
			s.pos = b.End
			switch e := err.(type) {
			case nil:
			case *CorruptError:
				if e.Framing {
					s.stop(err)
				} else {
					s.pos = b.resume
				}
			case *EventError:
				s.pos = b.resume
			default:
				s.stop(err)
			}
			return b, err
		}
		s.release()
		if s.pos >= s.size {
			s.stop(io.EOF)
			break
		}
		s.cur, s.next = s.nextJob(), 0
	}
	return &Batch{End: s.pos}, s.err
}

// nextJob gives the job whose records start at s.pos.
func (s *Scanner) nextJob() *job {
	for s.par && s.taken < s.segs {
		j := s.ring[s.taken%len(s.ring)]
		s.await(j)
		s.taken++
		if j.limit <= s.pos {
			// Inside the record the segment before ended with.
			s.giveBack(j)
			continue
		}
		if j.start == s.pos {
			return j
		}
		// A false start: read the segment again from where the one
		// before ended.
		limit := j.limit
		s.giveBack(j)
		s.redone++
		s.inline.scan(s, &s.own, s.pos, limit)
		return &s.own
	}
	s.inline.scan(s, &s.own, s.pos, min(s.pos+s.seg, s.size))
	return &s.own
}

// await waits until j is ready, reading the next segment not yet
// claimed meanwhile, as a worker would, while one may be claimed: so the
// caller's goroutine is a worker too, where it would otherwise wait for
// one, and no more goroutines than cores are kept busy.
func (s *Scanner) await(j *job) {
	for {
		select {
		case <-j.ready:
			return
		default:
		}
		select {
		case <-s.slots:
		default:
			<-j.ready // the ring is full: j is a worker's
			return
		}
		if !s.helper.claim(s) {
			s.slots <- struct{}{}
			<-j.ready // all are claimed: j is a worker's
			return
		}
		s.helped++
	}
}

// release gives back the slot of the job the caller is done with.
func (s *Scanner) release() {
	if s.cur != nil {
		s.giveBack(s.cur)
		s.cur = nil
	}
}

func (s *Scanner) giveBack(j *job) {
	if j.slot {
		j.slot = false
		s.slots <- struct{}{}
	}
}

// stop ends the Scanner with err.
func (s *Scanner) stop(err error) {
	s.Close()
	s.err = err
}

// Close stops the Scanner's goroutines and waits for them to end; the
// batches Next returned are no longer valid. Safe to call more than once.
func (s *Scanner) Close() error {
	if s.par {
		close(s.quit)
		s.wg.Wait()
		s.par = false
	}
	if s.err == nil {
		s.err = errClosed
	}
	return nil
}

// startWorkers starts workers goroutines. Each claims the next segment
// while fewer than len(ring) segments wait for the caller, so memory
// stays bounded however far behind the caller falls.
func (s *Scanner) startWorkers(offset int64, workers int) {
	s.par, s.first = true, offset
	s.segs = int((s.size - offset + s.seg - 1) / s.seg)
	s.helper = s.newWorker()
	s.ring = make([]*job, 4*(workers+1))
	s.slots = make(chan struct{}, len(s.ring))
	s.quit = make(chan struct{})
	for i := range s.ring {
		s.ring[i] = &job{ready: make(chan struct{}, 1)}
		s.slots <- struct{}{}
	}
	for range workers {
		w := s.newWorker()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			w.run(s)
		}()
	}
}

func (s *Scanner) newWorker() *segmentWorker {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &segmentWorker{table: s.tables, last: noTag}
	s.tables++
	return w
}

// newTable gives w a new, empty tag table.
func (s *Scanner) newTable(w *segmentWorker) {
	s.mu.Lock()
	w.table = s.tables
	s.tables++
	s.mu.Unlock()
	w.tags, w.index, w.state, w.last = nil, nil, nil, noTag
}

// run claims segments until none is left or the Scanner closes.
func (w *segmentWorker) run(s *Scanner) {
	for {
		select {
		case <-s.slots:
		case <-s.quit:
			return
		}
		if !w.claim(s) {
			return
		}
	}
}

// claim claims the next segment and reads it into its job, holding one
// of s.slots; false when none is left.
func (w *segmentWorker) claim(s *Scanner) bool {
	s.mu.Lock()
	seg := s.claims
	if seg < s.segs {
		s.claims++
	}
	s.mu.Unlock()
	if seg >= s.segs {
		return false
	}
	j := s.ring[seg%len(s.ring)]
	j.slot = true
	lo := s.first + int64(seg)*s.seg
	limit := min(lo+s.seg, s.size)
	start := lo
	if seg > 0 {
		start = w.sync(s, lo, limit)
	}
	if start < 0 {
		j.limit, j.start, j.end = limit, -1, limit
		j.batches, j.errs = j.batches[:0], j.errs[:0]
	} else {
		w.scan(s, j, start, limit)
	}
	j.ready <- struct{}{}
	return true
}
