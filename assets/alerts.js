/* Live map alerts (issues 7 and 17): which Acknowledge or Resolve button was pressed, for the server callback
   to act on (callbacks/live_map.py act_on_alert). */
(function () {
    const ACTIONS = {"livemap-alert-ack": "acknowledge", "livemap-alert-resolve": "resolve"};
    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        fieldopsAlerts: {
            pressed: function () {
                const context = window.dash_clientside.callback_context;
                const button = context.triggered_id;
                if (!button || !ACTIONS[button.type] || !context.triggered.length || !context.triggered[0].value) {
                    return window.dash_clientside.no_update;
                }
                return {alert: button.alert, action: ACTIONS[button.type], at: Date.now()};
            },
        },
    });
})();
