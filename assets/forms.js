/* The phone's visit forms (issue 21): "Fill in the form" on an on-site task card opens the task's form, drawn from
   what /api/v1/me/forms/<task> gave (kept in localStorage, so it fills offline too). Each change is queued in
   localStorage with its own op_id and a seq counting up, photos and the signature queued before it as data URLs,
   and the queue is sent oldest first whenever the phone is online: an item leaves the queue only once the server
   answered for it, and the server applies an op_id once (data/form_answers.apply_ops), so a change is never lost
   and never stored twice. The panel says whether changes are saved on the phone or sent.
   Loaded on every page like every asset; it does nothing until a form button is on the page. */
(function () {
    const QUEUE_KEY = "fieldops.forms.queue";  // [{kind: "file"|"op", task, ...}], oldest first
    const FORMS_KEY = "fieldops.forms.views";  // {task id: the server's view, its answers as the phone has them}
    const FILES_KEY = "fieldops.forms.files";  // {the phone's key of a queued file: the server's file id}
    const SEQ_KEY = "fieldops.forms.seq";
    const PHOTO_SIDE = 1280;  // photos are sent as a JPEG of at most this side: the server takes up to 2 MB
    const TICK_MS = 1000;
    const state = {sending: false, task: null, error: "", signTimer: null};

    function load(key, empty) {
        try {
            return JSON.parse(localStorage.getItem(key)) || empty;
        } catch (error) {
            return empty;
        }
    }

    function store(key, value) {
        localStorage.setItem(key, JSON.stringify(value));
    }

    function newId() {
        if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
        const bytes = new Uint8Array(16);
        crypto.getRandomValues(bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
        return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
    }

    function nextSeq() {
        const seq = (Number(localStorage.getItem(SEQ_KEY)) || 0) + 1;
        localStorage.setItem(SEQ_KEY, String(seq));
        return seq;
    }

    function csrfToken() {
        return decodeURIComponent((document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/) || [])[1] || "");
    }

    function views() { return load(FORMS_KEY, {}); }
    function viewOf(task) { return views()[task] || null; }
    function keepView(task, view) {
        const all = views();
        all[task] = view;
        store(FORMS_KEY, all);
    }

    function say(template, values) {
        return Object.keys(values || {}).reduce(function (text, name) {
            return text.split("{" + name + "}").join(values[name]);
        }, template || "");
    }

    /* The answers as the phone has them: the server's, with the changes still queued on top. */
    function withQueued(task, answers) {
        load(QUEUE_KEY, []).forEach(function (item) {
            if (item.kind === "op" && String(item.task) === String(task)) {
                Object.keys(item.answers).forEach(function (id) { answers[id] = item.answers[id]; });
            }
        });
        return answers;
    }

    function fetchView(task) {
        return fetch("/api/v1/me/forms/" + task, {credentials: "same-origin", cache: "no-store"}).then(function (answer) {
            if (!answer.ok) { return null; }
            return answer.json().then(function (view) {
                view.answers = withQueued(task, view.answers || {});
                keepView(task, view);
                return view;
            });
        }).catch(function () { return null; });
    }

    /* The same rules as dashboard/work/form_defs.shown and .missing, so the panel is right offline too. */
    function holds(condition, answers) {
        if (!condition) { return true; }
        const answer = answers[condition.field];
        return Array.isArray(answer) ? answer.indexOf(condition.equals) >= 0 : answer === condition.equals;
    }

    function isShown(field, view) {
        const section = field.section && view.fields.find(function (f) { return f.id === field.section; });
        return holds(field.show_if, view.answers) && (!section || holds(section.show_if, view.answers));
    }

    function empty(value) {
        return value === undefined || value === null || value === "" ||
            (Array.isArray(value) && !value.length) || (typeof value === "object" && !Array.isArray(value) && !Object.keys(value).length);
    }

    function missing(view) {
        return view.fields.filter(function (f) {
            return f.type !== "section" && f.required && isShown(f, view) && empty(view.answers[f.id]);
        });
    }

    function queued(task) {
        return load(QUEUE_KEY, []).filter(function (item) { return String(item.task) === String(task); }).length;
    }

    /* A change of some answers of the open form: kept in the view at once, queued to be sent. */
    function change(answers) {
        const task = state.task, view = viewOf(task);
        if (!view) { return; }
        Object.keys(answers).forEach(function (id) { view.answers[id] = answers[id]; });
        keepView(task, view);
        const queue = load(QUEUE_KEY, []);
        queue.push({kind: "op", task: task, op_id: newId(), seq: nextSeq(), answers: answers});
        store(QUEUE_KEY, queue);
        refresh();
        flush();
    }

    function queueFile(fieldId, data) {
        const key = newId(), queue = load(QUEUE_KEY, []);
        queue.push({kind: "file", task: state.task, field: fieldId, key: key, data: data});
        store(QUEUE_KEY, queue);
        return {local: key};
    }

    /* A queued file's reference replaced by the server's id once it is known; a refused file's dropped. */
    function resolved(value, files) {
        if (Array.isArray(value)) {
            return value.map(function (v) { return resolved(v, files); }).filter(function (v) { return v !== undefined; });
        }
        if (value && typeof value === "object" && value.local) {
            return files[value.local];
        }
        return value;
    }

    function resolveIn(answers, files) {
        const out = {};
        Object.keys(answers).forEach(function (id) {
            const value = resolved(answers[id], files);
            out[id] = value === undefined ? null : value;
        });
        return out;
    }

    function post(url, body) {
        return fetch(url, {
            method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
            body: JSON.stringify(body),
            credentials: "same-origin",
        });
    }

    /* Send the oldest queued item; it leaves the queue once answered: 2xx kept, 4xx refused for good (said on the
       panel). A network failure or a 5xx leaves it first in the queue for the next try. */
    function flush() {
        if (state.sending || !navigator.onLine) { return; }
        const item = load(QUEUE_KEY, [])[0];
        if (!item) { return; }
        state.sending = true;
        const files = load(FILES_KEY, {});
        const request = item.kind === "file"
            ? post("/api/v1/me/forms/" + item.task + "/files", {field: item.field, data: item.data})
            : post("/api/v1/me/forms/" + item.task + "/answers",
                {ops: [{op_id: item.op_id, seq: item.seq, answers: resolveIn(item.answers, files)}]});
        request.then(function (answer) {
            if (answer.status >= 500) { return false; }
            return answer.json().catch(function () { return {}; }).then(function (body) {
                done(item, answer.ok, body);
                return true;
            });
        }).catch(function () {
            return false;
        }).then(function (sent) {
            state.sending = false;
            refresh();
            if (sent && load(QUEUE_KEY, []).length) { flush(); }
        });
    }

    function done(item, ok, body) {
        const queue = load(QUEUE_KEY, []);
        if (queue.length && queue[0].kind === item.kind && (queue[0].op_id || queue[0].key) === (item.op_id || item.key)) {
            queue.shift();
            store(QUEUE_KEY, queue);
        }
        const view = viewOf(item.task);
        if (item.kind === "file") {
            const files = load(FILES_KEY, {});
            if (ok) { files[item.key] = body.id; }
            store(FILES_KEY, files);
            if (view) {
                view.answers = resolveIn(view.answers, files);
                Object.keys(view.answers).forEach(function (id) {
                    if (view.answers[id] === null) { delete view.answers[id]; }
                });
                keepView(item.task, view);
            }
        }
        if (!ok) {
            state.error = body && body.error ? body.error.message : String(body);
        } else if (item.kind === "op") {
            state.error = "";
        }
    }

    /* The panel. */
    function panel() {
        let box = document.getElementById("fo-form-panel");
        if (!box) {
            box = document.createElement("div");
            box.id = "fo-form-panel";
            box.className = "fo-form-panel";
            box.setAttribute("role", "dialog");
            box.setAttribute("aria-modal", "true");
            box.setAttribute("aria-labelledby", "fo-form-title");
            document.body.appendChild(box);
        }
        return box;
    }

    function element(tag, attributes, children) {
        const node = document.createElement(tag);
        Object.keys(attributes || {}).forEach(function (name) {
            if (name === "text") {
                node.textContent = attributes[name];
            } else if (name === "className") {
                node.className = attributes[name];
            } else {
                node.setAttribute(name, attributes[name]);
            }
        });
        (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
        return node;
    }

    function open(task) {
        state.task = String(task);
        state.error = "";
        const known = viewOf(task);
        if (known) {
            draw(known);  // as the phone has it; a fresh copy is fetched for the next opening, not drawn over this one
        }
        if (navigator.onLine && !queued(task)) {
            fetchView(task).then(function (view) { if (view && !known && state.task === String(task)) { draw(view); } });
        }
    }

    function close() {
        const box = document.getElementById("fo-form-panel");
        if (box) { box.remove(); }
        state.task = null;
        const button = document.querySelector(".fo-form-open");
        if (button) { button.focus(); }
    }

    function draw(view) {
        const box = panel(), texts = view.texts;
        box.replaceChildren();
        box.dataset.task = view.task_id;
        const head = element("div", {className: "fo-form-head"}, [
            element("h2", {id: "fo-form-title", className: "h5 mb-0", text: view.form.title}),
            element("button", {type: "button", id: "fo-form-close", className: "btn btn-outline-secondary btn-sm", text: texts.close}),
        ]);
        const status = element("div", {id: "fo-form-status", className: "small", role: "status"});
        const left = element("div", {id: "fo-form-missing", className: "small"});
        const error = element("div", {id: "fo-form-error", className: "small text-danger", role: "alert"});
        const body = element("div", {className: "fo-form-body"});
        view.fields.forEach(function (field) { body.appendChild(fieldBlock(field, view)); });
        box.append(element("div", {className: "fo-form-top"}, [head, status, left, error]), body);
        box.querySelector("#fo-form-close").addEventListener("click", close);
        refresh();
    }

    function label(field, texts, forId) {
        const words = field.label + (field.unit ? " (" + field.unit + ")" : "");
        const node = element("label", {className: "form-label fw-semibold mb-1", text: words});
        if (forId) { node.setAttribute("for", forId); }
        if (field.required) { node.appendChild(element("span", {className: "fo-form-required", text: " * " + texts.required})); }
        return node;
    }

    function fieldBlock(field, view) {
        const texts = view.texts, value = view.answers[field.id], inputId = "fo-form-" + field.id;
        const block = element("div", {className: "fo-form-field mb-3", "data-field": field.id, "data-type": field.type});
        if (field.type === "section") {
            block.appendChild(element("h3", {className: "h6 mt-2 border-bottom pb-1", text: field.label}));
            return block;
        }
        const control = CONTROLS[field.type](field, value, texts, inputId);
        block.append(label(field, texts, control.labelled ? inputId : null), control.node);
        return block;
    }

    function input(attributes) {
        return element("input", Object.assign({className: "form-control"}, attributes));
    }

    const CONTROLS = {
        text: function (field, value, texts, id) {
            const node = element("textarea", {className: "form-control", id: id, rows: "2", maxlength: "2000"});
            node.value = value || "";
            node.addEventListener("change", function () { change({[field.id]: node.value.trim() || null}); });
            return {node: node, labelled: true};
        },
        number: function (field, value, texts, id) {
            const node = input({type: "number", id: id, inputmode: "decimal", step: "any"});
            if (field.min !== null) { node.min = field.min; }
            if (field.max !== null) { node.max = field.max; }
            node.value = value === undefined || value === null ? "" : value;
            node.addEventListener("change", function () {
                change({[field.id]: node.value === "" ? null : Number(node.value)});
            });
            const hint = field.min !== null || field.max !== null
                ? element("div", {className: "form-text", text: say(texts.range, {low: field.min === null ? "…" : field.min, high: field.max === null ? "…" : field.max})})
                : null;
            return {node: element("div", {}, [node, hint]), labelled: true};
        },
        barcode: function (field, value, texts, id) {
            const node = input({type: "text", id: id, maxlength: "200", autocomplete: "off", placeholder: texts.typed});
            node.value = value || "";
            node.addEventListener("change", function () { change({[field.id]: node.value.trim() || null}); });
            const parts = [node];
            if ("BarcodeDetector" in window) {
                const camera = input({type: "file", accept: "image/*", capture: "environment", className: "visually-hidden"});
                const scan = element("button", {type: "button", className: "btn btn-outline-secondary btn-sm mt-1", text: texts.scan});
                scan.addEventListener("click", function () { camera.click(); });
                camera.addEventListener("change", function () {
                    if (!camera.files[0]) { return; }
                    createImageBitmap(camera.files[0]).then(function (bitmap) {
                        return new window.BarcodeDetector().detect(bitmap);
                    }).then(function (codes) {
                        if (codes.length) {
                            node.value = codes[0].rawValue;
                            change({[field.id]: node.value});
                        }
                    }).catch(function () { return null; });
                });
                parts.push(scan, camera);
            }
            return {node: element("div", {}, parts), labelled: true};
        },
        date: function (field, value, texts, id) {
            const node = input({type: "date", id: id});
            node.value = value || "";
            node.addEventListener("change", function () { change({[field.id]: node.value || null}); });
            return {node: node, labelled: true};
        },
        choice: function (field, value, texts, id) {
            const node = element("select", {className: "form-select", id: id}, [element("option", {value: "", text: texts.choose})]);
            field.options.forEach(function (o) { node.appendChild(element("option", {value: o.value, text: o.label})); });
            node.value = value || "";
            node.addEventListener("change", function () { change({[field.id]: node.value || null}); });
            return {node: node, labelled: true};
        },
        multi: function (field, value, texts) {
            const chosen = value || [];
            const boxes = field.options.map(function (o, index) {
                const id = "fo-form-" + field.id + "-" + index;
                const box = input({type: "checkbox", id: id, className: "form-check-input", value: o.value});
                box.checked = chosen.indexOf(o.value) >= 0;
                box.addEventListener("change", function () {
                    const picked = Array.from(document.querySelectorAll("[data-field='" + field.id + "'] input:checked"))
                        .map(function (b) { return b.value; });
                    change({[field.id]: picked.length ? picked : null});
                });
                return element("div", {className: "form-check"}, [box, element("label", {className: "form-check-label", for: id, text: o.label})]);
            });
            return {node: element("div", {role: "group"}, boxes), labelled: false};
        },
        yesno: function (field, value, texts) {
            const choices = [[true, texts.yes], [false, texts.no]].map(function (pair) {
                const id = "fo-form-" + field.id + "-" + pair[0];
                const radio = input({type: "radio", id: id, name: "fo-form-" + field.id, className: "form-check-input"});
                radio.checked = value === pair[0];
                radio.addEventListener("change", function () { change({[field.id]: pair[0]}); refreshShown(); });
                return element("div", {className: "form-check form-check-inline"}, [radio, element("label", {className: "form-check-label", for: id, text: pair[1]})]);
            });
            return {node: element("div", {role: "radiogroup"}, choices), labelled: false};
        },
        photo: function (field, value, texts, id) {
            const camera = input({type: "file", id: id, accept: "image/*", capture: "environment", className: "form-control"});
            const count = element("div", {className: "small fo-form-photos"});
            camera.addEventListener("change", function () {
                const file = camera.files[0];
                if (!file) { return; }
                asJpeg(file).then(function (data) {
                    const view = viewOf(state.task);
                    const list = (view.answers[field.id] || []).slice();
                    list.push(queueFile(field.id, data));
                    change({[field.id]: list});
                    camera.value = "";
                });
            });
            return {node: element("div", {}, [camera, count]), labelled: true};
        },
        signature: function (field, value, texts) {
            const canvas = element("canvas", {className: "fo-form-signature", width: "320", height: "160", "aria-label": texts.sign_here, role: "img"});
            const clear = element("button", {type: "button", className: "btn btn-outline-secondary btn-sm mt-1", text: texts.clear});
            const signed = element("div", {className: "small fo-form-signed"});
            drawable(canvas, function () {
                clearTimeout(state.signTimer);
                state.signTimer = setTimeout(function () {
                    change({[field.id]: queueFile(field.id, canvas.toDataURL("image/png"))});
                }, 600);
            });
            clear.addEventListener("click", function () {
                canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
                change({[field.id]: null});
            });
            return {node: element("div", {}, [canvas, element("div", {}, [clear]), signed]), labelled: false};
        },
        parts: function (field, value, texts, id) {
            const view = viewOf(state.task), names = {};
            view.parts.forEach(function (p) { names[p.id] = p.code + " " + p.name + " (" + p.unit + ")"; });
            const list = element("ul", {className: "list-unstyled mb-1 fo-form-parts"});
            (value || []).forEach(function (line, index) {
                const remove = element("button", {type: "button", className: "btn btn-link btn-sm p-0 ms-2", text: texts.remove});
                remove.addEventListener("click", function () {
                    const rest = (viewOf(state.task).answers[field.id] || []).filter(function (_l, i) { return i !== index; });
                    change({[field.id]: rest.length ? rest : null});
                    redrawField(field);
                });
                list.appendChild(element("li", {}, [element("span", {text: (names[line.part] || line.part) + " × " + line.qty}), remove]));
            });
            const pick = element("select", {className: "form-select", id: id, "aria-label": texts.part}, [element("option", {value: "", text: texts.choose})]);
            view.parts.forEach(function (p) { pick.appendChild(element("option", {value: String(p.id), text: names[p.id]})); });
            const qty = input({type: "number", min: "0", step: "any", value: "1", "aria-label": texts.qty, className: "form-control fo-form-qty"});
            const add = element("button", {type: "button", className: "btn btn-outline-primary btn-sm text-nowrap", text: texts.add_part});
            add.addEventListener("click", function () {
                const amount = Number(qty.value);
                if (!pick.value || !(amount > 0)) { return; }
                const lines = (viewOf(state.task).answers[field.id] || []).concat([{part: Number(pick.value), qty: amount}]);
                change({[field.id]: lines});
                redrawField(field);
            });
            const row = element("div", {className: "d-flex gap-1 align-items-center"}, [pick, qty, add]);
            return {node: element("div", {}, [list, row]), labelled: true};
        },
    };

    function redrawField(field) {
        const view = viewOf(state.task), old = document.querySelector("#fo-form-panel [data-field='" + field.id + "']");
        if (view && old) {
            old.replaceWith(fieldBlock(field, view));
            const picker = document.getElementById("fo-form-" + field.id);
            if (picker) { picker.focus(); }
            refresh();
        }
    }

    /* Pointer events: a finger, a pen or a mouse draws; the canvas keeps its own pixels, scaled to its box. */
    function drawable(canvas, drawn) {
        const pen = canvas.getContext("2d");
        pen.lineWidth = 2.5;
        pen.lineCap = "round";
        pen.strokeStyle = "#111";
        let down = false;
        function at(event) {
            const box = canvas.getBoundingClientRect();
            return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
        }
        canvas.addEventListener("pointerdown", function (event) {
            down = true;
            canvas.setPointerCapture(event.pointerId);
            const [x, y] = at(event);
            pen.beginPath();
            pen.moveTo(x, y);
            event.preventDefault();
        });
        canvas.addEventListener("pointermove", function (event) {
            if (!down) { return; }
            const [x, y] = at(event);
            pen.lineTo(x, y);
            pen.stroke();
        });
        ["pointerup", "pointercancel"].forEach(function (name) {
            canvas.addEventListener(name, function () {
                if (down) { down = false; drawn(); }
            });
        });
    }

    function asJpeg(file) {
        return createImageBitmap(file).then(function (bitmap) {
            const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
            const canvas = document.createElement("canvas");
            canvas.width = Math.round(bitmap.width * scale);
            canvas.height = Math.round(bitmap.height * scale);
            canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
            return canvas.toDataURL("image/jpeg", 0.85);
        });
    }

    function refreshShown() {
        const view = viewOf(state.task);
        if (!view) { return; }
        view.fields.forEach(function (field) {
            const block = document.querySelector("#fo-form-panel [data-field='" + field.id + "']");
            if (block) { block.hidden = !isShown(field, view); }
        });
    }

    /* What the panel says: saved on the phone or sent, and what is still missing. */
    function refresh() {
        const status = document.getElementById("fo-form-status");
        if (!status || !state.task) { return; }
        const view = viewOf(state.task), texts = view.texts, waiting = queued(state.task);
        status.textContent = waiting ? say(texts.saved_local, {count: waiting}) : texts.sent;
        status.dataset.state = waiting ? "local" : "sent";
        const left = missing(view);
        const line = document.getElementById("fo-form-missing");
        line.textContent = left.length ? say(texts.incomplete, {fields: left.map(function (f) { return f.label; }).join(", ")}) : texts.complete;
        line.dataset.complete = left.length ? "no" : "yes";
        const error = document.getElementById("fo-form-error");
        error.textContent = state.error ? say(texts.refused, {reason: state.error}) : "";
        refreshShown();
        const photos = view.fields.filter(function (f) { return f.type === "photo"; });
        photos.forEach(function (f) {
            const mark = document.querySelector("[data-field='" + f.id + "'] .fo-form-photos");
            const count = (view.answers[f.id] || []).length;
            if (mark) { mark.textContent = count ? "✓ " + say(texts.photos, {count: count}) : ""; }
        });
        view.fields.filter(function (f) { return f.type === "signature"; }).forEach(function (f) {
            const mark = document.querySelector("[data-field='" + f.id + "'] .fo-form-signed");
            if (mark) { mark.textContent = empty(view.answers[f.id]) ? "" : "✓ " + texts.signed; }
        });
    }

    /* Each form button's form is fetched while online, so it opens offline later; the forms of tasks no longer
       on the phone's list, with nothing left to send, are let go. */
    function prefetch() {
        if (!navigator.onLine) { return; }
        const listed = {};
        document.querySelectorAll(".fo-form-open").forEach(function (button) {
            const task = button.dataset.task;
            listed[task] = true;
            if (task && !viewOf(task) && !button.dataset.fetching) {
                button.dataset.fetching = "1";
                fetchView(task);
            }
        });
        if (!document.querySelector("#mobile-tasks .fo-m-task")) { return; }
        const all = views();
        const gone = Object.keys(all).filter(function (task) { return !listed[task] && task !== state.task && !queued(task); });
        if (gone.length) {
            gone.forEach(function (task) { delete all[task]; });
            store(FORMS_KEY, all);
        }
    }

    document.addEventListener("click", function (event) {
        const button = event.target.closest && event.target.closest(".fo-form-open");
        if (button) { open(button.dataset.task); }
    });
    document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && state.task) { close(); }
    });
    window.addEventListener("online", flush);
    setInterval(function () {
        prefetch();
        flush();
        refresh();
    }, TICK_MS);
})();
