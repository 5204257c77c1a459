/* Side panels (dashboard/web/components.side_panel: the tasks, alerts and alert rules panels): a panel takes the
   focus where it opens (its title) and gives it back to what opened it when it closes, or when the control that
   had the focus inside it went (as Create does once the task exists); Escape closes it, unless the Escape is a
   dropdown's or a date picker's own, closing that popup. */
(function () {
    const state = {};  // panel id -> {open, opener}

    function visible(element) {
        return !!element && element !== document.body && element.offsetParent !== null;
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.fieldopsPanel = {
        focus: function (className, _title, panelId) {
            const panel = document.getElementById(panelId);
            const seen = state[panelId] || (state[panelId] = {open: false, opener: null});
            const nowOpen = (className || "").split(" ").indexOf("show") >= 0;
            const active = document.activeElement;
            if (nowOpen && !seen.open && panel && !panel.contains(active)) {
                seen.opener = active;
            }
            window.requestAnimationFrame(function () {
                if (nowOpen && (!seen.open || !visible(document.activeElement))) {
                    const title = document.getElementById(panelId + "-title");
                    if (title) { title.focus(); }
                } else if (!nowOpen && seen.open && visible(seen.opener)) {
                    seen.opener.focus();
                }
                seen.open = nowOpen;
            });
            return window.dash_clientside.no_update;
        },
    };

    /* In the capture phase on the window: before a dropdown's own handler closes its list, so an open list is
       still there to be seen. */
    window.addEventListener("keydown", function (event) {
        if (event.key !== "Escape") { return; }
        const panel = document.querySelector(".fo-side-panel.show");
        if (!panel) { return; }
        const popup = panel.querySelector("[aria-expanded='true']") || document.querySelector("[role='listbox']");
        if (popup) { return; }
        const close = panel.querySelector("[data-panel-close]");
        if (close) { close.click(); }
    }, true);
})();
