package metrics

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// lineTail reads a growing text file line by line from an offset.
type lineTail struct {
	off    int64 // where the next unread line starts
	lineNo int   // lines passed so far
	long   int   // lines over maxLine, skipped
}

// read hands each complete line after t.off to fn, without its line
// ending (line is valid only during the call), and reports whether an
// incomplete line follows.
func (t *lineTail) read(w *watcher, f *os.File, fn func(line []byte, lineNo int)) (partial bool) {
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return false
	}
	w.br.Reset(f)
	var acc []byte
	var pending int64 // bytes of an unfinished line read so far
	for {
		chunk, err := w.br.ReadSlice('\n')
		switch {
		case err == nil:
			line := chunk
			if pending > 0 {
				if len(acc) <= maxLine {
					acc = append(acc, chunk...)
				}
				line = acc
			}
			n := pending + int64(len(chunk))
			t.off += n
			t.lineNo++
			if n > maxLine {
				t.long++
			} else {
				fn(bytes.TrimRight(line, "\r\n"), t.lineNo)
			}
			acc, pending = acc[:0], 0
		case err == bufio.ErrBufferFull:
			if len(acc) <= maxLine {
				acc = append(acc, chunk...)
			}
			pending += int64(len(chunk))
		default: // io.EOF, or a read error: an incomplete line may remain
			return pending+int64(len(chunk)) > 0
		}
	}
}
