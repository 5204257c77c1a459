/* The Coverage page (issue 21): a customer's marker takes the colour the server gave it (days since its last
   visit on dashboard/analytics/coverage.DAYS_SINCE_SCALE; grey: never visited), and its tooltip. */
(function () {
    window.fieldops = Object.assign({}, window.fieldops, {
        coverage: {
            customerMarker: function (feature, latlng) {
                const p = feature.properties;
                return L.circleMarker(latlng, {radius: p.overdue ? 8 : 6, weight: p.overdue ? 3 : 1.5,
                                               color: p.overdue ? "#b10026" : "#55606b", fillColor: p.color,
                                               fillOpacity: 0.9});
            },
            customerTooltip: function (feature, layer) {
                layer.bindTooltip(feature.properties.tooltip);
            },
        },
    });
})();
