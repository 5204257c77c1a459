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

    window.fieldops = Object.assign({}, window.fieldops, {
        palette: {stateColor: stateColor, stateShape: stateShape, stateMarker: stateMarker},
    });
})();
