package compare

import (
	"encoding/json"
	"strconv"
	"time"
)

// Schema tags every comparison document; it changes when a field's meaning
// does, so readers can refuse what they do not understand.
const Schema = "assay.compare/v2"

// Comparison is base against head for every changed experiment. It is
// the document `assay compare --format json` prints; docs/compare.md
// describes each field.
type Comparison struct {
	Schema string  `json:"schema"`
	Base   Ref     `json:"base"`
	Head   Ref     `json:"head"`
	PR     int     `json:"pr,omitempty"`
	Alpha  float64 `json:"alpha"`
	// Result is what the `assay` commit status reports, and Description
	// its one-line reason (at most 140 characters, GitHub's limit).
	Result      Result `json:"result"`
	Description string `json:"description"`
	Counts      Counts `json:"counts"`
	// Correction says how the p-values were adjusted for the number of
	// tests the comparison makes.
	Correction Correction `json:"correction"`
	// Cost sums the experiments' costs.
	Cost Cost `json:"cost"`
	// Experiments are ordered by verdict, most severe first, then name.
	Experiments []*Experiment `json:"experiments"`
}

// Counts tally the comparison.
type Counts struct {
	Experiments int `json:"experiments"`
	// Verdicts counts experiments by verdict.
	Verdicts map[Verdict]int `json:"verdicts"`
	// Regressions counts headline metrics that regressed.
	Regressions int `json:"regressions"`
	// FailedTrials counts head trials whose run failed.
	FailedTrials int `json:"failed_trials"`
	// MissingTrials counts trials the comparison needs that have no
	// result, both sides.
	MissingTrials int `json:"missing_trials"`
	// ReusedTrials counts head trials whose result was recorded before
	// the head commit.
	ReusedTrials int `json:"reused_trials"`
}

// Correction names the adjustment of each family of tests.
type Correction struct {
	// Headline is the family that decides the status: one test per
	// headline metric with a goal, adjusted with Holm's method.
	Headline Family `json:"headline"`
	// Configs is the family of per-config labels: one test per config
	// and metric with a goal (a single-config experiment's row is its
	// headline and belongs to that family), adjusted with
	// Benjamini–Hochberg.
	Configs Family `json:"configs"`
}

// Family is one family of tests and how it was adjusted.
type Family struct {
	Method string `json:"method"`
	Tests  int    `json:"tests"`
}

// Experiment is one experiment's comparison.
type Experiment struct {
	Name string `json:"name"`
	// File is the spec file at head (at base for a removed experiment).
	File    string  `json:"file"`
	Status  string  `json:"status"`
	Verdict Verdict `json:"verdict"`
	// Sweep is set when either side has more than one config.
	Sweep   bool         `json:"sweep"`
	Metrics []MetricSpec `json:"metrics"`
	Changes []Change     `json:"changes"`
	// Headline is the row the summary table shows and the status judges:
	// the single pair, or for a sweep the mean over its paired configs
	// (see Row.Pairs). nil when the sides have no configs to show.
	Headline *Row `json:"headline"`
	// Configs pair the configs of the two sides: by identical params, the
	// single config of each side, or a changed config with the one it
	// replaced.
	Configs  []*Row         `json:"configs"`
	Missing  []MissingTrial `json:"missing"`
	Failures []FailedTrial  `json:"failures"`
	Reused   []Reuse        `json:"reused"`
	Cost     Cost           `json:"cost"`
	History  []History      `json:"history"`
	// Notes explain anything unusual in plain words.
	Notes []string `json:"notes"`
}

// MetricSpec is a metric as the head spec declares it (the base spec for
// a metric head no longer declares).
type MetricSpec struct {
	Name      string  `json:"name"`
	Goal      string  `json:"goal,omitempty"`
	Summary   string  `json:"summary"`
	Tolerance float64 `json:"tolerance"`
	Primary   bool    `json:"primary,omitempty"`
}

// Pairings say why a row's two configs stand side by side.
const (
	// PairParams: identical param points.
	PairParams = "params"
	// PairSingle: the one config of each side, whose params differ.
	PairSingle = "single"
	// PairReplaced: a head config whose params are new, with the base
	// config it replaced: of the base configs head dropped, the one whose
	// params differ in the fewest names.
	PairReplaced = "replaced"
	// PairPooled: a sweep's headline, the mean over its paired configs.
	PairPooled = "pooled"
	// PairBest: a search's headline when base never ran head's best
	// point: the best config of each side by the search's objective.
	PairBest = "best"
	// PairNew and PairRemoved: a config on one side only.
	PairNew     = "new"
	PairRemoved = "removed"
)

// Row is one config of each side (either may be nil) and its metrics.
type Row struct {
	// Base and Head are the row's configs. For a pooled headline they are
	// the pair whose runs stand for it in files and curves: the head's
	// best config among the pairs, by the primary metric, and its
	// partner.
	Base    *Config   `json:"base"`
	Head    *Config   `json:"head"`
	Pairing string    `json:"pairing"`
	Verdict Verdict   `json:"verdict"`
	Metrics []*Metric `json:"metrics"`
	// Pairs names the configs a headline compares, base label and head
	// label each; a pooled headline averages them.
	Pairs []ConfigPair `json:"pairs,omitempty"`
	// Same is set when both sides are the very same trials (same keys,
	// same records): there is nothing to test.
	Same bool `json:"same_trials,omitempty"`

	// state is what the trials say before any statistics (see rowState).
	state Verdict
}

// ConfigPair is a base config and the head config it is compared with.
type ConfigPair struct {
	Base string `json:"base"`
	Head string `json:"head"`
}

// Config is one param point of one side and how its trials ended.
type Config struct {
	// Label is the params as k=v pairs in name order.
	Label  string          `json:"label"`
	Params json.RawMessage `json:"params"`
	// Index is the config's position in its side's expansion.
	Index     int `json:"index"`
	Trials    int `json:"trials"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Missing   int `json:"missing"`
	// Stopped counts trials of a search stopped early; they give no
	// values.
	Stopped int `json:"stopped,omitempty"`
}

// Metric is one metric of one row: a sample per side and the test.
type Metric struct {
	Name      string  `json:"name"`
	Goal      string  `json:"goal,omitempty"`
	Tolerance float64 `json:"tolerance"`
	Base      *Sample `json:"base"`
	Head      *Sample `json:"head"`
	// Delta is mean(head) − mean(base) and DeltaPct the same relative to
	// |mean(base)|; null when a side has no values (or base is 0, for
	// the percentage).
	Delta    *float64 `json:"delta"`
	DeltaPct *float64 `json:"delta_pct"`
	// Test is Welch's t-test (stratified over configs for a pooled
	// headline); null when a side has fewer than 2 values.
	Test *Test `json:"test"`
	// PAdjusted is Test.P adjusted for the other tests of its family (see
	// Comparison.Correction); null for a metric without a goal, which is
	// never judged, and where there is no test.
	PAdjusted *float64 `json:"p_adjusted"`
	// Significant is PAdjusted < alpha for a headline metric, < alpha/2
	// for a config's (Test.P < alpha for a metric without a goal).
	Significant bool `json:"significant"`
	// Detectable is, for a headline metric, the smallest |Delta| its test
	// would find with 80% power at the first step of the Holm correction:
	// what "no significant change" can vouch for.
	Detectable *float64 `json:"detectable,omitempty"`
	Verdict    Verdict  `json:"verdict"`
	Note       string   `json:"note,omitempty"`

	// w is the test behind Test; judged marks a tested metric with a goal,
	// whose verdict waits for the family's adjustment; notes are joined
	// into Note when the verdict is known.
	w      Welch
	judged bool
	notes  []string
	// res is the values' resolution behind the test's floors; level is
	// what PAdjusted is compared with.
	res, level float64
}

// Test is a Welch t-test as JSON carries it: T and DF are null where
// every value is 0 (Exact).
type Test struct {
	// Method is "welch", or "stratified-welch" for a pooled headline.
	Method string   `json:"method"`
	T      *float64 `json:"t"`
	DF     *float64 `json:"df"`
	P      float64  `json:"p"`
	// CI is the confidence interval of Delta at level 1 − alpha.
	CI [2]float64 `json:"ci"`
	// Configs is the number of configs a stratified test averages.
	Configs int `json:"configs,omitempty"`
	// SDFloor is set when a side's standard deviation was raised to it:
	// the values' resolution or the float floor (see docs/compare.md).
	SDFloor float64 `json:"sd_floor,omitempty"`
	Exact   bool    `json:"exact,omitempty"`
	// Diverged is set when any seed diverged: P is then the smaller of
	// the main modes' p-value and Fisher's exact test of how often each
	// side diverged, doubled.
	Diverged *RateTest `json:"diverged,omitempty"`
}

// RateTest is Fisher's exact test of how often seeds diverged on each side.
type RateTest struct {
	Base  int     `json:"base"`
	BaseN int     `json:"base_n"`
	Head  int     `json:"head"`
	HeadN int     `json:"head_n"`
	P     float64 `json:"p"`
	// MainP is the p-value of the main modes' test alone.
	MainP float64 `json:"main_p"`
	// Decides is set when the rate's p-value is the smaller one; Worse
	// says whether head diverging as it does is worse for the goal.
	Decides bool `json:"decides,omitempty"`
	Worse   bool `json:"worse,omitempty"`
}

// Trial sides.
const (
	SideBase = "base"
	SideHead = "head"
)

// MissingTrial is a trial with no recorded result, and the command that
// would produce it.
type MissingTrial struct {
	Side    string `json:"side"`
	Config  string `json:"config"`
	Seed    int64  `json:"seed"`
	Key     string `json:"key"`
	Command string `json:"command"`
}

// FailedTrial is a trial whose latest run did not succeed.
type FailedTrial struct {
	Side     string `json:"side"`
	Config   string `json:"config"`
	Seed     int64  `json:"seed"`
	Key      string `json:"key"`
	RunID    string `json:"run_id"`
	Status   string `json:"status"`
	ExitCode int    `json:"exit_code"`
	Attempt  int    `json:"attempt"`
	Commit   string `json:"commit,omitempty"`
	LogTail  string `json:"log_tail,omitempty"`
}

// Reuse is a head trial whose result was recorded before the head commit,
// and where it first ran.
type Reuse struct {
	Config string    `json:"config"`
	Seed   int64     `json:"seed"`
	Key    string    `json:"key"`
	RunID  string    `json:"run_id"`
	At     time.Time `json:"first_ran"`
	Commit string    `json:"commit,omitempty"`
	PR     int       `json:"pr,omitempty"`
	// Trigger is why it first ran: pr, push, schedule or manual.
	Trigger string `json:"trigger,omitempty"`
}

// Cost is what the recorded runs of each side took.
type Cost struct {
	Base SideCost `json:"base"`
	Head SideCost `json:"head"`
	// HeadNew is the part of Head not reused from history: what this
	// change spent.
	HeadNew SideCost `json:"head_new"`
}

// SideCost sums runs.
type SideCost struct {
	Runs int `json:"runs"`
	// GPUHours is Σ duration × GPUs.
	GPUHours float64 `json:"gpu_hours"`
	// WallSeconds is Σ duration: the compute time, not the elapsed time
	// of parallel runs.
	WallSeconds float64 `json:"wall_s"`
}

func (c *SideCost) add(o SideCost) {
	c.Runs += o.Runs
	c.GPUHours += o.GPUHours
	c.WallSeconds += o.WallSeconds
}

// History is a metric's recent scheduled values for the headline config,
// one point per day, oldest first.
type History struct {
	Metric string         `json:"metric"`
	Points []HistoryPoint `json:"points"`
	// Spark draws Points as a sparkline (▁▂▃▄▅▆▇█).
	Spark string `json:"spark"`
}

// HistoryPoint is the mean of one day's scheduled runs.
type HistoryPoint struct {
	Date  string  `json:"date"`
	Value float64 `json:"value"`
	N     int     `json:"n"`
}

func ptr(f float64) *float64 { return &f }

// formatFloat is the shortest decimal that reads back as f.
func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
