/* What Dash 4's own components leave out for keyboards and screen readers (issue 22), put right on every
   page as they render (a MutationObserver; React does not touch these attributes again):
   - dcc.Dropdown: Tab reaches its button, not the stand-in input Dash hides from screen readers
     (aria-hidden yet focusable); the button is named by its <label> before its value.
   - dcc.Checklist / dcc.RadioItems: a named group of native checkboxes or radios, not a "listbox" whose
     "options" each hold an input (interactive inside interactive).
   - dcc.DatePickerSingle / Range: no ARIA the wrapper's role does not allow; inputs named by our label.
   - dcc.Slider / RangeSlider: each thumb named by the slider's label.
   - dcc.Upload: the file input (Tab reaches it, though it is invisible) named by the drop area's text. */
(function () {
    function labelFor(id) {
        return id ? document.querySelector('label[for="' + CSS.escape(id) + '"]') : null;
    }

    function idOf(element, fallback) {
        if (!element.id) { element.id = fallback; }
        return element.id;
    }

    function set(element, name, value) {
        if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
    }

    function dropdown(wrapper) {
        const standIn = wrapper.querySelector(":scope > .dash-dropdown-focus-target");
        const button = wrapper.querySelector(":scope > button.dash-dropdown");
        if (!standIn || !button) { return; }
        if (standIn.tabIndex !== -1) { standIn.tabIndex = -1; }
        if (!button.disabled && button.tabIndex !== 0) { button.tabIndex = 0; }
        const label = labelFor(button.id);
        const named = button.getAttribute("aria-labelledby") || "";
        if (label && named.split(" ")[0] !== label.id) {
            set(button, "aria-labelledby", idOf(label, button.id + "-label") + " " + named);
        }
    }

    function optionsList(list) {
        const radios = list.classList.contains("dash-radioitems");
        set(list, "role", radios ? "radiogroup" : "group");
        const label = labelFor(list.id);
        if (label) { set(list, "aria-labelledby", idOf(label, list.id + "-label")); }
        list.querySelectorAll(":scope > .dash-options-list-option").forEach(function (option) {
            option.removeAttribute("role");
            option.removeAttribute("aria-selected");
        });
    }

    function datePicker(wrapper) {
        ["aria-labelledby", "aria-haspopup", "aria-expanded", "aria-disabled", "type"].forEach(function (name) {
            wrapper.removeAttribute(name);
        });
        const inputs = wrapper.querySelectorAll("input.dash-datepicker-input");
        const label = labelFor(inputs.length ? inputs[0].id : null);
        if (!label) { return; }
        inputs.forEach(function (input) {
            const text = inputs.length > 1 ? label.textContent + " – " + input.placeholder : label.textContent;
            set(input, "aria-label", text);
        });
    }

    function slider(container) {
        const label = labelFor(container.id);
        if (!label) { return; }
        container.querySelectorAll("[role=slider]").forEach(function (thumb) {
            set(thumb, "aria-labelledby", idOf(label, container.id + "-label"));
        });
    }

    function upload(input) {
        const text = input.previousElementSibling;
        if (text) { set(input, "aria-labelledby", idOf(text, "upload-text-" + Math.random().toString(36).slice(2))); }
    }

    function mend(root) {
        root.querySelectorAll(".dash-dropdown-wrapper").forEach(dropdown);
        // Not the dropdown's open list, which is a listbox indeed.
        root.querySelectorAll(".dash-options-list.dash-checklist, .dash-options-list.dash-radioitems").forEach(optionsList);
        root.querySelectorAll(".dash-datepicker-input-wrapper").forEach(datePicker);
        root.querySelectorAll(".dash-slider-container").forEach(slider);
        root.querySelectorAll("input[type=file]:not([aria-labelledby])").forEach(upload);
    }

    let queued = false;
    const observer = new MutationObserver(function () {
        if (queued) { return; }
        queued = true;
        queueMicrotask(function () {
            queued = false;
            mend(document);
        });
    });

    function start() {
        mend(document);
        observer.observe(document.body, {
            subtree: true, childList: true, attributes: true,
            attributeFilter: ["tabindex", "role", "aria-expanded", "aria-labelledby", "aria-label", "aria-selected"],
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
