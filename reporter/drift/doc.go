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
// (default 7) latest earlier nights that were not themselves drifting,
// pooled: every run of those nights is one value. With fewer than
// MinNights (default 3) such nights there is no verdict. Otherwise the
// night drifts when all of these hold:
//
//  1. it moved against the goal: its mean is below the baseline mean for
//     maximize, above it for minimize;
//  2. it moved by more than the metric's tolerance;
//  3. it left the band: |night mean − baseline mean| > K·sd (K = 3 by
//     default; sd is the baseline's sample standard deviation, so a
//     baseline that never varied has a band of zero width);
//  4. it is significant: Welch's t-test of the night's runs against the
//     baseline's gives p < Alpha (0.05), as assay compare tests. This
//     needs two runs on each side; a night of one run is judged by 1–3
//     alone.
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
