// Package drift decides whether an experiment's scheduled (nightly) runs
// have drifted from their own history. It is pure: it takes observations
// and returns findings; reporter/github turns findings into issues.
//
// # The rule
//
// Runs are grouped into series, one per experiment, config (the params
// without the seed) and judged metric (one with a goal), and within a
// series into nights: the scheduled runs that started on the same UTC
// date. A night's value is the mean over its runs (one per seed).
//
// Nights are judged oldest first. A night's baseline is the Window
// (default 28) latest earlier nights that were not themselves drifting.
// With fewer than MinNights (default 3) such nights there is no verdict.
// Otherwise the night drifts when all of these hold:
//
//  1. it moved against the goal: its mean is below the baseline's for
//     maximize, above it for minimize;
//  2. it moved by more than the metric's tolerance, the difference read
//     to the three significant digits the issue prints;
//  3. a one-sided prediction test says it is not a night like the
//     baseline's: t = (mean − m̄) / (s·√(1 + 1/k)) with k − 1 degrees of
//     freedom, where m̄ and s are the mean and standard deviation of the
//     k baseline nights' means (s floored at the values' resolution, as
//     assay compare floors it), gives p < Alpha (default 0.0005).
//
// The test works on night means, not on runs, so whatever makes whole
// nights differ (data order, the machine of the night) counts as the
// noise it is, and a night of one run is judged like any other. The
// defaults come from simulation (bench/stats, figures in
// docs/compare.md): a canary of three seeds a night opens about 0.6 false
// issues in 20 months of nights, and a sustained drop of three seed
// standard deviations is reported within three nights more than 95% of
// the time once a month of nights is recorded.
//
// Leaving drifting nights out of later baselines keeps a lasting drift
// flagged until the metric comes back, instead of letting the drifted
// nights widen the band until they look normal. But a level that holds
// for Window nights in a row is a new normal: those nights are taken
// back into the baseline (Accepted), and the following nights are judged
// against them.
//
// An experiment drifts when any of its series drifts on the experiment's
// latest night. It has recovered when every series that ran that night
// has a verdict and none drifts.
package drift
