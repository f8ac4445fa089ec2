package tfevents

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
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
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's checksum: CRC-32C, rotated and offset so that a
// CRC of data holding CRCs does not degenerate.
func maskedCRC(b []byte) uint32 { return mask(crc32.Checksum(b, castagnoli)) }

func mask(c uint32) uint32 { return ((c >> 15) | (c << 17)) + 0xa282ead8 }

// ErrTruncated says the input ends inside a record: a writer has not
// finished it yet, or was killed while writing it.
var ErrTruncated = errors.New("the file ends inside a record")

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
type Reader struct {
	r   *bufio.Reader
	off int64
	ftr [footerLen]byte
	buf []byte // a record larger than r's buffer
}

// NewReader reads records from r, whose first byte is at offset in the
// file (offsets in errors are file offsets). After ErrTruncated, a
// Framing error or an I/O error the Reader is spent: read again from
// Offset with a new one.
func NewReader(r io.Reader, offset int64) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &Reader{r: br, off: offset}
}

// Offset is where the next record starts: after the last record Next
// returned or skipped.
func (r *Reader) Offset() int64 { return r.off }

// Next returns the next record's data, valid until the next call (or
// the next use of the bufio.Reader it reads from); nil for
// a record larger than MaxRecord, which is checked but not kept. It
// returns io.EOF at a clean end, ErrTruncated when the input ends inside
// a record, and a *CorruptError for a record that fails a check (after
// one without Framing, Next can go on to the record after it).
func (r *Reader) Next() ([]byte, error) {
	start := r.off
	hdr, err := r.r.Peek(headerLen)
	switch {
	case len(hdr) == 0 && err == io.EOF:
		return nil, io.EOF
	case len(hdr) < headerLen:
		return nil, truncated(err)
	}
	length := binary.LittleEndian.Uint64(hdr[:8])
	if maskedCRC(hdr[:8]) != binary.LittleEndian.Uint32(hdr[8:]) {
		return nil, &CorruptError{Offset: start, Framing: true, Reason: "the record's length fails its CRC check (not a TFRecord file, or damaged)"}
	}
	if length > maxLength {
		return nil, &CorruptError{Offset: start, Framing: true, Reason: fmt.Sprintf("the record claims %d bytes, more than any event file holds", length)}
	}
	total := headerLen + int64(length) + footerLen
	var data []byte
	var sum, want uint32
	if total <= int64(r.r.Size()) {
		// The usual case: the whole record is checked where it lies in
		// the buffer, and nothing is copied.
		rec, err := r.r.Peek(int(total))
		if int64(len(rec)) < total {
			return nil, truncated(err)
		}
		data = rec[headerLen : headerLen+length]
		sum, want = maskedCRC(data), binary.LittleEndian.Uint32(rec[headerLen+length:])
		r.r.Discard(int(total))
	} else {
		r.r.Discard(headerLen)
		if length <= MaxRecord {
			if uint64(cap(r.buf)) < length {
				r.buf = make([]byte, length)
			}
			data = r.buf[:length]
			if _, err := io.ReadFull(r.r, data); err != nil {
				return nil, truncated(err)
			}
			sum = maskedCRC(data)
		} else {
			h := crc32.New(castagnoli)
			if _, err := io.CopyN(h, r.r, int64(length)); err != nil {
				return nil, truncated(err)
			}
			sum = mask(h.Sum32())
		}
		if _, err := io.ReadFull(r.r, r.ftr[:]); err != nil {
			return nil, truncated(err)
		}
		want = binary.LittleEndian.Uint32(r.ftr[:])
	}
	r.off = start + total
	if sum != want {
		return nil, &CorruptError{Offset: start, Reason: "the record's data fails its CRC check"}
	}
	return data, nil
}

func truncated(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return err
}
