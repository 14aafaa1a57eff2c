// The asset sales dashboard: its four charts and the device map (data from json_script, no requests).
(function () {
  "use strict";

  const charts = PortalCharts.data("dashboard-charts");
  // The score bands, lowest first, with their labels and colours: the server's (analytics.score_bands).
  const bands = PortalCharts.data("score-bands");
  const bandColour = Object.fromEntries(bands.map((band) => [band.label, band.colour]));
  const primary = PortalCharts.colour("--primary");

  PortalCharts.draw(
    "chart-trend",
    {
      type: "line",
      data: {
        labels: charts.trend.map((day) => day.date),
        datasets: [
          {
            label: "Revenue",
            data: charts.trend.map((day) => day.revenue),
            borderColor: primary,
            backgroundColor: PortalCharts.colour("--primary-soft"),
            fill: true,
            tension: 0,
            pointRadius: charts.trend.length > 60 ? 0 : 2,
          },
        ],
      },
      options: { interaction: { intersect: false, mode: "index" }, scales: { x: { ticks: { maxTicksLimit: 8 } } } },
    },
    "y"
  );

  PortalCharts.draw(
    "chart-locations",
    {
      type: "bar",
      data: {
        labels: charts.locations.map((row) => row.name),
        datasets: [{ label: "Revenue", data: charts.locations.map((row) => row.revenue), backgroundColor: primary }],
      },
      options: { indexAxis: "y" },
    },
    "x"
  );

  PortalCharts.draw(
    "chart-venue-types",
    {
      type: "bar",
      data: {
        labels: charts.venue_types.map((row) => row.name.charAt(0).toUpperCase() + row.name.slice(1)),
        datasets: [
          {
            label: "Revenue",
            data: charts.venue_types.map((row) => row.revenue),
            backgroundColor: PortalCharts.colour("--accent"),
          },
        ],
      },
    },
    "y"
  );

  PortalCharts.draw("chart-scores", {
    type: "bar",
    data: {
      labels: bands.map((band) => band.label),
      datasets: [
        {
          label: "Devices",
          data: bands.map((band) => charts.score_distribution[band.label]),
          backgroundColor: bands.map((band) => band.colour),
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });

  // The map: one circle per device with coordinates, coloured by its score band. Tiles only when the
  // operator configured a tile server (MAP_TILE_URL); otherwise the markers sit on a plain background.
  const map = PortalCharts.data("dashboard-map");
  const element = document.getElementById("device-map");
  const leaflet = L.map(element, { attributionControl: Boolean(map.tile_url), zoomSnap: 0.25 });
  if (map.tile_url) {
    L.tileLayer(map.tile_url, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(leaflet);
  } else {
    element.classList.add("device-map-plain");
  }

  const popup = function (point) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const title = document.createElement("strong");
    title.textContent = point.asset;
    box.appendChild(title);
    [
      ["Location", point.location || "—"],
      ["Revenue", PortalCharts.money.format(point.revenue)],
      ["Daily avg", PortalCharts.money.format(point.daily_revenue)],
      ["Units", String(point.units)],
      ["Score", point.score.toFixed(1)],
    ].forEach(function ([label, value]) {
      const line = document.createElement("div");
      line.textContent = label + ": " + value;
      box.appendChild(line);
    });
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = "View device →";
    box.appendChild(link);
    return box;
  };

  const markers = map.points.map(function (point) {
    const colour = bandColour[point.band];
    return L.circleMarker([point.lat, point.lng], {
      radius: 8,
      color: "#ffffff",
      weight: 1.5,
      fillColor: colour,
      fillOpacity: 0.9,
      className: "device-marker",
    })
      .bindPopup(popup(point))
      .addTo(leaflet);
  });
  if (markers.length) {
    leaflet.fitBounds(L.featureGroup(markers).getBounds().pad(0.15), { maxZoom: 14 });
  } else {
    leaflet.setView([39.8283, -98.5795], 4);
  }
  element.dataset.markers = String(markers.length);
})();
