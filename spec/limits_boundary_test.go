package spec

import (
	"fmt"
	"strings"
	"testing"
)

// TestLimitsAtTheBoundary: each limit lets through exactly its value and
// refuses one more, with the error that names it.
func TestLimitsAtTheBoundary(t *testing.T) {
	if DefaultMaxTrials != 100*100 {
		t.Fatalf("DefaultMaxTrials is %d: update the grids below", DefaultMaxTrials)
	}
	// grid is an experiment of a × b trials.
	grid := func(a, b int, extra string) string {
		return fmt.Sprintf("experiment \"e\" {\n  command = [\"t\"]\n  params = { a = 0, b = 0 }\n  sweep {\n%s    param \"a\" { values = range(%d) }\n    param \"b\" { values = range(%d) }\n  }\n}\n", extra, a, b)
	}
	// random is a random sweep of samples draws over seeds.
	random := func(samples int, seeds, extra string) string {
		return fmt.Sprintf("experiment \"e\" {\n  command = [\"t\"]\n  params = { a = 0 }\n  seeds = %s\n  sweep {\n    method = \"random\"\n    samples = %d\n%s    param \"a\" {\n      distribution = \"uniform\"\n      min = 0\n      max = 1\n    }\n  }\n}\n", seeds, samples, extra)
	}
	gpus := func(n int) string {
		return fmt.Sprintf("experiment \"e\" {\n  command = [\"t\"]\n  runner { gpus = %d }\n}\n", n)
	}
	// nested is a local nested depth deep with its block's brace; the
	// second local adds openers so the file is lexed, not let through by
	// counting them.
	nested := func(depth int) string {
		n := depth - 1
		return "locals {\n  x = " + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) + "\n  y = [" + strings.Repeat("[1],", 10) + "]\n}\n" +
			"experiment \"e\" {\n  command = [\"t\"]\n}\n"
	}
	// metrics is an experiment of n metric blocks of its own.
	metrics := func(n int) string {
		var b strings.Builder
		b.WriteString("experiment \"e\" {\n  command = [\"t\"]\n")
		for i := range n {
			fmt.Fprintf(&b, "  metric \"m%d\" {}\n", i)
		}
		return b.String() + "}\n"
	}
	// value is a local of MaxValueSize bytes as valueSize counts them,
	// plus extra: an object (16) whose keys a, b and z (1 each) hold a
	// tuple (16) of 1,007 strings of 4,145 bytes (16 each, and their
	// bytes), a string of 4,110 + extra bytes and a number (16), counted
	// last.
	value := func(extra int) string {
		if 16+3+16+1007*(16+4145)+16+4110+16 != MaxValueSize {
			t.Fatalf("MaxValueSize is %d: update the local below", MaxValueSize)
		}
		return fmt.Sprintf("locals {\n  k = %q\n  big = { a = [for i in range(1007) : local.k], b = substr(local.k, 0, %d), z = 0 }\n}\nexperiment \"e\" {\n  command = [\"t\"]\n}\n",
			strings.Repeat("k", 4145), 4110+extra)
	}
	// tpe is a search over a domain of 2 × 4 = 8 points, at 2 seeds, the
	// int param's four values starting at from.
	tpe := func(budget, from int) string {
		return fmt.Sprintf("experiment \"e\" {\n  command = [\"t\"]\n  params = { opt = \"sgd\", layers = 2 }\n  seeds = [1, 2]\n  metric \"loss\" { goal = \"minimize\" }\n  sweep {\n    method = \"tpe\"\n    budget = %d\n    startup = 2\n    param \"opt\" { values = [\"sgd\", \"adam\"] }\n    param \"layers\" {\n      distribution = \"int\"\n      min = %d\n      max = %d\n    }\n  }\n}\n", budget, from, from+3)
	}
	// copied is value(extra) read whole by another local: what it refers
	// to is counted before it is built.
	copied := func(extra int) string {
		return strings.Replace(value(extra), "}\nexperiment", "  copy = local.big\n}\nexperiment", 1)
	}
	// tolerance is a metric's tolerance.
	tolerance := func(tol string) string {
		return "experiment \"e\" {\n  command = [\"t\"]\n  metric \"loss\" {\n    goal = \"minimize\"\n    tolerance = " + tol + "\n  }\n}\n"
	}
	// sized pads a valid spec with a comment to exactly n bytes.
	sized := func(n int) string {
		src := "experiment \"e\" {\n  command = [\"t\"]\n}\n# "
		return src + strings.Repeat("x", n-len(src)-1) + "\n"
	}
	for _, tc := range []struct {
		name        string
		at, over    string
		overSummary string
	}{
		// 100 × 100 = 10,000 = DefaultMaxTrials; 73 × 137 = 10,001.
		{"trials per experiment", grid(100, 100, ""), grid(73, 137, ""), "Too many trials"},
		{"max_trials", grid(5, 10, "    max_trials = 50\n"), grid(3, 17, "    max_trials = 50\n"), "Too many trials"},
		// A random sweep counts samples × seeds against the limit.
		{"random sweep max_trials", random(7, "[1, 2, 3]", "    max_trials = 21\n"), random(7, "[1, 2, 3]", "    max_trials = 20\n"), "Too many trials"},
		{"gpus", gpus(MaxGPUsPerTrial), gpus(MaxGPUsPerTrial + 1), "Value out of range"},
		{"metrics", metrics(MaxMetrics), metrics(MaxMetrics + 1), "Too many metrics"},
		{"local value size", value(0), value(1), "Local value too large"},
		{"a local of a local at the size", copied(0), copied(1), "Local value too large"},
		// A tolerance of 0 fails any significant regression.
		{"tolerance", tolerance("0"), tolerance("-0.001"), "Value out of range"},
		{"nesting", nested(MaxNesting), nested(MaxNesting + 1), "Expression nested too deeply"},
		{"file size", sized(MaxFileSize), sized(MaxFileSize + 1), "Spec file too large"},
		// A search may try every point of its domain, and no more.
		{"search budget", tpe(16, 1), tpe(18, 1), "Impossible budget"},
		{"search budget, values far from 0", tpe(16, 2e9), tpe(18, 2e9), "Impossible budget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, diags := loadSrc(t, map[string]string{"experiments/x.hcl": tc.at}); diags.HasErrors() {
				t.Errorf("at the limit: %s", diags.Error())
			}
			_, diags := loadSrc(t, map[string]string{"experiments/x.hcl": tc.over})
			if len(diags) != 1 || diags[0].Summary != tc.overSummary {
				t.Errorf("one over the limit: %q, want one error %q", errorsOf(diags), tc.overSummary)
			}
		})
	}
}

// TestRandomSweepDrawsSamplesPerSeed: a random sweep runs exactly samples
// points, each at every seed, every point distinct.
func TestRandomSweepDrawsSamplesPerSeed(t *testing.T) {
	for _, tc := range []struct{ samples, seeds int }{{1, 1}, {7, 3}, {50, 2}} {
		seeds := make([]string, tc.seeds)
		for i := range seeds {
			seeds[i] = fmt.Sprint(i + 1)
		}
		src := fmt.Sprintf(`
experiment "e" {
  command = ["t", "${param.lr}", "${seed}"]
  params  = { lr = 0.1 }
  seeds   = [%s]
  sweep {
    method  = "random"
    samples = %d
    param "lr" {
      distribution = "uniform"
      min          = 0
      max          = 1
    }
  }
}`, strings.Join(seeds, ", "), tc.samples)
		trials := trialsOf(t, src, LoadOptions{})
		if len(trials) != tc.samples*tc.seeds {
			t.Errorf("samples = %d, %d seeds: %d trials, want %d", tc.samples, tc.seeds, len(trials), tc.samples*tc.seeds)
		}
		points, perSeed := map[string]bool{}, map[int64]int{}
		for _, tr := range trials {
			points[tr.ParamsJSON] = true
			perSeed[tr.Seed]++
		}
		if len(points) != tc.samples {
			t.Errorf("samples = %d: %d distinct points", tc.samples, len(points))
		}
		for s, n := range perSeed {
			if n != tc.samples {
				t.Errorf("seed %d runs %d points, want %d", s, n, tc.samples)
			}
		}
	}
}
