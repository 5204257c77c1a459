/* Wall display (/wall): rotates the panels on the organisation's cycle, each panel its share (the map and the
   tiles the longest: dashboard/live/wall.py SHARES); a newly raised alert that needs a person now (a warning or
   a critical: the server says which, dashboard/live/wall.py INTERRUPTING) interrupts once, and the rotation
   then resumes where it was; info alerts wait for the alerts panel's turn. Shows a stale indicator when answers from the server stop coming (server
   restart, network drop); Dash's intervals keep asking, so it recovers by itself. Frames the maps on the
   team's area beside their legends. Clientside namespace fieldopsWall; dash-leaflet namespace fieldops.wall. */
(function () {
    const STALE_AFTER_MS = 4000;  // three missed 1 Hz refreshes
    const FRAME_MARGIN_PX = 32;  // between the team's area and the screen's edges or the legend
    const state = {panel: "map", shownAt: Date.now(), lastOk: Date.now(), cycleMs: 20000, alerts: null, rotations: 0,
                   refreshes: 0, lastRefresh: 0, urgent: null, resume: null, resumed: null, interruptions: 0,
                   shown: {map: 1}, time: {}, lastTick: Date.now(), interruptedAt: -Infinity};  // time: ms each panel was shown
    let config = null;
    window.fieldopsWallState = state;  // read by the browser tests

    function byId(id) { return document.getElementById(id); }

    /* How long a panel shows in its turn: its share of cycles. */
    function shareMs(panel) {
        const shares = (config && config.shares) || {};
        return state.cycleMs * (shares[panel] || 1);
    }

    function panelsInTurn() {
        const all = (config && config.panels) || ["map", "kpis", "alerts", "heatmap"];
        return all.filter(function (p) { return p !== "alerts" || (state.alerts && state.alerts.size > 0); });
    }

    function show(panel, resumed) {
        const all = (config && config.panels) || ["map", "kpis", "alerts", "heatmap"];
        all.forEach(function (p) {
            const section = byId("wall-panel-" + p);
            const dot = byId("wall-dot-" + p);
            if (section) { section.classList.toggle("fo-wall-shown", p === panel); }
            if (dot) { dot.classList.toggle("fo-wall-dot-on", p === panel); }
        });
        const title = byId("wall-title");
        if (title && config && config.titles) { title.textContent = config.titles[panel] || ""; }
        if (panel === "map" && state.panel !== "map" && !resumed) { state.rotations += 1; }
        if (state.panel !== panel) { state.shown[panel] = (state.shown[panel] || 0) + 1; }
        state.panel = panel;
        state.shownAt = Date.now();
    }

    /* The panel after the current one in the turn; after an interruption, the interrupted panel for the rest
       of its share, so a stream of alerts never keeps a panel from being reached. */
    function advance() {
        if (state.resume) {
            const resume = state.resume;
            state.resume = null;
            state.resumed = resume.panel;
            show(resume.panel, true);
            state.shownAt = Date.now() - resume.elapsed;
            return;
        }
        const turn = panelsInTurn();
        const all = (config && config.panels) || turn;
        let at = all.indexOf(state.panel);
        for (let step = 1; step <= all.length; step += 1) {
            const next = all[(at + step) % all.length];
            if (turn.indexOf(next) >= 0) { show(next); return; }
        }
    }

    /* A new warning or critical: the alerts panel now, unless it is showing (the new alert is on it already) or,
       for a warning, the rotation was interrupted less than a rotation ago: then it waits for the alerts' turn,
       so a stream of warnings never keeps the room from the map and the figures. A critical always interrupts. */
    function interrupt(critical) {
        const rotationMs = panelsInTurn().reduce(function (sum, p) { return sum + shareMs(p); }, 0);
        if (state.panel === "alerts" || (!critical && Date.now() - state.interruptedAt < rotationMs)) { return; }
        state.resume = {panel: state.panel, elapsed: Math.min(Date.now() - state.shownAt, shareMs(state.panel))};
        state.interruptions += 1;
        state.interruptedAt = Date.now();
        show("alerts", true);
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
        state.time[state.panel] = (state.time[state.panel] || 0) + (now - state.lastTick);
        state.lastTick = now;
        const stale = now - state.lastOk > STALE_AFTER_MS;
        page.classList.toggle("fo-wall-is-stale", stale);
        const staleText = byId("wall-stale-text");
        if (staleText && config) { staleText.textContent = stale ? config.stale.replace("{time}", clockText(state.lastOk, true)) : ""; }
        const clock = byId("wall-clock");
        if (clock) { clock.textContent = clockText(now, false); }
        if (now - state.shownAt >= shareMs(state.panel)) { advance(); }
    }

    window.setInterval(tick, 250);

    window.fieldops = Object.assign({}, window.fieldops, {
        wall: {
            /* The live map's colours and shapes, about 40 px across: seen from 5 m. */
            fleetPoint: function (feature, latlng) {
                const state = feature.properties.state;
                return window.fieldops.palette.stateMarker(latlng, state, {
                    radius: 17, weight: 3, color: "#0b1118", fillOpacity: state === "offline" ? 0.6 : 1,
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
        /* The cycle from the organisation's settings; a newly raised alert that needs a person interrupts the
           rotation once (state.urgent holds those already seen), the others wait for the alerts panel's turn.
           What is open when the wall is opened interrupts nothing. */
        configure: function (seen, wallConfig) {
            config = wallConfig;
            if (!seen) { return window.dash_clientside.no_update; }
            state.lastOk = Date.now();
            state.cycleMs = Math.max(5, seen.cycle_s || 20) * 1000;
            state.alerts = new Set(seen.alerts || []);
            const urgent = seen.interrupt || [];
            const known = state.urgent;
            const fresh = known === null ? [] : urgent.filter(function (id) { return !known.has(id); });
            state.urgent = new Set(urgent);  // every open one the server knows: a resolved id never comes back
            if (fresh.length) {
                interrupt(fresh.some(function (id) { return (seen.critical || []).indexOf(id) >= 0; }));
            } else if (state.panel === "alerts" && state.alerts.size === 0) { advance(); }
            else if (!byId("wall-title").textContent) { show(state.panel, true); }
            return window.dash_clientside.no_update;
        },
        /* Both maps fit the team's area into the screen beside their legends (which sit on the left); the
           heatmap also every hexagon of today, so none is cut at the screen's edge. */
        frame: function (area, heat) {
            if (!area || !area.bounds) { return [window.dash_clientside.no_update, window.dash_clientside.no_update]; }
            function viewport(bounds, besideId) {
                const beside = byId(besideId);
                const left = beside ? beside.getBoundingClientRect().right : 0;
                return {bounds: bounds, transition: "fitBounds", options: {
                    paddingTopLeft: [left + FRAME_MARGIN_PX, FRAME_MARGIN_PX],
                    paddingBottomRight: [FRAME_MARGIN_PX, FRAME_MARGIN_PX], maxZoom: 16, animate: false,
                }};
            }
            const heatBounds = [area.bounds[0].slice(), area.bounds[1].slice()];
            ((heat && heat.features) || []).forEach(function (hexagon) {
                hexagon.geometry.coordinates[0].forEach(function (corner) {  // [lon, lat]
                    heatBounds[0][0] = Math.min(heatBounds[0][0], corner[1]);
                    heatBounds[0][1] = Math.min(heatBounds[0][1], corner[0]);
                    heatBounds[1][0] = Math.max(heatBounds[1][0], corner[1]);
                    heatBounds[1][1] = Math.max(heatBounds[1][1], corner[0]);
                });
            });
            return [viewport(area.bounds, "wall-legend"), viewport(heatBounds, "wall-heat-caption")];
        },
    };
})();
