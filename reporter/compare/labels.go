package compare

import (
	"fmt"
	"strings"
)

// HeadlineConfigs names the configs an experiment's headline compares, as
// every report's headline shows them:
// "lr=0.1", "lr=0.1 → lr=0.3" (the params that differ), "12 configs, same
// params", "2 configs, replaced" or, for a sweep only one side has, its
// best config.
func (e *Experiment) HeadlineConfigs() string {
	h := e.Headline
	switch {
	case h == nil:
		return "—"
	case len(h.Pairs) == 0:
		return rowLabel(h)
	case len(h.Pairs) == 1:
		return pairLabel(h.Pairs[0].Base, h.Pairs[0].Head)
	}
	same := 0
	for _, p := range h.Pairs {
		if p.Base == p.Head {
			same++
		}
	}
	n := len(h.Pairs)
	switch same {
	case n:
		return fmt.Sprintf("%d configs, same params", n)
	case 0:
		return fmt.Sprintf("%d configs, replaced", n)
	}
	return fmt.Sprintf("%d configs: %d same params, %d replaced", n, same, n-same)
}

// pairLabel is "lr=0.1" for equal labels and, for different ones, only
// the k=v pairs that differ: "lr=0.1 → lr=0.3".
func pairLabel(base, head string) string {
	b, h := orDefaults(base), orDefaults(head)
	if b == h {
		return b
	}
	bt, ht := strings.Fields(base), strings.Fields(head)
	for _, t := range append(append([]string{}, bt...), ht...) {
		if !strings.Contains(t, "=") {
			return b + " → " + h // a value with a space: keep the labels whole
		}
	}
	inHead := map[string]bool{}
	for _, t := range ht {
		inHead[t] = true
	}
	inBase := map[string]bool{}
	var bd, hd []string
	for _, t := range bt {
		inBase[t] = true
		if !inHead[t] {
			bd = append(bd, t)
		}
	}
	for _, t := range ht {
		if !inBase[t] {
			hd = append(hd, t)
		}
	}
	return orDefaults(strings.Join(bd, " ")) + " → " + orDefaults(strings.Join(hd, " "))
}

// rowLabel is a row's config label: one when the sides agree, "a → b"
// when they differ, the side there is otherwise.
func rowLabel(r *Row) string {
	b, h := "", ""
	if r.Base != nil {
		b = orDefaults(r.Base.Label)
	}
	if r.Head != nil {
		h = orDefaults(r.Head.Label)
	}
	switch {
	case r.Base == nil:
		return h
	case r.Head == nil:
		return b
	}
	return pairLabel(r.Base.Label, r.Head.Label)
}

func orDefaults(label string) string {
	if label == "" {
		return "(no params)"
	}
	return label
}
