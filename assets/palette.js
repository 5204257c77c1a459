/* The state colours for scripts: read once from the custom properties of assets/fieldops.css
   (--state-*), the browser's home of dashboard/core/palette.py's values. Namespace fieldops.palette. */
(function () {
    const STATES = ["moving", "visit", "idle", "offline"];
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

    window.fieldops = Object.assign({}, window.fieldops, {palette: {stateColor: stateColor}});
})();
