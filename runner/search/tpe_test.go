package search

import (
	"fmt"
	"math"
	"testing"
)

func never([]float64) bool { return false }

// With the good observations near 0.2 and the bad spread over the rest
// of [0, 1], the proposal lands near the good ones.
func TestTPEProposesNearTheGoodPoints(t *testing.T) {
	sp := Space{{Name: "x", Kind: Uniform, Low: 0, High: 1}}
	var obs []Observation
	for _, x := range []float64{0.2, 0.21, 0.19, 0.5, 0.6, 0.7, 0.8, 0.9, 0.05, 0.95, 0.4, 0.35} {
		obs = append(obs, Observation{X: []float64{x}, Loss: math.Abs(x - 0.2)})
	}
	sortObs(obs)
	tpe := &TPE{Space: sp}
	near := 0
	for n := range 50 {
		x := tpe.Propose(obs, nil, never, NewSource(7, n))
		if math.Abs(x[0]-0.2) < 0.1 {
			near++
		}
	}
	if near < 45 {
		t.Errorf("%d of 50 proposals within 0.1 of the good points", near)
	}
}

// The good group holds ⌈√n⌉ observations.
func TestGoodCount(t *testing.T) {
	tpe := &TPE{}
	for n, want := range map[int]int{0: 0, 1: 1, 2: 2, 4: 2, 5: 3, 16: 4, 17: 5, 40: 7} {
		if got := tpe.GoodCount(n); got != want {
			t.Errorf("GoodCount(%d) = %d, want %d", n, got, want)
		}
	}
}

// A proposal is a pure function of its inputs: the same observations,
// pending points and source give the same point, to the bit.
func TestTPEIsDeterministic(t *testing.T) {
	sp := Space{
		{Name: "lr", Kind: LogUniform, Low: 1e-5, High: 1},
		{Name: "layers", Kind: Int, Low: 1, High: 8},
		{Name: "opt", Kind: Choice, Choices: 3},
	}
	obs := []Observation{
		{X: []float64{0.001, 3, 1}, Loss: 0.1},
		{X: []float64{0.01, 4, 1}, Loss: 0.2},
		{X: []float64{0.3, 8, 0}, Loss: 0.9},
		{X: []float64{1e-5, 1, 2}, Loss: 1.5},
	}
	pending := [][]float64{{0.002, 3, 1}}
	first := fmt.Sprint(new(TPE).withSpace(sp).Propose(obs, pending, never, NewSource(42, 9)))
	for range 5 {
		if got := fmt.Sprint(new(TPE).withSpace(sp).Propose(obs, pending, never, NewSource(42, 9))); got != first {
			t.Fatalf("proposal %s, then %s", first, got)
		}
	}
	x := new(TPE).withSpace(sp).Propose(obs, pending, never, NewSource(42, 9))
	if x[0] < 1e-5 || x[0] > 1 || x[1] != math.Round(x[1]) || x[1] < 1 || x[1] > 8 || x[2] != math.Round(x[2]) || x[2] < 0 || x[2] > 2 {
		t.Errorf("proposal %v is outside the space", x)
	}
	if x[0] != round6(x[0]) {
		t.Errorf("lr %v keeps more than 6 significant digits", x[0])
	}
}

// A point already tried is passed over: over three choices with two
// tried, the proposal is the third, even though the good one is tried.
func TestTPEAvoidsTriedPoints(t *testing.T) {
	sp := Space{{Name: "opt", Kind: Choice, Choices: 3}}
	obs := []Observation{{X: []float64{0}, Loss: 0}, {X: []float64{1}, Loss: 1}}
	tried := func(x []float64) bool { return x[0] != 2 }
	for n := range 20 {
		if x := (&TPE{Space: sp}).Propose(obs, nil, tried, NewSource(1, n)); x[0] != 2 {
			t.Fatalf("proposal %d = %v, want the untried choice 2", n, x)
		}
	}
}

// The source maps PCG output to [0, 1) the same way on every machine and
// Go release: these are the first draws of seed 1, proposal 0.
func TestSourceIsStable(t *testing.T) {
	src := NewSource(1, 0)
	got := fmt.Sprintf("%.17g %.17g %.17g", src.Unit(), src.Unit(), src.Unit())
	const want = "0.83729683713284908 0.64287079180156714 0.53752187004510077"
	if got != want {
		t.Errorf("draws = %s, want %s", got, want)
	}
}

func (t *TPE) withSpace(sp Space) *TPE { t.Space = sp; return t }

func sortObs(obs []Observation) {
	for i := range obs {
		for j := i + 1; j < len(obs); j++ {
			if obs[j].Loss < obs[i].Loss {
				obs[i], obs[j] = obs[j], obs[i]
			}
		}
	}
}
