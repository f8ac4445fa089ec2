package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
)

// KeyVersion prefixes every encoding that is hashed into a trial key.
// Changing the encoding means changing this, so old and new keys can never
// collide.
const KeyVersion = "assay.trial/v1"

// keyDoc is the canonical encoding of what decides a trial's result: the
// JSON encoding/json writes for this struct (fields in the order declared
// here, alphabetical; map keys sorted; no insignificant whitespace).
// appendKeyDoc writes the same bytes without reflection. Then:
//
//	key = hex(SHA-256(KeyVersion + "\n" + json))
//
// In the key: the experiment name; the resolved command; the env values
// the spec sets; the names (never the values) of secret_env; the workdir;
// the params as canonical JSON (keys sorted, numbers as the shortest
// decimal that round-trips, so 0.1 and 1e-1 agree); the seed; the number
// of GPUs and the sorted, de-duplicated runner labels; and the inputs
// fingerprint from the runner.
//
// Not in the key, because they do not change what a trial computes:
// description, tags, metrics and their goals, artifacts, schedule, timeout,
// retries and pass_env (it un-filters a variable of the machine's
// environment, whose values are never in the key either). Layout does not matter either: keys come from evaluated
// values, so reformatting, comments and attribute order never change them.
type keyDoc struct {
	Command    []string          `json:"command"`
	Env        map[string]string `json:"env"`
	Experiment string            `json:"experiment"`
	GPUs       int               `json:"gpus"`
	Inputs     string            `json:"inputs"`
	Labels     []string          `json:"labels"`
	Params     json.RawMessage   `json:"params"`
	SecretEnv  []string          `json:"secret_env"`
	Seed       int64             `json:"seed"`
	Workdir    string            `json:"workdir"`
}

// ComputeKey fills t.Key from the trial's fields. Call it again after
// changing a field (the runner does, after setting Inputs).
func (t *Trial) ComputeKey() {
	buf := make([]byte, 0, 512)
	buf = append(buf, KeyVersion+"\n"...)
	sum := sha256.Sum256(t.appendKeyDoc(buf))
	t.Key = hex.EncodeToString(sum[:])
}

// keyDocJSON is the encoding hashed into the key, for tests and debugging.
func (t *Trial) keyDocJSON() []byte { return t.appendKeyDoc(nil) }

// appendKeyDoc writes exactly what json.Marshal(keyDoc{...}) writes, by
// hand: keys are computed for every trial of every plan, and reflection
// was most of their cost. TestKeyDocMatchesEncodingJSON holds the two
// together.
func (t *Trial) appendKeyDoc(b []byte) []byte {
	b = append(b, `{"command":`...)
	b = appendStrings(b, t.Command)
	b = append(b, `,"env":{`...)
	var keys []string
	if len(t.Env) > 0 {
		keys = make([]string, 0, len(t.Env))
		for k := range t.Env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
	}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, t.Env[k])
	}
	b = append(b, `},"experiment":`...)
	b = appendJSONString(b, t.Experiment)
	b = append(b, `,"gpus":`...)
	b = strconv.AppendInt(b, int64(t.Runner.GPUs), 10)
	b = append(b, `,"inputs":`...)
	b = appendJSONString(b, t.Inputs)
	b = append(b, `,"labels":`...)
	b = appendStrings(b, sortedUniqueView(t.Runner.Labels))
	b = append(b, `,"params":`...)
	if t.ParamsJSON == "" {
		b = append(b, "{}"...)
	} else {
		b = append(b, t.ParamsJSON...)
	}
	b = append(b, `,"secret_env":`...)
	b = appendStrings(b, sortedUniqueView(t.SecretEnv))
	b = append(b, `,"seed":`...)
	b = strconv.AppendInt(b, t.Seed, 10)
	b = append(b, `,"workdir":`...)
	b = appendJSONString(b, t.Workdir)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONString quotes s as encoding/json does: plain printable ASCII
// is copied; anything else goes through json.Marshal for its escaping.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// sortedUniqueView is sortedUnique for reading only: ss itself when it
// is sorted without repeats already, as expansion leaves a trial's labels
// and secret names, so keying a trial copies nothing.
func sortedUniqueView(ss []string) []string {
	for i := 1; i < len(ss); i++ {
		if ss[i-1] >= ss[i] {
			return sortedUnique(ss)
		}
	}
	return ss
}

func sortedUnique(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}
