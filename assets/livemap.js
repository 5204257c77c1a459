/* Live map: the fleet layer's drawing functions (dash-leaflet namespace fieldops.livemap)
   and the clientside merge of fleet deltas (dash_clientside.fieldops.mergeFleet). */
(function () {
    let fleet = new Map();  // employee id -> {lat, lon, ts, spd, st}: people with a position to show
    let paused = new Set();  // employee ids paused (sharing, or outside working hours): listed, never placed
    let team = undefined;
    let shownStates = "";
    let now = Date.now();  // the server's clock at the last payload: the instant the fleet is of

    function escapeHtml(text) {
        return String(text).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
    }

    window.fieldops = Object.assign({}, window.fieldops, {
        livemap: {
            fleetPoint: function (feature, latlng) {
                const state = feature.properties.state;
                return window.fieldops.palette.stateMarker(latlng, state, {
                    radius: 7, weight: 2, color: "#ffffff", fillOpacity: state === "offline" ? 0.6 : 0.95,
                });
            },
            fleetCluster: function (feature, latlng, index, context) {
                const count = feature.properties.point_count;
                const size = count < 100 ? 34 : count < 1000 ? 42 : 52;
                const icon = L.divIcon({
                    html: "<div><span>" + feature.properties.point_count_abbreviated + "</span></div>",
                    className: "fo-cluster", iconSize: L.point(size, size),
                });
                return L.marker(latlng, {icon: icon});
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
                                         fillOpacity: 0.04});
            },
            zoneStyle: function (feature) {
                if (feature.properties.kind === "work_area") {
                    return {color: "#555", weight: 2, dashArray: "6 6", fillOpacity: 0.03};
                }
                return {color: "#0072B2", weight: 1, fillOpacity: 0.06};
            },
            streetStyle: function (feature) {
                const major = ["primary", "secondary", "trunk", "tertiary"].indexOf(feature.properties.highway) >= 0;
                return {color: major ? "#9aa3ad" : "#c3c9cf", weight: major ? 3 : 1.5, opacity: 1};
            },
        },
    });

    /* The browser's copy of the fleet, read by the people list, the search and Follow (assets/livemap_people.js). */
    window.fieldopsFleetNow = function () { return {fleet: fleet, paused: paused, now: now}; };

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

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldops = Object.assign({}, window.dash_clientside.fieldops, {
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
            if (!payload) { return [noUpdate, noUpdate].concat(counters.map(function () { return noUpdate; }), [noUpdate]); }
            const merged = merge(payload);
            const clock = new Date(payload.now).toLocaleTimeString(
                labels && labels.locale, {timeZone: labels && labels.timezone, hourCycle: "h23"});  // 24-hour, as the app
            const updated = (labels && labels.updated ? labels.updated : "Updated") + " " + clock;
            const counts = counters.map(function (key) { return payload.counts[key]; });
            return [merged.features, merged.cursor].concat(counts, [updated]);
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
