// Package html renders a comparison as one self-contained HTML file: the
// report `assay compare --format html` prints and `assay report` commits
// beside the markdown report on the results branch.
//
// FromComparison turns a compare.Comparison (and, through Source, the
// recorded runs and their metric series) into a Report, the view model;
// Render writes it. RenderComparison does both.
//
// Decisions the issue left open, made here:
//
//   - Tables are rendered on the server side by html/template, so the
//     report reads (and escapes every name) without script; the script
//     only sorts, filters and draws. The data the charts need is embedded
//     once, as JSON in <script type="application/json">.
//   - Nothing is loaded from the network: the vendored ECharts, the
//     script and the style are inlined, and the page's own
//     Content-Security-Policy (default-src 'none', the one script and the
//     one style allowed by hash) makes any request impossible.
//   - Curves are drawn for every config of every row: each seed's series
//     resampled onto one grid of steps (mean over each stretch of steps),
//     so the page draws the mean with a ±1 sd band and lists every seed
//     on hover. The headline configs get up to MaxCurvePoints steps, the
//     others share what is left of DefaultMaxCurveValues; values keep
//     CurveDigits significant digits. That keeps a report of 1,000 runs
//     with 500-step curves near 2.4 MB. The tables keep exact values.
//   - The curves shown first are the headline's; clicking a config row
//     draws that config's. A sweep's parallel-coordinates view has an
//     axis per param and one for the primary metric's mean, one line per
//     config and side; brushing an axis filters the config table.
//   - The nightly trend is the comparison's scheduled history (one mean
//     per night for the headline configs).
//   - Images: the PNG and SVG files of one run per side (the newest
//     succeeded run of the headline config: compare.Input.HeadlineRuns),
//     base beside head, embedded as data: URIs so the file stays offline;
//     an SVG only ever as an <img> source, where none of its scripts run.
//     At most DefaultMaxImages, each at most DefaultMaxImageBytes and
//     DefaultMaxImagesBytes together; experiments take turns, so one with
//     many plots does not crowd out the rest. What is left out keeps its
//     place with a note saying why and how to get it. Bytes are checked
//     against the record's size and SHA-256 and their type before use.
//     Images stay out of the page's JSON: the script does not need them.
//   - The one script is a module that waits for the first frame before
//     the chart library runs, so the tables paint first however large
//     the report.
package html
