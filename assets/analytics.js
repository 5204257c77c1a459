/* Analytics pages (issue 5): the heatmap's hexagon style (dash-leaflet namespace fieldops.analytics)
   and the day replay's clientside callbacks (dash_clientside.fieldopsAnalytics). */
(function () {
    window.fieldops = Object.assign({}, window.fieldops, {
        analytics: {
            /* A hexagon's colour and tooltip come with it (dashboard/analytics/scales.py: one fixed scale per
               measure); no value: a grey outline. */
            cellStyle: function (feature) {
                const p = feature.properties;
                if (p.value === null || p.value === undefined) {
                    return {color: "#8c8c8c", weight: 1, fillOpacity: 0.05};
                }
                return {color: "#55606b", weight: 0.6, fillColor: p.color, fillOpacity: 0.72};
            },
            cellTooltip: function (feature, layer) {
                layer.bindTooltip(feature.properties.tooltip, {sticky: true});
            },
        },
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsAnalytics = {
        /* After a hexagon was chosen with the keyboard in the table, its details take the focus. */
        focusDetails: function () {
            const active = document.activeElement;
            if (active && active.closest && active.closest("#heatmap-table")) {
                window.requestAnimationFrame(function () {
                    const title = document.getElementById("heatmap-details-title");
                    if (title) { title.focus(); }
                });
            }
            return window.dash_clientside.no_update;
        },
        /* Where the person was at the slider's fix: the marker's position and the time shown. */
        replayPosition: function (index, track) {
            if (!track || !track.lat || !track.lat.length) {
                return [[0, 0], "", 0];
            }
            const i = Math.max(0, Math.min(track.lat.length - 1, index || 0));
            return [[track.lat[i], track.lon[i]], track.time[i], 1];
        },
        /* Play/pause toggles the interval; each tick moves the slider on, and the end stops it. */
        replayControl: function (clicks, ticks, index, disabled, track) {
            const last = track && track.lat ? Math.max(0, track.lat.length - 1) : 0;
            const trigger = (dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
            if (trigger.indexOf("day-play") === 0) {
                return [index >= last ? 0 : index, !disabled];
            }
            const next = Math.min(last, (index || 0) + ((track && track.step) || 1));
            return [next, next >= last];
        },
    };
})();
