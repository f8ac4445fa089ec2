// assay's pages: sortable and filterable tables, and charts drawn with
// the vendored ECharts from the data the page embeds as JSON in
// <script type="application/json" id="assay-data">. Text from the data
// only ever reaches the page as text (textContent, canvas) or through
// esc(), so a param named <script> stays a name.
(function () {
  'use strict';

  var SIDE_COLOURS = { base: '#7a869a', head: '#1f6feb' };
  var TRIGGER_COLOURS = { pr: '#1f6feb', push: '#2da44e', schedule: '#bf8700', manual: '#8250df' };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var s = Number(v).toPrecision(4);
    if (s.indexOf('.') < 0) return s;
    return s.replace(/0+(e|$)/, '$1').replace(/\.(e|$)/, '$1');
  }

  function readData() {
    var el = document.getElementById('assay-data');
    if (!el) return {};
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      console.warn('assay: page data unreadable', e);
      return {};
    }
  }

  var data = readData();
  var experiments = {};
  (data.experiments || []).forEach(function (e) { experiments[e.id] = e; });

  // ---- tables -----------------------------------------------------------

  function cellKey(row, col) {
    var td = row.cells[col];
    if (!td) return '';
    return td.hasAttribute('data-sort') ? td.getAttribute('data-sort') : td.textContent.trim();
  }

  function sortTable(table, col, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) {
      var k = cellKey(r, col);
      return k === '' || !isNaN(Number(k));
    });
    rows.sort(function (a, b) {
      var x = cellKey(a, col), y = cellKey(b, col);
      if (x === '' || y === '') return (x === '') - (y === ''); // blanks last
      if (numeric) return dir * (Number(x) - Number(y));
      return dir * x.localeCompare(y, undefined, { numeric: true });
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function updateCount(table) {
    var out = document.querySelector('[data-count="' + table.id + '"]');
    if (!out || !table.tBodies[0]) return;
    var rows = table.tBodies[0].rows, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      if (!rows[i].classList.contains('f-text') && !rows[i].classList.contains('f-brush')) shown++;
    }
    var noun = rows.length === 1 ? ' row' : ' rows';
    out.textContent = shown === rows.length ? rows.length + noun : shown + ' of ' + rows.length + noun;
  }

  function filterTable(table, query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (r) {
      var text = r.textContent.toLowerCase();
      var keep = terms.every(function (t) { return text.indexOf(t) >= 0; });
      r.classList.toggle('f-text', !keep);
    });
    updateCount(table);
  }

  function setupTables() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
      if (!table.tHead) return;
      var head = table.tHead.rows[table.tHead.rows.length - 1];
      Array.prototype.forEach.call(head.cells, function (th, col) {
        if (th.hasAttribute('data-sortable')) return;
        th.setAttribute('data-sortable', '');
        th.tabIndex = 0;
        th.title = 'Sort';
        var go = function () { sortTable(table, col, th); };
        th.addEventListener('click', go);
        th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
      });
      updateCount(table);
    });
    Array.prototype.forEach.call(document.querySelectorAll('input[data-filter]'), function (input) {
      var table = document.getElementById(input.getAttribute('data-filter'));
      if (!table || input.hasAttribute('data-filtering')) return;
      input.setAttribute('data-filtering', '');
      input.addEventListener('input', function () { filterTable(table, input.value); });
      if (input.value) filterTable(table, input.value);
    });
  }

  // ---- curves -------------------------------------------------------------

  // selected[exp id] is the config pair whose curves are drawn.
  var selected = {};

  function selection(exp) {
    if (!selected[exp.id]) {
      var h = exp.headline || (exp.rows && exp.rows[0]) || { base_index: -1, head_index: -1 };
      selected[exp.id] = { base: h.base_index, head: h.head_index, label: h.head || h.base || '' };
    }
    return selected[exp.id];
  }

  function stepsOf(c) {
    if (c.steps) return c.steps;
    var out = new Array(c.n);
    for (var i = 0; i < c.n; i++) out[i] = c.start + i * c.stride;
    return out;
  }

  function meanSD(values, n) {
    var mean = new Array(n), sd = new Array(n);
    for (var j = 0; j < n; j++) {
      var s = 0, k = 0;
      for (var i = 0; i < values.length; i++) {
        var v = values[i][j];
        if (v !== null) { s += v; k++; }
      }
      if (k === 0) { mean[j] = null; sd[j] = null; continue; }
      var m = s / k, q = 0;
      for (i = 0; i < values.length; i++) {
        v = values[i][j];
        if (v !== null) q += (v - m) * (v - m);
      }
      mean[j] = m;
      sd[j] = k > 1 ? Math.sqrt(q / (k - 1)) : 0;
    }
    return { mean: mean, sd: sd };
  }

  function pairs(steps, ys) {
    return steps.map(function (s, j) { return [s, ys[j]]; });
  }

  // comparing tells a comparison (two sides, base and head) from a page
  // of one experiment or one run, whose curves have no sides.
  function comparing() { return !!(data.base || data.head); }

  // sideLabel names a side's lines in legends: a comparison's base or
  // head, or what the page says its sides are (an experiment page's
  // default branch, and the pull requests and other branches).
  function sideLabel(side) {
    if (data.sides && data.sides[side]) return data.sides[side].label;
    var ref = data[side];
    return side + (ref && ref.label ? ' · ' + ref.label : '');
  }

  // hiddenSides lists the legend names a chart starts with turned off.
  function hiddenSides(names) {
    var out = {};
    ['base', 'head'].forEach(function (side) {
      if (data.sides && data.sides[side] && data.sides[side].hidden && names.indexOf(sideLabel(side)) >= 0) out[sideLabel(side)] = false;
    });
    return out;
  }

  // curveName names a config's curve: the comparison's side, or on a page
  // without sides what the line is: one seed's, or the mean over seeds.
  function curveName(side, c) {
    if (comparing()) return sideLabel(side);
    return c.seeds.length === 1 ? 'seed ' + c.seeds[0] : 'mean over ' + c.seeds.length + ' seeds';
  }

  // curveOption draws, for each side, the mean over seeds with a ±1 sd
  // band, and each seed as a faint line; the tooltip lists every seed. A
  // side of one seed is that seed's line alone: there is no mean to draw.
  function curveOption(exp, metric) {
    var sel = selection(exp);
    var series = [], meta = [], legend = [];
    ['base', 'head'].forEach(function (side) {
      var idx = sel[side];
      var cc = exp.curves && exp.curves[side] && exp.curves[side][idx];
      var c = cc && cc.metrics[metric];
      if (!c) return;
      var steps = stepsOf(c);
      var colour = SIDE_COLOURS[side];
      var name = curveName(side, c);
      legend.push(name);
      if (c.values.length === 1) {
        series.push({ type: 'line', name: name, data: pairs(steps, c.values[0]), symbol: 'none', connectNulls: true, color: colour, lineStyle: { width: 2 }, z: 3 });
        meta.push({ side: side, kind: 'seed', seed: c.seeds[0], only: true });
        return;
      }
      var st = meanSD(c.values, steps.length);
      series.push(bandSeries(name + ' ±1 sd', steps, st, colour));
      meta.push({ side: side, kind: 'band' });
      c.values.forEach(function (vals, i) {
        series.push({ type: 'line', name: name + ' seed ' + c.seeds[i], data: pairs(steps, vals), symbol: 'none', connectNulls: true, color: colour, lineStyle: { width: 1, opacity: 0.3 }, emphasis: { focus: 'series', lineStyle: { width: 2, opacity: 1 } }, z: 2 });
        meta.push({ side: side, kind: 'seed', seed: c.seeds[i] });
      });
      series.push({ type: 'line', name: name, data: pairs(steps, st.mean), symbol: 'none', connectNulls: true, color: colour, lineStyle: { width: 2.5 }, z: 3 });
      meta.push({ side: side, kind: 'mean', sd: st.sd });
    });
    return {
      animation: false,
      color: [SIDE_COLOURS.base, SIDE_COLOURS.head],
      title: { text: metric + goalMark(exp, metric), left: 0, textStyle: { fontSize: 13 } },
      legend: { data: legend, top: 0, right: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 40 },
      xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24, scale: true },
      yAxis: { type: 'value', scale: true },
      dataZoom: [{ type: 'inside' }],
      tooltip: {
        trigger: 'axis',
        formatter: function (params) { return curveTooltip(params, meta); }
      },
      series: series
    };
  }

  // bandSeries shades mean ± sd between each pair of neighbouring steps:
  // a custom series, so it fills exactly between the two edges on any
  // axis, and a gap where a step has no value.
  function bandSeries(name, steps, st, colour) {
    var rows = steps.map(function (s, j) {
      var m = st.mean[j];
      return m === null ? [s, null, null] : [s, m - st.sd[j], m + st.sd[j]];
    });
    return {
      type: 'custom', name: name, silent: true, z: 1, clip: true,
      data: rows,
      encode: { x: 0, y: [1, 2] },
      renderItem: function (params, api) {
        var j = params.dataIndex;
        var a = rows[j], b = rows[j + 1];
        if (!b || a[1] === null || b[1] === null) return null;
        return {
          type: 'polygon',
          shape: { points: [api.coord([a[0], a[2]]), api.coord([b[0], b[2]]), api.coord([b[0], b[1]]), api.coord([a[0], a[1]])] },
          style: { fill: colour, opacity: 0.18, stroke: null }
        };
      }
    };
  }

  function goalMark(exp, metric) {
    var m = (exp.metrics || []).filter(function (x) { return x.name === metric; })[0];
    if (!m || !m.goal) return '';
    return m.goal === 'maximize' ? '  ↑' : '  ↓';
  }

  function curveTooltip(params, meta) {
    if (!params.length) return '';
    var out = ['<b>step ' + esc(params[0].value[0]) + '</b>'];
    ['base', 'head'].forEach(function (side) {
      var lines = [];
      params.forEach(function (p) {
        var m = meta[p.seriesIndex];
        if (!m || m.side !== side) return;
        if (m.kind === 'mean') {
          lines.unshift(p.marker + '<b>' + esc(side) + '</b> mean ' + esc(fmt(p.value[1])) + ' ± ' + esc(fmt(m.sd[p.dataIndex])));
        } else if (m.kind === 'seed') {
          lines.push((m.only ? p.marker + (comparing() ? '<b>' + esc(side) + '</b> ' : '') : '&nbsp;&nbsp;') + 'seed ' + esc(m.seed) + ': ' + esc(fmt(p.value[1])));
        }
      });
      out = out.concat(lines);
    });
    return out.join('<br>');
  }

  // ---- parallel coordinates ------------------------------------------------

  // parallelLines[exp id][series] are the lines each parallel series draws,
  // to map brushed data back to configs.
  var parallelLines = {};

  function parallelOption(exp) {
    var p = exp.parallel;
    var dims = p.params.concat([p.metric]);
    var axes = dims.map(function (name, i) {
      var vals = p.lines.map(function (l) { return l.values[i]; });
      var numeric = vals.every(function (v) { return v === null || typeof v === 'number'; });
      var ax = { id: 'axis' + i, dim: i, name: name + (i === dims.length - 1 ? goalMark(exp, name) : '') };
      if (!numeric) {
        ax.type = 'category';
        ax.data = vals.map(String).filter(function (v, k, a) { return a.indexOf(v) === k; }).sort();
      } else {
        // The range covers every side's lines, whichever side ECharts
        // would otherwise take it from, padded so no line sits on the
        // frame.
        var nums = vals.filter(function (v) { return typeof v === 'number' && isFinite(v); });
        if (nums.length) {
          var r = niceRange(Math.min.apply(null, nums), Math.max.apply(null, nums));
          ax.min = r[0];
          ax.max = r[1];
          ax.interval = r[2];
        }
        ax.axisLabel = { formatter: function (v) { return fmt(v); } };
      }
      return ax;
    });
    var series = ['base', 'head'].map(function (side) {
      var lines = p.lines.filter(function (l) { return l.side === side; });
      return {
        type: 'parallel', name: sideLabel(side), color: SIDE_COLOURS[side],
        lineStyle: { width: 1.5, opacity: 0.7 }, inactiveOpacity: 0.05,
        data: lines.map(function (l) {
          return { value: l.values.map(function (v, i) { return axes[i].type === 'category' ? String(v) : v; }), label: l.label };
        }),
        lines: lines
      };
    }).filter(function (s) { return s.data.length > 0; });
    parallelLines[exp.id] = series.map(function (s) { return s.lines; });
    var names = series.map(function (s) { return s.name; });
    return {
      animation: false,
      legend: { top: 0, left: 0, data: names, selected: hiddenSides(names) },
      parallel: { left: 56, right: 96, top: 64, bottom: 28 },
      parallelAxis: axes,
      tooltip: {
        trigger: 'item',
        formatter: function (pt) { return '<b>' + esc(pt.seriesName) + '</b><br>' + esc(pt.data.label) + '<br>' + esc(p.metric) + ': ' + esc(fmt(pt.value[dims.length - 1])); }
      },
      series: series.map(function (s) { var o = {}; for (var k in s) if (k !== 'lines') o[k] = s[k]; return o; })
    };
  }

  // niceRange widens [lo, hi] to whole steps of 1, 2 or 5 × 10^k, about
  // five of them, so the axis ends on labelled ticks and every value lies
  // inside it.
  function niceRange(lo, hi) {
    if (hi === lo) {
      var d = Math.abs(lo) * 0.1 || 1;
      lo -= d;
      hi += d;
    }
    var raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), step = mag;
    [1, 2, 5, 10].some(function (m) { step = m * mag; return step >= raw; });
    var a = Math.floor(lo / step) * step, b = Math.ceil(hi / step) * step;
    // Round away the float noise of the multiplications.
    var digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
    return [Number(a.toFixed(digits)), Number(b.toFixed(digits)), step];
  }

  // brushFilter keeps the config table rows whose configs are inside the
  // brushed ranges of every axis.
  function brushFilter(chart, exp) {
    var table = document.getElementById(exp.id + '-configs');
    if (!table) return;
    var models = chart.getModel().getSeries();
    var keep = { base: {}, head: {} }, brushed = false;
    models.forEach(function (m, k) {
      var lines = parallelLines[exp.id][k];
      if (m.getRawIndicesByActiveState('inactive').length > 0) brushed = true;
      m.getRawIndicesByActiveState('active').forEach(function (i) { keep[lines[i].side][lines[i].config] = true; });
    });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var b = r.getAttribute('data-base-index'), h = r.getAttribute('data-head-index');
      var inside = !brushed || keep.base[b] || keep.head[h];
      r.classList.toggle('f-brush', !inside);
    });
    updateCount(table);
  }

  // ---- trend and history -----------------------------------------------------

  function trendOption(exp, metric) {
    var t = (exp.trend || []).filter(function (x) { return x.metric === metric; })[0];
    return {
      animation: false,
      title: { text: metric + goalMark(exp, metric) + ' by night', left: 0, textStyle: { fontSize: 13 } },
      grid: { left: 56, right: 16, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: t.points.map(function (p) { return p.date; }) },
      yAxis: { type: 'value', scale: true },
      tooltip: {
        trigger: 'axis',
        formatter: function (ps) { var p = t.points[ps[0].dataIndex]; return esc(p.date) + '<br>' + esc(metric) + ': ' + esc(fmt(p.value)) + ' (n=' + esc(p.n) + ')'; }
      },
      series: [{ type: 'line', name: metric, data: t.points.map(function (p) { return p.value; }), color: SIDE_COLOURS.head, symbolSize: 6 }]
    };
  }

  // historyOption draws every run by trigger; runs that do not count for
  // the default branch are one series of their own, off until the reader
  // turns it on.
  function historyOption() {
    var h = data.history;
    var OTHER = data.sides && data.sides.base ? data.sides.base.label : 'other branches';
    var byTrigger = {};
    h.points.forEach(function (p) {
      var k = p.other ? OTHER : (p.trigger || 'manual');
      (byTrigger[k] = byTrigger[k] || []).push(p);
    });
    var series = Object.keys(byTrigger).sort().map(function (tr) {
      return {
        type: 'scatter', name: tr, color: tr === OTHER ? '#d4a72c' : (TRIGGER_COLOURS[tr] || '#57606a'), symbolSize: 7,
        data: byTrigger[tr].map(function (p) { return { value: [p.t, p.v], run: p.run, label: h.labels[p.l] }; })
      };
    });
    var selected = {};
    if (byTrigger[OTHER]) selected[OTHER] = false;
    return {
      animation: false,
      title: { text: h.metric + ' per run', left: 0, textStyle: { fontSize: 13 } },
      legend: { top: 0, right: 0, selected: selected },
      grid: { left: 56, right: 16, top: 40, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      tooltip: {
        trigger: 'item',
        formatter: function (p) { return '<b>' + esc(p.data.run) + '</b><br>' + esc(p.data.label) + '<br>' + esc(h.metric) + ': ' + esc(fmt(p.value[1])); }
      },
      series: series
    };
  }

  // ---- drawing --------------------------------------------------------------

  var charts = [];
  var resizing = false;

  function draw(el) {
    if (el.getAttribute('data-rendered')) return;
    var kind = el.getAttribute('data-chart');
    var exp = experiments[el.getAttribute('data-exp')];
    var metric = el.getAttribute('data-metric');
    var option;
    if (kind === 'curves' && exp) option = curveOption(exp, metric);
    else if (kind === 'parallel' && exp && exp.parallel) option = parallelOption(exp);
    else if (kind === 'trend' && exp) option = trendOption(exp, metric);
    else if (kind === 'history' && data.history) option = historyOption();
    if (!option) return;
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(option);
    if (kind === 'parallel') {
      chart.on('axisareaselected', function () { brushFilter(chart, exp); });
    }
    if (kind === 'history') {
      chart.on('click', function (p) { if (p.data && p.data.run) window.location.href = (data.run_link || '/runs/') + encodeURIComponent(p.data.run); });
    }
    charts.push(chart);
    el.setAttribute('data-rendered', String(option.series.length));
  }

  function redrawCurves(expId) {
    var exp = experiments[expId];
    Array.prototype.forEach.call(document.querySelectorAll('[data-chart="curves"][data-exp="' + expId + '"]'), function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (!chart) return;
      var option = curveOption(exp, el.getAttribute('data-metric'));
      chart.setOption(option, { notMerge: true });
      el.setAttribute('data-rendered', String(option.series.length));
    });
    var label = document.querySelector('[data-curve-label="' + expId + '"]');
    if (label) label.textContent = selection(exp).label;
  }

  // Clicking a config row draws that config's curves.
  function setupRowSelection() {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-select-exp]'), function (table) {
      var expId = table.getAttribute('data-select-exp');
      var exp = experiments[expId];
      if (!exp || !exp.curves || !table.tBodies[0] || table.hasAttribute('data-selecting')) return;
      table.setAttribute('data-selecting', '');
      table.tBodies[0].addEventListener('click', function (ev) {
        var tr = ev.target.closest('tr');
        if (!tr || ev.target.closest('a')) return;
        var b = tr.getAttribute('data-base-index'), h = tr.getAttribute('data-head-index');
        var has = function (side, i) { return exp.curves[side] && exp.curves[side][i]; };
        if (!has('base', b) && !has('head', h)) return;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) { r.classList.remove('selected'); });
        tr.classList.add('selected');
        selected[expId] = {
          base: Number(tr.getAttribute('data-base-index')),
          head: Number(tr.getAttribute('data-head-index')),
          label: tr.getAttribute('data-label') || ''
        };
        redrawCurves(expId);
      });
    });
  }

  // Charts in view are drawn first; the rest follow while the page is
  // idle, so the first paint never waits on a long report.
  function setupCharts() {
    var els = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
    if (typeof echarts === 'undefined') {
      if (els.length) console.warn('assay: chart library missing; tables only');
      document.documentElement.setAttribute('data-charts-done', '0');
      return;
    }
    if ('IntersectionObserver' in window) {
      var io = new IntersectionObserver(function (entries) {
        entries.forEach(function (en) { if (en.isIntersecting) { draw(en.target); io.unobserve(en.target); } });
      }, { rootMargin: '200px' });
      els.forEach(function (el) { io.observe(el); });
    }
    var later = window.requestIdleCallback || function (fn) { return setTimeout(fn, 16); };
    var i = 0;
    (function next() {
      if (i >= els.length) { document.documentElement.setAttribute('data-charts-done', String(els.length)); return; }
      draw(els[i++]);
      later(next);
    })();
    if (resizing) return;
    resizing = true;
    var pending;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 100);
    });
  }

  // Name the config whose curves each experiment shows first.
  function labelCurves() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-curve-label]'), function (el) {
      var exp = experiments[el.getAttribute('data-curve-label')];
      if (exp) el.textContent = selection(exp).label;
    });
  }

  // AssayPage lets a page that builds its content in the browser (the
  // site's run and search pages) set up what it added: its tables, and
  // its charts from data it loaded.
  window.AssayPage = {
    tables: setupTables,
    render: function (d) {
      data = d || {};
      experiments = {};
      (data.experiments || []).forEach(function (e) { experiments[e.id] = e; });
      setupTables();
      labelCurves();
      setupRowSelection();
      setupCharts();
    }
  };

  // Rows marked "later" (past the first screenful of a long table) wait
  // until after the first paint and are shown in the frame after it.
  function showLaterRows() {
    var rows = document.querySelectorAll('tr.later');
    if (!rows.length) return;
    var show = function () {
      Array.prototype.forEach.call(rows, function (r) { r.classList.remove('later'); });
      document.documentElement.setAttribute('data-rows-shown', String(rows.length));
    };
    if (window.requestAnimationFrame) requestAnimationFrame(function () { setTimeout(show, 0); });
    else setTimeout(show, 0);
  }

  setupTables();
  labelCurves();
  setupRowSelection();
  setupCharts();
  showLaterRows();
})();
