/* Wall display (/wall): rotates the panels on the organisation's cycle, jumps to the alerts panel
   when a new alert appears, and shows a stale indicator when answers from the server stop coming
   (server restart, network drop); Dash's intervals keep asking, so it recovers by itself.
   Clientside namespace fieldopsWall; dash-leaflet namespace fieldops.wall (heatmap style). */
(function () {
    const STALE_AFTER_MS = 4000;  // three missed 1 Hz refreshes
    const state = {panel: "map", shownAt: Date.now(), lastOk: Date.now(), cycleMs: 20000, alerts: null, rotations: 0,
                   refreshes: 0, lastRefresh: 0};
    let config = null;
    window.fieldopsWallState = state;  // read by the browser tests

    function byId(id) { return document.getElementById(id); }

    function panelsInTurn() {
        const all = (config && config.panels) || ["map", "kpis", "alerts", "heatmap"];
        return all.filter(function (p) { return p !== "alerts" || (state.alerts && state.alerts.size > 0); });
    }

    function show(panel) {
        const all = (config && config.panels) || ["map", "kpis", "alerts", "heatmap"];
        all.forEach(function (p) {
            const section = byId("wall-panel-" + p);
            const dot = byId("wall-dot-" + p);
            if (section) { section.classList.toggle("fo-wall-shown", p === panel); }
            if (dot) { dot.classList.toggle("fo-wall-dot-on", p === panel); }
        });
        const title = byId("wall-title");
        if (title && config && config.titles) { title.textContent = config.titles[panel] || ""; }
        if (panel === "map" && state.panel !== "map") { state.rotations += 1; }
        state.panel = panel;
        state.shownAt = Date.now();
    }

    function clockText(ms, seconds) {
        const options = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
        if (config && config.timezone) { options.timeZone = config.timezone; }
        if (seconds) { options.second = "2-digit"; }
        return new Date(ms).toLocaleTimeString((config && config.locale) || undefined, options);
    }

    function tick() {
        const page = byId("wall-page");
        if (!page) { return; }
        const now = Date.now();
        const stale = now - state.lastOk > STALE_AFTER_MS;
        page.classList.toggle("fo-wall-is-stale", stale);
        const staleText = byId("wall-stale-text");
        if (staleText && config) { staleText.textContent = stale ? config.stale.replace("{time}", clockText(state.lastOk, true)) : ""; }
        const clock = byId("wall-clock");
        if (clock) { clock.textContent = clockText(now, false); }
        if (now - state.shownAt >= state.cycleMs) {
            const turn = panelsInTurn();
            const at = turn.indexOf(state.panel);
            show(turn[(at + 1) % turn.length]);
        }
    }

    window.setInterval(tick, 250);

    window.fieldops = Object.assign({}, window.fieldops, {
        wall: {
            /* The live map's colours and shapes, twice the size: seen from across the room. */
            fleetPoint: function (feature, latlng) {
                const state = feature.properties.state;
                return window.fieldops.palette.stateMarker(latlng, state, {
                    radius: 12, weight: 3, color: "#0b1118", fillOpacity: state === "offline" ? 0.6 : 1,
                });
            },
            /* Colour from the server's fixed tracked-hours scale; fuller hexagons also stand out more on the dark map. */
            heatStyle: function (feature) {
                const p = feature.properties;
                return {color: p.color, weight: 0, fillOpacity: 0.35 + 0.5 * p.level};
            },
        },
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsWall = {
        /* Any answer to the 1 Hz refresh: the display is live. */
        alive: function (feed, wallConfig) {
            config = config || wallConfig;
            if (feed) {
                state.lastOk = state.lastRefresh = Date.now();
                state.refreshes += 1;
            }
            return window.dash_clientside.no_update;
        },
        /* The cycle from the organisation's settings; a new alert interrupts the rotation. */
        configure: function (seen, wallConfig) {
            config = wallConfig;
            if (!seen) { return window.dash_clientside.no_update; }
            state.lastOk = Date.now();
            state.cycleMs = Math.max(5, seen.cycle_s || 20) * 1000;
            const ids = new Set(seen.alerts || []);
            const fresh = state.alerts !== null && Array.from(ids).some(function (id) { return !state.alerts.has(id); });
            state.alerts = ids;
            if (fresh) { show("alerts"); }
            else if (state.panel === "alerts" && ids.size === 0) { show("heatmap"); }
            else if (!byId("wall-title").textContent) { show(state.panel); }
            return window.dash_clientside.no_update;
        },
    };
})();
