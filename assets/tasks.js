/* Tasks and customers maps (issue 6): drawing functions, dash-leaflet namespace fieldops.tasks. */
(function () {
    const STATE_COLORS = {
        new: "#6c757d", assigned: "#0072B2", accepted: "#56B4E9", en_route: "#E69F00",
        on_site: "#009E73", done: "#2b8a3e", failed: "#7f0000", cancelled: "#adb5bd",
    };
    const ROUTE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7B3294", "#1B7837"];

    window.fieldops = Object.assign({}, window.fieldops, {
        tasks: {
            taskPoint: function (feature, latlng) {
                const p = feature.properties;
                const risky = p.risk === "overdue" || p.risk === "at_risk";
                return L.circleMarker(latlng, {
                    radius: p.urgent ? 9 : 7,
                    weight: risky ? 4 : 2,
                    color: p.risk === "overdue" ? "#d62728" : p.risk === "at_risk" ? "#ff7f0e" : "#ffffff",
                    fillColor: STATE_COLORS[p.state] || "#6c757d",
                    fillOpacity: p.state === "cancelled" ? 0.4 : 0.95,
                });
            },
            routeStyle: function (feature) {
                const colour = ROUTE_COLORS[(feature.properties.employee || 0) % ROUTE_COLORS.length];
                return {color: colour, weight: 3, opacity: 0.75, dashArray: "6 4"};
            },
            customerMarker: function (feature, latlng) {
                return L.circleMarker(latlng, {radius: 6, weight: 2, color: "#ffffff", fillColor: "#0072B2",
                                               fillOpacity: 0.9});
            },
        },
    });
})();
