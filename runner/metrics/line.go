package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
)

// value is one member of a metrics line.
type value struct {
	name string
	v    float64
	// bad is why the member is not a usable number ("" when it is).
	bad string
	// raw is the member as written, for messages about bad values.
	raw string
}

// parseLine decodes one metrics line. ok is false when the line is not a
// JSON object. Members come back in name order, without "step".
func parseLine(line []byte) (step int64, hasStep bool, vals []value, ok bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(quoteNonFinite(line), &obj); err != nil || obj == nil {
		return 0, false, nil, false
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := obj[name]
		v, bad := number(raw)
		if name == "step" {
			if bad == "" && !math.IsNaN(v) && !math.IsInf(v, 0) {
				step, hasStep = int64(v), true
			}
			continue
		}
		if bad == "" && (math.IsNaN(v) || math.IsInf(v, 0)) {
			bad = "nonfinite"
		}
		vals = append(vals, value{name: name, v: v, bad: bad, raw: shorten(string(raw))})
	}
	return step, hasStep, vals, true
}

// number reads a JSON number, or a string holding one.
func number(raw json.RawMessage) (float64, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, "nonnumeric"
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, "nonnumeric"
		}
		return f, ""
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, "nonnumeric"
	}
	return f, ""
}

// quoteNonFinite turns the bare NaN, Infinity and -Infinity tokens that
// Python's json module writes (and JSON forbids) into strings, so the rest
// of the line still decodes and those values can be reported.
func quoteNonFinite(line []byte) []byte {
	if !bytes.Contains(line, []byte("NaN")) && !bytes.Contains(line, []byte("Infinity")) {
		return line
	}
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		matched := false
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(line[i:], []byte(tok)) {
				out = append(out, '"')
				out = append(out, tok...)
				out = append(out, '"')
				i += len(tok) - 1
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, c)
		}
	}
	return out
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
