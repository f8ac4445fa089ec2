package spec

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestParamsJSON: what ASSAY_PARAMS carries for each shape of param, the
// canonical JSON the trial key hashes (keys sorted, no spaces, numbers as
// the shortest decimal of their float64, as Python's repr prints them),
// and the Params a Go reader decodes from it.
func TestParamsJSON(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"a list", `[1, 2, 3]`, `[1,2,3]`},
		{"a list of one", `["a"]`, `["a"]`},
		{"an empty list", `[]`, `[]`},
		{"a set, in order", `setunion(["b", "a"], ["c"])`, `["a","b","c"]`},
		{"a tuple of each kind", `[1, "a", true, 0.5]`, `[1,"a",true,0.5]`},
		{"an object, keys sorted", `{ b = 1, a = "s", c = false }`, `{"a":"s","b":1,"c":false}`},
		{"a map of one", `zipmap(["k"], ["v"])`, `{"k":"v"}`},
		{"an empty object", `{}`, `{}`},
		{"nested", `{ layers = [64, 32], opt = { name = "adam", betas = [0.9, 0.999] } }`,
			`{"layers":[64,32],"opt":{"betas":[0.9,0.999],"name":"adam"}}`},
		{"a list of numbers of many digits", `[1 / 3, 2 / 3]`, `[0.3333333333333333,0.6666666666666666]`},
		{"an object of numbers of many digits", `{ third = 1 / 3 }`, `{"third":0.3333333333333333}`},
		{"a number of many digits", `0.12345678901234567890123`, `0.12345678901234568`},
		{"a third", `1 / 3`, `0.3333333333333333`},
		{"a whole number past 2^53", `9007199254740993`, `9007199254740993`},
		{"a whole number past int64", `12345678901234567890`, `12345678901234567000`},
		{"the smallest float64", `5e-324`, `0.` + strings.Repeat("0", 323) + `5`},
		{"a string that needs escaping", `"a\"b\\c\n<"`, `"a\"b\\c\n\u003c"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "experiment \"e\" {\n  command = [\"t\"]\n  params  = { x = " + c.value + " }\n}\n"
			p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ts, d := p.Experiments[0].Trials("")
			if d.HasErrors() || len(ts) != 1 {
				t.Fatalf("%d trials, %v", len(ts), d)
			}
			want := `{"x":` + c.want + `}`
			if ts[0].ParamsJSON != want {
				t.Errorf("ParamsJSON %s, want %s", ts[0].ParamsJSON, want)
			}
			var decoded map[string]any
			if err := json.Unmarshal([]byte(want), &decoded); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decoded, ts[0].Params); diff != "" {
				t.Errorf("Params differ from the JSON decoded (-json +params):\n%s", diff)
			}
		})
	}
}
