package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Run masks everything of run that assay writes or prints: the record's
// words (error, warnings, command, params, labels, host), metric names in
// summaries and series, artifact paths (renaming the kept files to match),
// and the log, which is rewritten unless run.LogMasked. The contents of
// artifact files are the trial's own and are not touched. A log that
// cannot be masked is not kept, so a secret never leaves by that road.
func (m *Mask) Run(run *Run) {
	if m.Empty() || run == nil || run.Result == nil {
		return
	}
	r := run.Result
	r.Error = m.String(r.Error)
	r.Warnings = m.strings(r.Warnings)
	r.Command = m.strings(r.Command)
	r.Labels = m.strings(r.Labels)
	r.Workdir = m.String(r.Workdir)
	r.System.Host = m.String(r.System.Host)
	if r.Params != nil {
		r.Params, _ = m.value(r.Params).(map[string]any)
	}
	r.Metrics = maskKeys(m, r.Metrics, &r.Warnings)
	run.Series = maskKeys(m, run.Series, nil)
	m.artifacts(run)
	if !run.LogMasked && run.LogPath != "" {
		m.log(run)
	}
}

// strings masks ss into a new slice when anything changes: records share
// slices with the trial (its command, its labels), which a retry runs
// again and must find as they were.
func (m *Mask) strings(ss []string) []string {
	var out []string
	for i, v := range ss {
		mv := m.String(v)
		if mv != v && out == nil {
			out = append(make([]string, 0, len(ss)), ss[:i]...)
		}
		if out != nil {
			out = append(out, mv)
		}
	}
	if out == nil {
		return ss
	}
	return out
}

// value masks the strings inside a decoded JSON value (params).
func (m *Mask) value(v any) any {
	switch x := v.(type) {
	case string:
		return m.String(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[m.String(k)] = m.value(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = m.value(e)
		}
		return out
	}
	return v
}

// maskKeys masks a map's keys; when two keys mask alike, the first in
// name order is kept and a warning (if warnings is given) says so.
func maskKeys[V any](m *Mask, in map[string]V, warnings *[]string) map[string]V {
	changed := false
	for k := range in {
		if m.String(k) != k {
			changed = true
			break
		}
	}
	if !changed {
		return in
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]V, len(in))
	for _, k := range keys {
		mk := m.String(k)
		if _, dup := out[mk]; dup {
			if warnings != nil {
				*warnings = append(*warnings, fmt.Sprintf("metrics: two metric names read %q once secrets are masked; only the first was kept", mk))
			}
			continue
		}
		out[mk] = in[k]
	}
	return out
}

// artifacts masks manifest paths, renaming each file whose name holds a
// secret; one that cannot be renamed is left out with a warning.
func (m *Mask) artifacts(run *Run) {
	r := run.Result
	kept := r.Manifest[:0]
	for _, f := range r.Manifest {
		masked := m.String(f.Path)
		if masked == f.Path {
			kept = append(kept, f)
			continue
		}
		if run.ArtifactsDir != "" {
			src := filepath.Join(run.ArtifactsDir, filepath.FromSlash(f.Path))
			dst := filepath.Join(run.ArtifactsDir, filepath.FromSlash(masked))
			err := os.MkdirAll(filepath.Dir(dst), 0o755)
			if _, serr := os.Lstat(dst); err == nil && serr == nil {
				err = fmt.Errorf("%s exists", masked)
			}
			if err == nil {
				err = os.Rename(src, dst)
			}
			if err != nil {
				os.Remove(src)
				r.Warnings = append(r.Warnings, fmt.Sprintf("artifacts: %s has a secret in its name and could not be renamed (%v); it was not kept", masked, m.String(err.Error())))
				continue
			}
		}
		f.Path = masked
		kept = append(kept, f)
	}
	r.Manifest = kept
	if r.Artifacts != nil {
		r.Artifacts = r.Artifacts[:0]
		for _, f := range kept {
			r.Artifacts = append(r.Artifacts, f.Path)
		}
	}
}

// log rewrites the log with secrets masked, and its manifest entry with
// it.
func (m *Mask) log(run *Run) {
	tmp := run.LogPath + ".masking"
	n, sum, masked, err := m.copyFile(run.LogPath, tmp)
	if err == nil && masked {
		err = os.Rename(tmp, run.LogPath)
	}
	os.Remove(tmp)
	r := run.Result
	switch {
	case err != nil:
		os.Remove(run.LogPath)
		run.LogPath, r.FullLog = "", nil
		r.Warnings = append(r.Warnings, fmt.Sprintf("log: secrets in it could not be masked (%v), so it was not kept", m.String(err.Error())))
	case masked && r.FullLog != nil:
		r.FullLog.Size, r.FullLog.SHA256 = n, sum
	}
	run.LogMasked = true
}

// copyFile masks src into dst, returning dst's size and SHA-256 and
// whether anything was masked.
func (m *Mask) copyFile(src, dst string) (int64, string, bool, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", false, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, "", false, err
	}
	h := sha256.New()
	cw := &countWriter{}
	mw := m.Writer(io.MultiWriter(out, h, cw))
	_, err = io.CopyBuffer(mw, in, make([]byte, 64<<10))
	if err == nil {
		err = mw.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return cw.n, hex.EncodeToString(h.Sum(nil)), mw.Count > 0, err
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// MaskSink masks each run (Mask.Run) before its sink records it, whatever
// executor produced it: nothing unmasked reaches the spool, the results
// branch or anything built from them.
type MaskSink struct {
	Sink
	Mask *Mask
}

// Record masks run, then records it.
func (s MaskSink) Record(ctx context.Context, run *Run) error {
	s.Mask.Run(run)
	return s.Sink.Record(ctx, run)
}

// MaskObserver masks the metric names of progress events before obs sees
// them (records reach it through a MaskSink already masked).
func MaskObserver(obs Observer, m *Mask) Observer {
	if obs == nil || m.Empty() {
		return obs
	}
	return ObserverFunc(func(ev Event) {
		ev.Metric = m.String(ev.Metric)
		obs.Observe(ev)
	})
}
