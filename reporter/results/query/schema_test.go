package query

import (
	"sort"
	"strings"
	"testing"
)

// The schema names every field Fields lists, each with the kind
// expressions see.
func TestSchemaNamesEveryField(t *testing.T) {
	s := Schema()
	var names []string
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	var want []string
	for _, f := range strings.Split(Fields, ", ") {
		want = append(want, strings.TrimSuffix(f, ".NAME"))
	}
	sort.Strings(want)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("schema fields %v, Fields lists %v", names, want)
	}
	for name, kind := range map[string]string{"started": "time", "seed": "int64", "duration": "float", "status": "string", "metrics": "map", "pr": "int"} {
		if s[name] != kind {
			t.Errorf("%s is %q, want %q", name, s[name], kind)
		}
	}
}
