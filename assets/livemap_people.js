/* Live map: the people beside the map (issue 16, as Traccar's device list), the search box and Follow.
   Clientside namespace fieldopsPeople; the grid's state cell is dashAgGridComponentFunctions.PersonState.
   Reads the browser's copy of the fleet from assets/livemap.js (window.fieldopsFleetNow). */
(function () {
    const FLY_ZOOM = 16;  // past the clusters' maxZoom (15): the chosen person's own marker shows

    function fleetNow() {
        return window.fieldopsFleetNow ? window.fieldopsFleetNow() : {fleet: new Map(), paused: new Set(), withdrawn: new Set(), now: Date.now()};
    }

    /* A text as the search compares it: accents dropped, lower case, no spaces or dots ("Wang Fang" → "wangfang");
       the server sends each name's Latin reading the same way (dashboard/live/livemap.py latin_reading). */
    function plain(text) {
        return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s·.'’-]+/g, "");
    }

    function matches(person, query) {
        return !query || plain(person.name).includes(query) || (person.latin || "").includes(query)
            || plain(person.code).includes(query);
    }

    /* When a person last reported: relative within the hour, then the 24-hour clock (with the date before today). */
    function lastText(ts, now, labels) {
        if (ts === null || ts === undefined) { return "—"; }
        const seconds = Math.max(0, Math.floor((now - ts) / 1000));
        if (seconds < 60) { return labels.ago_s.replace("{n}", seconds); }
        if (seconds < 3600) { return labels.ago_min.replace("{n}", Math.floor(seconds / 60)); }
        const zone = {timeZone: labels.timezone};
        const day = (t) => new Date(t).toLocaleDateString("sv-SE", zone);  // YYYY-MM-DD in the organisation's zone
        const clock = new Date(ts).toLocaleTimeString(labels.locale, Object.assign({hour: "2-digit", minute: "2-digit", hourCycle: "h23"}, zone));
        return day(ts) === day(now) ? clock : day(ts).slice(5) + " " + clock;
    }

    /* Choose a person: select them (their details open), fly the map to their marker, show the side column. */
    function choose(id) {
        const setProps = window.dash_clientside && window.dash_clientside.set_props;
        if (!setProps || !Number.isFinite(id)) { return; }
        setProps("livemap-selected", {data: id});
        const snap = fleetNow();
        const fix = snap.fleet.get(id);
        if (fix && !snap.paused.has(id) && !snap.withdrawn.has(id)) {
            setProps("livemap-map", {viewport: {center: [fix.lat, fix.lon], zoom: FLY_ZOOM, transition: "flyTo"}});
        }
        fold(false);
    }

    /* Fold the side column away (the map takes the room) or open it again. */
    function fold(folded) {
        const side = document.getElementById("livemap-side");
        const button = document.getElementById("livemap-fold");
        if (!side || !button || side.classList.contains("fo-side-folded") === folded) { return; }
        side.classList.toggle("fo-side-folded", folded);
        const label = folded ? button.dataset.show : button.dataset.hide;
        button.setAttribute("aria-expanded", String(!folded));
        button.setAttribute("aria-label", label);
        button.title = label;
        button.textContent = folded ? "⟨" : "⟩";
        window.dash_clientside.set_props("livemap-map", {invalidateSize: Date.now()});
    }

    function rowOf(target) {
        const row = target.closest && target.closest("#livemap-people .ag-center-cols-container .ag-row, #livemap-people .ag-pinned-left-cols-container .ag-row");
        return row ? Number(row.getAttribute("row-id")) : null;
    }

    /* A row chosen by a click, or by Enter on one of its cells (the grid's keyboard navigation). */
    document.addEventListener("click", function (event) {
        if (event.target.closest && event.target.closest("#livemap-fold")) {
            fold(!document.getElementById("livemap-side").classList.contains("fo-side-folded"));
            return;
        }
        const id = rowOf(event.target);
        if (id !== null) { choose(id); }
    });
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") { return; }
        const id = rowOf(event.target);
        if (id !== null) { choose(id); }
    });

    window.dashAgGridComponentFunctions = Object.assign({}, window.dashAgGridComponentFunctions, {
        /* A person's name with their code beneath it: seen whole even when the name is cut short. */
        PersonName: function (props) {
            const data = props.data || {};
            const h = window.React.createElement;
            return h("span", {className: "fo-person-name"}, h("span", null, data.name), h("small", null, data.code));
        },
        /* A person's state in words beside the legend's mark: its palette colour and its shape. */
        PersonState: function (props) {
            const data = props.data || {};
            const shape = data.shape ? " fo-shape-" + data.shape : "";
            return window.React.createElement("span", {className: "fo-person-state"},
                window.React.createElement("span", {className: "fo-dot fo-" + data.state + shape, "aria-hidden": "true"}),
                data.state_label);
        },
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsPeople = {
        /* Everyone in the roster who matches the search, as grid rows: placed people in their marker's state, the
           rest without consent, paused or without a position, as the server's counts have them (dashboard/live/presence.py). */
        rows: function (_cursor, names, query, selected, features, labels) {
            if (!names || !labels) { return window.dash_clientside.no_update; }
            const snap = fleetNow();
            const placed = new Map();
            ((features && features.features) || []).forEach(function (f) { placed.set(f.properties.id, f.properties.state); });
            const wanted = plain(query);
            const order = labels.order || [];
            return Object.keys(names).filter(function (key) { return matches(names[key], wanted); }).map(function (key) {
                const id = Number(key);
                const person = names[key];
                const state = snap.withdrawn.has(id) ? "consent_withdrawn"
                    : snap.paused.has(id) ? "paused" : (placed.get(id) || "no_position");
                const fix = placed.has(id) ? snap.fleet.get(id) : undefined;
                return {
                    key: key, id: id, chosen: id === selected, name: person.name, code: person.code, team: person.team,
                    state: state, state_label: labels[state] || state, shape: (labels.shapes || {})[state],
                    rank: order.indexOf(state), last: fix ? fix.ts : null, last_text: lastText(fix ? fix.ts : null, snap.now, labels),
                };
            });
        },
        /* Enter in the search box picks the first person the list shows (in its current order). */
        pickFirst: function (_submits, shown) {
            const first = shown && shown[0];
            if (!first) { return window.dash_clientside.no_update; }
            choose(first.id);
            return first.id;
        },
        /* The Follow switch: on for the chosen person; off when switched off or another person is chosen. Shown
           only while someone is chosen. Returns the switch's value, who is followed, whether the switch hides. */
        follow: function (value, selected, followed) {
            const noUpdate = window.dash_clientside.no_update;
            const triggered = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
            const hidden = selected === null || selected === undefined;
            if (triggered.indexOf("livemap-selected.data") >= 0) {
                return followed !== null && followed !== undefined && followed !== selected ? [[], null, hidden] : [noUpdate, noUpdate, hidden];
            }
            const on = (value || []).indexOf("follow") >= 0 && !hidden;
            return [noUpdate, on ? selected : null, hidden];
        },
        /* Keep the followed person in the map's centre: pan whenever their fix moves. */
        keepCentred: function (_cursor, followed, at) {
            if (followed === null || followed === undefined) { return null; }
            const fix = fleetNow().fleet.get(followed);
            if (!fix) { return window.dash_clientside.no_update; }
            const here = fix.lat + "," + fix.lon;
            if (here === at) { return window.dash_clientside.no_update; }
            window.dash_clientside.set_props("livemap-map", {viewport: {center: [fix.lat, fix.lon], transition: "panTo"}});
            return here;
        },
    };
})();
