package metrics

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// mlflowReader tails one metric file of MLflow's local file store,
// mlruns/<experiment>/<run>/metrics/<key>: a line per logged value,
// "<timestamp_ms> <value> <step>" (files from before MLflow logged steps
// lack the step: 0, as MLflow reads them).
type mlflowReader struct {
	lines lineTail
}

// mlflowKey is the metric key of a file under a metrics/ folder (the
// path below it: MLflow keeps "val/acc" as metrics/val/acc), or "".
func mlflowKey(rel string) string {
	parts := strings.Split(rel, "/")
	for i, p := range parts[:len(parts)-1] {
		if p == "metrics" {
			return strings.Join(parts[i+1:], "/")
		}
	}
	return ""
}

func (r *mlflowReader) read(w *watcher, sf *sourceFile, f *os.File, info os.FileInfo, final bool) {
	key := []byte(mlflowKey(sf.rel))
	partial := r.lines.read(w, f, func(line []byte, lineNo int) {
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			return
		}
		var step int64
		v, err := strconv.ParseFloat(string(fieldAt(fields, 1)), 64)
		if err == nil && len(fields) == 3 {
			step, err = strconv.ParseInt(string(fields[2]), 10, 64)
		}
		if err != nil || len(fields) < 2 || len(fields) > 3 {
			w.c.note("metrics_from:mlflowline:"+sf.rel, fmt.Sprintf("line %d", lineNo), func(p *problem) string {
				return fmt.Sprintf("metrics_from: %s: %s not \"<timestamp> <value> <step>\" (first: %s); ignored", sf.rel, lines(p.count, "is", "are"), p.first)
			})
			return
		}
		w.point(sf, key, step, v)
	})
	if final && partial {
		w.problemAt(sf, "torn", fmt.Sprintf("the last line (%d) is incomplete, as if the writer was stopped mid-write; ignored", r.lines.lineNo+1))
	}
}

func fieldAt(fields [][]byte, i int) []byte {
	if i < len(fields) {
		return fields[i]
	}
	return nil
}
