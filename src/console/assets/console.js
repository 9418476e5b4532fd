/* global window, document */
/*
 * The console's behaviour in the browser, served as a file (the Content-Security-Policy allows no
 * inline script). Pages work without it; it draws the board's charts with uPlot and keeps the
 * keyboard focus sensible after htmx swaps a page in.
 */
(function () {
  'use strict';

  var COLORS = ['#1d4ed8', '#c2410c', '#15803d', '#7e22ce'];

  /** Draws each [data-chart] not drawn yet: x values (bucket starts, seconds) and its series. */
  function drawCharts(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll('[data-chart]') : [];
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.getAttribute('data-drawn')) return;
      var spec = JSON.parse(el.getAttribute('data-chart'));
      if (typeof window.uPlot !== 'function' || !spec.x.length) {
        el.setAttribute('data-drawn', 'empty');
        return;
      }
      var series = [{}].concat(
        spec.series.map(function (s, i) {
          return { label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: spec.x.length < 40 } };
        }),
      );
      var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      var width = Math.max(320, Math.floor(el.getBoundingClientRect().width) || 560);
      // uPlot sets sizes through the CSSOM (element.style), which the CSP allows; it writes no style attribute or <style>.
      // The y axis wide enough for points in the millions.
      new window.uPlot({ width: width, height: 220, series: series, scales: { x: { time: true } }, axes: [{}, { size: 80 }], legend: { live: false } }, data, el);
      el.setAttribute('data-drawn', 'true');
    });
  }

  /** After htmx swaps in a page, focus its main heading's region so keyboard and screen reader users start at the top. */
  function focusMain(evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || target.tagName !== 'BODY') return;
    var main = document.getElementById('main');
    if (main) main.focus({ preventScroll: false });
  }

  function init(root) {
    drawCharts(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
    document.addEventListener('htmx:afterSettle', focusMain);
  } else {
    document.addEventListener('DOMContentLoaded', function () { init(document); });
  }
})();
