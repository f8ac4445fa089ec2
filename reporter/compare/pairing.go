package compare

import (
	"reflect"

	"github.com/assaylab/assay/spec"
)

// pair is two configs that stand side by side; either may be nil.
type pair struct {
	base, head *sideConfig
	how        string
}

// pairConfigs pairs configs by identical param point. When each side has
// exactly one config they pair regardless: changing the params of a
// single-config experiment is the change under review, not a new config.
// A head config whose params are new is then paired with the base config
// it replaced, if base dropped any: the one whose params differ in the
// fewest names (the earliest on a tie). A changed config that scores worse
// than the one it replaced is thus tested against it, not only shown as
// new. Head configs keep their order; base-only configs follow in theirs.
func pairConfigs(base, head []*sideConfig) []pair {
	if len(base) == 1 && len(head) == 1 {
		how := PairParams
		if base[0].paramsJSON != head[0].paramsJSON {
			how = PairSingle
		}
		return []pair{{base: base[0], head: head[0], how: how}}
	}
	byParams := make(map[string]*sideConfig, len(base))
	for _, c := range base {
		byParams[c.paramsJSON] = c
	}
	used := map[*sideConfig]bool{}
	out := make([]pair, 0, max(len(base), len(head)))
	for _, h := range head {
		if b := byParams[h.paramsJSON]; b != nil {
			used[b] = true
			out = append(out, pair{base: b, head: h, how: PairParams})
			continue
		}
		out = append(out, pair{head: h, how: PairNew})
	}
	for i := range out {
		if out[i].how != PairNew {
			continue
		}
		var pick *sideConfig
		best := 0
		for _, b := range base {
			if used[b] {
				continue
			}
			if d := paramDistance(b.params, out[i].head.params); pick == nil || d < best {
				pick, best = b, d
			}
		}
		if pick == nil {
			break
		}
		used[pick] = true
		out[i].base, out[i].how = pick, PairReplaced
	}
	for _, b := range base {
		if !used[b] {
			out = append(out, pair{base: b, how: PairRemoved})
		}
	}
	return out
}

// paramDistance counts the param names whose values differ between a and
// b, a name only one has included.
func paramDistance(a, b map[string]any) int {
	n := 0
	for k, va := range a {
		if vb, ok := b[k]; !ok || !reflect.DeepEqual(va, vb) {
			n++
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			n++
		}
	}
	return n
}

// bestConfig is the config with the best mean of metric m by its goal,
// among configs with at least one value; nil when none has one. Ties go
// to the earlier config, so the choice is stable.
func bestConfig(configs []*sideConfig, m *spec.Metric) *sideConfig {
	if m == nil || m.Goal == "" {
		return nil
	}
	var best *sideConfig
	var bestMean float64
	for _, c := range configs {
		s := c.sample(m.Name)
		if s.N == 0 {
			continue
		}
		if best == nil || (m.Goal == "maximize" && s.Mean > bestMean) || (m.Goal == "minimize" && s.Mean < bestMean) {
			best, bestMean = c, s.Mean
		}
	}
	return best
}
