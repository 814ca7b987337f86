/*
 * Map of the imagery request form and detail page (Leaflet + Leaflet.draw).
 *
 * <div data-dinamis-imagery-map
 *      data-field="field-area"            textarea holding the GeoJSON geometry (the form field)
 *      data-file-input="field-area-file"  optional <input type=file> for a .geojson file
 *      data-readonly="true"               detail page: show the area, no drawing
 *      data-tile-url="..." data-tile-attribution="..."   empty url: no basemap
 *      data-summary="area-summary"        element where the drawn area is described
 *      data-messages='{"...": "..."}'>    translated messages (JSON)
 *      data-footprints-url="/api/3/action/dinamis_relay_coverage"   optional: draws the
 *        footprints of the DINAMIS datasets the user may see in the current view
 *      data-footprints-summary="id"       element where the footprints in view are counted
 *
 * The server validates the area again (geo.py); the map only helps to draw it.
 */
(function () {
  "use strict";

  function polygonsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    return [];
  }

  function geometryOf(data) {
    // A geometry, Feature or FeatureCollection of polygons, as one geometry (or null).
    if (!data || typeof data !== "object") return null;
    var polygons = [];
    if (data.type === "FeatureCollection") {
      (data.features || []).forEach(function (feature) {
        polygons = polygons.concat(polygonsOf(feature && feature.geometry));
      });
    } else if (data.type === "Feature") {
      polygons = polygonsOf(data.geometry);
    } else {
      polygons = polygonsOf(data);
    }
    if (!polygons.length) return null;
    if (polygons.length === 1) return { type: "Polygon", coordinates: polygons[0] };
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function clampBounds(bounds) {
    // west,south,east,north within WGS84; a view wider than the world asks for all of it.
    var west = bounds.getWest(), east = bounds.getEast();
    var south = Math.max(-90, bounds.getSouth()), north = Math.min(90, bounds.getNorth());
    if (east - west >= 360) {
      west = -180;
      east = 180;
    } else {
      west = ((((west + 180) % 360) + 360) % 360) - 180;
      east = ((((east + 180) % 360) + 360) % 360) - 180;
      if (east === west) east = west + 1e-6;
    }
    return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function footprints(map, container, messages) {
    // The footprints of visible DINAMIS imagery around the view: does an archive image exist?
    var url = container.getAttribute("data-footprints-url");
    if (!url || typeof fetch === "undefined") return;
    var summary = document.getElementById(container.getAttribute("data-footprints-summary") || "");
    var layer = L.geoJSON(null, {
      style: { color: "#b35900", weight: 1, dashArray: "4 3", fillOpacity: 0.08 },
      onEachFeature: function (feature, item) {
        var p = feature.properties, box = document.createElement("div");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.title;
        box.appendChild(link);
        [p.acquisition_date, p.sensor, p.cloud_cover !== null ? p.cloud_cover + " %" : null,
         p.access ? null : messages.reserved].forEach(function (text) {
          if (!text) return;
          var line = document.createElement("div");
          line.textContent = text;
          box.appendChild(line);
        });
        item.bindPopup(box);
      }
    }).addTo(map);
    var timer = null, seq = 0;
    function load() {
      var mine = ++seq;
      var query = "?bbox=" + encodeURIComponent(clampBounds(map.getBounds())) +
        "&include_footprints=true&limit=100";
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (mine !== seq || !body || !body.success) return;
          layer.clearLayers();
          body.result.results.forEach(function (d) {
            layer.addData({
              type: "Feature",
              geometry: d.footprint,
              properties: {
                title: d.title,
                url: (container.getAttribute("data-dataset-url") || "/dataset/").replace(/\/?$/, "/") +
                  encodeURIComponent(d.name),
                acquisition_date: d.acquisition_date, sensor: d.sensor,
                cloud_cover: d.cloud_cover, access: d.access
              }
            });
          });
          if (summary) {
            var n = body.result.count;
            summary.textContent = n ? (messages.footprints || "{n}").replace("{n}", n)
                                    : messages.noFootprints || "";
          }
        })
        .catch(function () { /* the map works without footprints */ });
    }
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 300);
    });
    load();
  }

  function merge(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && target[key] && typeof target[key] === "object") {
        merge(target[key], value);
      } else {
        target[key] = value;
      }
    });
  }

  function init(container) {
    var field = document.getElementById(container.getAttribute("data-field"));
    var readonly = container.getAttribute("data-readonly") === "true";
    var summary = document.getElementById(container.getAttribute("data-summary") || "");
    var messages = {};
    try {
      messages = JSON.parse(container.getAttribute("data-messages") || "{}");
    } catch (e) {
      messages = {};
    }

    var map = L.map(container, { center: [46.6, 2.4], zoom: 5 });
    var tileUrl = container.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: container.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
    }
    var drawn = new L.FeatureGroup().addTo(map);

    function say(text, isError) {
      if (!summary) return;
      summary.textContent = text || "";
      summary.className = isError ? "text-danger" : "text-muted";
    }

    function show(geometry) {
      drawn.clearLayers();
      if (!geometry) return;
      L.geoJSON(geometry).eachLayer(function (layer) {
        drawn.addLayer(layer);
      });
      var bounds = drawn.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
    }

    function sync() {
      var polygons = [];
      drawn.eachLayer(function (layer) {
        polygons = polygons.concat(polygonsOf(layer.toGeoJSON().geometry));
      });
      var geometry = null;
      if (polygons.length === 1) geometry = { type: "Polygon", coordinates: polygons[0] };
      if (polygons.length > 1) geometry = { type: "MultiPolygon", coordinates: polygons };
      field.value = geometry ? JSON.stringify(geometry) : "";
      say(geometry ? messages.drawn || "" : messages.empty || "", false);
    }

    function loadText(text) {
      var geometry = null;
      try {
        geometry = geometryOf(JSON.parse(text));
      } catch (e) {
        geometry = null;
      }
      if (!geometry) {
        say(messages.badFile || "Not a GeoJSON polygon", true);
        return false;
      }
      show(geometry);
      sync();
      return true;
    }

    if (field && field.value) {
      try {
        show(geometryOf(JSON.parse(field.value)));
      } catch (e) {
        /* a bad value stays in the field for the server to explain */
      }
    }
    footprints(map, container, messages);
    if (readonly) return;

    // Leaflet.draw's texts in the page's language (data-draw-local, from the catalogue).
    try {
      merge(L.drawLocal, JSON.parse(container.getAttribute("data-draw-local") || "{}"));
    } catch (e) {
      /* English tooltips rather than no map */
    }

    map.addControl(
      new L.Control.Draw({
        draw: {
          polygon: { allowIntersection: false, showArea: false },
          rectangle: { showArea: false },
          polyline: false,
          circle: false,
          marker: false,
          circlemarker: false
        },
        edit: { featureGroup: drawn }
      })
    );
    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.addLayer(event.layer);
      sync();
    });
    map.on(L.Draw.Event.EDITED, sync);
    map.on(L.Draw.Event.DELETED, sync);
    if (field) {
      field.addEventListener("change", function () {
        if (field.value.trim()) loadText(field.value);
        else drawn.clearLayers();
      });
    }

    var fileInput = document.getElementById(container.getAttribute("data-file-input") || "");
    if (fileInput) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file) return;
        var maxBytes = parseInt(container.getAttribute("data-max-bytes") || "0", 10);
        if (maxBytes && file.size > maxBytes) {
          say(messages.tooLarge || "File too large", true);
          return;
        }
        var reader = new FileReader();
        reader.onload = function () {
          loadText(String(reader.result || ""));
        };
        reader.readAsText(file);
      });
    }
  }

  function start() {
    if (typeof L === "undefined") return;
    var maps = document.querySelectorAll("[data-dinamis-imagery-map]");
    Array.prototype.forEach.call(maps, init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
