// Command sitebench opens a site assay site wrote in headless Chromium,
// served by a local web server, and prints what a visitor waits for: the
// home page's transfer size and first contentful paint, the run index's
// load time and a search over every run answered in the browser; it saves
// screenshots of the home, an experiment, the pull requests and the search.
//
//	sitebench -dir SITE [-shots DIR] [-repeat 5] [-where EXPR] [-sort FIELD] [-search=false]
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	dir := flag.String("dir", "", "the site's folder")
	shots := flag.String("shots", "", "save screenshots here")
	repeat := flag.Int("repeat", 5, "measure each figure this many times (the median is printed)")
	where := flag.String("where", "metrics.val_acc > 0.9 && params.lr < 0.1", "the search's --where expression")
	sortBy := flag.String("sort", "-metrics.val_acc", "the search's --sort")
	search := flag.Bool("search", true, "measure the search page too (false: the home page only)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "sitebench: -dir SITE is required")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	// blank.html is the baseline: what the browser itself takes to paint
	// a line of text on this machine, now.
	mux := http.NewServeMux()
	mux.HandleFunc("/blank.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>blank</title></head><body><p>blank</p></body></html>")
	})
	mux.Handle("/", http.FileServer(http.Dir(*dir)))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/"

	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		fmt.Fprintln(os.Stderr, "sitebench: Chromium is not installed (apt-get install chromium)")
		os.Exit(1)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Flag("headless", "new"), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.WindowSize(1280, 900))
	defer cancel()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	_, err = chromedp.Run(bctx, chromedp.Evaluate[string]("document.title"))
	check(err)

	// tab opens a fresh browser context: an empty cache, as a first visit.
	tab := func() (context.Context, func()) {
		ctx, c := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
		ctx, c2 := context.WithTimeout(ctx, 2*time.Minute)
		return ctx, func() { c2(); c() }
	}

	home := func(page string) (bytes, fcp, load float64) {
		var bs, fs, ls []float64
		for range *repeat {
			ctx, done := tab()
			check(chromedp.Do(ctx, chromedp.Navigate(base+page),
				ignore(chromedp.Poll[bool](`performance.getEntriesByType('paint').some(e => e.name === 'first-contentful-paint')`))))
			res, err := chromedp.Run(ctx, chromedp.Evaluate[homeFigures](`(() => {
				const nav = performance.getEntriesByType('navigation')[0];
				let bytes = nav.transferSize;
				for (const r of performance.getEntriesByType('resource')) bytes += r.transferSize;
				const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint').startTime;
				return {Bytes: bytes, FCP: fcp, Load: nav.loadEventEnd};
			})()`))
			check(err)
			bs, fs, ls = append(bs, res.Bytes), append(fs, res.FCP), append(ls, res.Load)
			done()
		}
		return median(bs), median(fs), median(ls)
	}
	bytes, fcp, load := home("index.html")
	_, blankFCP, _ := home("blank.html")
	fmt.Printf("home page: %.2f MB transferred, first contentful paint %.0f ms, load %.0f ms (median of %d, empty cache); a blank page paints in %.0f ms in the same browser\n",
		bytes/1e6, fcp, load, *repeat, blankFCP)
	if !*search {
		return
	}

	var indexMs, searchMs []float64
	matched := 0
	for range *repeat {
		ctx, done := tab()
		check(chromedp.Do(ctx, chromedp.Navigate(base+"search.html"),
			ignore(chromedp.Poll[bool](`!!document.documentElement.dataset.indexMs`, chromedp.WithPollingTimeout(time.Minute)))))
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Number(document.documentElement.dataset.indexMs)`))
		check(err)
		indexMs = append(indexMs, ms)
		expr := fmt.Sprintf(`assaySite.search(%q, %q).then(r => ({Matched: r.matched || 0, MS: r.ms || 0, Error: r.error || ''}))`, *where, *sortBy)
		r, err := chromedp.Run(ctx, chromedp.Evaluate[searchFigures](expr, chromedp.EvalAwaitPromise))
		check(err)
		if r.Error != "" {
			fmt.Fprintln(os.Stderr, "sitebench: the search failed:", r.Error)
			os.Exit(1)
		}
		searchMs, matched = append(searchMs, r.MS), r.Matched
		done()
	}
	var runs int
	{
		ctx, done := tab()
		check(chromedp.Do(ctx, chromedp.Navigate(base+"search.html")))
		runs, err = chromedp.Run(ctx, chromedp.Evaluate[int](`assaySite.loadIndex().then(ix => ix.man.runs)`, chromedp.EvalAwaitPromise))
		check(err)
		done()
	}
	fmt.Printf("search page: the run index of %d runs loads in %.0f ms; %q sorted by %s matches %d, answered in %.0f ms (median of %d)\n",
		runs, median(indexMs), *where, *sortBy, matched, median(searchMs), *repeat)

	if *shots == "" {
		return
	}
	check(os.MkdirAll(*shots, 0o755))
	shot := func(name, url, ready string) {
		ctx, done := tab()
		defer done()
		check(chromedp.Do(ctx, chromedp.Navigate(url), ignore(chromedp.Poll[bool]("!!("+ready+")", chromedp.WithPollingTimeout(time.Minute))),
			chromedp.Sleep(time.Second)))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		check(err)
		check(os.WriteFile(filepath.Join(*shots, name+".png"), png, 0o644))
		fmt.Printf("screenshot: %s\n", filepath.Join(*shots, name+".png"))
	}
	shot("home", base+"index.html", `document.readyState === 'complete'`)
	exps, _ := filepath.Glob(filepath.Join(*dir, "experiments", "*.html"))
	if len(exps) > 0 {
		sort.Strings(exps)
		shot("experiment", base+"experiments/"+filepath.Base(exps[0]), `document.readyState === 'complete'`)
	}
	shot("pull-requests", base+"prs.html", `document.readyState === 'complete'`)
	shot("search", base+"search.html#where="+urlEscape(*where)+"&sort="+urlEscape(*sortBy), `document.documentElement.dataset.searchDone`)
}

type homeFigures struct{ Bytes, FCP, Load float64 }

type searchFigures struct {
	Matched int
	MS      float64
	Error   string
}

// ignore drops an action's value, so it runs among others.
func ignore[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "&", "%26", "#", "%23", "+", "%2B", "=", "%3D")
	return r.Replace(s)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "sitebench:", err)
		os.Exit(1)
	}
}
