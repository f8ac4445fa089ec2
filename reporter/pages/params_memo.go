package pages

import (
	"reflect"

	"github.com/assaylab/assay/reporter/compare"
)

// paramsMemo remembers each params set's canonical form and label for
// the length of one page's build. The results index hands the runs of a
// config one shared map, so a page over 100,000 runs encodes each config
// once rather than each run (encoding every run's params was a fifth of
// a site build). Maps are told apart by identity; the memo holds each
// map it has seen, so no other map can take its address while the memo
// lives. A memo is not safe for concurrent use: each build has its own.
type paramsMemo map[uintptr]*paramsForm

type paramsForm struct {
	params map[string]any
	key    string
	label  string
}

var emptyForm = &paramsForm{key: "{}", label: ""}

func (m paramsMemo) of(p map[string]any) *paramsForm {
	if p == nil {
		return emptyForm
	}
	id := reflect.ValueOf(p).Pointer()
	if f := m[id]; f != nil {
		return f
	}
	f := &paramsForm{params: p, key: canonicalParams(p), label: compare.ParamsLabel(p)}
	m[id] = f
	return f
}

// key is canonicalParams(p).
func (m paramsMemo) key(p map[string]any) string { return m.of(p).key }

// label is compare.ParamsLabel(p).
func (m paramsMemo) label(p map[string]any) string { return m.of(p).label }
