// Package compare compares the results of base against head, experiment by
// experiment, with the statistics a careful reviewer needs.
//
// The input is plain data (Input): each changed experiment's spec and
// trials at both sides, and a lookup from trial key to recorded runs.
// Compare turns it into a Comparison, the model every renderer reads and
// the JSON document of schema assay.compare/v1.
//
// Decisions the design left open, made here:
//
//   - The run that counts for a trial is its latest succeeded run; a later
//     failure (say, of a scheduled rerun) does not undo it. A trial with
//     runs but none succeeded is failed; one with no runs is missing.
//   - Configs pair by identical params (canonical JSON); one config on
//     each side pairs regardless. A sweep's headline row is the best config
//     of each side by the primary metric's mean.
//   - Improvement and regression of an experiment come from its headline
//     row only: one test per metric, so a wide sweep does not fail the
//     check by chance (12 configs tested at α = 0.05 would find a false
//     regression nearly half the time). Per-config verdicts are shown,
//     uncorrected, for the reader.
//   - Failed head trials make their config "failed"; failed base trials
//     only reduce the base sample (a change that fixes a crash is not an
//     error). Missing base results count while head exists: without them
//     there is nothing to compare against.
//   - Fewer than two values on a side: no test, verdict "inconclusive",
//     delta still shown. Both sides constant: the difference is exact, p is
//     0 (means differ) or 1 (equal) — never "~" for samples that differ.
//   - NaN and ±Inf values are dropped and counted, never averaged.
//   - A trial an early_stop rule stopped is neither failed nor missing:
//     its partial values were the search's evidence. A config whose every
//     trial was stopped is left out of the rows, with a note; a search's
//     headline, like any sweep's, is the best config of each side by the
//     primary metric, which for a search is its objective.
//   - The overall result is failure when a headline metric regressed
//     significantly beyond tolerance, else error when head trials failed
//     or results are missing, else success.
package compare
