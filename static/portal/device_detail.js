// The device page's charts: revenue with the forecast band and anomalies, weekday and hourly patterns.
(function () {
  "use strict";

  const charts = PortalCharts.data("device-charts");
  const primary = PortalCharts.colour("--primary");
  const forecastColour = PortalCharts.colour("--accent");

  // One x axis for history and forecast; each series is null where it has no value.
  const labels = charts.daily.map((day) => day.date).concat(charts.forecast.map((day) => day.date));
  const history = charts.daily.length;
  const padded = function (values, before) {
    return before ? new Array(history).fill(null).concat(values) : values.concat(new Array(charts.forecast.length).fill(null));
  };
  const anomalies = new Map(charts.anomalies.map((day) => [day.date, day.revenue]));

  PortalCharts.draw(
    "chart-device-trend",
    {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          {
            label: "Revenue",
            data: padded(charts.daily.map((day) => day.revenue), false),
            borderColor: primary,
            pointRadius: history > 60 ? 0 : 2,
            tension: 0.2,
          },
          {
            label: "Forecast low",
            data: padded(charts.forecast.map((day) => day.lower), true),
            borderWidth: 0,
            pointRadius: 0,
          },
          {
            label: "Forecast high",
            data: padded(charts.forecast.map((day) => day.upper), true),
            borderWidth: 0,
            pointRadius: 0,
            fill: "-1",
            backgroundColor: PortalCharts.colour("--accent-soft"),
          },
          {
            label: "Forecast",
            data: padded(charts.forecast.map((day) => day.revenue), true),
            borderColor: forecastColour,
            borderDash: [6, 4],
            pointRadius: 0,
          },
          {
            label: "Anomaly",
            data: labels.map((date) => (anomalies.has(date) ? anomalies.get(date) : null)),
            showLine: false,
            pointRadius: 6,
            pointStyle: "rectRot",
            pointBackgroundColor: PortalCharts.colour("--danger"),
            pointBorderColor: "#ffffff",
          },
        ],
      },
      options: {
        interaction: { intersect: false, mode: "index" },
        plugins: { legend: { display: true, labels: { usePointStyle: true, filter: (item) => !item.text.startsWith("Forecast ") } } },
        scales: { x: { ticks: { maxTicksLimit: 8 } } },
      },
    },
    "y"
  );

  PortalCharts.draw(
    "chart-weekdays",
    {
      type: "bar",
      data: {
        labels: charts.weekdays.map((day) => day.name.slice(0, 3)),
        datasets: [{ label: "Avg revenue", data: charts.weekdays.map((day) => day.revenue), backgroundColor: primary }],
      },
    },
    "y"
  );

  PortalCharts.draw("chart-hours", {
    type: "bar",
    data: {
      labels: charts.hours.map((hour) => String(hour.hour).padStart(2, "0")),
      datasets: [
        { label: "Units", data: charts.hours.map((hour) => hour.units), backgroundColor: PortalCharts.colour("--accent") },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
