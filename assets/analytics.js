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

    const REPLAY_GAP_S = 300;  // data/analytics.GAP_S: fixes further apart are not joined by a line
    const REPLAY_MAX_STEP_S = 1;  // a tick after a long pause (a hidden tab) moves no more than a second's worth
    const MARKER_SHOWN = {opacity: 1, fillOpacity: 1}, MARKER_HIDDEN = {opacity: 0, fillOpacity: 0};
    const playback = {at: 0, tick: 0};  // the playhead to the fraction of a second, and when it last moved
    const clocks = {};

    /* The playhead's time of day, in the zone the track was read in (24-hour, as the whole app). */
    function clockText(track, playhead) {
        const zone = track.tz || "UTC";
        clocks[zone] = clocks[zone] || new Intl.DateTimeFormat("en-GB", {
            timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
        });
        return clocks[zone].format(new Date((track.t0 + playhead) * 1000));
    }

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
        /* Where the person was at the playhead (the slider: seconds after the day's first fix): between two
           fixes less than 5 min apart the marker moves along the straight line, and the clock reads the
           organisation's zone (callbacks/analytics_day.py `_replay_track`). */
        replayPosition: function (at, track) {
            if (!track || !track.t || !track.t.length) {
                return [[0, 0], "", MARKER_HIDDEN];
            }
            const t = track.t, last = t.length - 1;
            const playhead = Math.max(0, Math.min(t[last], at || 0));
            let low = 0, high = last;
            while (low < high) {  // the last fix at or before the playhead
                const middle = Math.ceil((low + high) / 2);
                if (t[middle] <= playhead) { low = middle; } else { high = middle - 1; }
            }
            let lat = track.lat[low], lon = track.lon[low];
            if (low < last && t[low + 1] - t[low] <= REPLAY_GAP_S && t[low + 1] > t[low]) {
                const share = (playhead - t[low]) / (t[low + 1] - t[low]);
                lat += (track.lat[low + 1] - lat) * share;
                lon += (track.lon[low + 1] - lon) * share;
            }
            const clock = clockText(track, playhead);
            const thumb = document.querySelector("#day-slider [role=slider]");
            if (thumb) { thumb.setAttribute("aria-valuetext", clock); }  // a screen reader reads the time, not seconds
            return [[lat, lon], clock, MARKER_SHOWN];
        },
        /* Play/pause starts and stops the ticker; each tick moves the playhead on by the speed times the time
           that passed (1×: a second of the day per second), in the browser: no server round trip per frame.
           The end stops it; a new day puts the playhead back at its start; a dragged slider moves it. */
        replayControl: function (clicks, ticks, newTrack, dragged, speed, paused, labels) {
            const track = newTrack || {};
            const end = track.t && track.t.length ? track.t[track.t.length - 1] : 0;
            const trigger = (dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
            const now = Date.now();
            const unchanged = dash_clientside.no_update;
            if (trigger.indexOf("day-track") === 0) {
                playback.at = 0;
                return [0, true, labels.play];
            }
            if (trigger.indexOf("day-slider") === 0) {
                playback.at = dragged || 0;
                return [unchanged, unchanged, unchanged];
            }
            if (trigger.indexOf("day-play") === 0) {
                if (!paused) {
                    return [unchanged, true, labels.play];
                }
                if (playback.at >= end) {
                    playback.at = 0;
                }
                playback.tick = now;
                return [Math.floor(playback.at), false, labels.pause];
            }
            const elapsed = Math.min(REPLAY_MAX_STEP_S, Math.max(0, (now - playback.tick) / 1000));
            playback.tick = now;
            playback.at = Math.min(end, playback.at + (speed || 1) * elapsed);
            const done = playback.at >= end;
            return [Math.floor(playback.at), done, done ? labels.play : unchanged];
        },
    };
})();
