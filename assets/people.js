/* The People page (issue 18): Enter on a cell of the people grid opens that person's panel, as a click does
   (AG Grid's keyboard navigation moves the focus between cells; cellClicked comes from the mouse only). */
(function () {
    "use strict";
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || !event.target.closest) { return; }
        const row = event.target.closest("#people-grid .ag-row");
        if (!row || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
        window.dash_clientside.set_props("people-grid", {
            cellClicked: {rowId: row.getAttribute("row-id"), colId: "keyboard", timestamp: Date.now()},
        });
    });
})();
