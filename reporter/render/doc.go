// Package render turns a comparison into what people read: a terminal
// table, GitHub-flavoured markdown for a pull request comment, and JSON.
//
// Markdown comes from embedded templates (templates/*.md.tmpl) fed with
// small view structs, and is returned as a list of sections — a header, the
// headline table, one folded <details> section per experiment — so the
// caller that posts it can drop or shorten sections to fit GitHub's limit
// on a comment's size without cutting through a table. Every piece of
// user-controlled text (names, params, commands, log tails) is escaped
// for the place it lands in: a table cell, an HTML summary, or a code
// block.
//
// Links to artifacts are not part of the comparison (its statistics do not
// depend on them): ArtifactLinks finds them for the headline runs and
// MarkdownOptions.Artifacts passes them in. They sit in each experiment's
// details, so they fold and move with them; only http and https addresses
// are linked, at most MaxArtifactLinksPerSide a side.
package render
