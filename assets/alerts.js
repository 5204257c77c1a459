/* Live map help alerts (issue 7): which Resolve button was pressed, for the server callback to act on. */
(function () {
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        fieldopsAlerts: {
            pressed: function () {
                const context = window.dash_clientside.callback_context;
                const button = context.triggered_id;
                if (!button || !context.triggered.length || !context.triggered[0].value) {
                    return window.dash_clientside.no_update;
                }
                return {alert: button.alert, at: Date.now()};
            },
        },
    });
})();
