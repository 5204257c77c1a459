/* The Dash renderer does not follow a 401: when a callback answers "sign in first" (the session
   expired or was revoked), go to the sign-in page and come back here afterwards. */
(function () {
    const originalFetch = window.fetch;
    window.fetch = function (resource, init) {
        return originalFetch(resource, init).then(function (response) {
            const url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            // A wall display never shows the sign-in page: it shows itself stale until its token works again.
            if (response.status === 401 && url.indexOf("_dash-") !== -1 && window.location.pathname !== "/wall") {
                window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
            }
            return response;
        });
    };
})();

/* Sign out: a POST carrying the CSRF token, like every other state-changing request. */
document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("#nav-logout");
    if (!button) {
        return;
    }
    const token = (document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/) || [])[1] || "";
    fetch("/logout", {method: "POST", headers: {"X-CSRFToken": decodeURIComponent(token)}, redirect: "manual"})
        .finally(function () { window.location.assign("/login"); });
});

/* Menu sections (<details>): one open at a time, closed by a click anywhere else or Escape. */
document.addEventListener("click", function (event) {
    document.querySelectorAll("details.fo-menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) {
            menu.removeAttribute("open");
        }
    });
});
document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
        document.querySelectorAll("details.fo-menu[open]").forEach(function (menu) { menu.removeAttribute("open"); });
    }
});
