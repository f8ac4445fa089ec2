package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// KeyVersion prefixes every encoding that is hashed into a trial key.
// Changing the encoding means changing this, so old and new keys can never
// collide.
const KeyVersion = "assay.trial/v1"

// keyDoc is the canonical encoding of what decides a trial's result. It is
// serialised with encoding/json, which writes struct fields in the order
// declared here (alphabetical, so the encoding reads as sorted) and map
// keys sorted, with no insignificant whitespace. Then:
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
// description, tags, metrics and their goals, artifacts, schedule, timeout
// and retries. Layout does not matter either: keys come from evaluated
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

// ComputeKey fills t.Key from the trial's fields. Call it
// again after changing a field (the runner does, after setting Inputs).
func (t *Trial) ComputeKey() {
	doc := keyDoc{
		Command:    t.Command,
		Env:        t.Env,
		Experiment: t.Experiment,
		GPUs:       t.Runner.GPUs,
		Inputs:     t.Inputs,
		Labels:     sortedUnique(t.Runner.Labels),
		Params:     json.RawMessage(t.ParamsJSON),
		SecretEnv:  sortedUnique(t.SecretEnv),
		Seed:       t.Seed,
		Workdir:    t.Workdir,
	}
	if doc.Env == nil {
		doc.Env = map[string]string{}
	}
	if doc.Command == nil {
		doc.Command = []string{}
	}
	if len(doc.Params) == 0 {
		doc.Params = json.RawMessage("{}")
	}
	t.Key = hashDoc(&doc)
}

func hashDoc(doc *keyDoc) string {
	b, err := json.Marshal(doc)
	if err != nil {
		// Every field is a plain string, number or RawMessage produced by
		// ctyjson; failure here is a programming error.
		panic("spec: encoding trial key: " + err.Error())
	}
	h := sha256.New()
	h.Write([]byte(KeyVersion + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
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
