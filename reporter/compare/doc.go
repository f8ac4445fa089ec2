// Package compare compares the results of base against head, experiment by
// experiment, with the statistics a careful reviewer needs.
//
// The input is plain data (Input): each changed experiment's spec and
// trials at both sides, and a lookup from trial key to recorded runs.
// Compare turns it into a Comparison, the model every renderer reads and
// the JSON document of schema assay.compare/v2.
//
// Decisions the design left open, made here (docs/compare.md states the
// error rates they give, measured by bench/stats):
//
//   - The run that counts for a trial is its latest succeeded run; a later
//     failure (say, of a scheduled rerun) does not undo it. A trial with
//     runs but none succeeded is failed; one with no runs is missing.
//   - Configs pair by identical params (canonical JSON); one config on
//     each side pairs regardless; a head config with new params pairs with
//     the base config it replaced (the dropped one whose params differ
//     least). Configs whose trials are the same on both sides are shown,
//     never tested.
//   - A sweep's headline is the mean over its changed pairs of head − base,
//     each pair like with like, tested with a Welch test stratified by
//     config: it uses every seed of every pair and selects nothing by the
//     results (best-against-best compared different configs and rewarded
//     the luckiest).
//   - Improvement and regression of an experiment come from its headline
//     only. The headline tests of the whole comparison are one family,
//     adjusted with Holm's method, so an A/A pull request of any size
//     fails the status at most α of the time; the per-config tests are a
//     second family, adjusted with Benjamini–Hochberg at α/2, and only
//     label rows.
//   - Diverged seeds — far from their side's median in robust standard
//     deviations — are set aside and counted; the mean, spread and test
//     use the main mode.
//   - Each side's spread is floored at the values' resolution (the
//     rounding error of their decimal grid, or seven significant digits),
//     so constant samples are neither "exactly different" nor a zero
//     division; the arithmetic is scaled so values near float64's limits
//     neither overflow nor underflow, and a difference that does not fit
//     in a float64 is "inconclusive: cannot compare".
//   - The verdict compares the delta as the reports print it (three
//     significant digits) with the tolerance, and a delta that prints as 0
//     is no change.
//   - Failed head trials make their config "failed"; failed base trials
//     only reduce the base sample (a change that fixes a crash is not an
//     error). Missing base results count while head exists: without them
//     there is nothing to compare against.
//   - Fewer than two values on a side: no test, verdict "inconclusive",
//     delta still shown. NaN and ±Inf values are dropped and counted.
//   - A trial an early_stop rule stopped is neither failed nor missing:
//     its partial values were the search's evidence. A config whose every
//     trial was stopped is left out of the rows, with a note.
//   - A search's headline is its best point, not the mean over pairs: the
//     head's best config by the search's objective, against the same
//     params at base when base ran them, else against base's best
//     (pairing "best"). A search selects by its results by design; an
//     unchanged search replays to the same trials on both sides.
//   - The overall result is failure when a headline metric regressed
//     significantly beyond tolerance, else error when head trials failed
//     or results are missing, else success.
package compare
