/* The alerts inbox (issue 17): the grid's severity chip, and the side panel's focus (as the tasks panel's). */
(function () {
    window.dashAgGridComponentFunctions = Object.assign({}, window.dashAgGridComponentFunctions, {
        /* A severity as a coloured chip with its word: the colour is never the only sign. */
        AlertSeverity: function (props) {
            const data = props.data || {};
            return window.React.createElement("span", {className: "fo-severity fo-severity-" + data.severity},
                data.severity_label);
        },
    });

    /* The panel takes the focus where it opens (its title) and gives it back to what opened it when it closes;
       Escape closes it. */
    let opener = null;
    let open = false;
    function visible(element) {
        return !!element && element !== document.body && element.offsetParent !== null;
    }
    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsAlertsInbox = {
        panelFocus: function (className) {
            const panel = document.getElementById("alerts-panel");
            const nowOpen = (className || "").split(" ").indexOf("show") >= 0;
            const active = document.activeElement;
            if (nowOpen && !open && panel && !panel.contains(active)) {
                opener = active;
            }
            window.requestAnimationFrame(function () {
                if (nowOpen && (!open || !visible(document.activeElement))) {
                    const title = document.getElementById("alerts-panel-title");
                    if (title) { title.focus(); }
                } else if (!nowOpen && open && visible(opener)) {
                    opener.focus();
                }
                open = nowOpen;
            });
            return window.dash_clientside.no_update;
        },
    };
    document.addEventListener("keydown", function (event) {
        const panel = document.getElementById("alerts-panel");
        if (event.key === "Escape" && panel && panel.classList.contains("show")) {
            const close = document.getElementById("alerts-panel-close");
            if (close) { close.click(); }
        }
    });
})();
