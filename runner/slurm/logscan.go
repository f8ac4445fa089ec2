package slurm

import (
	"bytes"
	"os"
)

// scanLimit bounds the part of one log line that pattern metrics see, as
// in the local executor.
const scanLimit = 64 << 10

// logScanner feeds a growing log to pattern metrics line by line, reading
// only what was added since the last call, in fixed-size chunks: assay's
// memory does not grow with the log.
type logScanner struct {
	path     string
	f        *os.File
	off      int64
	buf      []byte
	line     []byte
	overlong bool
	scan     func([]byte)
}

func newLogScanner(path string, scan func([]byte)) *logScanner {
	return &logScanner{path: path, scan: scan}
}

// read hands every complete line added since the last call to scan.
func (s *logScanner) read() {
	if s.f == nil {
		f, err := os.Open(s.path)
		if err != nil {
			return
		}
		s.f, s.buf = f, make([]byte, 64<<10)
	}
	for {
		n, err := s.f.ReadAt(s.buf, s.off)
		s.off += int64(n)
		chunk := s.buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			part := chunk
			if i >= 0 {
				part = chunk[:i]
			}
			if !s.overlong {
				room := scanLimit - len(s.line)
				if len(part) > room {
					part, s.overlong = part[:room], true
				}
				s.line = append(s.line, part...)
			}
			if i < 0 {
				break
			}
			s.scan(s.line)
			s.line, s.overlong = s.line[:0], false
			chunk = chunk[i+1:]
		}
		if err != nil {
			return // io.EOF: all of it read, for now
		}
	}
}

// finish reads the rest, including a last line without a newline.
func (s *logScanner) finish() {
	s.read()
	if len(s.line) > 0 {
		s.scan(s.line)
		s.line = s.line[:0]
	}
	s.close()
}

func (s *logScanner) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}
