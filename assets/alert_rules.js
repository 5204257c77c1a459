/* The alert rules' panel (issue 17), as the task panel: it takes the focus where it opens (its title) and gives
   it back to what opened it when it closes; Escape closes it. */
(function () {
    let opener = null;
    let open = false;
    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsAlertRules = {
        panelFocus: function (className) {
            const panel = document.getElementById("alert-rule-panel");
            const nowOpen = (className || "").split(" ").indexOf("show") >= 0;
            if (nowOpen && !open && panel && !panel.contains(document.activeElement)) {
                opener = document.activeElement;
            }
            window.requestAnimationFrame(function () {
                if (nowOpen && !open) {
                    const title = document.getElementById("alert-rule-panel-title");
                    if (title) { title.focus(); }
                } else if (!nowOpen && open && opener && opener !== document.body && opener.isConnected) {
                    opener.focus();
                }
                open = nowOpen;
            });
            return window.dash_clientside.no_update;
        },
    };
    document.addEventListener("keydown", function (event) {
        const panel = document.getElementById("alert-rule-panel");
        if (event.key === "Escape" && panel && panel.classList.contains("show")) {
            const close = document.getElementById("alert-rule-close");
            if (close) { close.click(); }
        }
    });
})();
