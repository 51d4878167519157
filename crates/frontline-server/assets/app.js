// The frontline atlas viewer. Served by `frontline serve`, it asks the
// HTTP API; inside the file `frontline atlas -o atlas.html` writes, it reads
// the data inlined as window.FRONTLINE_BUNDLE and asks nothing of the network.
(function () {
  'use strict';

  var DAY = 86400000;
  var TRANSITION_COLOURS = ['#d55e00', '#0072b2', '#cc79a7', '#009e73', '#e69f00', '#56b4e9', '#f0e442', '#000000'];
  var ROUTE_STYLES = {
    open: { color: '#000000', weight: 2.5, dashArray: null },
    checkpoint: { color: '#0072b2', weight: 3, dashArray: '8 4' },
    blockaded: { color: '#cc0000', weight: 3.5, dashArray: '2 4' },
    closed: { color: '#777777', weight: 2, dashArray: '4 4' },
  };

  function dayNumber(iso) {
    var p = iso.split('-');
    return Math.round(Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY);
  }
  function isoOf(day) {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function getJson(url) {
    return fetch(url).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
        return body;
      });
    });
  }
  function inForce(props, date) {
    return (!props.valid_from || props.valid_from <= date) && (!props.valid_to || date < props.valid_to);
  }

  // ---- Where answers come from: the server, or the inlined bundle ----

  function serverSource() {
    return {
      offline: false,
      page: function () { return getJson('api/page'); },
      zones: function (date, zoom, bbox) {
        var q = 'api/zones?at=' + date + '&zoom=' + zoom;
        if (bbox) q += '&bbox=' + bbox.map(function (v) { return v.toFixed(4); }).join(',');
        return getJson(q);
      },
      stats: function (date) { return getJson('api/stats?at=' + date); },
      locate: function (lat, lon, date) {
        return getJson('api/locate?lat=' + lat.toFixed(6) + '&lon=' + lon.toFixed(6) + '&at=' + date);
      },
      diff: function (from, to) {
        var q = 'from=' + from + '&to=' + to;
        return Promise.all([getJson('api/diff?' + q), getJson('api/diff?' + q + '&format=geojson')])
          .then(function (r) { return { diff: r[0], geojson: r[1] }; });
      },
    };
  }

  function staticSource(bundle) {
    function snapshotAt(date) {
      var found = null;
      bundle.snapshots.forEach(function (s) { if (s.date <= date) found = s.id; });
      return found;
    }
    function rings(geometry) {
      if (!geometry) return [];
      if (geometry.type === 'Polygon') return [geometry.coordinates];
      if (geometry.type === 'MultiPolygon') return geometry.coordinates;
      return [];
    }
    function inRing(ring, x, y) {
      var inside = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    }
    function contains(geometry, x, y) {
      return rings(geometry).some(function (polygon) {
        if (!inRing(polygon[0], x, y)) return false;
        for (var h = 1; h < polygon.length; h++) if (inRing(polygon[h], x, y)) return false;
        return true;
      });
    }
    // km from (x, y) to the nearest edge of a geometry, on a local
    // equirectangular plane (good to well under 1 % at these distances).
    function kmTo(geometry, x, y) {
      var kx = 111.32 * Math.cos(y * Math.PI / 180), ky = 110.57, best = Infinity;
      rings(geometry).forEach(function (polygon) {
        polygon.forEach(function (ring) {
          for (var i = 1; i < ring.length; i++) {
            var ax = (ring[i - 1][0] - x) * kx, ay = (ring[i - 1][1] - y) * ky;
            var bx = (ring[i][0] - x) * kx, by = (ring[i][1] - y) * ky;
            var dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
            var t = len > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len)) : 0;
            var px = ax + t * dx, py = ay + t * dy;
            best = Math.min(best, Math.sqrt(px * px + py * py));
          }
        });
      });
      return best;
    }
    function first(collection, x, y, key) {
      var hit = collection.features.find(function (f) { return contains(f.geometry, x, y); });
      return hit ? hit.properties[key] : null;
    }
    return {
      offline: true,
      page: function () { return Promise.resolve(bundle); },
      zones: function (date) { return Promise.resolve(bundle.zones[snapshotAt(date)]); },
      stats: function (date) { return Promise.resolve(bundle.stats[snapshotAt(date)]); },
      locate: function (lat, lon, date) {
        var zones = bundle.zones[snapshotAt(date)];
        var controller = first(zones, lon, lat, 'controller');
        var nearest = null;
        if (controller) {
          zones.features.forEach(function (f) {
            if (f.properties.controller === controller) return;
            var km = kmTo(f.geometry, lon, lat);
            if (!nearest || km < nearest.km) nearest = { id: f.properties.controller, km: km };
          });
        }
        return Promise.resolve({
          date: date, lat: lat, lon: lon, controller: controller,
          de_jure: first(bundle.layers.de_jure, lon, lat, 'country'),
          rayon: first(bundle.layers.admin1, lon, lat, 'name'),
          overlays: bundle.layers.overlays.features.filter(function (f) {
            return inForce(f.properties, date) && contains(f.geometry, lon, lat);
          }).map(function (f) { return f.properties.id; }),
          nearest_other: nearest,
          approximate: true,
        });
      },
      diff: function (from, to) {
        var a = snapshotAt(from), b = snapshotAt(to);
        var found = bundle.diffs.find(function (d) { return snapshotAt(d.from) === a && snapshotAt(d.to) === b; });
        if (found) return Promise.resolve(found);
        if (a === b) {
          return Promise.resolve({ diff: { from: from, to: to, transitions: [] }, geojson: { type: 'FeatureCollection', features: [] } });
        }
        return Promise.reject(new Error('this file holds the changes from one snapshot to the next only: pick ' +
          'a date in the snapshot just before the slider’s (frontline serve answers any pair)'));
      },
    };
  }

  var source = window.FRONTLINE_BUNDLE ? staticSource(window.FRONTLINE_BUNDLE) : serverSource();

  // ---- State, kept in the URL's fragment ----

  var state = { at: null, mode: 'control', from: null, view: null };
  function readHash() {
    var h = new URLSearchParams(location.hash.slice(1));
    if (h.get('at')) state.at = h.get('at');
    if (h.get('mode') === 'diff') state.mode = 'diff';
    if (h.get('from')) state.from = h.get('from');
    var v = (h.get('view') || '').split(',').map(Number);
    if (v.length === 3 && v.every(isFinite)) state.view = v;
  }
  function writeHash() {
    var c = map.getCenter();
    var h = 'at=' + state.at + '&view=' + c.lat.toFixed(4) + ',' + c.lng.toFixed(4) + ',' + map.getZoom();
    if (state.mode === 'diff') h += '&mode=diff&from=' + state.from;
    history.replaceState(null, '', '#' + h);
  }

  var page, map, start, end, stops = [];
  var layers = {};
  var colours = {}, names = {};
  var renderer;
  var zonesRequest = 0;

  function init(bundle) {
    page = bundle;
    document.getElementById('title').textContent = page.name + ' — frontline atlas';
    document.title = page.name + ' — frontline atlas';
    document.getElementById('attribution').textContent = page.attribution.join(' ') +
      (source.offline ? ' Offline copy: the page computes clicks from simplified borders.' : '');
    page.controllers.forEach(function (c) { colours[c.id] = c.colour; names[c.id] = c.name; });
    start = dayNumber(page.from);
    end = dayNumber(page.to);
    stops = page.snapshots.map(function (s) { return s.date; })
      .concat(page.events.map(function (e) { return e.date; }))
      .filter(function (d) { return d >= page.from && d <= page.to; })
      .sort().filter(function (d, i, all) { return i === 0 || d !== all[i - 1]; });

    readHash();
    if (!state.at || state.at < page.from || state.at > page.to) state.at = page.to;
    if (!state.from || state.from < page.from || state.from > page.to) state.from = page.snapshots[0].date;

    map = L.map('map', { zoomSnap: 1, attributionControl: false, preferCanvas: false });
    if (state.view) map.setView([state.view[0], state.view[1]], state.view[2]);
    else if (page.bbox) map.fitBounds([[page.bbox[1], page.bbox[0]], [page.bbox[3], page.bbox[2]]]);
    else map.setView([40, 46.5], 8);
    renderer = L.svg({ padding: 0.5 });
    map.addLayer(renderer);
    addPatterns();
    ['zones', 'admin1', 'dejure', 'overlays', 'routes', 'places'].forEach(function (name, i) {
      map.createPane(name).style.zIndex = 400 + i;
    });
    layers.admin1 = L.geoJSON(page.layers.admin1, {
      pane: 'admin1', interactive: false,
      style: { color: '#666', weight: 0.7, opacity: 0.8, fill: false, dashArray: '3 3' },
    }).addTo(map);
    layers.dejure = L.geoJSON(page.layers.de_jure, {
      pane: 'dejure', interactive: false,
      style: { color: '#222', weight: 1.8, opacity: 0.9, fill: false },
    }).addTo(map);
    buildPlaces();
    buildTimeline();
    buildEvents();
    buildKeys();
    map.on('click', function (e) { locate(e.latlng.lat, e.latlng.lng); });
    map.on('moveend', function () { writeHash(); if (!source.offline) drawZones(); placeLabels(); });
    document.getElementById('mode-control').onclick = function () { setMode('control'); };
    document.getElementById('mode-diff').onclick = function () { setMode('diff'); };
    document.getElementById('diff-from').value = state.from;
    document.getElementById('diff-from').onchange = function (e) {
      if (e.target.value) { state.from = e.target.value; update(); }
    };
    setMode(state.mode);
    window.addEventListener('resize', drawChart);
    // For scripts driving the page (and its browser tests): the map, the
    // state and a way to set the date.
    window.frontline = { map: map, state: state, setDate: setDate };
  }

  // Hatching for corridors and pockets, into the SVG Leaflet draws in.
  function addPatterns() {
    var svg = renderer._container;
    var defs = svgEl('defs');
    [['hatch-corridor', '#000000'], ['hatch-peacekeeping', '#009e73'], ['hatch-pocket', '#cc79a7']].forEach(function (p) {
      var pattern = svgEl('pattern', { id: p[0], patternUnits: 'userSpaceOnUse', width: 8, height: 8, patternTransform: 'rotate(45)' });
      pattern.appendChild(svgEl('line', { x1: 0, y1: 0, x2: 0, y2: 8, stroke: p[1], 'stroke-width': 2.2 }));
      defs.appendChild(pattern);
    });
    svg.insertBefore(defs, svg.firstChild);
  }

  function overlayStyle(feature) {
    var kind = feature.properties.kind;
    if (kind === 'outline') return { color: '#333', weight: 1.5, dashArray: '6 4', fill: false };
    var hatch = kind === 'corridor' ? 'hatch-corridor' : kind === 'peacekeeping' ? 'hatch-peacekeeping' : 'hatch-pocket';
    return { color: kind === 'peacekeeping' ? '#009e73' : '#000', weight: 1.2, fillColor: 'url(#' + hatch + ')', fillOpacity: 0.8 };
  }

  // ---- The date ----

  function buildTimeline() {
    var slider = document.getElementById('slider');
    slider.min = 0;
    slider.max = end - start;
    slider.value = dayNumber(state.at) - start;
    var ticks = document.getElementById('ticks');
    function tick(date, cls, title) {
      var t = el('div', { class: 'tick ' + cls, title: title });
      t.style.left = (100 * (dayNumber(date) - start) / Math.max(1, end - start)) + '%';
      ticks.appendChild(t);
    }
    page.snapshots.forEach(function (s) { if (s.date >= page.from) tick(s.date, 'snapshot', s.date + ': ' + s.label); });
    page.events.forEach(function (e) { if (e.date >= page.from && e.date <= page.to) tick(e.date, 'event', e.date + ': ' + e.title); });
    slider.oninput = function () { setDate(isoOf(start + +slider.value)); };
    var input = document.getElementById('date');
    input.min = page.from; input.max = page.to;
    input.onchange = function () { if (input.value) setDate(input.value); };
    var timer = null, play = document.getElementById('play');
    play.onclick = function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = '▶'; return; }
      play.textContent = '❚❚';
      if (state.at >= stops[stops.length - 1]) setDate(stops[0]);
      timer = setInterval(function () {
        var next = stops.find(function (d) { return d > state.at; });
        if (!next) { clearInterval(timer); timer = null; play.textContent = '▶'; return; }
        setDate(next);
      }, 900);
    };
  }

  function setDate(date) {
    state.at = date < page.from ? page.from : date > page.to ? page.to : date;
    update();
  }

  function setMode(mode) {
    state.mode = mode;
    document.getElementById('mode-control').classList.toggle('on', mode === 'control');
    document.getElementById('mode-diff').classList.toggle('on', mode === 'diff');
    document.getElementById('diff-from').disabled = mode !== 'diff';
    update();
  }

  function update() {
    document.getElementById('slider').value = dayNumber(state.at) - start;
    document.getElementById('date').value = state.at;
    document.getElementById('status').textContent = '';
    writeHash();
    drawZones();
    drawOverlays();
    drawRoutes();
    markEvents();
    drawChart();
    placeLabels();
  }

  function changeAt(date) {
    var found = page.changes[0];
    page.changes.forEach(function (c) { if (c.date <= date) found = c; });
    return found;
  }

  // ---- The map's layers ----

  function viewBox() {
    var b = map.getBounds().pad(0.5);
    var w = Math.max(b.getWest(), -180), s = Math.max(b.getSouth(), -85);
    var e = Math.min(b.getEast(), 180), n = Math.min(b.getNorth(), 85);
    if (e - w > 20 || n - s > 20) return null;
    return [w, s, e, n];
  }

  function drawZones() {
    var ticket = ++zonesRequest;
    var date = state.at;
    var work;
    if (state.mode === 'diff') {
      var from = state.from <= date ? state.from : date, to = state.from <= date ? date : state.from;
      work = source.diff(from, to).then(function (d) { return { diff: d }; });
    } else {
      var zoom = Math.max(0, Math.min(16, map.getZoom()));
      work = Promise.all([source.zones(date, zoom, viewBox()), source.stats(date)])
        .then(function (r) { return { zones: r[0], stats: r[1] }; });
    }
    work.then(function (r) {
      if (ticket !== zonesRequest) return;
      if (layers.zones) map.removeLayer(layers.zones);
      if (r.diff) {
        var order = r.diff.diff.transitions.map(function (t) { return t.from + '>' + t.to; });
        layers.zones = L.geoJSON(r.diff.geojson, {
          pane: 'zones', interactive: false,
          style: function (f) {
            var i = order.indexOf(f.properties.from + '>' + f.properties.to);
            return { color: '#333', weight: 0.5, fillColor: TRANSITION_COLOURS[Math.max(0, i) % 8], fillOpacity: 0.85 };
          },
        }).addTo(map);
        legendDiff(r.diff.diff);
      } else {
        layers.zones = L.geoJSON(r.zones, {
          pane: 'zones', interactive: false,
          style: function (f) {
            return { color: '#444', weight: 0.6, fillColor: colours[f.properties.controller] || '#999', fillOpacity: 0.8 };
          },
        }).addTo(map);
        legendControl(r.stats);
      }
    }).catch(function (error) {
      if (ticket !== zonesRequest) return;
      document.getElementById('status').textContent = error.message;
    });
  }

  function drawOverlays() {
    if (layers.overlays) map.removeLayer(layers.overlays);
    layers.overlays = L.geoJSON(page.layers.overlays, {
      pane: 'overlays', interactive: false,
      filter: function (f) { return inForce(f.properties, state.at); },
      style: overlayStyle,
    }).addTo(map);
  }

  function drawRoutes() {
    if (layers.routes) map.removeLayer(layers.routes);
    var statuses = changeAt(state.at).routes;
    layers.routes = L.geoJSON(page.layers.routes, {
      pane: 'routes', interactive: false,
      filter: function (f) { return inForce(f.properties, state.at) && ROUTE_STYLES[statuses[f.properties.id]]; },
      style: function (f) {
        var s = ROUTE_STYLES[statuses[f.properties.id]];
        return { color: s.color, weight: s.weight, dashArray: s.dashArray, opacity: 0.9 };
      },
    }).addTo(map);
  }

  function buildPlaces() {
    layers.places = L.layerGroup([], { pane: 'places' }).addTo(map);
    page.places.forEach(function (p) {
      var other = p.aliases.find(function (a) { return /^[A-Za-z' -]+$/.test(a) && a.toLowerCase() !== p.name.toLowerCase(); });
      p.label = other ? p.name + ' / ' + other : p.name;
      p.marker = L.circleMarker([p.lat, p.lon], { pane: 'places', radius: 2.5, color: '#000', weight: 1, fillColor: '#fff', fillOpacity: 1, interactive: false });
      p.marker.addTo(layers.places);
    });
  }

  // Labels that never overlap: in dataset order, each placed only where
  // no label already placed is.
  function placeLabels() {
    if (!map || !layers.places) return;
    var placed = [];
    page.places.forEach(function (p) {
      p.marker.unbindTooltip();
      var at = map.latLngToContainerPoint([p.lat, p.lon]);
      var w = p.label.length * 6.4 + 8, h = 15;
      var box = [at.x + 4, at.y - h / 2, at.x + 4 + w, at.y + h / 2];
      var size = map.getSize();
      if (box[0] < 0 || box[2] > size.x || box[1] < 0 || box[3] > size.y) return;
      var clash = placed.some(function (o) { return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]; });
      if (clash) return;
      placed.push(box);
      p.marker.bindTooltip(p.label, { permanent: true, direction: 'right', className: 'place-label', offset: [3, 0], interactive: false }).openTooltip();
    });
  }

  // ---- Legend, keys and events ----

  function legendControl(stats) {
    document.getElementById('legend-title').textContent = 'Ground held on ' + state.at;
    var list = document.getElementById('legend');
    list.innerHTML = '';
    stats.controllers.forEach(function (c) {
      if (c.area_km2 <= 0) return;
      var li = el('li', { 'data-controller': c.id });
      var sw = el('span', { class: 'swatch' });
      sw.style.background = colours[c.id];
      li.appendChild(sw);
      li.appendChild(el('span', { class: 'name' }, c.name));
      li.appendChild(el('span', { class: 'km2' }, c.area_km2.toFixed(1)));
      li.appendChild(el('span', {}, 'km²'));
      list.appendChild(li);
    });
  }

  function legendDiff(diff) {
    document.getElementById('legend-title').textContent = 'Changes ' + diff.from + ' → ' + diff.to;
    var list = document.getElementById('legend');
    list.innerHTML = '';
    if (!diff.transitions.length) list.appendChild(el('li', {}, 'No ground changed hands.'));
    diff.transitions.forEach(function (t, i) {
      var li = el('li', { 'data-transition': t.from + '>' + t.to });
      var sw = el('span', { class: 'swatch' });
      sw.style.background = TRANSITION_COLOURS[i % 8];
      li.appendChild(sw);
      li.appendChild(el('span', { class: 'name' }, (names[t.to] || t.to) + ' gained from ' + (names[t.from] || t.from)));
      li.appendChild(el('span', { class: 'km2' }, t.area_km2.toFixed(1)));
      li.appendChild(el('span', {}, 'km²'));
      list.appendChild(li);
    });
  }

  function buildKeys() {
    var keys = document.getElementById('keys');
    function key(style, text) {
      var li = el('li');
      var k = el('span', { class: 'line-key' });
      k.style.cssText += style;
      li.appendChild(k);
      li.appendChild(el('span', {}, text));
      keys.appendChild(li);
    }
    key('border-top: 2px solid #222', 'de jure border');
    key('border-top: 1px dashed #666', 'rayon / marz');
    key('border-top: 3px solid #000', 'road open');
    key('border-top: 3px dashed #0072b2', 'road behind a checkpoint');
    key('border-top: 3px dotted #cc0000', 'road blockaded');
    key('border-top: 2px dashed #777', 'road closed');
    key('border-top: 8px double #000', 'corridor (hatched)');
    key('border-top: 8px double #009e73', 'peacekeeping area (hatched)');
  }

  function buildEvents() {
    var list = document.getElementById('events');
    page.events.forEach(function (e, i) {
      if (e.date < page.from || e.date > page.to) return;
      var li = el('li', { value: i + 1, 'data-date': e.date, title: e.kind });
      li.textContent = e.date + ' — ' + e.title;
      li.onclick = function () { setDate(e.date); };
      list.appendChild(li);
      e.number = i + 1;
    });
  }

  function markEvents() {
    Array.prototype.forEach.call(document.querySelectorAll('#events li'), function (li) {
      var date = li.getAttribute('data-date');
      var previous = stops.filter(function (d) { return d <= state.at; }).pop();
      li.classList.toggle('now', date === previous);
      li.classList.toggle('future', date > state.at);
    });
  }

  // ---- Click: who holds it ----

  function locate(lat, lon) {
    source.locate(lat, lon, state.at).then(function (loc) {
      var rows = [
        ['Held by', loc.controller ? (names[loc.controller] || loc.controller) + ' (' + loc.controller + ')' : 'outside the region'],
        ['De jure', loc.de_jure ? (names[loc.de_jure] || loc.de_jure) + ' (' + loc.de_jure + ')' : '—'],
        ['Rayon', loc.rayon || '—'],
        ['Overlays', loc.overlays.length ? loc.overlays.join(', ') : '—'],
        ['Other side', loc.nearest_other ? loc.nearest_other.id + ', ' + loc.nearest_other.km.toFixed(loc.approximate ? 1 : 2) + ' km' + (loc.approximate ? ' (approx.)' : '') : '—'],
      ];
      var table = el('table', { class: 'locate', 'data-controller': loc.controller || '' });
      table.appendChild(el('caption', {}, state.at + ', ' + lat.toFixed(4) + ', ' + lon.toFixed(4)));
      rows.forEach(function (r) {
        var tr = el('tr');
        tr.appendChild(el('th', {}, r[0]));
        tr.appendChild(el('td', {}, r[1]));
        table.appendChild(tr);
      });
      L.popup().setLatLng([lat, lon]).setContent(table).openOn(map);
    }).catch(function (error) {
      document.getElementById('status').textContent = error.message;
    });
  }

  // ---- The area chart: a panel per side, its own scale ----

  function drawChart() {
    var box = document.getElementById('chart');
    var width = Math.max(320, box.clientWidth || 900);
    var series = page.series, ids = series.controllers.filter(function (id) {
      return series.rows.some(function (r) { return r.areas_km2[id] > 0; });
    });
    var left = 180, right = 12, markerRows = 2, top = 8 + markerRows * 16, panel = 44, gap = 6;
    var height = top + ids.length * (panel + gap) + 18;
    var svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + height, height: height, role: 'img', 'aria-label': 'Area held by each side over time' });
    var x = function (day) { return left + (width - left - right) * (day - start) / Math.max(1, end - start); };
    // Year (or month) ticks that fit.
    var years = (end - start) / 365.25, stepYears = [1, 2, 5, 10].find(function (s) { return (width - left) / (years / s) > 60; }) || 10;
    var first = new Date(start * DAY).getUTCFullYear();
    if (years > 2) {
      for (var y = first + 1; y <= new Date(end * DAY).getUTCFullYear(); y++) {
        if (y % stepYears) continue;
        var tx = x(dayNumber(y + '-01-01'));
        svg.appendChild(svgEl('line', { x1: tx, x2: tx, y1: top, y2: height - 16, stroke: '#ddd' }));
        svg.appendChild(svgEl('text', { x: tx, y: height - 4, 'text-anchor': 'middle' }, String(y)));
      }
    } else {
      for (var d = start; d <= end; d++) {
        var iso = isoOf(d);
        if (iso.slice(8) !== '01') continue;
        var mx = x(d);
        svg.appendChild(svgEl('line', { x1: mx, x2: mx, y1: top, y2: height - 16, stroke: '#ddd' }));
        svg.appendChild(svgEl('text', { x: mx, y: height - 4, 'text-anchor': 'middle' }, iso.slice(0, 7)));
      }
    }
    ids.forEach(function (id, k) {
      var y0 = top + k * (panel + gap), max = 0;
      series.rows.forEach(function (r) { max = Math.max(max, r.areas_km2[id]); });
      var yv = function (v) { return y0 + panel - panel * v / (max || 1); };
      var path = 'M' + x(start) + ',' + yv(0), last = null;
      series.rows.forEach(function (r, i) {
        var d0 = dayNumber(r.date), d1 = i + 1 < series.rows.length ? dayNumber(series.rows[i + 1].date) : end;
        path += 'L' + x(d0) + ',' + yv(r.areas_km2[id]) + 'L' + x(d1) + ',' + yv(r.areas_km2[id]);
        last = r;
      });
      path += 'L' + x(end) + ',' + yv(0) + 'Z';
      svg.appendChild(svgEl('rect', { x: left, y: y0, width: width - left - right, height: panel, fill: '#fff', stroke: '#ccc' }));
      svg.appendChild(svgEl('path', { d: path, fill: colours[id] || '#999', 'fill-opacity': 0.75, stroke: '#333', 'stroke-width': 0.6 }));
      svg.appendChild(svgEl('text', { x: left - 6, y: y0 + 14, 'text-anchor': 'end', 'font-weight': 'bold' }, (names[id] || id).replace(/ \(.*\)$/, '')));
      svg.appendChild(svgEl('text', { x: left - 6, y: y0 + 28, 'text-anchor': 'end' }, '0–' + Math.round(max).toLocaleString('en') + ' km²'));
    });
    // Numbered event markers, moved down a row where they would overlap.
    var rowsEnd = [];
    page.events.forEach(function (e) {
      if (!e.number || e.date < page.from || e.date > page.to) return;
      var ex = x(dayNumber(e.date)), row = 0;
      while (row < markerRows - 1 && rowsEnd[row] !== undefined && ex < rowsEnd[row] + 15) row++;
      rowsEnd[row] = ex;
      var cy = 10 + row * 16;
      var g = svgEl('g', { class: 'event-marker', 'data-event': e.id });
      g.appendChild(svgEl('title', {}, e.number + '. ' + e.date + ' — ' + e.title));
      g.appendChild(svgEl('line', { x1: ex, x2: ex, y1: cy + 7, y2: height - 16, stroke: '#c60', 'stroke-opacity': 0.35 }));
      g.appendChild(svgEl('circle', { cx: ex, cy: cy, r: 7, fill: '#fff', stroke: '#c60' }));
      g.appendChild(svgEl('text', { x: ex, y: cy + 3.5, 'text-anchor': 'middle', style: 'font-size:9px' }, String(e.number)));
      g.onclick = function () { setDate(e.date); };
      svg.appendChild(g);
    });
    var cx = x(dayNumber(state.at));
    svg.appendChild(svgEl('line', { id: 'cursor', x1: cx, x2: cx, y1: top - 4, y2: height - 16, stroke: '#000', 'stroke-width': 1.5 }));
    box.innerHTML = '';
    box.appendChild(svg);
  }

  source.page().then(init).catch(function (error) {
    document.getElementById('status').textContent = 'cannot load the atlas: ' + error.message;
  });
}());
