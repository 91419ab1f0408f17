// The page of scaffold serve: goals and team to a recommendation, a
// template and its questions to a preview, and the same choices as a
// share link and a download. All data from the server is written with
// textContent, never as markup; the server's CSP allows no inline code.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  // The parameter names the page itself uses; everything else in the
  // query string is the answer to a question.
  const OWN = new Set(["goal", "team", "kind", "template", "name", "git"]);

  const state = {
    meta: null,
    goals: new Set(),
    team: "",
    template: "", // picked by the user; empty follows the recommendation
    recommended: "", // the recommendation's template
    name: "",
    git: false,
    // answers[q] is what the user gave: a string, a boolean or a list
    // of strings. Questions not here take their default.
    answers: new Map(),
    // answers restored from the URL before the template's form exists.
    pending: new Map(),
  };

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k in e && typeof v !== "string") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.firstChild.remove();
  }

  function fillList(ul, items, heading) {
    clear(ul);
    for (const it of items) ul.append(typeof it === "string" ? el("li", { text: it }) : it);
    if (heading) heading.hidden = items.length === 0;
  }

  function debounce(fn, ms) {
    let t = 0;
    return () => {
      clearTimeout(t);
      t = setTimeout(fn, ms);
    };
  }

  // getJSON GETs the URL, or POSTs the form body when there is one.
  async function getJSON(url, form) {
    const init = { headers: { Accept: "application/json" } };
    if (form !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = form;
    }
    const res = await fetch(url, init);
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (!res.ok) {
      const err = new Error((body && body.detail) || res.status + " " + res.statusText);
      err.status = res.status;
      err.problem = body || {};
      throw err;
    }
    return body;
  }

  // --- the query string: one encoding for share, preview and download ---

  function currentTemplate() {
    return state.template || state.recommended;
  }

  function templateMeta(name) {
    return (state.meta.templates || []).find((t) => t.name === name);
  }

  // query encodes the choices: for the page's URL (forStarter false),
  // or for the server, which picks the template from the goals when the
  // user has not. A secret answer is left out unless secrets is true: it
  // travels in a POST body only (the server refuses it in a URL).
  function query(forStarter, secrets) {
    const p = new URLSearchParams();
    for (const g of state.meta.goals.map((g) => g.name)) if (state.goals.has(g)) p.append("goal", g);
    if (state.team && state.team !== "none") p.set("team", state.team);
    const tmpl = state.template || (forStarter && state.goals.size === 0 ? state.recommended : "");
    if (tmpl) p.set("template", tmpl);
    if (state.name) p.set("name", state.name);
    if (state.git) p.set("git", "true");
    const t = templateMeta(currentTemplate());
    const names = new Set(t && t.questions ? t.questions.map((q) => q.name) : []);
    const secret = new Set(t && t.questions ? t.questions.filter((q) => q.secret).map((q) => q.name) : []);
    for (const [k, v] of state.answers) {
      // A question that does not apply to the other answers is not
      // asked; its answer is kept for when it applies again.
      if (!names.has(k) || ($("q-" + k) && $("q-" + k).hidden)) continue;
      if (!secrets && secret.has(k)) continue;
      if (Array.isArray(v)) {
        if (v.length === 0) p.append(k, "");
        for (const x of v) p.append(k, x);
      } else {
        p.set(k, String(v));
      }
    }
    // Answers from a shared link whose template has not loaded yet.
    for (const [k, v] of state.pending) if (!p.has(k)) for (const x of v) p.append(k, x);
    return p.toString();
  }

  function restoreFromURL() {
    const p = new URLSearchParams(location.search);
    const known = new Set(state.meta.goals.map((g) => g.name));
    for (const v of p.getAll("goal")) {
      for (const g of v.split(",")) if (known.has(g.trim())) state.goals.add(g.trim());
    }
    state.team = p.get("team") || "";
    state.template = p.get("template") || "";
    state.name = p.get("name") || "";
    state.git = p.get("git") === "true";
    for (const k of new Set(p.keys())) {
      if (!OWN.has(k)) state.pending.set(k, p.getAll(k));
    }
  }

  function updateLinks() {
    const share = new URL("/", location.href);
    share.search = query(false);
    const href = share.pathname + share.search;
    if (location.pathname + location.search !== href) history.replaceState(null, "", href);
    $("share").href = href;
    $("share-url").value = share.href;
    $("share-secret").hidden = !secretGiven();
    const ready = state.name !== "" && (state.template || state.recommended);
    for (const [id, ext] of [["download-zip", "zip"], ["download-tgz", "tgz"]]) {
      const a = $(id);
      if (ready) {
        a.href = "/starter." + ext + "?" + query(true, false);
        a.setAttribute("download", (state.name || "project") + "." + ext);
        a.removeAttribute("aria-disabled");
      } else {
        a.removeAttribute("href");
        a.removeAttribute("download");
        a.setAttribute("aria-disabled", "true");
      }
    }
  }

  function secretGiven() {
    const t = templateMeta(currentTemplate());
    const asked = (q) => $("q-" + q.name) !== null && !$("q-" + q.name).hidden;
    return !!(t && t.questions && t.questions.some((q) => q.secret && state.answers.has(q.name) && asked(q)));
  }

  // postForm submits the parameters as a form, for a download.
  function postForm(action, params) {
    const form = el("form", { method: "post", action, hidden: true });
    for (const [k, v] of new URLSearchParams(params)) form.append(el("input", { type: "hidden", name: k, value: v }));
    document.body.append(form);
    form.submit();
    form.remove();
  }

  // --- goals, team and the recommendation ---

  function renderGoals() {
    const box = $("goal-list");
    clear(box);
    for (const g of state.meta.goals) {
      const id = "goal-" + g.name;
      const help = id + "-help";
      const input = el("input", { type: "checkbox", id, name: "goal", value: g.name, "aria-describedby": help });
      input.checked = state.goals.has(g.name);
      input.addEventListener("change", () => {
        if (input.checked) state.goals.add(g.name);
        else state.goals.delete(g.name);
        changed(true);
      });
      box.append(
        el("div", { class: "check" }, input, el("label", { for: id }, el("span", { class: "goal-name", text: g.name })),
          el("p", { id: help, class: "help", text: g.help })),
      );
    }
  }

  function renderTeams() {
    const sel = $("team");
    clear(sel);
    for (const t of state.meta.teams || []) {
      sel.append(el("option", { value: t.name, text: t.title || t.name }));
    }
    if (!state.team && sel.options.length) state.team = sel.options[0].value;
    sel.value = state.team;
    if (sel.value !== state.team) state.team = sel.value;
    const help = () => {
      const t = (state.meta.teams || []).find((t) => t.name === sel.value);
      $("team-help").textContent = t ? t.help || "" : "";
    };
    help();
    sel.setAttribute("aria-describedby", "team-help");
    sel.addEventListener("change", () => {
      state.team = sel.value;
      help();
      changed(true);
    });
  }

  let recSeq = 0;
  async function recommend() {
    const seq = ++recSeq;
    const p = new URLSearchParams();
    for (const g of state.goals) p.append("goal", g);
    if (state.team && state.team !== "none") p.set("team", state.team);
    const box = $("recommendation");
    box.setAttribute("aria-busy", "true");
    let rec;
    try {
      rec = await getJSON("/recommend?" + p);
    } catch (err) {
      if (seq !== recSeq) return;
      box.removeAttribute("aria-busy");
      $("rec-error").textContent = err.message;
      $("rec-error").hidden = false;
      return;
    }
    if (seq !== recSeq) return;
    box.removeAttribute("aria-busy");
    $("rec-error").hidden = true;
    $("rec-title").textContent = "";
    $("rec-title").append(
      el("strong", { text: rec.title || rec.template }),
      document.createTextNode(" "),
      el("code", { id: "rec-template", text: rec.template }),
    );
    box.dataset.template = rec.template || "";
    box.dataset.goals = [...state.goals].join(",");
    fillList($("rec-reasons"), rec.reasons || [], $("rec-reasons-heading"));
    fillList($("rec-warnings"), rec.warnings || [], $("rec-warnings-heading"));
    fillList(
      $("rec-features"),
      (rec.features || []).map((f) =>
        el("li", {}, el("code", { text: f.question }), document.createTextNode(": " + f.prompt + " (" + (f.goals || []).join(", ") + ")")),
      ),
      $("rec-features-heading"),
    );
    fillList(
      $("rec-parts"),
      (rec.parts || []).map((p) =>
        el("li", {}, el("code", { text: p.folder + "/" }), document.createTextNode(" " + (p.title || p.template) + (p.reason ? ": " + p.reason : ""))),
      ),
      $("rec-parts-heading"),
    );
    const before = currentTemplate();
    state.recommended = rec.template || "";
    syncTemplateSelect();
    if (currentTemplate() !== before) renderQuestions();
    updateLinks();
    schedulePreview();
  }

  // --- the template and its questions ---

  function renderTemplates() {
    const sel = $("template");
    clear(sel);
    sel.append(el("option", { value: "", id: "template-auto", text: "The recommendation" }));
    const kinds = new Map();
    for (const t of state.meta.templates || []) {
      const kind = t.kind || "other";
      if (!kinds.has(kind)) {
        kinds.set(kind, el("optgroup", { label: kind }));
        sel.append(kinds.get(kind));
      }
      // A workspace is made of other templates: scaffold new makes it,
      // this server does not (renders is false).
      const why = t.error ? ", cannot be opened" : t.renders === false ? ", with scaffold new only" : "";
      const label = (t.title || t.name) + " (" + t.name + why + ")";
      kinds.get(kind).append(el("option", { value: t.name, text: label, disabled: !!t.error || t.renders === false }));
    }
    sel.addEventListener("change", () => {
      state.template = sel.value;
      renderQuestions();
      changed(false);
    });
    syncTemplateSelect();
  }

  function syncTemplateSelect() {
    const sel = $("template");
    sel.value = state.template;
    if (sel.value !== state.template) {
      // A shared link naming a template this server does not have.
      showError("template", "unknown template " + JSON.stringify(state.template) + "; pick one of the list");
    }
    const auto = $("template-auto");
    auto.textContent = "The recommendation" + (state.recommended ? " (" + state.recommended + ")" : "");
    const t = templateMeta(currentTemplate());
    const notHere = t && t.renders === false ? "this server cannot make it: run scaffold new" : "";
    $("template-help").textContent = t ? [t.description, t.version && "version " + t.version, t.error, notHere].filter(Boolean).join(" — ") : "";
  }

  // A Go regexp as an HTML pattern, when JavaScript reads it the same
  // way; else none (the server still checks it). Go matches anywhere
  // in the value unless the regexp anchors itself, while pattern must
  // match it all, hence the padding.
  function htmlPattern(re) {
    if (!re || /\\[zAQEpPC]|\(\?[a-zA-Z]|\[\[:|\(\?P</.test(re)) return null;
    const p = "[\\s\\S]*(?:" + forVMode(re) + ")[\\s\\S]*";
    try {
      new RegExp(p, "v");
    } catch (_) {
      return null;
    }
    return p;
  }

  // forVMode rewrites the character classes of a Go regexp for the v
  // flag, which pattern uses: there a literal - ( ) { } / | inside a
  // class, or a doubled punctuator, must be escaped ([a-z0-9._~-] is
  // [a-z0-9._~\-]). The rest of the regexp is left as it is.
  function forVMode(re) {
    let out = "";
    for (let i = 0; i < re.length; i++) {
      const c = re[i];
      if (c === "\\") {
        out += re.slice(i, i + 2);
        i++;
        continue;
      }
      if (c !== "[") {
        out += c;
        continue;
      }
      out += "[";
      i++;
      if (re[i] === "^") {
        out += "^";
        i++;
      }
      let first = true;
      let prev = "";
      for (; i < re.length; i++) {
        const d = re[i];
        if (d === "]" && !first) {
          out += "]";
          break;
        }
        if (d === "\\") {
          out += re.slice(i, i + 2);
          prev = "";
          i++;
        } else if (d === "-" && prev !== "" && re[i + 1] !== undefined && re[i + 1] !== "]") {
          out += "-"; // a range, as in a-z
          prev = "";
        } else if ("-(){}/|[]".includes(d) || ("&!#$%*+,.:;<=>?@^`~".includes(d) && (d === prev || d === re[i + 1]))) {
          out += "\\" + d;
          prev = "";
        } else {
          out += d;
          prev = d;
        }
        first = false;
      }
    }
    return out;
  }

  function answerGiven(q) {
    if (state.answers.has(q.name)) return state.answers.get(q.name);
    return undefined;
  }

  function renderQuestions() {
    const box = $("questions");
    clear(box);
    const t = templateMeta(currentTemplate());
    const defaults = state.meta.defaults || {};
    // Answers to questions the new template does not have are dropped.
    const names = new Set(t && t.questions ? t.questions.map((q) => q.name) : []);
    for (const k of [...state.answers.keys()]) if (!names.has(k)) state.answers.delete(k);
    if (!t || !t.questions || t.questions.length === 0) {
      const why = !t ? "Waiting for the recommendation…" : t.error || "This template asks nothing.";
      box.append(el("p", { class: "help", text: why }));
      if (t) dropPending(t);
      return;
    }
    for (const q of t.questions) {
      if (state.pending.has(q.name)) {
        const vals = state.pending.get(q.name);
        state.pending.delete(q.name);
        if (q.type === "multiselect") state.answers.set(q.name, vals.flatMap((v) => v.split(",")).filter((v) => v !== ""));
        else if (q.type === "bool") state.answers.set(q.name, vals[0] === "true");
        else state.answers.set(q.name, vals[0]);
      }
      box.append(renderQuestion(q, defaults[q.name]));
    }
    dropPending(t);
  }

  // dropPending forgets the answers of a link that the template does not
  // ask, and says so, rather than sending what the server would refuse.
  function dropPending(t) {
    if (state.pending.size === 0) return;
    const names = [...state.pending.keys()];
    state.pending.clear();
    const e = $("link-note");
    e.textContent = "The link answers " + names.join(", ") + ", which " + t.name + " does not ask: left out.";
    e.hidden = false;
  }

  function renderQuestion(q, teamDefault) {
    const id = "a-" + q.name;
    const helpId = "h-" + q.name;
    const errId = "e-" + q.name;
    const described = helpId + " " + errId;
    const help = el("p", { id: helpId, class: "help", text: q.help || "" });
    const err = el("p", { id: errId, class: "error", "aria-live": "polite", hidden: true });
    const wrap = el("div", { class: "field question", id: "q-" + q.name, "data-question": q.name, "data-type": q.type });
    const given = answerGiven(q);
    const set = (v) => {
      state.answers.set(q.name, v);
      changed(false);
    };

    if (q.type === "bool") {
      const input = el("input", { type: "checkbox", id, name: q.name, "aria-describedby": described });
      input.checked = given !== undefined ? given === true : truthy(teamDefault !== undefined ? teamDefault : q.default);
      input.addEventListener("change", () => set(input.checked));
      wrap.classList.add("check");
      wrap.append(input, el("label", { for: id, text: q.prompt || q.name }), help, err);
      return wrap;
    }

    if (q.type === "multiselect") {
      const fs = el("fieldset", { id, "aria-describedby": described });
      fs.append(el("legend", { text: q.prompt || q.name }));
      const initial = given !== undefined ? given : listOf(teamDefault !== undefined ? teamDefault : q.default);
      const boxes = [];
      (q.choices || []).forEach((c, i) => {
        const cid = id + "-" + i;
        const cb = el("input", { type: "checkbox", id: cid, name: q.name, value: c });
        cb.checked = initial.includes(c);
        cb.addEventListener("change", () => set(boxes.filter((b) => b.checked).map((b) => b.value)));
        boxes.push(cb);
        fs.append(el("div", { class: "check" }, cb, el("label", { for: cid, text: c })));
      });
      fs.append(help, err);
      wrap.append(fs);
      return wrap;
    }

    const label = el("label", { for: id, text: q.prompt || q.name });
    let input;
    if (q.type === "select") {
      input = el("select", { id, name: q.name, "aria-describedby": described });
      for (const c of q.choices || []) input.append(el("option", { value: c, text: c }));
      const initial = given !== undefined ? given : teamDefault !== undefined ? teamDefault : q.default;
      if (initial !== undefined && !isTemplateText(initial)) input.value = String(initial);
      input.addEventListener("change", () => set(input.value));
    } else {
      const props = { id, name: q.name, "aria-describedby": described, autocomplete: "off", spellcheck: "false" };
      if (q.type === "int") {
        Object.assign(props, { type: "number", step: "1", inputmode: "numeric" });
      } else {
        props.type = q.secret ? "password" : "text";
        const pattern = htmlPattern(q.validate);
        if (pattern) props.pattern = pattern;
      }
      input = el("input", props);
      if (given !== undefined) input.value = String(given);
      else if (teamDefault !== undefined) input.value = String(teamDefault);
      if (q.default !== undefined && !isTemplateText(q.default)) input.placeholder = String(q.default);
      input.addEventListener("input", () => {
        // An empty field is no answer: the default (the placeholder) applies.
        if (input.value === "") state.answers.delete(q.name);
        else state.answers.set(q.name, input.value);
        changed(false);
      });
    }
    wrap.append(label, input, help, err);
    return wrap;
  }

  function isTemplateText(v) {
    return typeof v === "string" && v.includes("{{");
  }

  function truthy(v) {
    return v === true || v === "true";
  }

  function listOf(v) {
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === "string" && v !== "" && !isTemplateText(v)) return v.split(",");
    return [];
  }

  // --- the preview ---

  function clearErrors() {
    for (const e of document.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
    for (const e of document.querySelectorAll("p.error[id^='e-']")) {
      e.hidden = true;
      e.textContent = "";
    }
  }

  function showError(param, detail) {
    let err = param ? $("e-" + param) : null;
    let control = param ? $(param === "name" || param === "template" ? param : "a-" + param) : null;
    if (param === "goal") control = $("goals");
    if (param === "team") control = $("team");
    if (!err) err = $("e-general");
    err.textContent = detail;
    err.hidden = false;
    if (control) control.setAttribute("aria-invalid", "true");
  }

  let previewSeq = 0;
  async function preview() {
    const seq = ++previewSeq;
    const ticket = scheduled;
    const status = $("preview-status");
    if (!state.name) {
      clearErrors();
      status.textContent = "Type a project name to see its files.";
      clear($("files"));
      previewDone(ticket, seq, "idle");
      return;
    }
    if (!currentTemplate()) return;
    status.textContent = "Updating the preview…";
    let res;
    try {
      res = await getJSON("/preview", query(true, true));
    } catch (err) {
      if (seq !== previewSeq) return;
      clearErrors();
      showError(err.problem && err.problem.parameter, err.message);
      status.textContent = "The preview is not up to date: " + err.message;
      $("files").classList.add("stale");
      previewDone(ticket, seq, "error");
      return;
    }
    if (seq !== previewSeq) return;
    clearErrors();
    $("files").classList.remove("stale");
    const files = res.files || [];
    status.textContent = files.length + " files in " + (res.name || state.name) + "/, from " + res.template + ".";
    fillList(
      $("files"),
      files.map((f) =>
        el("li", { "data-path": f.path },
          el("code", { text: f.path }),
          el("span", { class: "meta", text: f.link ? " → " + f.link : " " + f.size + " bytes, " + f.mode })),
      ),
    );
    fillList(
      $("next"),
      (res.next || []).map((n) => el("li", {}, el("code", { text: n.run }), document.createTextNode(n.note ? " — " + n.note : ""))),
      $("next-heading"),
    );
    $("preview-hooks").textContent = res.hooks || "";
    $("preview-hooks").hidden = !res.hooks;
    applyResolved(res.questions || []);
    previewDone(ticket, seq, "ok");
  }

  // Shows what each question resolves to, and hides those that do not
  // apply to the other answers.
  function applyResolved(questions) {
    for (const r of questions) {
      const wrap = $("q-" + r.name);
      if (!wrap) continue;
      const hidden = r.applies === false;
      if (wrap.hidden !== hidden) {
        wrap.hidden = hidden;
        if (state.answers.has(r.name)) {
          updateLinks();
          schedulePreview();
        }
      }
      wrap.dataset.value = r.value === undefined ? "" : Array.isArray(r.value) ? r.value.join(",") : String(r.value);
      if (state.answers.has(r.name) || r.value === undefined) continue;
      const type = wrap.dataset.type;
      const control = $("a-" + r.name);
      if (type === "bool") control.checked = truthy(r.value);
      else if (type === "multiselect") {
        const vals = listOf(r.value);
        for (const cb of control.querySelectorAll("input[type=checkbox]")) cb.checked = vals.includes(cb.value);
      } else if (type === "select") control.value = String(r.value);
      else if (!isTemplateText(r.value)) control.placeholder = String(r.value);
    }
  }

  // The preview's state, for people (the status line) and for tests
  // (data-state): pending from a change until the preview of the last
  // change is shown, then ok, error or idle (no name yet).
  const previewSoon = debounce(preview, 250);
  let scheduled = 0;
  function schedulePreview() {
    scheduled++;
    $("preview-status").dataset.state = "pending";
    previewSoon();
  }
  function previewDone(ticket, seq, st) {
    if (ticket === scheduled && seq === previewSeq) $("preview-status").dataset.state = st;
  }
  const scheduleRecommend = debounce(recommend, 150);

  function changed(goals) {
    updateLinks();
    if (goals) scheduleRecommend();
    schedulePreview();
  }

  // --- start ---

  async function start() {
    try {
      state.meta = await getJSON("/");
    } catch (err) {
      $("load-error").textContent = "The page could not load the templates: " + err.message;
      $("load-error").hidden = false;
      return;
    }
    $("hooks").textContent = state.meta.hooks || "";
    $("version").textContent = "scaffold " + (state.meta.scaffold || "");
    restoreFromURL();
    renderGoals();
    renderTeams();
    renderTemplates();
    renderQuestions();
    const name = $("name");
    name.value = state.name;
    name.addEventListener("input", () => {
      state.name = name.value.trim();
      changed(false);
    });
    const git = $("git");
    git.checked = state.git;
    git.addEventListener("change", () => {
      state.git = git.checked;
      changed(false);
    });
    $("project").addEventListener("submit", (e) => e.preventDefault());
    for (const [id, ext] of [["download-zip", "zip"], ["download-tgz", "tgz"]]) {
      $(id).addEventListener("click", (e) => {
        if ($(id).getAttribute("aria-disabled") === "true") {
          e.preventDefault();
          showError("name", "a project name is required to download it");
          $("name").focus();
        } else if (secretGiven()) {
          // The link cannot carry a secret answer: the same choices go
          // as a form, in a POST body.
          e.preventDefault();
          postForm("/starter." + ext, query(true, true));
        }
      });
    }
    $("copy").addEventListener("click", async () => {
      const url = $("share-url");
      try {
        await navigator.clipboard.writeText(url.value);
        $("copy-status").textContent = "Copied.";
      } catch (_) {
        url.select();
        $("copy-status").textContent = "Selected: copy it with Ctrl+C (⌘C).";
      }
    });
    updateLinks();
    await recommend();
    document.body.dataset.ready = "true";
  }

  start();
})();
