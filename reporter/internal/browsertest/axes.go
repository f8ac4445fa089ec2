package browsertest

// OutsideAxesJS is a JavaScript expression that lists every value a
// page's charts draw outside their axes: for each ECharts chart, each
// series the legend shows, each value of each point against the range of
// the axis it is drawn on (a parallel-coordinates line against every
// axis it crosses). An empty list means every drawn series lies inside
// its axes. Evaluate it with Eval[[]string].
const OutsideAxesJS = `(function () {
  var out = [];
  var inside = function (v, e) {
    var tol = Math.abs(e[1] - e[0]) * 1e-9 + 1e-12;
    return v >= e[0] - tol && v <= e[1] + tol;
  };
  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
    var c = echarts.getInstanceByDom(el);
    if (!c) return;
    var opt = c.getOption(), m = c.getModel();
    var sel = (opt.legend && opt.legend[0] && opt.legend[0].selected) || {};
    var where = el.dataset.chart + (el.dataset.metric ? ' of ' + el.dataset.metric : '');
    opt.series.forEach(function (s) {
      if (sel[s.name] === false) return;
      if (s.type === 'parallel') {
        (s.data || []).forEach(function (d) {
          (d.value || d).forEach(function (v, dim) {
            var axm = m.getComponent('parallelAxis', dim), ax = axm.axis;
            if (ax.type === 'category') {
              if (ax.scale.getOrdinalMeta().categories.indexOf(String(v)) < 0) out.push(where + ': ' + s.name + ' value ' + v + ' is no category of axis ' + axm.get('name'));
              return;
            }
            if (typeof v === 'number' && isFinite(v) && !inside(v, ax.scale.getExtent())) {
              out.push(where + ': ' + s.name + ' value ' + v + ' outside axis ' + axm.get('name') + ' [' + ax.scale.getExtent() + ']');
            }
          });
        });
        return;
      }
      var xa = m.getComponent('xAxis', s.xAxisIndex || 0).axis, ya = m.getComponent('yAxis', s.yAxisIndex || 0).axis;
      var xe = xa.scale.getExtent(), ye = ya.scale.getExtent();
      (s.data || []).forEach(function (d) {
        var v = d !== null && typeof d === 'object' && !Array.isArray(d) ? d.value : d;
        var x = null, ys = [v];
        if (Array.isArray(v)) { x = v[0]; ys = v.slice(1); }
        if (xa.type === 'time' && typeof x === 'string') x = Date.parse(x);
        if (xa.type !== 'category' && typeof x === 'number' && isFinite(x) && !inside(x, xe)) {
          out.push(where + ': ' + s.name + ' x ' + x + ' outside [' + xe + ']');
        }
        ys.forEach(function (y) {
          if (typeof y === 'number' && isFinite(y) && !inside(y, ye)) out.push(where + ': ' + s.name + ' y ' + y + ' outside [' + ye + ']');
        });
      });
    });
  });
  return out;
})()`
