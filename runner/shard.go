package runner

import (
	"container/heap"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/assaylab/assay/spec"
)

// ParseShard parses a shard as assay run --shard takes it: "i/n", with
// 1 ≤ i ≤ n.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("shard %q is not i/n with 1 ≤ i ≤ n, such as 2/5", s)
	}
	return i, n, nil
}

// Shard returns the trials to run in shard i of n (1-based), the base
// side's and the head's, in plan order. The split is a pure function of
// the plan's selected trials (the base side's candidates first, then the
// head's, experiment by experiment), their estimates and n, so every
// machine that builds the same plan gets the same shards with no
// coordination:
//
//   - Trials are grouped by runner label set; a shard holds one group's
//     trials only (one matrix job runs on one kind of runner). Groups are
//     ordered by their sorted labels, and shards are numbered across
//     groups: the first group's shards come first.
//   - Each group gets one shard, and the rest go one at a time to the
//     group with the most estimated time per shard (D'Hondt), never more
//     shards than a group has trials.
//   - Within a group, trials are placed longest first on the shard with
//     the least estimated time so far (ties: the lower shard), trials of
//     equal estimate in plan order. Unknown estimates count as the mean of
//     the known ones, and with no history every trial weighs the same, so
//     the split is round-robin.
//
// The split covers every selected trial, reused ones too, so it does not
// move when other jobs record results between the plan and the run (a
// "re-run failed jobs" gets the same trials); reused trials are then
// skipped within their shard. Base-side trials are split with the head's,
// by their own runner labels.
func (p *Plan) Shard(i, n int) ([]*spec.Trial, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("shard %d/%d is not i/n with 1 ≤ i ≤ n", i, n)
	}
	l, err := p.layout(n)
	if err != nil {
		return nil, err
	}
	return l.toRun(p, i), nil
}

// KeepShard narrows the plan to shard i of n: each experiment keeps only
// the shard's trials to run and reused, on both sides. assay plan --shard
// and assay run --shard select this way.
func (p *Plan) KeepShard(i, n int) error {
	if n < 1 || i < 1 || i > n {
		return fmt.Errorf("shard %d/%d is not i/n with 1 ≤ i ≤ n", i, n)
	}
	l, err := p.layout(n)
	if err != nil {
		return err
	}
	keep := func(ts []*spec.Trial) []*spec.Trial {
		var out []*spec.Trial
		for _, t := range ts {
			if l.shard[t] == i {
				out = append(out, t)
			}
		}
		return out
	}
	for _, e := range p.Experiments {
		e.ToRun, e.Reused = keep(e.ToRun), keep(e.Reused)
		e.BaseToRun, e.BaseReused = keep(e.BaseToRun), keep(e.BaseReused)
	}
	p.OnlyShard = fmt.Sprintf("%d/%d", i, n)
	return nil
}

// shardLayout is the split of a plan's selected trials into n shards.
type shardLayout struct {
	n      int
	groups []*shardGroup
	// shard maps each selected trial (both sides) to its 1-based shard.
	shard map[*spec.Trial]int
}

type shardGroup struct {
	labels []string
	// trials are in placement order: longest estimate first, then plan
	// order.
	trials []*spec.Trial
	weight int64
	first  int // first shard number
	count  int // shards given to the group
}

// weights returns each selected trial's weight in milliseconds.
func (p *Plan) weights(sel []*spec.Trial) map[*spec.Trial]int64 {
	var known, sum int64
	for _, t := range sel {
		if d, ok := p.estimates[t]; ok {
			known++
			sum += d.Milliseconds()
		}
	}
	fill := int64(time.Second / time.Millisecond)
	if known > 0 {
		fill = max(sum/known, 1)
	}
	w := make(map[*spec.Trial]int64, len(sel))
	for _, t := range sel {
		if d, ok := p.estimates[t]; ok {
			w[t] = max(d.Milliseconds(), 1)
		} else {
			w[t] = fill
		}
	}
	return w
}

// groups splits the selected trials by label set, each group's trials in
// placement order.
func (p *Plan) groups(sel []*spec.Trial, w map[*spec.Trial]int64) []*shardGroup {
	byKey := map[string]*shardGroup{}
	order := map[*spec.Trial]int{}
	for i, t := range sel {
		order[t] = i
		labels := sortedCopy(t.Runner.Labels)
		key := strings.Join(labels, "\x00")
		g := byKey[key]
		if g == nil {
			g = &shardGroup{labels: labels}
			byKey[key] = g
		}
		g.trials = append(g.trials, t)
		g.weight += w[t]
	}
	out := make([]*shardGroup, 0, len(byKey))
	for _, k := range sortedKeys(byKey) {
		g := byKey[k]
		sort.SliceStable(g.trials, func(i, j int) bool {
			a, b := g.trials[i], g.trials[j]
			if w[a] != w[b] {
				return w[a] > w[b]
			}
			return order[a] < order[b]
		})
		out = append(out, g)
	}
	return out
}

func (p *Plan) layout(n int) (*shardLayout, error) {
	sel := p.sharded()
	w := p.weights(sel)
	return layoutGroups(p.groups(sel, w), w, n)
}

func layoutGroups(groups []*shardGroup, w map[*spec.Trial]int64, n int) (*shardLayout, error) {
	l := &shardLayout{n: n, groups: groups, shard: map[*spec.Trial]int{}}
	if len(groups) == 0 {
		return l, nil
	}
	if n < len(groups) {
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = labelsText(g.labels)
		}
		return nil, fmt.Errorf("the plan's trials need at least %d shards, one per runner label set (%s); %d is too few",
			len(groups), strings.Join(names, "; "), n)
	}
	for _, g := range groups {
		g.count = 1
	}
	for range n - len(groups) {
		var best *shardGroup
		for _, g := range groups {
			if g.count >= len(g.trials) {
				continue
			}
			// g.weight/g.count > best.weight/best.count, in integers.
			if best == nil || g.weight*int64(best.count) > best.weight*int64(g.count) {
				best = g
			}
		}
		if best == nil {
			break // every group has a shard per trial; the rest stay empty
		}
		best.count++
	}
	next := 1
	for _, g := range groups {
		g.first = next
		next += g.count
		h := make(loadHeap, g.count)
		for i := range h {
			h[i] = shardLoad{shard: g.first + i}
		}
		for _, t := range g.trials {
			l.shard[t] = h[0].shard
			h[0].load += w[t]
			heap.Fix(&h, 0)
		}
	}
	return l, nil
}

// toRun lists the to-run trials of shard i, both sides, in plan order.
func (l *shardLayout) toRun(p *Plan, i int) []*spec.Trial {
	var out []*spec.Trial
	for _, t := range p.allToRun() {
		if l.shard[t] == i {
			out = append(out, t)
		}
	}
	return out
}

type shardLoad struct {
	shard int
	load  int64
}

// loadHeap orders shards by load, then number, so the least-loaded,
// lowest-numbered shard is on top.
type loadHeap []shardLoad

func (h loadHeap) Len() int { return len(h) }
func (h loadHeap) Less(i, j int) bool {
	if h[i].load != h[j].load {
		return h[i].load < h[j].load
	}
	return h[i].shard < h[j].shard
}
func (h loadHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *loadHeap) Push(x any)   { *h = append(*h, x.(shardLoad)) }
func (h *loadHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func labelsText(labels []string) string {
	if len(labels) == 0 {
		return "no labels"
	}
	return strings.Join(labels, ",")
}
