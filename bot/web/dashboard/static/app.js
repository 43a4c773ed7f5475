// Kudos dashboard: charts from the numbers each page already shows (the tables stay the
// source), focus on the new content after a page is swapped in place by htmx, and a secret
// shown once selected whole when focused, ready to copy.
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec = JSON.parse(canvas.dataset.chart);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: canvas.dataset.kind || "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.values, backgroundColor: "#0b57d0" }]
        },
        options: {
          indexAxis: canvas.dataset.axis || "y",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input.secret")) event.target.select();
  });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.target); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
  });
})();
