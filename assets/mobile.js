/* The phone page (/m): location sharing with watchPosition, buffered in localStorage while offline and
   sent in order when back online; the position added to check-in and help presses; the PWA setup.
   Loaded on every page like every asset, it does nothing until the phone page or sharing is in use. */
(function () {
    const BUFFER_KEY = "fieldops.m.buffer";
    const SHARING_KEY = "fieldops.m.sharing";
    const DEVICE_KEY = "fieldops.m.device";
    const BATCH = 500;  // the endpoint takes up to 1000 per request
    const MAX_BUFFERED = 20000;  // about two days at one fix every 10 s
    const TICK_MS = 1000;  // render the state and retry unsent fixes this often
    const state = {watch: null, last: null, sending: false, denied: false};

    /* A task card is drawn anew after its buttons (accept, check in, ...) and when the list changes: the
       keyboard's focus, left on the page's body, goes back to the same button if the new card has it, else
       to the card itself, never to another button (Enter there would act on it) (issue 22). A press
       outside the cards forgets it. */
    let lastFocus = null;  // {card, id}
    document.addEventListener("focusin", function (event) {
        const card = event.target.closest && event.target.closest(".fo-m-task");
        lastFocus = card ? {card: card.id, id: event.target.id} : null;
    });
    document.addEventListener("mousedown", function (event) {
        if (!(event.target.closest && event.target.closest(".fo-m-task"))) { lastFocus = null; }
    });
    /* The tab bar at phone widths (dashboard/web/shell.py): the tab of the page shown is marked, or "More"
       when the page is not one of the tabs. */
    function markTab() {
        const bar = document.getElementById("tab-bar");
        if (!bar) { return; }
        let marked = false;
        bar.querySelectorAll("a.fo-tab").forEach(function (tab) {
            if (tab.getAttribute("href") === window.location.pathname) {
                marked = true;
                if (tab.getAttribute("aria-current") !== "page") { tab.setAttribute("aria-current", "page"); }
            } else if (tab.hasAttribute("aria-current")) {
                tab.removeAttribute("aria-current");
            }
        });
        const more = bar.querySelector(".fo-tab-more");
        if (more) { more.classList.toggle("fo-tab-current", !marked); }
    }

    /* The result of a tap is drawn on the card tapped (callbacks/mobile.act): brought into view once, above the
       tab bar (its scroll-margin), when the card sits low on the screen. */
    const revealed = new WeakSet();
    function revealResult() {
        const outcome = document.getElementById("mobile-card-result");
        if (outcome && !revealed.has(outcome)) {
            revealed.add(outcome);
            outcome.scrollIntoView({block: "nearest"});
        }
    }

    /* The note's photo comes from the camera, not the gallery: dcc.Upload draws its own file input without a
       capture attribute, so it is given one whenever it is drawn (a hint phones follow; desktops ignore it). */
    function cameraOnly() {
        document.querySelectorAll(".fo-m-camera input[type=file]").forEach(function (input) {
            if (input.getAttribute("capture") !== "environment") {
                input.setAttribute("capture", "environment");
                input.setAttribute("accept", "image/*");
            }
        });
    }

    new MutationObserver(function () {
        markTab();
        cameraOnly();
        revealResult();
        if (!lastFocus || (document.activeElement && document.activeElement !== document.body)) { return; }
        const card = document.getElementById(lastFocus.card);
        if (!card) { return; }
        const same = lastFocus.id && document.getElementById(lastFocus.id);
        if (same && card.contains(same)) {
            same.focus();
        } else {
            card.tabIndex = -1;
            card.focus();
        }
    }).observe(document.documentElement, {childList: true, subtree: true});

    function csrfToken() {
        return decodeURIComponent((document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/) || [])[1] || "");
    }

    function buffered() {
        try {
            return JSON.parse(localStorage.getItem(BUFFER_KEY)) || [];
        } catch (error) {
            return [];
        }
    }

    function keep(list) {
        localStorage.setItem(BUFFER_KEY, JSON.stringify(list.slice(-MAX_BUFFERED)));
    }

    function asFix(position) {
        const c = position.coords;
        return {
            ts: Math.round(position.timestamp), lat: c.latitude, lon: c.longitude, accuracy: c.accuracy,
            speed: c.speed === null ? undefined : c.speed, heading: c.heading === null ? undefined : c.heading,
        };
    }

    /* Without the consent tracking needs (callbacks/mobile.consent_view marks mobile-consent-flag), the phone sends
       nothing and keeps nothing: a fix taken meanwhile is never buffered, so never sent later either. */
    function consentWithheld() {
        const flag = document.getElementById("mobile-consent-flag");
        return Boolean(flag && flag.classList.contains("fo-consent-off"));
    }

    function onPosition(position) {
        if (consentWithheld()) {
            stop();
            keep([]);
            return;
        }
        state.last = asFix(position);
        const list = buffered();
        const previous = list[list.length - 1];
        if (!previous || previous.ts !== state.last.ts) {  // the same fix twice is one fix
            list.push(state.last);
            keep(list);
        }
        render();
        flush();
    }

    /* Send the oldest fixes first; drop them from the buffer only once the server answered for them. */
    function flush() {
        if (state.sending || !navigator.onLine || consentWithheld()) {
            return;
        }
        const batch = buffered().slice(0, BATCH);
        if (!batch.length) {
            return;
        }
        state.sending = true;
        fetch("/api/v1/me/positions", {
            method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
            body: JSON.stringify({positions: batch}),
            credentials: "same-origin",
        }).then(function (answer) {
            // 400: every fix was refused for good (too old, broken clock); resending cannot help.
            if (answer.ok || answer.status === 400) {
                keep(buffered().slice(batch.length));
            }
            return answer.ok || answer.status === 400;
        }).catch(function () {
            return false;
        }).then(function (sent) {
            state.sending = false;
            render();
            if (sent && buffered().length) {
                flush();
            }
        });
    }

    function start() {
        if (!navigator.geolocation || state.watch !== null) {
            return;
        }
        localStorage.setItem(SHARING_KEY, "on");
        state.watch = navigator.geolocation.watchPosition(onPosition, function (error) {
            state.denied = error.code === error.PERMISSION_DENIED;
            render();
        }, {enableHighAccuracy: true, maximumAge: 10000, timeout: 60000});
        render();
    }

    function stop() {
        localStorage.setItem(SHARING_KEY, "off");
        if (state.watch !== null) {
            navigator.geolocation.clearWatch(state.watch);
        }
        state.watch = null;
        render();
    }

    function render() {
        const label = document.getElementById("mobile-sharing-state");
        if (!label) {
            return;
        }
        // What this phone does; whether positions are kept (paused, outside hours) is said above it by the server.
        const mode = state.denied ? "denied" : state.watch !== null ? "on" : "off";
        label.dataset.mode = mode;
        label.textContent = label.dataset[mode] || mode;
        const waiting = buffered().length;
        const pending = document.getElementById("mobile-pending");
        pending.textContent = waiting ? (label.dataset.waiting || "").replace("{count}", waiting) : "";
        pending.dataset.count = String(waiting);
        const toggle = document.getElementById("mobile-share-toggle");
        toggle.textContent = state.watch !== null ? toggle.dataset.stop : toggle.dataset.start;
    }

    function deviceKey() {
        // This phone page's own random key, kept across visits: the server tells a person's new phone by it.
        let key = localStorage.getItem(DEVICE_KEY);
        if (!key) {
            key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
            localStorage.setItem(DEVICE_KEY, key);
        }
        return key;
    }

    function currentFix() {
        // While sharing, the watch's last fix is where the phone is; otherwise ask for a fresh one.
        if (state.watch !== null && state.last || !navigator.geolocation) {
            return Promise.resolve(state.last);
        }
        return new Promise(function (resolve) {
            navigator.geolocation.getCurrentPosition(function (position) {
                resolve(asFix(position));
            }, function () {
                resolve(state.last);
            }, {enableHighAccuracy: true, maximumAge: 0, timeout: 10000});
        });
    }

    document.addEventListener("click", function (event) {
        if (event.target.closest && event.target.closest("#mobile-share-toggle")) {
            if (state.watch === null && consentWithheld()) {
                return;  // nothing may be sent: the privacy area says why
            } else if (state.watch === null) {
                start();
            } else {
                stop();
            }
        }
    });
    window.addEventListener("online", flush);

    function setUpPhonePage() {
        if (window.location.pathname !== "/m" || document.getElementById("fieldops-manifest")) {
            return;
        }
        const link = document.createElement("link");
        link.id = "fieldops-manifest";
        link.rel = "manifest";
        link.href = "/m/manifest.webmanifest";
        document.head.appendChild(link);
        if ("serviceWorker" in navigator) {
            navigator.serviceWorker.register("/m/sw.js", {scope: "/m"}).catch(function () { return null; });
        }
    }

    setInterval(function () {
        markTab();
        setUpPhonePage();
        if (consentWithheld()) {
            if (state.watch !== null) { stop(); }
            if (buffered().length) { keep([]); }
        } else if (state.watch === null && localStorage.getItem(SHARING_KEY) === "on" && document.getElementById("mobile-page")) {
            start();
        }
        render();
        flush();
    }, TICK_MS);

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        fieldopsMobile: {
            act: function () {
                const context = window.dash_clientside.callback_context;
                const pressed = context.triggered_id;
                if (!pressed || !context.triggered.length || !context.triggered[0].value) {
                    return window.dash_clientside.no_update;
                }
                const needsFix = pressed.action === "check_in" || pressed.action === "check_out";
                return (needsFix ? currentFix() : Promise.resolve(null)).then(function (fix) {
                    return {action: pressed.action, task: pressed.task, fix: fix, at: Date.now(), device: deviceKey()};
                });
            },
            note: function (clicks) {
                if (!clicks) {
                    return window.dash_clientside.no_update;
                }
                return currentFix().then(function (fix) {
                    return {fix: fix, at: Date.now()};
                });
            },
            help: function (clicks) {
                if (!clicks) {
                    return window.dash_clientside.no_update;
                }
                return currentFix().then(function (fix) {
                    return {fix: fix, at: Date.now()};
                });
            },
        },
    });
})();
