// Shared chart helpers: page data from json_script elements, the portal's palette and money ticks.
(function () {
  "use strict";

  const css = getComputedStyle(document.documentElement);
  const colour = function (name) {
    return css.getPropertyValue(name).trim();
  };

  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

  window.PortalCharts = {
    data: function (id) {
      return JSON.parse(document.getElementById(id).textContent);
    },
    colour: colour,
    money: money,
    // A chart that fills its .chart-box and formats money on the given axis.
    draw: function (canvasId, config, moneyAxis) {
      const canvas = document.getElementById(canvasId);
      if (!canvas) {
        return null;
      }
      config.options = Object.assign(
        {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
        },
        config.options || {}
      );
      if (moneyAxis) {
        config.options.scales = config.options.scales || {};
        config.options.scales[moneyAxis] = Object.assign(
          { beginAtZero: true, ticks: { callback: (value) => money.format(value) } },
          config.options.scales[moneyAxis] || {}
        );
        config.options.plugins.tooltip = {
          callbacks: {
            label: (item) =>
              (item.dataset.label ? item.dataset.label + ": " : "") +
              money.format(moneyAxis === "x" ? item.parsed.x : item.parsed.y),
          },
        };
      }
      Chart.defaults.font.family = css.getPropertyValue("--font").trim() || Chart.defaults.font.family;
      Chart.defaults.color = colour("--muted");
      const chart = new Chart(canvas, config);
      canvas.dataset.drawn = "true";
      return chart;
    },
  };
})();
