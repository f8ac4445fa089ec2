package metrics

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// csvReader tails a CSV log: a header row, then one row per log call, as
// Lightning's CSVLogger (metrics.csv) and Keras' CSVLogger write them.
// The step is the "step" column, else the "epoch" column (Keras), else
// the row's number (1, 2, ...); every other column is a metric, and an
// empty cell is no point (Lightning leaves the columns a row did not log
// empty). Lightning rewrites the whole file when a new column appears,
// with the old rows first: a changed header makes the reader start again
// and skip the rows it has read.
type csvReader struct {
	start     int64 // a pre-existing file is read from here
	lines     lineTail
	headerRaw []byte
	header    []string
	stepCol   int
	epochCol  int
	rows      int // data rows handed over
	skip      int // rows to pass over after a rewrite
}

func (r *csvReader) read(w *watcher, sf *sourceFile, f *os.File, info os.FileInfo, final bool) {
	first := firstLine(f)
	if first == nil {
		if final && info.Size() > 0 {
			w.problemAt(sf, "header", "has no complete header line; not read")
		}
		return
	}
	if r.header == nil || !bytes.Equal(first, r.headerRaw) || info.Size() < r.lines.off {
		if r.header != nil {
			r.skip, r.rows, r.start = r.rows, 0, 0
		}
		r.headerRaw = append([]byte(nil), first...)
		r.header = splitCSV(bytes.TrimRight(first, "\r\n"))
		r.stepCol, r.epochCol = -1, -1
		for i, h := range r.header {
			switch strings.TrimSpace(h) {
			case "step":
				r.stepCol = i
			case "epoch":
				r.epochCol = i
			}
		}
		if r.stepCol >= 0 {
			r.epochCol = -1 // with a step, epoch is a metric like any other
		}
		r.lines = lineTail{off: max(int64(len(first)), r.start), lineNo: 1}
	}
	partial := r.lines.read(w, f, func(line []byte, lineNo int) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		if r.skip > 0 {
			r.skip--
			return
		}
		r.rows++
		r.row(w, sf, splitCSV(line), lineNo)
	})
	if final {
		if partial {
			w.problemAt(sf, "torn", fmt.Sprintf("the last line (%d) is incomplete, as if the writer was stopped mid-write; ignored", r.lines.lineNo+1))
		}
		if r.lines.long > 0 {
			w.problemAt(sf, "long", fmt.Sprintf("%s longer than %d bytes; ignored", times(r.lines.long, "line"), maxLine))
		}
	}
}

func (r *csvReader) row(w *watcher, sf *sourceFile, cells []string, lineNo int) {
	step := int64(r.rows)
	for _, col := range []int{r.stepCol, r.epochCol} {
		if col >= 0 && col < len(cells) {
			if v, err := strconv.ParseFloat(strings.TrimSpace(cells[col]), 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				step = int64(v)
				break
			}
		}
	}
	for i, cell := range cells {
		if i == r.stepCol || i == r.epochCol || i >= len(r.header) {
			continue
		}
		cell = strings.TrimSpace(cell)
		if cell == "" {
			continue
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			col := r.header[i]
			w.c.note("metrics_from:csvtext:"+sf.rel+":"+col, fmt.Sprintf("line %d: %q", lineNo, shorten(cell)), func(p *problem) string {
				return fmt.Sprintf("metrics_from: %s: column %q is not a number on %s (first: %s); ignored", sf.rel, col, times(p.count, "line"), p.first)
			})
			continue
		}
		w.point(sf, []byte(r.header[i]), step, v)
	}
}

// firstLine returns the file's first line with its line ending, or nil
// while it has none.
func firstLine(f *os.File) []byte {
	b := make([]byte, 64<<10)
	n, _ := f.ReadAt(b, 0)
	i := bytes.IndexByte(b[:n], '\n')
	if i < 0 {
		return nil
	}
	return b[:i+1]
}

func splitCSV(line []byte) []string {
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	cells, err := r.Read()
	if err != nil {
		return nil
	}
	return cells
}
