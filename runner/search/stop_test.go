package search

import (
	"strings"
	"testing"
)

// curve is a series with one point per step from 1.
func curve(completed bool, vals ...float64) Evidence {
	e := Evidence{Completed: completed}
	for i, v := range vals {
		e.Points = append(e.Points, Point{Step: int64(i + 1), Value: v})
	}
	return e
}

func follow(s *Stopper, vals ...float64) (stopAt int64, why string) {
	f := s.Follow()
	for i, v := range vals {
		if why := f(int64(i+1), v); why != "" {
			return int64(i + 1), why
		}
	}
	return 0, ""
}

// ASHA with η = 3 and rungs at steps 1, 3, 9: five earlier trials had
// losses 1..5 at step 1, so a sixth is among the best ⌊6/3⌋ = 2 only
// below 2; at step 3 the three that got there had 0.5, 0.6 and 0.9, and
// a fourth is among the best ⌊4/3⌋ = 1 only at or below 0.5.
func TestASHAKnownDecisions(t *testing.T) {
	ev := []Evidence{
		curve(true, 1, 0.8, 0.5, 0.4),
		curve(true, 2, 1.0, 0.6),
		curve(false, 3, 2.0, 0.9),
		curve(false, 4),
		curve(false, 5),
	}
	cfg := StopConfig{Rule: "asha", Metric: "loss", MinSteps: 1, ReductionFactor: 3, GracePeriod: 3, Summary: "last"}
	for _, c := range []struct {
		vals   []float64
		stopAt int64
	}{
		{[]float64{2.5}, 1},            // third of six at rung 0
		{[]float64{1.5, 1, 0.7}, 3},    // second at rung 0, second of four at rung 1
		{[]float64{1.5, 1, 0.5, 0}, 0}, // ties go on; no trial reached rung 2
		{[]float64{0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 0},
	} {
		at, why := follow(NewStopper(cfg, ev), c.vals...)
		if at != c.stopAt {
			t.Errorf("%v: stopped at %d (%s), want %d", c.vals, at, why, c.stopAt)
		}
	}
	_, why := follow(NewStopper(cfg, ev), 2.5)
	if want := "at step 1 (rung 0 of successive halving), loss 2.5 is not among the best 2 of the 6 trials that reached it (cutoff 2)"; why != want {
		t.Errorf("reason:\n got %s\nwant %s", why, want)
	}
}

// A rung with fewer earlier trials than grace_period stops no one; a
// goal of maximize ranks the other way; the summary rule decides the
// value at a rung (max so far, for an accuracy).
func TestASHAGraceGoalAndSummary(t *testing.T) {
	ev := []Evidence{curve(true, 0.9, 0.95), curve(true, 0.8, 0.9)}
	cfg := StopConfig{Rule: "asha", Metric: "acc", MinSteps: 1, ReductionFactor: 2, GracePeriod: 3, Summary: "max", Maximize: true}
	if at, why := follow(NewStopper(cfg, ev), 0.1, 0.1); at != 0 {
		t.Errorf("stopped at %d with 2 earlier trials and a grace of 3: %s", at, why)
	}
	cfg.GracePeriod = 2
	// Rung 0 (step 1): 0.85 is second of three, best ⌊3/2⌋ = 1: stop.
	if at, _ := follow(NewStopper(cfg, ev), 0.85); at != 1 {
		t.Errorf("0.85 at step 1 stopped at %d, want 1", at)
	}
	// 0.95 at step 1 is best; at rung 1 (step 2) its max so far (0.95)
	// ties the best and goes on, though its last value is 0.2.
	if at, why := follow(NewStopper(cfg, ev), 0.95, 0.2); at != 0 {
		t.Errorf("stopped at %d: %s", at, why)
	}
}

// The median rule (Vizier): at step s, stop when the best value so far is
// worse than the median of the completed trials' running averages up to
// s. Completed trials with losses 1,1,1 / 2,2,2 / 4,4,4 / 3,1 (too short
// for step 3) and a stopped one that is not evidence.
func TestMedianKnownDecisions(t *testing.T) {
	ev := []Evidence{
		curve(true, 1, 1, 1),
		curve(true, 3, 2, 1), // running averages 3, 2.5, 2
		curve(true, 4, 4, 4),
		curve(true, 3, 1),
		curve(false, 0.1, 0.1, 0.1),
	}
	cfg := StopConfig{Rule: "median", Metric: "loss", MinSteps: 2, GracePeriod: 3, Summary: "last"}
	// Step 1: before min_steps. Step 2: averages 1, 2.5, 4, 2 → median
	// 2.25; best 2.3 is worse: stop.
	if at, why := follow(NewStopper(cfg, ev), 5, 2.3); at != 2 || !strings.Contains(why, "median 2.25") {
		t.Errorf("stopped at %d: %s", at, why)
	}
	// Best 2.2 at step 2 is better than 2.25; at step 3 averages are
	// 1, 2, 4 → median 2; best 2.2 is worse: stop.
	if at, why := follow(NewStopper(cfg, ev), 5, 2.2, 9); at != 3 || !strings.Contains(why, "median 2 of") {
		t.Errorf("stopped at %d: %s", at, why)
	}
	cfg.GracePeriod = 4
	if at, _ := follow(NewStopper(cfg, ev), 5, 5, 5); at != 2 {
		t.Errorf("with 4 trials at step 2, stopped at %d, want 2", at)
	}
	// Step 3 has only 3 completed trials: a grace of 4 judges nothing there.
	if at, _ := follow(NewStopper(cfg, ev), 5, 2.2, 9); at != 0 {
		t.Errorf("stopped at %d with 3 trials at step 3 and a grace of 4", at)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{7}, 7}} {
		if got := Median(c.xs); got != c.want {
			t.Errorf("Median = %g, want %g", got, c.want)
		}
	}
}
