/* The Dash renderer does not follow a 401: when a callback answers "sign in first" (the session
   expired or was revoked), go to the sign-in page and come back here afterwards.
   Nor does it show a 503: while PostgreSQL or Redis cannot be reached, Dash's requests answer 503 with a
   message in the viewer's language (dashboard/web/errors.py); it is shown in a banner over the page, which
   keeps what it had, and taken away by the next request of Dash's that answers. */
(function () {
    const originalFetch = window.fetch;
    window.fetch = function (resource, init) {
        return originalFetch(resource, init).then(function (response) {
            const url = typeof resource === "string" ? resource : (resource && resource.url) || "";
            if (url.indexOf("_dash-") === -1) {
                return response;
            }
            // A wall display never shows the sign-in page: it shows itself stale until its token works again.
            if (response.status === 401 && window.location.pathname !== "/wall") {
                window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
            } else if (response.status === 503) {
                response.clone().json().then(showOutage, function () { return null; });
            } else if (response.ok) {
                hideOutage();
            }
            return response;
        });
    };

    function showOutage(body) {
        const message = body && body.error && body.error.message;
        if (!message) {
            return;
        }
        let banner = document.getElementById("fo-outage");
        if (!banner) {
            banner = document.createElement("div");
            banner.id = "fo-outage";
            banner.className = "fo-outage alert alert-warning shadow-sm";
            banner.setAttribute("role", "status");
            document.body.appendChild(banner);
        }
        banner.textContent = message;
    }

    function hideOutage() {
        const banner = document.getElementById("fo-outage");
        if (banner) {
            banner.remove();
        }
    }
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
