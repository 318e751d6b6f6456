// The trend of one analyte with its normal band (Chart.js). Data comes from the
// <script type="application/json"> block the canvas names in data-source; no
// inline script, so a strict Content-Security-Policy needs no exceptions.
(function () {
  "use strict";

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var points = data.points || [];
    var labels = points.map(function (p) {
      var parts = p.x.split("-");
      return parts[2] + "." + parts[1] + "." + parts[0];
    });
    var colours = points.map(function (p) {
      return p.flag === "normal" ? "#0b6e4f" : p.flag === "critical" ? "#7a0b05" : "#b3261e";
    });
    var band = "rgba(11, 110, 79, 0.12)";
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          {
            label: data.name + (data.unit ? ", " + data.unit : ""),
            data: points.map(function (p) { return p.y; }),
            borderColor: "#1b2430",
            pointBackgroundColor: colours,
            pointBorderColor: colours,
            pointRadius: 5,
            tension: 0.2,
            order: 0,
          },
          {
            label: canvas.dataset.lowLabel,
            data: points.map(function (p) { return p.low; }),
            borderColor: "rgba(11, 110, 79, 0.5)",
            borderDash: [4, 4],
            pointRadius: 0,
            fill: "+1",
            backgroundColor: band,
            order: 1,
          },
          {
            label: canvas.dataset.highLabel,
            data: points.map(function (p) { return p.high; }),
            borderColor: "rgba(11, 110, 79, 0.5)",
            borderDash: [4, 4],
            pointRadius: 0,
            fill: false,
            order: 2,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        spanGaps: true,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          title: { display: true, text: canvas.dataset.bandLabel + ": " + bandText(points) },
        },
        scales: { y: { beginAtZero: false } },
      },
    });
  }

  function bandText(points) {
    var last = points[points.length - 1] || {};
    var show = function (v) { return String(v).replace(".", ","); };
    if (last.low != null && last.high != null) return show(last.low) + "–" + show(last.high);
    if (last.low != null) return "≥ " + show(last.low);
    if (last.high != null) return "≤ " + show(last.high);
    return "—";
  }

  function start() {
    document.querySelectorAll("canvas[data-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
