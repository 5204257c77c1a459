/* The alerts inbox (issue 17): the grid's severity chip. */
(function () {
    window.dashAgGridComponentFunctions = Object.assign({}, window.dashAgGridComponentFunctions, {
        /* A severity as a coloured chip with its word: the colour is never the only sign. */
        AlertSeverity: function (props) {
            const data = props.data || {};
            return window.React.createElement("span", {className: "fo-severity fo-severity-" + data.severity},
                data.severity_label);
        },
    });
})();
