package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLine bounds one metrics line; a longer one is dropped, so a trial
// that writes garbage without newlines cannot grow assay's memory.
const maxLine = 1 << 20

// fileTail follows the metrics file by its open descriptor, so it reads
// every byte the trial wrote even after the file is deleted, and notices
// when the path is deleted or replaced.
type fileTail struct {
	path string
	f    *os.File
	buf  []byte // an incomplete last line
	// skipping drops the rest of an over-long line.
	skipping bool
	lineNo   int
	deleted  bool
	replaced bool
	chunk    []byte
}

func openTail(path string) (*fileTail, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("metrics file: %w", err)
	}
	return &fileTail{path: path, f: f, chunk: make([]byte, 64<<10)}, nil
}

// read hands each complete new line to fn, then checks the path still
// names the file being read.
func (t *fileTail) read(fn func(line []byte, lineNo int), note func(kind, message string)) {
	if t.f == nil {
		return
	}
	t.drain(fn, note)
	cur, err := os.Stat(t.path)
	mine, err2 := t.f.Stat()
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !t.deleted {
			t.deleted = true
			note("deleted", fmt.Sprintf("metrics file: the trial deleted %s while it ran; the points written before were kept", t.path))
		}
	case err == nil && err2 == nil && !os.SameFile(cur, mine):
		// The trial replaced the file: finish the old one, follow the new.
		nf, err := os.Open(t.path)
		if err != nil {
			return
		}
		if !t.replaced {
			t.replaced = true
			note("replaced", fmt.Sprintf("metrics file: the trial replaced %s while it ran; both files were read", t.path))
		}
		t.flushPartial(fn)
		t.f.Close()
		t.f = nf
		t.deleted = false
		t.drain(fn, note)
	}
}

func (t *fileTail) drain(fn func(line []byte, lineNo int), note func(kind, message string)) {
	for {
		n, err := t.f.Read(t.chunk)
		data := t.chunk[:n]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if !t.skipping {
					t.buf = append(t.buf, data...)
				}
				if len(t.buf) > maxLine {
					t.buf, t.skipping = t.buf[:0], true
				}
				break
			}
			t.lineNo++
			if len(t.buf)+i > maxLine {
				t.skipping = true
			}
			if t.skipping {
				t.skipping = false
				t.buf = t.buf[:0]
				note("long", fmt.Sprintf("metrics file: line %d is longer than %d bytes; ignored", t.lineNo, maxLine))
			} else if len(t.buf) > 0 {
				t.buf = append(t.buf, data[:i]...)
				fn(t.buf, t.lineNo)
				t.buf = t.buf[:0]
			} else {
				fn(data[:i], t.lineNo)
			}
			data = data[i+1:]
		}
		if err == io.EOF || n == 0 || err != nil {
			return
		}
	}
}

// flushPartial hands over a last line without its newline.
func (t *fileTail) flushPartial(fn func(line []byte, lineNo int)) {
	if len(t.buf) > 0 && !t.skipping {
		t.lineNo++
		fn(t.buf, t.lineNo)
	}
	t.buf, t.skipping = t.buf[:0], false
}

// close returns an incomplete last line, with its line number, and closes
// the file.
func (t *fileTail) close() ([]byte, int) {
	if t.f == nil {
		return nil, 0
	}
	t.f.Close()
	t.f = nil
	if t.skipping || len(t.buf) == 0 {
		return nil, 0
	}
	t.lineNo++
	return t.buf, t.lineNo
}
