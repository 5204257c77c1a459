/* Live map: the fleet layer's drawing functions (dash-leaflet namespace fieldops.livemap)
   and the clientside merge of fleet deltas (dash_clientside.fieldops.mergeFleet). */
(function () {
    let fleet = new Map();  // employee id -> {lat, lon, ts, spd, st}: people with a position to show
    let paused = new Set();  // employee ids paused (sharing, or outside working hours): listed, never placed
    let withdrawn = new Set();  // employee ids without the consent tracking needs: listed, never placed
    let team = undefined;
    let shownStates = "";
    let now = Date.now();  // the server's clock at the last payload: the instant the fleet is of
    let roster = null;  // the digest of the people in the viewer's scope: their names are asked for again on change

    function escapeHtml(text) {
        return String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
    }

    /* Names on the map (issue 16): a person's name shows on hover and, from LABEL_ZOOM on, as a small label
       under every marker; a label that would overlap one already placed is hidden until its marker is hovered.
       Names come from the layer's hideout ({names, states}: callbacks/live_map.py), absent on the wall. */
    const LABEL_ZOOM = 15;  // measured on the demo: from 15 the unclustered people are mostly a label's width apart
    let hovered = null;  // the person under the pointer: their name stays shown when the fleet redraws
    const decluttering = new WeakSet();

    /* Hide each label that would overlap one placed before it. Boxes are taken from where the markers are,
       not from the labels' own positions, which Leaflet sets a frame later. */
    function declutter(map) {
        if (decluttering.has(map)) { return; }
        decluttering.add(map);
        window.requestAnimationFrame(function () {
            decluttering.delete(map);
            // Clusters and other people's markers are not to be covered either.
            const labelled = [];
            const placed = [];
            map.eachLayer(function (layer) {
                const tooltip = layer.getTooltip && layer.getTooltip();
                if (tooltip && tooltip.options.permanent && tooltip.getElement()) { labelled.push(layer); }
                const icon = layer.options.icon;
                const half = icon && icon.options.className === "fo-cluster" ? icon.options.iconSize.x / 2
                    : tooltip && tooltip.options.className === "fo-marker-label" ? layer.getRadius() + 2 : 0;
                if (half) {
                    const at = map.latLngToContainerPoint(layer.getLatLng());
                    placed.push({left: at.x - half, right: at.x + half, top: at.y - half, bottom: at.y + half});
                }
            });
            labelled.forEach(function (layer) {
                const label = layer.getTooltip().getElement();
                const at = map.latLngToContainerPoint(layer.getLatLng());
                const top = at.y + layer.getRadius() + 3;  // below its own marker
                const box = {left: at.x - label.offsetWidth / 2, right: at.x + label.offsetWidth / 2,
                             top: top, bottom: top + label.offsetHeight};
                const overlaps = placed.some(function (other) {
                    return box.left < other.right && box.right > other.left && box.top < other.bottom && box.bottom > other.top;
                });
                label.classList.toggle("fo-label-hidden", overlaps);
                if (!overlaps) { placed.push(box); }
            });
        });
    }

    /* A name as a tooltip on hover, or as a label under the marker from LABEL_ZOOM on: bound again when the zoom
       crosses it (the fleet layer keeps a person's marker across zooms). */
    function bindName(marker, map) {
        const permanent = map.getZoom() >= LABEL_ZOOM;
        const bound = marker.getTooltip();
        if (bound && bound.options.permanent === permanent) { return; }
        marker.unbindTooltip();
        marker.bindTooltip(escapeHtml(marker.options.personName), {
            permanent: permanent, direction: permanent ? "bottom" : "top", offset: permanent ? [0, 6] : [0, -8],
            className: permanent ? "fo-marker-label" : "fo-marker-tip", opacity: 1,
        });
    }

    const watched = new WeakSet();

    function watchZoom(map) {
        if (watched.has(map)) { return; }
        watched.add(map);
        map.on("zoomend", function () {
            map.eachLayer(function (layer) { if (layer.options.personName) { bindName(layer, map); } });
            declutter(map);
        });
    }

    function nameMarker(marker, id, name, map) {
        marker.options.personName = name;
        watchZoom(map);
        marker.on("mouseover", function () {
            hovered = id;
            const label = marker.getTooltip() && marker.getTooltip().getElement();
            if (label) { label.classList.add("fo-label-raised"); }
        });
        marker.on("mouseout", function () {
            hovered = null;
            const label = marker.getTooltip() && marker.getTooltip().getElement();
            if (label) { label.classList.remove("fo-label-raised"); }
        });
        marker.on("add", function () {
            bindName(marker, map);
            if (marker.getTooltip().options.permanent) { declutter(map); } else if (hovered === id) { marker.openTooltip(); }
        });
    }

    window.fieldops = Object.assign({}, window.fieldops, {
        livemap: {
            fleetPoint: function (feature, latlng, context) {
                const state = feature.properties.state;
                const marker = window.fieldops.palette.stateMarker(latlng, state, {
                    radius: 7, weight: 2, color: "#ffffff", fillOpacity: state === "offline" ? 0.6 : 0.95,
                });
                const names = context && context.hideout && context.hideout.names;
                const name = names && names[feature.properties.id];
                if (name) { nameMarker(marker, feature.properties.id, name, context.map); }
                // People above the zones and customers, which may load after them: seen, and found by the pointer.
                marker.on("add", function () { marker.bringToFront(); });
                return marker;
            },
            /* A cluster: its count and the mix of its people's states (fieldops.palette.clusterIcon); the mix in
               words on hover where the hideout brings the states' names. */
            fleetCluster: function (feature, latlng, index, context) {
                const tally = {};
                index.getLeaves(feature.properties.cluster_id, Infinity).forEach(function (leaf) {
                    const state = leaf.properties.state;
                    tally[state] = (tally[state] || 0) + 1;
                });
                const count = feature.properties.point_count;
                const icon = window.fieldops.palette.clusterIcon(
                    count, feature.properties.point_count_abbreviated, tally, context.map.getContainer());
                const words = context.hideout && context.hideout.states;
                const title = words ? window.fieldops.palette.states.filter(function (state) {
                    return tally[state];
                }).map(function (state) {
                    return (words[state] || state) + " " + tally[state];
                }).join(" · ") : "";
                return L.marker(latlng, {icon: icon, title: title});
            },
            /* An alert's badge (issue 17) on a person's marker: a ring round it and a mark at its upper right, in
               the severity's colour (--severity-*), the mark "!" for a warning and "!!" in a square for a critical,
               so the severity shows without colour too; its tooltip names the alert. Drawn as HTML above the
               canvas, so a page (and a test) finds it by the person: data-employee. */
            alertBadge: function (feature, latlng) {
                const p = feature.properties;
                const severity = p.severity === "critical" ? "critical" : "warning";
                const html = '<span class="fo-alert-badge-ring"></span><span class="fo-alert-badge-mark">' +
                    (severity === "critical" ? "!!" : "!") + "</span>";
                const marker = L.marker(latlng, {
                    icon: L.divIcon({html: html, className: "fo-alert-badge fo-alert-badge-" + severity,
                                     iconSize: [18, 18], iconAnchor: [-1, 19]}),
                    keyboard: false, zIndexOffset: 1000,
                });
                marker.bindTooltip(escapeHtml(p.text), {direction: "top", offset: [10, -20], className: "fo-marker-tip"});
                marker.on("add", function () {
                    const element = marker.getElement();
                    element.dataset.employee = String(p.id);
                    element.dataset.severity = severity;
                    element.setAttribute("role", "img");
                    element.setAttribute("aria-label", p.text);
                });
                return marker;
            },
            nameTooltip: function (feature, layer) {
                if (feature.properties && feature.properties.name) {
                    layer.bindTooltip(escapeHtml(feature.properties.name));
                }
            },
            customerPoint: function (feature, latlng) {
                return L.circleMarker(latlng, {radius: 3, weight: 1, color: "#444", fillColor: "#fff", fillOpacity: 1});
            },
            zonePoint: function (feature, latlng) {
                return L.circle(latlng, {radius: feature.properties.radius, weight: 1, color: "#0072B2", opacity: 0.35,
                                         fillOpacity: 0.04, interactive: false});
            },
            /* Zones are the ground, never a target: loaded after the people, a work area would otherwise take the
               pointer (hover and click) from every person inside it on the shared canvas. */
            zoneStyle: function (feature) {
                if (feature.properties.kind === "work_area") {
                    return {color: "#555", weight: 2, dashArray: "6 6", fillOpacity: 0.03, interactive: false};
                }
                return {color: "#0072B2", weight: 1, fillOpacity: 0.06, interactive: false};
            },
            streetStyle: function (feature) {
                const major = ["primary", "secondary", "trunk", "tertiary"].indexOf(feature.properties.highway) >= 0;
                return {color: major ? "#9aa3ad" : "#c3c9cf", weight: major ? 3 : 1.5, opacity: 1};
            },
        },
    });

    /* The browser's copy of the fleet, read by the people list, the search and Follow (assets/livemap_people.js). */
    window.fieldopsFleetNow = function () { return {fleet: fleet, paused: paused, withdrawn: withdrawn, now: now}; };

    /* Fold a fleet payload (columns of what changed) into the browser's copy of the fleet (a full one, sent
       again whenever the paused people change, replaces it), age a fix past offline_after_ms to offline with
       the server's clock (the rule of dashboard/live/presence.py), redraw only on change. */
    function merge(payload) {
        const started = performance.now();
        if (payload.full || payload.team !== team) {
            fleet = new Map();
            team = payload.team;
            shownStates = "";
        }
        for (let i = 0; i < payload.id.length; i++) {
            fleet.set(payload.id[i], {
                lat: payload.lat[i], lon: payload.lon[i], ts: payload.ts[i], spd: payload.spd[i], st: payload.st[i],
            });
        }
        if (payload.paused) { paused = new Set(payload.paused); }  // sent with every full payload only
        if (payload.withdrawn) { withdrawn = new Set(payload.withdrawn); }
        now = payload.now;
        const features = [];
        let states = "";
        fleet.forEach(function (p, id) {
            const state = payload.now - p.ts > payload.offline_after_ms ? "offline" : p.st;
            states += state[0];
            features.push({
                type: "Feature", id: id, geometry: {type: "Point", coordinates: [p.lon, p.lat]},
                properties: {id: id, state: state},
            });
        });
        const changed = payload.full || payload.id.length > 0 || states !== shownStates;
        shownStates = states;
        // Read by bench/bench_livemap_browser.py.
        window.fieldopsStats = {mergeMs: performance.now() - started, rows: payload.id.length, shown: fleet.size};
        return {
            features: changed ? {type: "FeatureCollection", features: features} : window.dash_clientside.no_update,
            cursor: {v: payload.v, team: payload.team, p: payload.paused_digest},
        };
    }

    /* The alert badges where their people are now: on the marker of a person the map places, else at the alert's
       own point (a help request from a phone that shares no position); never for a paused person. */
    let shownBadges = "";
    let badgesOf = null;

    function alertBadges(people) {
        const features = [];
        Object.keys(people || {}).forEach(function (key) {
            const id = Number(key);
            const badge = people[key];
            const placed = fleet.get(id);
            let at = null;
            if (placed) { at = [placed.lon, placed.lat]; }
            else if (!paused.has(id) && !withdrawn.has(id) && badge.lat !== null && badge.lon !== null) { at = [badge.lon, badge.lat]; }
            if (!at) { return; }
            features.push({type: "Feature", id: id, geometry: {type: "Point", coordinates: at},
                           properties: {id: id, severity: badge.severity, text: badge.text}});
        });
        const key = JSON.stringify(features);
        if (key === shownBadges && people === badgesOf) { return window.dash_clientside.no_update; }
        shownBadges = key;
        badgesOf = people;  // new alerts (or the page drawn again) redraw the layer whatever it held
        return {type: "FeatureCollection", features: features};
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldops = Object.assign({}, window.dash_clientside.fieldops, {
        /* The badges' layer: at every refresh of the fleet and whenever the alerts changed. */
        alertBadges: function (people) { return alertBadges(people); },
        /* The fleet layer's hideout (issue 16): the names of the people the viewer may see, for the markers'
           tooltips and labels, and the states in words, for a cluster's mix. */
        fleetNames: function (names, labels) {
            const labelled = {};
            Object.keys(names || {}).forEach(function (id) { labelled[id] = names[id].label; });
            return {names: labelled, states: labels || {}};
        },
        /* Who was chosen, said once through the panel's status region (the details refresh silently). */
        announceChoice: function (selected, names, labels) {
            const person = selected && names && names[selected];
            return person ? labels.chosen.replace("{name}", person.name + " (" + person.code + ")") : "";
        },
        /* Fold a fleet payload into the browser's copy and show the server's counts (the counters' order
           comes in labels.counters); returns the markers, the cursor, one number per counter, the time. */
        mergeFleet: function (payload, labels) {
            const noUpdate = window.dash_clientside.no_update;
            const counters = (labels && labels.counters) || [];
            if (!payload) {
                return [noUpdate, noUpdate].concat(counters.map(function () { return noUpdate; }), [noUpdate, noUpdate]);
            }
            const merged = merge(payload);
            const rosterChanged = roster !== null && payload.roster !== roster;
            roster = payload.roster;
            const clock = new Date(payload.now).toLocaleTimeString(
                labels && labels.locale, {timeZone: labels && labels.timezone, hourCycle: "h23"});  // 24-hour, as the app
            const updated = (labels && labels.updated ? labels.updated : "Updated") + " " + clock;
            const counts = counters.map(function (key) { return payload.counts[key]; });
            return [merged.features, merged.cursor].concat(counts, [updated, rosterChanged ? payload.roster : noUpdate]);
        },
        /* The same fold without counters: the wall shows its counts with its tiles (callbacks/wall.py). */
        mergeFleetOnly: function (payload) {
            const noUpdate = window.dash_clientside.no_update;
            if (!payload) { return [noUpdate, noUpdate]; }
            const merged = merge(payload);
            return [merged.features, merged.cursor];
        },
    });
})();
