// Leader dashboard charts: monthly on-time rate (line) and channel mix (doughnut).
(function () {
  var el = document.getElementById("dashboard-data");
  if (!el || typeof Chart === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var trend = document.getElementById("trend-chart");
  if (trend && d.trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: d.trend.map(function (m) { return m.label; }),
        datasets: [{label: "Tỷ lệ đúng hạn (%)", data: d.trend.map(function (m) { return m.rate; }),
                    borderColor: "#198754", backgroundColor: "#19875433", fill: true, tension: 0.2}]
      },
      options: {animation: false, spanGaps: false, scales: {y: {min: 0, max: 100}}, plugins: {tooltip: {callbacks: {afterLabel: function (ctx) {
        var m = d.trend[ctx.dataIndex]; return m.handled + " hồ sơ, " + m.late + " trễ hạn";
      }}}}}
    });
  }
  var mix = document.getElementById("mix-chart");
  if (mix && d.mix) {
    new Chart(mix, {type: "doughnut", data: {labels: d.mix.labels,
      datasets: [{data: d.mix.values, backgroundColor: ["#0d6efd", "#6c757d", "#ffc107"]}]},
      options: {animation: false}});
  }
})();
