// Package search holds the algorithms of assay's adaptive sweeps: the
// Tree-structured Parzen Estimator that proposes a search's points, and
// the early-stopping rules that judge a running trial's step series. It
// knows nothing of trials, keys or records: the runner replays a search
// round by round (runner/plan_search.go) and hands this package plain
// numbers.
//
// # Proposals (TPE)
//
// TPE is the algorithm of Bergstra, Bardenet, Bengio and Kégl, "Algorithms
// for Hyper-Parameter Optimization" (NIPS 2011), section 4. The points
// observed so far are split at a quantile of their losses into a good
// group and the rest; each group gets a density per param, l(x) and g(x),
// and the next point is the candidate, of Candidates drawn from l, with
// the greatest l(x)/g(x), which maximizes expected improvement (their
// equation 4). The densities are the paper's adaptive Parzen estimators:
// one Gaussian per observation, with the prior (a Gaussian over the whole
// domain) as one more component, each as wide as the larger gap to its
// neighbours, clipped between the prior's width over 1+n and the prior's
// width, and truncated to the domain. log_uniform params are modelled in
// log space and int params as the mass the continuous density puts on
// [k-½, k+½]. A choice param's density is its counts with the prior's
// weight spread evenly over the choices. The score of a candidate is the
// sum over params of log l - log g: params are independent, as in the
// paper, since assay's domains have no conditional structure.
//
// Decisions the paper leaves open, made here:
//
//   - The good group holds ⌈γ·√n⌉ points, γ = 1 (Bergstra et al. 2013,
//     "Making a Science of Model Search", use ⌈γ√n⌉ too): few points, so
//     l concentrates quickly, which is what a budget of tens of trials needs.
//   - Points proposed earlier in the same round and not yet run count as
//     bad (the "constant liar" of Ginsbourger et al. 2010, with the worst
//     value), so one round's proposals spread out instead of piling up.
//   - A candidate equal to a point already tried or proposed is passed
//     over; the search never spends budget on a repeat while an untried
//     point is left.
//   - Proposed real values keep 6 significant digits. A proposal is a
//     pure function of the history, but machines of different
//     architectures may differ in the last bit of a logarithm; rounding
//     makes two shards of one workflow agree on the points (and hence the
//     trial keys) all but never by chance, and keeps tables readable.
//   - Randomness comes from a PCG generator seeded with the sweep's seed
//     and the proposal's number, through a unit-interval mapping written
//     here, so proposals depend on no Go release and no earlier draw.
//
// # Early stopping
//
// Both rules judge a trial's metric, summarised up to a step with the
// metric's own summary rule (last, min, max, mean), against the trials
// of earlier rounds only, never against trials running beside it: which
// of two parallel trials reached a step first is timing, and a decision
// that depends on timing could not be replayed or explained.
//
//   - ASHA: asynchronous successive halving, Li, Jamieson, Rostamizadeh,
//     Gonina, Hardt, Recht, Talwalkar, "A System for Massively Parallel
//     Hyperparameter Tuning" (MLSys 2020; arXiv:1810.05934, 2018),
//     Algorithm 2, without resumption. Rungs sit at min_steps·η^k. A
//     trial that reaches a rung goes on only if it is among the best
//     ⌊n/η⌋ (at least one) of the n values at that rung: the earlier
//     trials that reached it, and itself. A trial cannot be paused and
//     promoted later, since assay runs commands, not checkpoints.
//   - Median: the median stopping rule of Golovin, Solnik, Moitra,
//     Kochanski, Karro, Sculley, "Google Vizier" (KDD 2017), section
//     3.2.2: a trial stops at step s when its best value by s is worse
//     than the median, over earlier trials that completed and reached s,
//     of their running averages up to s.
//
// Neither rule stops a trial before min_steps, nor at a step fewer than
// grace_period earlier trials reached.
package search
