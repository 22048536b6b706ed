// Where the time goes: median and 90th percentile working hours per route step, against the step's share.
(function () {
  var el = document.getElementById("timing-data");
  var canvas = document.getElementById("timing-chart");
  if (!el || !canvas || typeof Chart === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  if (!d) { return; }
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        {label: "Trung vị (giờ làm việc)", data: d.median_hours, backgroundColor: "#0d6efd"},
        {label: "90% hồ sơ trong (giờ)", data: d.p90_hours, backgroundColor: "#fd7e14"},
        {label: "Thời gian được giao (giờ)", data: d.share_hours, backgroundColor: "#adb5bd"},
        {label: "Tỷ lệ hồ sơ trễ do bước này (%)", data: d.late_share, backgroundColor: "#dc3545", yAxisID: "pct"}
      ]
    },
    options: {
      responsive: true,
      animation: false,
      scales: {
        y: {beginAtZero: true, title: {display: true, text: "giờ làm việc"}},
        pct: {beginAtZero: true, max: 100, position: "right", grid: {drawOnChartArea: false}, title: {display: true, text: "%"}}
      }
    }
  });
})();
