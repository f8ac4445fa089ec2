package html

// Report is what one HTML report shows. The templates render its tables
// on the server side, so the page reads without script; the script reads
// the same value, embedded once as JSON, to draw charts.
type Report struct {
	// Title heads the page and names the browser tab.
	Title string `json:"title"`
	Base  Ref    `json:"base"`
	Head  Ref    `json:"head"`
	PR    int    `json:"pr,omitempty"`
	// Result and Description are the comparison's outcome in one word
	// and one line.
	Result      string  `json:"result"`
	Description string  `json:"description"`
	Alpha       float64 `json:"alpha"`
	// Generated says when and by what the report was made, as shown in
	// its footer; "" leaves it out (tests and golden files).
	Generated string `json:"generated,omitempty"`
	// Headline is the summary table: one line per experiment and metric.
	Headline    []HeadlineLine `json:"-"`
	Experiments []*Experiment  `json:"experiments"`
	// Downsampled is set when curves were resampled to keep the file
	// small; the page says so.
	Downsampled bool `json:"downsampled,omitempty"`
	// ImagesLeftOut counts image artifacts the size budget kept out of
	// the file; the page says so, and each says how to get it.
	ImagesLeftOut int `json:"-"`
}

// Ref names one side of the comparison.
type Ref struct {
	Name   string `json:"name"`
	Commit string `json:"commit,omitempty"`
	// Label is how the page shows it: the name with a short commit.
	Label string `json:"label"`
}

// HeadlineLine is one metric of one experiment's headline row.
type HeadlineLine struct {
	Experiment string
	// Configs names the configs the headline compares.
	Configs string
	// Anchor is the id of the experiment's section.
	Anchor  string
	Metric  string
	Primary bool
	Cell
	// ExperimentVerdict is the verdict of the whole experiment.
	ExperimentVerdict string
}

// Experiment is one experiment's section of the report.
type Experiment struct {
	// ID is the section's anchor and the key the script finds its
	// charts by: "x" and the experiment's position, never user text.
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	File    string   `json:"file,omitempty"`
	Status  string   `json:"status"`
	Verdict string   `json:"verdict"`
	Sweep   bool     `json:"sweep"`
	Metrics []Metric `json:"metrics"`
	Changes []Change `json:"-"`
	// Headline is the row the summary shows; nil when nothing ranks.
	Headline *Row `json:"headline,omitempty"`
	// Rows pair the configs of the two sides.
	Rows []*Row `json:"rows"`
	// Curves holds each config's metric curves: Curves[side][config].
	Curves map[string]map[int]*ConfigCurves `json:"curves,omitempty"`
	// Parallel is the sweep's params → primary metric view; nil for an
	// experiment with one config per side.
	Parallel *Parallel `json:"parallel,omitempty"`
	// Trend is the scheduled runs' history, one series per metric.
	Trend []Trend `json:"trend,omitempty"`
	// Images are the PNG and SVG files of the headline runs, embedded in
	// the page (never in its data: the script does not need them).
	Images   *Images   `json:"-"`
	Failures []Failure `json:"-"`
	Notes    []string  `json:"-"`
	// Spent says what this change ran and what it cost, what it reused
	// and what is missing: "this change ran 6 runs (0.40 GPU-hours, 26s)
	// · 6 trials reused from history"; "" when there is none of it.
	Spent string `json:"-"`
}

// Metric is a metric the experiment declares.
type Metric struct {
	Name    string `json:"name"`
	Goal    string `json:"goal,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Change is one line of the spec diff.
type Change struct {
	Field, Base, Head string
}

// Row is one config of each side, as a line of the config table.
type Row struct {
	// Base and Head are the configs' labels ("" where absent); BaseIndex
	// and HeadIndex their positions in each side's expansion (-1 where
	// absent), the keys of Experiment.Curves.
	Base      string `json:"base"`
	Head      string `json:"head"`
	BaseIndex int    `json:"base_index"`
	HeadIndex int    `json:"head_index"`
	Pairing   string `json:"pairing"`
	Verdict   string `json:"verdict"`
	Cells     []Cell `json:"-"`
}

// Cell is one metric of one row, formatted for reading; Sort* carry the
// numbers the table sorts by.
type Cell struct {
	Metric string
	// Base and Head read "0.812 ± 0.004 (n=3)".
	Base, Head string
	// Delta reads "+0.013 (+1.6%)"; P reads "0.021" or "~".
	Delta, P    string
	Verdict     string
	Significant bool
	Note        string
	// SortBase, SortHead, SortDelta and SortP are "" where there is no
	// number, so such rows sort last.
	SortBase, SortHead, SortDelta, SortP string
}

// ConfigCurves are one config's curves of every metric it reported.
type ConfigCurves struct {
	Label   string            `json:"label"`
	Metrics map[string]*Curve `json:"metrics"`
}

// Curve is one metric of one config: every seed's values on a shared
// grid of steps, so the page can draw the mean with a band over seeds and
// show each seed on hover. It has its own JSON encoding (see
// MarshalJSON): an evenly spaced grid costs a few bytes whatever its
// length, and values keep CurveDigits significant digits.
type Curve struct {
	Steps []int64
	Seeds []int64
	// Values[i][j] is seed i at Steps[j]; NaN where the seed has no
	// value there (null in JSON).
	Values [][]float64
}

// Parallel is a sweep's configs as lines across one axis per param and a
// last axis for the primary metric.
type Parallel struct {
	Params []string `json:"params"`
	Metric string   `json:"metric"`
	Goal   string   `json:"goal,omitempty"`
	Lines  []Line   `json:"lines"`
}

// Line is one config of one side in the parallel-coordinates view.
type Line struct {
	Side   string `json:"side"`
	Config int    `json:"config"`
	Label  string `json:"label"`
	// Values are the params in Parallel.Params order (numbers stay
	// numbers, anything else is its text), then the metric's mean (null
	// when the config has no value).
	Values []any `json:"values"`
}

// Trend is one metric's scheduled history: one mean per night.
type Trend struct {
	Metric string       `json:"metric"`
	Points []TrendPoint `json:"points"`
}

// TrendPoint is one night.
type TrendPoint struct {
	Date  string  `json:"date"`
	Value float64 `json:"value"`
	N     int     `json:"n"`
}

// Failure is a trial whose latest run did not succeed.
type Failure struct {
	Side, Config, RunID, Status, LogTail string
	Seed                                 int64
	ExitCode                             int
}
