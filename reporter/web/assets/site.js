// The results site's own pages: the search over every run and the run
// page. Both read the run index the site ships as scripts
// (data/runs/manifest.js and its chunks, data/detail/*.js), loaded with
// <script src> so the site works from file:// as well as from a web
// server. Text from the data only reaches the page through esc() or
// textContent.
(function () {
  'use strict';

  var Q = window.AssayQuery;
  var root = (function () {
    var s = document.querySelector('script[src$="assets/site.js"]');
    return s ? s.getAttribute('src').replace(/assets\/site\.js$/, '') : '';
  })();

  // ---- loading ----------------------------------------------------------------

  var waiting = {};
  var loaded = {};

  // load is what every data file calls: assaySite.load(kind, n, payload).
  function load(kind, n, payload) {
    var key = kind + ':' + n;
    loaded[key] = payload;
    if (waiting[key]) waiting[key].forEach(function (w) { w.resolve(payload); });
    delete waiting[key];
  }

  function fetchData(kind, n, file) {
    var key = kind + ':' + n;
    if (loaded[key]) return Promise.resolve(loaded[key]);
    return new Promise(function (resolve, reject) {
      (waiting[key] = waiting[key] || []).push({ resolve: resolve, reject: reject });
      if (waiting[key].length > 1) return;
      var s = document.createElement('script');
      s.src = root + file;
      s.onerror = function () {
        var ws = waiting[key] || [];
        delete waiting[key];
        ws.forEach(function (w) { w.reject(new Error('cannot load ' + file)); });
      };
      s.onload = function () { s.remove(); };
      document.head.appendChild(s);
    });
  }

  function manifest() { return fetchData('manifest', 0, 'data/runs/manifest.js'); }

  function chunk(man, n) { return fetchData('chunk', n, man.chunks[n].file); }

  function detailFile(n) { return fetchData('detail', n, 'data/detail/' + ('000' + n).slice(-4) + '.js'); }

  // ---- a run, as the query language reads it --------------------------------

  function Cursor(man) {
    this.man = man;
    this.c = null;
    this.i = 0;
  }
  Cursor.prototype.field = function (name) {
    var c = this.c, i = this.i, man = this.man;
    switch (name) {
      case 'id': return c.id[i];
      case 'key': return c.key[i];
      case 'experiment': return man.experiments[c.exp[i]];
      case 'status': return man.statuses[c.status[i]];
      case 'exit_code': return c.exit_code[i];
      case 'attempt': return c.attempt[i];
      case 'seed': return c.seed[i];
      case 'params': return c.configs[c.config[i]];
      case 'started': return c.started[i];
      case 'finished': return c.finished[i];
      case 'duration': return c.duration[i];
      case 'host': return c.hosts[c.host[i]];
      case 'gpus': return c.gpus[i];
      case 'source': return c.sources[c.source[i]];
      case 'trigger': return man.triggers[c.trigger[i]];
      case 'pr': return c.pr[i];
    }
    return null;
  };
  Cursor.prototype.metric = function (m) {
    var col = this.c.metrics[m];
    return col ? col[this.i] : null;
  };
  Cursor.prototype.metrics = function () {
    var out = {}, ms = this.c.metrics;
    for (var m in ms) {
      if (ms[m][this.i] !== null) out[m] = ms[m][this.i];
    }
    return out;
  };

  // ---- formatting -----------------------------------------------------------------

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var s = Number(v).toPrecision(4);
    if (s.indexOf('e') < 0 && s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s;
  }

  function when(ms) {
    if (ms === null || ms === undefined || ms < -62135596800000 + 1) return '—';
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }

  function duration(s) {
    var t = Math.round(s), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
    return (h ? h + 'h' : '') + (h || m ? m + 'm' : '') + sec + 's';
  }

  function paramsLabel(p) {
    return Object.keys(p || {}).sort().map(function (k) {
      var v = p[k];
      return k + '=' + (typeof v === 'string' ? v : JSON.stringify(v));
    }).join(' ');
  }

  var KNOWN = { succeeded: 1, failed: 1, timed_out: 1, cancelled: 1 };
  function badge(status) {
    return '<span class="badge v-' + (KNOWN[status] ? status : 'other') + '">' + esc(status) + '</span>';
  }

  function experimentLink(man, e) {
    return root + 'experiments/' + encodeURIComponent(man.experiment_files[e]) + '.html';
  }

  function runLink(id) { return root + 'run.html#' + encodeURIComponent(id); }

  function prLink(man, n) {
    if (man.reports.indexOf(n) >= 0) return root + 'pr/' + n + '.html';
    return root + 'search.html#where=' + encodeURIComponent('pr == ' + n);
  }

  // ---- search -----------------------------------------------------------------

  // MAX_ROWS is how many matching runs the table lists (the count says
  // how many matched), as the UI's runs explorer does.
  var MAX_ROWS = 500;
  var MAX_METRIC_COLUMNS = 12;

  var index = null;

  // loadIndex loads the manifest and every chunk of the run index.
  function loadIndex(progress) {
    if (index) return index;
    index = manifest().then(function (man) {
      var done = 0;
      return Promise.all(man.chunks.map(function (_, n) {
        return chunk(man, n).then(function (c) {
          done++;
          if (progress) progress(done, man.chunks.length);
          return c;
        });
      })).then(function (chunks) { return { man: man, chunks: chunks }; });
    });
    return index;
  }

  // search answers a --where and --sort over every run, as assay ls
  // does: the matching runs' positions, sorted, how many matched and how
  // many were skipped (and why the first was).
  function search(ix, where, sort, branchOnly) {
    var t0 = performance.now();
    var man = ix.man;
    var test = where.trim() ? Q.compileWhere(where, man.schema) : null;
    var order = sort.trim() ? Q.compileSort(sort, man.schema) : null;
    var cur = new Cursor(man);
    var hits = [], skipped = 0, firstSkip = '';
    for (var ci = 0; ci < ix.chunks.length; ci++) {
      var c = ix.chunks[ci];
      cur.c = c;
      for (var i = 0; i < c.id.length; i++) {
        if (branchOnly && c.other[i]) continue;
        cur.i = i;
        if (test) {
          var ok;
          try {
            ok = test(cur);
          } catch (e) {
            if (!(e instanceof Q.RunError)) throw e;
            skipped++;
            if (!firstSkip) firstSkip = 'run ' + c.id[i] + ': ' + e.message;
            continue;
          }
          if (!ok) continue;
        }
        var h = { c: ci, i: i, id: c.id[i] };
        if (order) h.v = order.values(cur);
        hits.push(h);
      }
    }
    var byID = function (a, b) { return a.id > b.id ? -1 : a.id < b.id ? 1 : 0; };
    if (order && order.keys.length === 1 && hits.every(function (h) { return typeof h.v[0] === 'number' && h.v[0] === h.v[0]; })) {
      // One numeric key with no gaps: the comparison order.compare makes,
      // without its checks on every call (a sort of 10,000 hits calls it
      // 150,000 times).
      var desc = order.keys[0].desc;
      hits.sort(function (a, b) {
        var x = a.v[0], y = b.v[0];
        if (x < y) return desc ? 1 : -1;
        if (x > y) return desc ? -1 : 1;
        return byID(a, b);
      });
    } else if (order) hits.sort(function (a, b) { return order.compare(a.v, b.v, a.id, b.id); });
    else hits.sort(byID);
    return { hits: hits, matched: hits.length, skipped: skipped, firstSkip: firstSkip, ms: performance.now() - t0 };
  }

  function resultsTable(ix, res) {
    var man = ix.man, table = document.getElementById('results-table');
    var rows = res.hits.slice(0, MAX_ROWS);
    var metrics = {};
    rows.forEach(function (h) {
      var ms = ix.chunks[h.c].metrics;
      for (var m in ms) if (ms[m][h.i] !== null) metrics[m] = true;
    });
    var names = Object.keys(metrics).sort().slice(0, MAX_METRIC_COLUMNS);
    var head = ['Run', 'Experiment', 'Status', 'Config', 'Seed'].concat(names, ['Started', 'Duration', 'Commit', 'Trigger']);
    table.tHead.rows[0].innerHTML = head.map(function (h) { return '<th>' + esc(h) + '</th>'; }).join('');
    var html = [];
    rows.forEach(function (h) {
      var c = ix.chunks[h.c], i = h.i, tr = man.triggers[c.trigger[i]], status = man.statuses[c.status[i]];
      var cells = [
        '<td class="mono"><a href="' + esc(runLink(c.id[i])) + '">' + esc(c.id[i]) + '</a></td>',
        '<td><a href="' + esc(experimentLink(man, c.exp[i])) + '">' + esc(man.experiments[c.exp[i]]) + '</a></td>',
        '<td>' + badge(status) + '</td>',
        '<td class="mono">' + esc(paramsLabel(c.configs[c.config[i]])) + '</td>',
        '<td class="num">' + esc(c.seed[i]) + '</td>'
      ];
      names.forEach(function (m) {
        var v = c.metrics[m] ? c.metrics[m][i] : null;
        cells.push('<td class="num" data-sort="' + (v === null ? '' : esc(v)) + '">' + esc(fmt(v)) + '</td>');
      });
      cells.push('<td data-sort="' + esc(c.started[i]) + '">' + esc(when(c.started[i])) + '</td>');
      cells.push('<td class="num" data-sort="' + esc(c.duration[i]) + '">' + esc(duration(c.duration[i])) + '</td>');
      cells.push('<td class="mono">' + esc(c.sources[c.source[i]].slice(0, 7)) + '</td>');
      cells.push('<td>' + esc(tr) + (c.pr[i] ? ' <a href="' + esc(prLink(man, c.pr[i])) + '">#' + esc(c.pr[i]) + '</a>' : '') +
        (c.other[i] ? ' <span class="muted" title="does not count for ' + esc(man.branch) + '">(not ' + esc(man.branch) + ')</span>' : '') + '</td>');
      html.push('<tr>' + cells.join('') + '</tr>');
    });
    table.tBodies[0].innerHTML = html.join('');
    if (window.AssayPage) window.AssayPage.tables();
  }

  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ''));
    return { where: p.get('where') || '', sort: p.get('sort') || '', branch: p.get('branch') === '1' };
  }

  function setupSearch() {
    var form = document.getElementById('search-form');
    if (!form) return;
    var whereIn = document.getElementById('where'), sortIn = document.getElementById('sort'), only = document.getElementById('others');
    var status = document.getElementById('search-status'), errBox = document.getElementById('search-error');
    var t0 = performance.now();
    var run = function () {
      var q = readHash();
      whereIn.value = q.where;
      sortIn.value = q.sort;
      only.checked = q.branch;
      loadIndex().then(function (ix) {
        errBox.hidden = true;
        var res;
        try {
          res = search(ix, q.where, q.sort, q.branch);
        } catch (e) {
          if (!(e instanceof Q.QueryError)) throw e;
          errBox.textContent = 'The query is not valid: ' + e.message;
          errBox.hidden = false;
          status.textContent = '';
          document.documentElement.dataset.searchDone = String(Number(document.documentElement.dataset.searchDone || 0) + 1);
          return;
        }
        resultsTable(ix, res);
        var total = ix.man.runs;
        var text = res.matched + ' of ' + total + ' runs match' + (res.matched > MAX_ROWS ? '; the first ' + MAX_ROWS + ' are listed' : '') +
          ' (searched in ' + Math.round(res.ms) + ' ms).';
        if (res.skipped) text += ' ' + res.skipped + ' run(s) lack a field the expression reads and are left out (the first: ' + res.firstSkip + ').';
        status.textContent = text;
        var ds = document.documentElement.dataset;
        ds.searchMs = String(res.ms);
        ds.searchMatched = String(res.matched);
        ds.searchDone = String(Number(ds.searchDone || 0) + 1);
      });
    };
    document.getElementById('fields').textContent = 'id, key, experiment, status, exit_code, attempt, seed, params.NAME, metrics.NAME, started, finished, duration, host, gpus, source, trigger, pr';
    loadIndex(function (done, all) {
      status.textContent = 'Loading the run index: ' + done + ' of ' + all + ' parts…';
    }).then(function (ix) {
      document.documentElement.dataset.indexMs = String(performance.now() - t0);
      only.parentNode.lastChild.textContent = ' only runs of ' + ix.man.branch;
      status.textContent = ix.man.runs + ' runs.';
      run();
    }, function (e) {
      status.textContent = 'The run index could not be loaded: ' + e.message;
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var p = new URLSearchParams();
      if (whereIn.value.trim()) p.set('where', whereIn.value);
      if (sortIn.value.trim()) p.set('sort', sortIn.value);
      if (only.checked) p.set('branch', '1');
      var h = '#' + p.toString();
      if (location.hash === h) run();
      else location.hash = h;
    });
    window.addEventListener('hashchange', run);
  }

  // ---- the run page -------------------------------------------------------------

  function findRun(man, id) {
    var lo = 0, hi = man.chunks.length - 1, at = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (man.chunks[mid].first <= id) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }

  function setupRun() {
    var box = document.getElementById('run');
    if (!box) return;
    var show = function () {
      var id = decodeURIComponent(location.hash.replace(/^#/, ''));
      var status = document.getElementById('run-status');
      manifest().then(function (man) {
        var n = findRun(man, id);
        if (!id || n < 0) return notFound(box, id);
        return chunk(man, n).then(function (c) {
          var i = c.id.indexOf(id);
          if (i < 0) return notFound(box, id);
          var d = c.detail[i];
          var next = d >= 0 ? detailFile(d) : Promise.resolve(null);
          return next.then(function (det) { renderRun(box, man, c, i, det ? det[id] : null); }, function () { renderRun(box, man, c, i, null); });
        });
      }).catch(function (e) {
        if (status) status.textContent = 'The run index could not be loaded: ' + e.message;
      });
    };
    window.addEventListener('hashchange', show);
    show();
  }

  function notFound(box, id) {
    box.innerHTML = '<h1>No such run</h1><div class="error-box" role="alert"></div><p><a href="' + esc(root + 'search.html') + '">Search the runs</a></p>';
    box.querySelector('.error-box').textContent = id ? 'The results branch has no run ' + id + '.' : 'No run was named: a run page is run.html#RUN_ID.';
    document.documentElement.dataset.runShown = 'missing';
  }

  function renderRun(box, man, c, i, det) {
    var id = c.id[i], status = man.statuses[c.status[i]], exp = man.experiments[c.exp[i]];
    var params = c.configs[c.config[i]], pr = c.pr[i];
    document.title = id + ' · assay';
    var kv = function (k, v) { return '<dt>' + esc(k) + '</dt><dd>' + v + '</dd>'; };
    var html = ['<h1 class="mono">' + esc(id) + '</h1>',
      '<p><a href="' + esc(experimentLink(man, c.exp[i])) + '">' + esc(exp) + '</a> · ' + badge(status) + ' · exit ' + esc(c.exit_code[i]) + ' · attempt ' + esc(c.attempt[i]) +
      (c.other[i] ? ' · <span class="muted">from ' + (pr ? 'a pull request' : 'another branch') + ': it does not count for ' + esc(man.branch) + '</span>' : '') + '</p>'];
    if (det && det.error) html.push('<div class="error-box">' + esc(det.error) + '</div>');
    html.push('<dl class="kv">');
    html.push(kv('Trial key', '<span class="mono">' + esc(c.key[i]) + '</span>'));
    html.push(kv('Config', '<span class="mono">' + esc(paramsLabel(params)) + '</span>'));
    html.push(kv('Seed', esc(c.seed[i])));
    if (det && det.command) html.push(kv('Command', '<span class="mono">' + esc(det.command.join(' ')) + '</span>'));
    html.push(kv('Started', esc(when(c.started[i])) + ' (' + esc(duration(c.duration[i])) + ')'));
    html.push(kv('Commit', '<span class="mono">' + esc(c.sources[c.source[i]]) + '</span>'));
    html.push(kv('Trigger', esc(man.triggers[c.trigger[i]]) + (pr ? ' · <a href="' + esc(prLink(man, pr)) + '">PR #' + esc(pr) + '</a>' : '')));
    html.push(kv('Host', esc(c.hosts[c.host[i]]) + (det && det.gpu_model ? ' · ' + esc(det.gpu_model) : '') + ' · ' + esc(c.gpus[i]) + ' GPU(s)'));
    if (det && det.labels) html.push(kv('Labels', esc(det.labels.join(', '))));
    if (det && det.path) html.push(kv('Record', '<span class="mono">' + esc(det.path) + '</span>'));
    html.push('</dl>');
    html.push('<h3>Metrics</h3><table class="sortable" id="metrics-table"><thead><tr><th>Metric</th><th>Value</th></tr></thead><tbody>');
    Object.keys(c.metrics).sort().forEach(function (m) {
      var v = c.metrics[m][i];
      if (v !== null) html.push('<tr><td>' + esc(m) + '</td><td class="num" data-sort="' + esc(v) + '">' + esc(fmt(v)) + '</td></tr>');
    });
    html.push('</tbody></table>');
    (det && det.warnings || []).forEach(function (w) { html.push('<p class="note">' + esc(w) + '</p>'); });
    var metrics = det && det.curves ? Object.keys(det.curves).sort() : [];
    if (metrics.length) {
      html.push('<h3>Curves</h3><div class="charts">');
      metrics.forEach(function (m) {
        html.push('<div class="chart" data-chart="curves" data-exp="x0" data-metric="' + esc(m) + '" role="img" aria-label="curve of ' + esc(m) + '"></div>');
      });
      html.push('</div>');
    }
    html.push('<h3>Log tail</h3>');
    if (det && det.log) html.push('<pre></pre>');
    else if (det) html.push('<p class="muted">No log was kept for this run.</p>');
    else html.push('<p class="muted">This site keeps the curves and log of the runs behind each experiment\'s best configs and of the newest runs; this run\'s are on the results branch: <span class="mono">assay show ' + esc(id) + '</span>.</p>');
    box.innerHTML = html.join('');
    if (det && det.log) box.querySelector('pre').textContent = det.log;
    if (metrics.length && window.AssayPage) {
      var cc = { label: 'run ' + id, metrics: det.curves };
      window.AssayPage.render({
        single: true,
        experiments: [{
          id: 'x0', name: exp, metrics: metrics.map(function (m) { return { name: m }; }), rows: [],
          headline: { base_index: -1, head_index: 0, head: 'seed ' + c.seed[i] },
          curves: { head: { 0: cc } }
        }]
      });
    } else if (window.AssayPage) {
      window.AssayPage.tables();
    }
    document.documentElement.dataset.runShown = id;
  }

  window.assaySite = {
    load: load,
    loadIndex: loadIndex,
    // search is for tests and benchmarks: the page's own search, by hand.
    search: function (where, sort, branchOnly) {
      return loadIndex().then(function (ix) {
        try {
          var r = search(ix, where, sort || '', !!branchOnly);
          return { ids: r.hits.map(function (h) { return h.id; }), matched: r.matched, skipped: r.skipped, ms: r.ms };
        } catch (e) {
          if (e instanceof Q.QueryError) return { error: e.message };
          throw e;
        }
      });
    }
  };

  function start() {
    setupSearch();
    setupRun();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
