// Package github publishes assay's results to GitHub through go-github:
// the sticky pull-request comment, the `assay` commit status, the nightly
// drift issues and the fork gate.
//
// Configuration is the GitHub Actions environment (Config, ConfigFromEnv):
// GITHUB_API_URL is the REST base used as is, so GitHub Enterprise Server
// (https://HOST/api/v3) and test servers work alike.
//
// Decisions a reader should know:
//
//   - The sticky comment is the oldest comment whose author is assay's own
//     account and whose first line is Marker. The account is GET /user, or
//     github-actions[bot] when the token is the Actions GITHUB_TOKEN, which
//     cannot read /user, or ASSAY_GITHUB_LOGIN for other bot tokens. A
//     comment that quotes the marker, or one by anyone else, is never
//     edited. Later sticky comments are duplicates and are deleted.
//   - A body over 65,536 characters (counted in UTF-16 units, which is
//     never fewer than GitHub counts) is fitted by Fit: details folded,
//     then dropped for a link, then sections cut whole, then the head cut
//     at a line. The full report is kept on the results branch at
//     reports/pr-<N>/<head-sha>.md first, before anything is posted, so a
//     GitHub outage loses nothing and a rerun publishes it.
//   - Transport retries 5xx answers and broken connections with jittered
//     exponential backoff, and rate limits as GitHub asks (Retry-After,
//     X-RateLimit-Reset), until one deadline for the whole command. A spent
//     quota that resets after the deadline is a RateLimitError naming the
//     reset time.
//   - The fork gate (CheckFork) refuses a fork's pull request unless
//     allow_forks is set or a maintainer approved the commit that would
//     run with a comment `/assay approve <full sha>` (ApproveCommand says
//     the rules). Comments and the commenter's permission are read from
//     the API when the check runs, every page; an error refuses. The
//     approval label of earlier versions approves nothing any more: a
//     label cannot say which commit it approves, so a push after it ran
//     unreviewed code. A refused pull request that carries it is told so.
//   - Drift issues carry the label assay:drift and a hidden first line
//     naming the experiment; one issue per experiment, updated in place,
//     closed with a comment on recovery (see package drift for the rule).
package github
