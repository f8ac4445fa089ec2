package runner

import (
	"bytes"
	"io"
	"slices"
	"sort"
	"strings"
)

// MinSecretLength is the shortest secret value assay masks. A value of one
// to three characters ("1", "yes", "dev") would turn every such word of
// every log into "***" while hiding nothing a guess would not find, so it
// is passed to the trial but not masked; assay warns about it by name.
const MinSecretLength = 4

// Masked is what a secret value becomes.
const Masked = "***"

// Mask replaces secret values with "***". A nil or empty Mask masks
// nothing. Where two values overlap in the text, everything either covers
// is masked, as one "***".
type Mask struct {
	// values are unique, longest first.
	values [][]byte
	max    int
}

// NewMask returns a mask of values. Each value is masked whole, and so is
// each line of a value that spans lines (a PEM key printed line by line,
// a JSON key file). Values shorter than MinSecretLength are left out.
func NewMask(values ...string) *Mask {
	seen := map[string]bool{}
	m := &Mask{}
	add := func(v string) {
		if len(v) < MinSecretLength || seen[v] {
			return
		}
		seen[v] = true
		m.values = append(m.values, []byte(v))
		m.max = max(m.max, len(v))
	}
	for _, v := range values {
		add(v)
		add(strings.TrimSpace(v))
		if strings.ContainsAny(v, "\r\n") {
			for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
				add(strings.TrimSpace(line))
			}
		}
	}
	sort.SliceStable(m.values, func(i, j int) bool { return len(m.values[i]) > len(m.values[j]) })
	return m
}

// Empty reports whether the mask masks nothing.
func (m *Mask) Empty() bool { return m == nil || len(m.values) == 0 }

// Values are the strings the mask hides, longest first: what a GitHub
// Actions job registers with ::add-mask::.
func (m *Mask) Values() []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m.values))
	for i, v := range m.values {
		out[i] = string(v)
	}
	return out
}

// String returns s with every secret value replaced by "***".
func (m *Mask) String(s string) string {
	if m.Empty() || !m.containsAny(s) {
		return s
	}
	return string(m.Bytes([]byte(s)))
}

func (m *Mask) containsAny(s string) bool {
	for _, v := range m.values {
		if strings.Contains(s, string(v)) {
			return true
		}
	}
	return false
}

// Bytes returns b with every secret value replaced by "***"; b itself is
// returned when it holds none.
func (m *Mask) Bytes(b []byte) []byte {
	if m.Empty() {
		return b
	}
	ivs := m.cover(b, 0, len(b))
	if len(ivs) == 0 {
		return b
	}
	out, _ := appendMasked(nil, b, 0, len(b), ivs, false)
	return out
}

// span is a half-open range of masked bytes.
type span struct{ start, end int }

// cover returns the merged ranges, clipped to [lo, hi), of every
// occurrence of a value in buf that overlaps [lo, hi). Only occurrences
// wholly inside buf are seen: callers make sure buf reaches far enough on
// both sides.
func (m *Mask) cover(buf []byte, lo, hi int) []span {
	var ivs []span
	for _, v := range m.values {
		from := max(0, lo-len(v)+1)
		for from < hi {
			i := bytes.Index(buf[from:], v)
			if i < 0 || from+i >= hi {
				break
			}
			s := from + i
			ivs = append(ivs, span{max(s, lo), min(s+len(v), hi)})
			from = s + 1
		}
	}
	if len(ivs) < 2 {
		return ivs
	}
	slices.SortFunc(ivs, func(a, b span) int { return a.start - b.start })
	merged := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &merged[len(merged)-1]
		if iv.start <= last.end {
			last.end = max(last.end, iv.end)
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// appendMasked appends buf[lo:hi] to out with the spans replaced by
// "***". continued says the byte before lo was masked, so a span starting
// at lo continues that "***" rather than starting another. It reports
// whether the last byte appended was masked.
func appendMasked(out, buf []byte, lo, hi int, ivs []span, continued bool) ([]byte, bool) {
	cur := lo
	for _, iv := range ivs {
		out = append(out, buf[cur:iv.start]...)
		if !(continued && iv.start == lo) {
			out = append(out, Masked...)
		}
		cur = iv.end
	}
	out = append(out, buf[cur:hi]...)
	return out, len(ivs) > 0 && ivs[len(ivs)-1].end == hi
}

// MaskWriter masks a stream on its way to an underlying writer. A value
// split across two writes is still masked: a tail that could be the start
// of a value is held back until more arrives or Flush is called, and
// nothing else, so a line that holds no secret reaches the writer at once.
// Memory stays within one write plus twice the longest value.
type MaskWriter struct {
	m *Mask
	w io.Writer
	// buf holds context (bytes already written, which an occurrence may
	// start in) and then the bytes not yet written, from buf[done:].
	buf  []byte
	done int
	// masked says the last byte written was masked.
	masked bool
	out    []byte
	// Count is the number of bytes that were masked.
	Count int64
}

// Writer returns a MaskWriter writing to w.
func (m *Mask) Writer(w io.Writer) *MaskWriter { return &MaskWriter{m: m, w: w} }

// Write masks p as part of the stream; it always accepts all of p unless
// the underlying writer fails.
func (mw *MaskWriter) Write(p []byte) (int, error) {
	if mw.m.Empty() {
		return mw.w.Write(p)
	}
	mw.buf = append(mw.buf, p...)
	if err := mw.emit(len(mw.buf) - mw.m.heldBack(mw.buf, mw.done)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back; call it when the stream ends.
func (mw *MaskWriter) Flush() error {
	if mw.m.Empty() {
		return nil
	}
	return mw.emit(len(mw.buf))
}

// heldBack is the length of the longest tail of buf[from:] that is the
// beginning of a value (and not a whole one): those bytes cannot be
// written yet. Every occurrence that starts before it lies wholly in buf.
func (m *Mask) heldBack(buf []byte, from int) int {
	held := 0
	for _, v := range m.values {
		// Only a tail longer than the one already held matters.
		limit := len(buf) - held
		for i := max(from, len(buf)-len(v)+1); i < limit; i++ {
			j := bytes.IndexByte(buf[i:limit], v[0])
			if j < 0 {
				break
			}
			i += j
			if bytes.HasPrefix(v, buf[i:]) {
				held = len(buf) - i
				break
			}
		}
	}
	return held
}

// emit masks and writes buf[done:hi], keeping enough context after it.
func (mw *MaskWriter) emit(hi int) error {
	if hi <= mw.done {
		return nil
	}
	ivs := mw.m.cover(mw.buf, mw.done, hi)
	for _, iv := range ivs {
		mw.Count += int64(iv.end - iv.start)
	}
	mw.out, mw.masked = appendMasked(mw.out[:0], mw.buf, mw.done, hi, ivs, mw.masked)
	if _, err := mw.w.Write(mw.out); err != nil {
		return err
	}
	keep := max(0, hi-(mw.m.max-1))
	n := copy(mw.buf, mw.buf[keep:])
	mw.buf = mw.buf[:n]
	mw.done = hi - keep
	return nil
}
