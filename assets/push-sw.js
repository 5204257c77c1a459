/* Alert notifications by Web Push (issue 17): the service worker, served at /push-sw.js so its scope is the
   whole app (dashboard/web/routes/push.py). The payload, decrypted by the browser: {title, body, url}. */
"use strict";

function ownPage(raw) {
    // Only ever a page of this site: the path and query of the url the server sent, on this origin.
    const target = new URL(raw || "/alerts", self.location.origin);
    return self.location.origin + target.pathname + target.search;
}

self.addEventListener("push", function (event) {
    let message = {title: "FieldOps", body: "", url: "/alerts"};
    if (event.data) {
        try {
            message = Object.assign(message, event.data.json());
        } catch (error) {
            message.body = event.data.text();
        }
    }
    const url = ownPage(message.url);
    event.waitUntil(
        self.registration.showNotification(String(message.title), {
            body: String(message.body),
            tag: url,
            data: {url: url},
        })
    );
});

self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    const url = ownPage(event.notification.data && event.notification.data.url);
    event.waitUntil(
        self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
            for (const client of windows) {
                if (client.url === url && "focus" in client) {
                    return client.focus();
                }
            }
            return self.clients.openWindow(url);
        })
    );
});
