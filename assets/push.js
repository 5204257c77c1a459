/* Alert notifications by Web Push (issue 17): the button with id "alerts-push-enable" (on the alerts page)
   subscribes this browser or ends its subscription, and shows the state: on, off, or not supported by this
   browser. Routes: GET /push/key (VAPID public key and the labels in the viewer's language), POST and DELETE
   /push/subscription (with the session's CSRF token); the service worker is /push-sw.js. */
(function () {
    "use strict";
    const BUTTON = "alerts-push-enable";
    const WORKER = "/push-sw.js";
    let server = null;  // {public_key, labels} once fetched
    let busy = false;

    function supported() {
        return window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window &&
            "Notification" in window;
    }

    function csrfToken() {
        return decodeURIComponent((document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/) || [])[1] || "");
    }

    function keyBytes(base64url) {
        const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
        return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
    }

    function fetchServer() {
        if (server) {
            return Promise.resolve(server);
        }
        return fetch("/push/key", {credentials: "same-origin"}).then(function (answer) {
            if (!answer.ok) {
                throw new Error("push key: HTTP " + answer.status);
            }
            return answer.json();
        }).then(function (body) {
            server = body;
            return body;
        });
    }

    function send(method, body) {
        return fetch("/push/subscription", {
            method: method,
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
            body: JSON.stringify(body),
        }).then(function (answer) {
            if (!answer.ok) {
                throw new Error("push subscription: HTTP " + answer.status);
            }
            return answer.json();
        });
    }

    function currentSubscription() {
        return navigator.serviceWorker.getRegistration(WORKER).then(function (registration) {
            return registration ? registration.pushManager.getSubscription() : null;
        });
    }

    function show(button, state) {
        const labels = (server && server.labels) || {};
        button.dataset.pushState = state;
        button.textContent = labels[state] || state;
        button.setAttribute("aria-pressed", state === "on" ? "true" : "false");
        button.disabled = state === "unsupported" || state === "denied";
    }

    function refresh(button) {
        if (!supported()) {
            fetchServer().catch(function () { return null; }).then(function () { show(button, "unsupported"); });
            return;
        }
        fetchServer().then(function () {
            if (Notification.permission === "denied") {
                show(button, "denied");
                return null;
            }
            return currentSubscription().then(function (subscription) {
                show(button, subscription ? "on" : "off");
                if (subscription) {
                    return send("POST", subscription.toJSON());  // the server keeps it in step with this browser
                }
                return null;
            });
        }).catch(function (error) {
            console.warn("FieldOps push:", error);
        });
    }

    function turnOn(button) {
        return Notification.requestPermission().then(function (permission) {
            if (permission !== "granted") {
                show(button, permission === "denied" ? "denied" : "off");
                return null;
            }
            return navigator.serviceWorker.register(WORKER, {scope: "/"}).then(function () {
                return navigator.serviceWorker.ready;
            }).then(function (registration) {
                return registration.pushManager.subscribe({
                    userVisibleOnly: true,
                    applicationServerKey: keyBytes(server.public_key),
                });
            }).then(function (subscription) {
                return send("POST", subscription.toJSON());
            }).then(function () {
                show(button, "on");
            });
        });
    }

    function turnOff(button) {
        return currentSubscription().then(function (subscription) {
            if (!subscription) {
                return null;
            }
            const endpoint = subscription.endpoint;
            return subscription.unsubscribe().then(function () {
                return send("DELETE", {endpoint: endpoint});
            });
        }).then(function () {
            show(button, "off");
        });
    }

    document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest("#" + BUTTON);
        if (!button || busy || !supported()) {
            return;
        }
        busy = true;
        fetchServer().then(function () {
            return button.dataset.pushState === "on" ? turnOff(button) : turnOn(button);
        }).catch(function (error) {
            console.warn("FieldOps push:", error);
            refresh(button);
        }).then(function () {
            busy = false;
        });
    });

    // The alerts page is drawn by Dash after this script runs: set the button's state whenever it appears.
    let seen = null;
    new MutationObserver(function () {
        const button = document.getElementById(BUTTON);
        if (button && button !== seen) {
            seen = button;
            refresh(button);
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
