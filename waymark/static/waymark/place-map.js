// The Places map: H3 areas coloured by result over the wards' boundaries. It needs no tile
// server; a tile layer is added only when the deployment names one (WAYMARK_TILE_URL). The table
// beside the map holds the same results, so the page works without this script.
(function () {
  "use strict";
  var holder = document.getElementById("place-map");
  var source = document.getElementById("place-map-data");
  if (!holder || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = data.colours;

  var map = L.map(holder, { scrollWheelZoom: false, zoomSnap: 0.25, attributionControl: Boolean(data.tiles) });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
  }
  var wards = L.geoJSON(data.wards, {
    style: { color: "#505a5f", weight: 1, fill: true, fillColor: "#f3f2f1", fillOpacity: 0.6 },
    interactive: false
  }).addTo(map);

  var slice = null; // null: the whole period
  function classOf(feature) {
    if (slice === null) { return feature.properties.cls; }
    var value = feature.properties.slices[slice] || 0;
    return value * 2; // per-slice results are at the chosen confidence; draw them as 95%
  }
  function style(feature) {
    var cls = classOf(feature);
    return {
      color: cls === 0 ? "#b1b4b6" : "#0b0c0c",
      weight: cls === 0 ? 0.5 : 1,
      fillColor: colours[String(cls)],
      fillOpacity: cls === 0 ? 0.15 : 0.75
    };
  }
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }
  var cells = L.geoJSON(data.cells, {
    style: style,
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup(
        "<p class=\"govuk-body-s govuk-!-margin-bottom-1\"><strong>" + text(p.name) + "</strong></p>" +
        "<p class=\"govuk-body-s govuk-!-margin-bottom-1\">" + text(p.label) + "</p>" +
        "<p class=\"govuk-body-s govuk-!-margin-bottom-1\">Concerns: " + text(p.count) + "; trend: " + text(p.trend) + "</p>" +
        "<p class=\"govuk-body-s govuk-!-margin-bottom-0\"><a class=\"govuk-link\" href=\"" + encodeURI(p.url) + "\">Places and concerns in this area</a></p>"
      );
    }
  }).addTo(map);

  var bounds = cells.getLayers().length ? cells.getBounds() : wards.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([52.6, -1.1], 12); }

  var controls = document.getElementById("place-map-slices");
  var slider = document.getElementById("slice");
  var label = document.getElementById("slice-label");
  if (controls && slider && data.slices.length) {
    controls.hidden = false;
    slider.addEventListener("input", function () {
      var value = parseInt(slider.value, 10);
      slice = value >= data.slices.length ? null : value;
      label.textContent = slice === null ? "The whole period" : "The " + (data.interval || "period") + " starting " + data.slices[slice];
      cells.setStyle(style);
    });
  }
})();
