package pages

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
)

// Links are the addresses one output's pages link to: `assay ui` serves
// pages at absolute paths; the static site's pages link relative to
// where they sit, so the site works from any folder, from file:// as
// well as from a web server.
type Links struct {
	// Server selects the UI's paths; otherwise the site's.
	Server bool
	// Root leads from the page to the site's top folder: "" or "../".
	Root string
}

// ServerLinks are the links of `assay ui`.
var ServerLinks = Links{Server: true}

// SiteLinks are the links of a static site page Depth folders below the
// site's top.
func SiteLinks(depth int) Links { return Links{Root: strings.Repeat("../", depth)} }

// Asset is a shared file (reporter/web's assets): "assay.css".
func (l Links) Asset(p string) string {
	if l.Server {
		return "/assets/" + p
	}
	return l.Root + "assets/" + p
}

// Home is the top page: the UI's runs explorer, the site's home.
func (l Links) Home() string {
	if l.Server {
		return "/"
	}
	return l.Root + "index.html"
}

// Experiment is an experiment's page.
func (l Links) Experiment(name string) string {
	if l.Server {
		return "/experiments/" + url.PathEscape(name)
	}
	return l.Root + "experiments/" + url.PathEscape(FileName(name)) + ".html"
}

// Run is a run's page. RunPrefix + the run id, escaped as a URL path
// segment (encodeURIComponent), is the same address.
func (l Links) Run(id string) string {
	if l.Server {
		return "/runs/" + url.PathEscape(id)
	}
	return l.Root + "run.html#" + url.PathEscape(id)
}

// RunPrefix is what Run puts before a run's escaped id, for scripts that
// link runs.
func (l Links) RunPrefix() string {
	if l.Server {
		return "/runs/"
	}
	return l.Root + "run.html#"
}

// Search lists the runs an expression of assay ls's --where language
// selects.
func (l Links) Search(where string) string {
	if l.Server {
		return "/?where=" + url.QueryEscape(where)
	}
	return l.Root + "search.html#where=" + url.QueryEscape(where)
}

// PR is a pull request's page: on the site, its report; in the UI, its
// runs.
func (l Links) PR(n int) string {
	if l.Server {
		return l.Search(fmt.Sprintf("pr == %d", n))
	}
	return l.Root + PRPath(n)
}

// PRPath is where the site keeps a pull request's page, from its top.
func PRPath(n int) string { return "pr/" + strconv.Itoa(n) + ".html" }

// FileName is an experiment's name as a file name of the site: the name
// itself when it is plain (letters, digits, '.', '_', '-', not leading
// '.'), else the plain part with a hash of the name, so two names never
// share a file.
func FileName(name string) string {
	var b strings.Builder
	plain := name != "" && name[0] != '.'
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			plain = false
			b.WriteByte('_')
		}
	}
	if plain && b.Len() <= 100 {
		return b.String()
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	s := strings.TrimLeft(b.String(), ".")
	if len(s) > 60 {
		s = s[:60]
	}
	return fmt.Sprintf("%s-%016x", s, h.Sum64())
}
