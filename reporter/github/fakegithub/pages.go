package fakegithub

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// page is the slice of a list one request asks for, and the Link header
// that leads to the others.
type page struct {
	start, end int
	link       string
}

// paginate applies GitHub's page and per_page (default 30, at most 100) to
// a list of n items and builds the Link header with first, prev, next and
// last, as absolute URLs that keep the request's other parameters.
func paginate(q *request, n int) page {
	per := atoiDefault(q.query("per_page"), 30)
	if per < 1 {
		per = 30
	}
	per = min(per, 100)
	num := max(atoiDefault(q.query("page"), 1), 1)
	last := max((n+per-1)/per, 1)
	p := page{start: min((num-1)*per, n), end: min(num*per, n)}
	link := func(to int, rel string) string {
		vals := q.r.URL.Query()
		vals.Set("page", strconv.Itoa(to))
		vals.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<http://%s%s?%s>; rel="%s"`, q.r.Host, q.r.URL.Path, vals.Encode(), rel)
	}
	var parts []string
	if num > 1 {
		parts = append(parts, link(min(num-1, last), "prev"))
	}
	if num < last {
		parts = append(parts, link(num+1, "next"), link(last, "last"))
	}
	if num > 1 {
		parts = append(parts, link(1, "first"))
	}
	p.link = strings.Join(parts, ", ")
	return p
}

func (p page) reply(body any) response {
	resp := reply(http.StatusOK, body)
	if p.link != "" {
		resp.header = http.Header{"Link": {p.link}}
	}
	return resp
}

func atoiDefault(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
