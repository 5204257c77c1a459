/* What a person's state looks like, for scripts: its colour, read once from the custom properties of
   assets/fieldops.css (--state-*, the browser's home of dashboard/core/palette.py's values), and its
   shape, so the state shows without colour too (issue 22; the legends draw the same shapes with the CSS
   classes .fo-shape-*). Namespace fieldops.palette. */
(function () {
    const STATES = ["moving", "visit", "idle", "offline"];
    const STATE_SHAPES = {moving: "triangle", visit: "square", idle: "diamond", offline: "circle"};
    let colours = null;

    /* The fill of a person's marker; an unknown state is drawn as offline. */
    function stateColor(state) {
        if (!colours) {
            const style = getComputedStyle(document.documentElement);
            const read = {};
            STATES.forEach(function (name) { read[name] = style.getPropertyValue("--state-" + name).trim(); });
            if (!read.offline) { return ""; }  // the stylesheet is not applied yet: read again next time
            colours = read;
        }
        return colours[state] || colours.offline;
    }

    function stateShape(state) {
        return STATE_SHAPES[state] || STATE_SHAPES.offline;
    }

    /* A circle marker drawn as its state's shape on a canvas renderer (Leaflet's own circle elsewhere);
       clicks still hit the circle of its radius. */
    let ShapeMarker = null;

    function shapeMarkerClass() {
        ShapeMarker = ShapeMarker || L.CircleMarker.extend({
            _updateBounds: function () {
                L.CircleMarker.prototype._updateBounds.call(this);
                const grow = L.point(this._radius * 0.4, this._radius * 0.4);
                this._pxBounds = L.bounds(this._pxBounds.min.subtract(grow), this._pxBounds.max.add(grow));
            },
            _updatePath: function () {
                const renderer = this._renderer;
                const shape = this.options.shape;
                if (!renderer._ctx || shape === "circle") {
                    L.CircleMarker.prototype._updatePath.call(this);
                    return;
                }
                if (!renderer._drawing || this._empty()) { return; }
                const ctx = renderer._ctx;
                const p = this._point;
                const r = this._radius;
                ctx.beginPath();
                if (shape === "square") {
                    ctx.rect(p.x - r * 0.9, p.y - r * 0.9, r * 1.8, r * 1.8);
                } else if (shape === "diamond") {
                    ctx.moveTo(p.x, p.y - r * 1.3);
                    ctx.lineTo(p.x + r * 1.3, p.y);
                    ctx.lineTo(p.x, p.y + r * 1.3);
                    ctx.lineTo(p.x - r * 1.3, p.y);
                    ctx.closePath();
                } else {  // triangle, pointing up
                    ctx.moveTo(p.x, p.y - r * 1.3);
                    ctx.lineTo(p.x + r * 1.2, p.y + r * 0.9);
                    ctx.lineTo(p.x - r * 1.2, p.y + r * 0.9);
                    ctx.closePath();
                }
                renderer._fillStroke(ctx, this);
            },
        });
        return ShapeMarker;
    }

    /* A person's marker: the state's colour and shape; `options` adds Leaflet path options. */
    function stateMarker(latlng, state, options) {
        const Marker = shapeMarkerClass();
        return new Marker(latlng, Object.assign({fillColor: stateColor(state), shape: stateShape(state)}, options));
    }

    /* A cluster of people: a neutral white disc with the count, in a ring divided among the states of the people
       it holds, in proportion and in the legend's order (colour-blind safe as the states' colours are), with a
       white hairline between the parts. No state's colour fills it, so it never reads as one state. Its size
       and its count's font come from the CSS custom properties --fo-cluster-size (the diameter of a cluster of
       fewer than 100) and --fo-cluster-font, read where the map is: a page (the wall) sets its own.
       `tally` counts people by state. */
    const resolvedLengths = new WeakMap();  // container -> {key, width}: one layout per viewport size, not per cluster

    function lengthInPixels(container, property, fallback) {
        /* A custom property's length as the page resolves it (the wall gives vh, the live map px). */
        const key = property + " " + window.innerWidth + "x" + window.innerHeight;
        const known = resolvedLengths.get(container);
        if (known && known.key === key) { return known.width; }
        const probe = document.createElement("div");
        probe.style.cssText = "position:absolute;visibility:hidden;width:var(" + property + ")";
        container.appendChild(probe);
        const width = probe.getBoundingClientRect().width || fallback;
        probe.remove();
        resolvedLengths.set(container, {key: key, width: width});
        return width;
    }

    function clusterIcon(count, text, tally, container) {
        const base = lengthInPixels(container, "--fo-cluster-size", 36);
        const size = Math.round(base * (count < 100 ? 1 : count < 1000 ? 1.2 : 1.4));
        const parts = STATES.filter(function (state) { return tally[state] > 0; });
        const gap = parts.length > 1 ? 2 : 0;  // degrees of white between two states' parts
        let at = 0;
        const stops = [];
        parts.forEach(function (state) {
            const end = at + (tally[state] / count) * 360;
            stops.push("#ffffff " + at + "deg " + (at + gap) + "deg", stateColor(state) + " " + (at + gap) + "deg " + end + "deg");
            at = end;
        });
        const mix = parts.map(function (state) { return state + ":" + tally[state]; }).join(",");
        const html = '<div class="fo-cluster-ring" data-states="' + mix + '" style="background: conic-gradient(' +
            stops.join(", ") + ')"><span class="fo-cluster-count">' + text + "</span></div>";
        return L.divIcon({html: html, className: "fo-cluster", iconSize: L.point(size, size)});
    }

    window.fieldops = Object.assign({}, window.fieldops, {
        palette: {
            states: STATES, stateColor: stateColor, stateShape: stateShape, stateMarker: stateMarker,
            clusterIcon: clusterIcon,
        },
    });
})();
