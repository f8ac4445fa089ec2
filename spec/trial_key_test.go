package spec

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// trialsOf loads src as the only experiment file and expands experiment name.
func trialsOf(t *testing.T, src string, opts LoadOptions) []*Trial {
	t.Helper()
	p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, opts)
	if diags.HasErrors() {
		t.Fatalf("load: %s", diags.Error())
	}
	if len(p.Experiments) != 1 {
		t.Fatalf("want 1 experiment, got %d", len(p.Experiments))
	}
	trials, diags := p.Experiments[0].Trials("inputs-v1")
	if diags.HasErrors() {
		t.Fatalf("expand: %s", diags.Error())
	}
	return trials
}

func keys(ts []*Trial) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Key)
	}
	return strings.Join(s, ",")
}

const baseSpec = `
experiment "e" {
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  workdir = "models"
  env     = { DATASET = "cifar10" }
  params  = { lr = 0.1, bs = 128 }
  sweep {
    param "lr" { values = [0.1, 0.03] }
  }
  seeds = [1, 2]
  runner {
    labels = ["gpu", "a100"]
    gpus   = 1
  }
}
`

// TestKeyIgnoresLayout: the same experiment written differently has the
// same keys.
func TestKeyIgnoresLayout(t *testing.T) {
	base := keys(trialsOf(t, baseSpec, LoadOptions{}))
	variants := map[string]string{
		"reformatted and commented": `
# a comment
experiment "e" {
      command = [ "python","train.py",   "--lr=${param.lr}", "--seed=${seed}" ]  // trailing
  workdir="models"
  env = {
    DATASET = "cifar10"
  }
  params = {
    lr = 0.1
    bs = 128
  }
  sweep {
param "lr" {
values = [0.1, 0.03]
}
  }
  seeds = [1, 2]
  runner {
  labels = ["gpu","a100"]
  gpus = 1
  }
}`,
		"reordered attributes, labels and params": `
experiment "e" {
  runner {
    gpus   = 1
    labels = ["a100", "gpu", "gpu"]
  }
  seeds   = [1, 2]
  params  = { bs = 128, lr = 0.1 }
  sweep {
    param "lr" { values = [1e-1, 3e-2] }
  }
  env     = { DATASET = "cifar10" }
  workdir = "./models/"
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
}`,
		"via locals, a template and arithmetic": `
locals {
  lr = 1 / 10
  bs = 64 * 2
}
template "t" {
  runner {
    labels = ["gpu", "a100"]
    gpus   = 1
  }
}
experiment "e" {
  extends = template.t
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  workdir = "models"
  env     = { DATASET = "cifar${5 + 5}" }
  params  = { lr = local.lr, bs = local.bs }
  sweep {
    param "lr" { values = [local.lr, 0.03] }
  }
  seeds = [1, 2]
}`,
		"what does not decide the result": `
experiment "e" {
  description = "new words"
  tags        = ["x"]
  command = ["python", "train.py", "--lr=${param.lr}", "--seed=${seed}"]
  workdir = "models"
  env     = { DATASET = "cifar10" }
  params  = { lr = 0.1, bs = 128 }
  sweep {
    param "lr" { values = [0.1, 0.03] }
  }
  seeds = [1, 2]
  runner {
    labels  = ["gpu", "a100"]
    gpus    = 1
    timeout = "3h"
    retries = 2
  }
  metric "acc" {
    goal      = "maximize"
    tolerance = 0.1
  }
  artifacts = ["out/*"]
  schedule  = "nightly"
}`,
	}
	for name, src := range variants {
		if got := keys(trialsOf(t, src, LoadOptions{})); got != base {
			t.Errorf("%s: keys changed\nwant %s\ngot  %s", name, base, got)
		}
	}
}

// TestKeyChangesWithWhatDecidesTheResult: each field of the canonical
// encoding moves the key of every trial.
func TestKeyChangesWithWhatDecidesTheResult(t *testing.T) {
	base := trialsOf(t, baseSpec, LoadOptions{})
	edits := map[string][2]string{
		"experiment name": {`experiment "e"`, `experiment "f"`},
		"command":         {`"train.py"`, `"train2.py"`},
		"env value":       {`"cifar10"`, `"cifar100"`},
		"workdir":         {`workdir = "models"`, `workdir = "models/v2"`},
		"param default":   {`bs = 128`, `bs = 256`},
		"gpus":            {`gpus   = 1`, `gpus   = 2`},
		"labels":          {`"a100"]`, `"h100"]`},
		"secret_env name": {`seeds = [1, 2]`, "seeds = [1, 2]\n  secret_env = [\"TOKEN\"]"},
	}
	for name, e := range edits {
		src := strings.Replace(baseSpec, e[0], e[1], 1)
		if src == baseSpec {
			t.Fatalf("%s: edit did not apply", name)
		}
		got := trialsOf(t, src, LoadOptions{})
		for i := range got {
			if got[i].Key == base[i].Key {
				t.Errorf("%s: trial %d kept key %s", name, i, got[i].Key)
			}
		}
	}
	// Seeds and sweep points: different trials, different keys.
	seen := map[string]bool{}
	for _, tr := range base {
		if seen[tr.Key] {
			t.Errorf("duplicate key %s", tr.Key)
		}
		seen[tr.Key] = true
	}
	// The inputs fingerprint is part of the key.
	tr := *base[0]
	tr.Inputs = "inputs-v2"
	tr.ComputeKey()
	if tr.Key == base[0].Key {
		t.Error("inputs fingerprint does not change the key")
	}
	// The trials of one config share its index and params.
	if base[0].Config != base[1].Config || base[0].ParamsJSON != base[1].ParamsJSON || base[0].Config == base[2].Config {
		t.Errorf("configs: seeds of one config must share, configs must differ: %d %d %d", base[0].Config, base[1].Config, base[2].Config)
	}
}

// TestKeyEncodingIsStable pins one key. Keys are stored on results branches
// for years: if this test fails, the encoding changed, and KeyVersion must
// change with it so old and new keys never collide.
// pinnedKey was computed independently of this package, in Python:
//
//	d = {"command": ["python", "train.py"], "env": {"A": "1", "B": "2"},
//	     "experiment": "e", "gpus": 1, "inputs": "abc", "labels": ["gpu"],
//	     "params": {"bs": 128, "lr": 0.1}, "secret_env": ["TOKEN"],
//	     "seed": 1, "workdir": "."}
//	s = json.dumps(d, separators=(",", ":"), sort_keys=True)
//	hashlib.sha256(("assay.trial/v1\n" + s).encode()).hexdigest()
const pinnedKey = "d234f40839a3dca633701993b766e6454961ae617c3b927f97e97a2ca0f5bef9"

func TestKeyEncodingIsStable(t *testing.T) {
	tr := &Trial{
		Experiment: "e",
		ParamsJSON: `{"bs":128,"lr":0.1}`,
		Seed:       1,
		Command:    []string{"python", "train.py"},
		Env:        map[string]string{"B": "2", "A": "1"},
		SecretEnv:  []string{"TOKEN"},
		Workdir:    ".",
		Runner:     Runner{Labels: []string{"gpu"}, GPUs: 1},
		Inputs:     "abc",
	}
	tr.ComputeKey()
	if tr.Key != pinnedKey {
		t.Errorf("key = %s, want %s", tr.Key, pinnedKey)
	}
}

// TestSecretValuesNeverInKey: a secret's value is read from the
// environment at run time only; setting it changes nothing the spec
// package produces.
func TestSecretValuesNeverInKey(t *testing.T) {
	src := strings.Replace(baseSpec, `seeds = [1, 2]`, "seeds = [1, 2]\n  secret_env = [\"TOKEN\"]", 1)
	a := trialsOf(t, src, LoadOptions{Vars: VarValues{Env: []string{"TOKEN=hunter2"}}})
	b := trialsOf(t, src, LoadOptions{Vars: VarValues{Env: []string{"TOKEN=other"}}})
	if keys(a) != keys(b) {
		t.Error("secret value changed the keys")
	}
	for _, tr := range a {
		for _, s := range append(append([]string{tr.ParamsJSON, tr.Workdir}, tr.Command...), mapValues(tr.Env)...) {
			if strings.Contains(s, "hunter2") {
				t.Errorf("secret value leaked into trial: %q", s)
			}
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestKeyDocMatchesEncodingJSON holds the hand-written encoder to the
// documented one, including strings that need escaping.
func TestKeyDocMatchesEncodingJSON(t *testing.T) {
	for _, tr := range []*Trial{
		{},
		{Experiment: "e", ParamsJSON: `{"a":1}`, Seed: -3, Command: []string{"sh", "-c", `echo "<hi>" & \ é` + "\t\u2028"},
			Env: map[string]string{"Z": "1", "A": "</script>"}, SecretEnv: []string{"B", "A", "B"}, Workdir: "m/n",
			Runner: Runner{Labels: []string{"b", "a"}, GPUs: 3}, Inputs: "x"},
		// Each character JSON escapes, alone in its string, and the
		// printable ends of ASCII.
		// Sorted with repeats: the key names each once.
		{SecretEnv: []string{"A", "A"}, Runner: Runner{Labels: []string{"gpu", "gpu"}}},
		{Command: []string{`"`, `\`, "<", ">", "&", "\n", "\x1f", "\u2028", "\xff", " ", "~", "\x7f"}},
	} {
		doc := keyDoc{
			Command: tr.Command, Env: tr.Env, Experiment: tr.Experiment, GPUs: tr.Runner.GPUs, Inputs: tr.Inputs,
			Labels: sortedUnique(tr.Runner.Labels), Params: json.RawMessage(tr.ParamsJSON), SecretEnv: sortedUnique(tr.SecretEnv),
			Seed: tr.Seed, Workdir: tr.Workdir,
		}
		if doc.Command == nil {
			doc.Command = []string{}
		}
		if doc.Env == nil {
			doc.Env = map[string]string{}
		}
		if len(doc.Params) == 0 {
			doc.Params = json.RawMessage("{}")
		}
		want, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.keyDocJSON(); string(got) != string(want) {
			t.Errorf("encodings differ\nhand: %s\njson: %s", got, want)
		}
	}
}

// TestShortKey: tables show a key's first 12 hex digits, and a key that
// short or shorter whole.
func TestShortKey(t *testing.T) {
	for key, want := range map[string]string{
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": "0123456789ab",
		"0123456789abc": "0123456789ab",
		"0123456789ab":  "0123456789ab",
		"0123":          "0123",
		"":              "",
	} {
		if got := (&Trial{Key: key}).ShortKey(); got != want {
			t.Errorf("ShortKey of %q = %q, want %q", key, got, want)
		}
	}
}
