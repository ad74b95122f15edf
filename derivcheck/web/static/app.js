// derivcheck self-check page: live preview (POST api/read) and Check (POST api/check) for every
// element [data-question]; each answer is kept in the browser (localStorage) until changed. No
// framework. Text from the answer or the server is only ever set as textContent; innerHTML receives
// nothing but the server's MathML (built from an allowlist) and numbers this script formatted.
"use strict";

const DEBOUNCE_MS = 200;
const MARKS = { start: "\u00b7", ok: "\u2713", wrong: "\u2717", invalid: "!", undecided: "?" };
const MARK_WORDS = { start: "start", ok: "follows", wrong: "wrong", invalid: "not readable", undecided: "undecided" };
const VERDICT_WORDS = { correct: "Correct", incorrect: "Not right", invalid: "Not readable", undecided: "Undecided" };
// The student words of every question (the PDF's): mistake names, typeset variable names.
const WORDS = JSON.parse((document.getElementById("derivcheck-words") || { textContent: "{}" }).textContent);
// The sheet this page shows (sent with every request), and where its answers are kept.
const SHEET = (document.querySelector("main[data-sheet]") || { dataset: {} }).dataset.sheet;
const STORE = "derivcheck:" + location.pathname + ":" + (SHEET ? SHEET + ":" : "");

function remember(question, answer) {
  try {
    if (answer) localStorage.setItem(STORE + question, answer); else localStorage.removeItem(STORE + question);
  } catch (e) { /* storage off or full: the page works without it */ }
}

function recall(question) {
  try { return localStorage.getItem(STORE + question) || ""; } catch (e) { return ""; }
}

function escapeXml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function post(path, question, answer) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(SHEET ? { question, answer, sheet: SHEET } : { question, answer }),
  });
  let doc = null;
  try { doc = await response.json(); } catch (e) { doc = null; }
  if (!response.ok) {
    const message = doc && doc.error ? doc.error.message : `HTTP ${response.status}`;
    throw new Error(message);
  }
  return doc;
}

// Where an error is: the line of the answer holding it, that character marked.
function pointer(answer, position) {
  const box = el("div", "pointer");
  if (position === null || position === undefined) return box;
  const start = answer.lastIndexOf("\n", position - 1) + 1;
  let end = answer.indexOf("\n", position);
  if (end < 0) end = answer.length;
  const line = answer.slice(0, start).split("\n").length - 1;
  const code = el("code");
  code.append(answer.slice(start, position));
  const mark = el("mark", null, position < end ? answer[position] : "\u2002");
  mark.dataset.position = String(position);
  code.append(mark, answer.slice(position + 1, end));
  const where = answer.includes("\n") ? `line ${line}, character ${position - start + 1}`
                                      : `character ${position - start + 1}`;
  box.append(code, el("span", "where", ` (${where})`));
  return box;
}

function math(mathml, latex, fallback) {
  const span = el("span", "math");
  if (mathml) span.innerHTML = mathml;
  else span.textContent = latex || fallback || "";
  return span;
}

function showError(target, answer, err) {
  const box = el("div", "error");
  box.dataset.position = err.position === null || err.position === undefined ? "" : String(err.position);
  box.append(el("span", "message", err.message));
  box.append(pointer(answer, err.position));
  target.append(box);
}

function renderPreview(preview, answer, doc) {
  preview.replaceChildren();
  preview.dataset.state = doc.error ? "error" : "read";
  if (doc.lines) {
    const list = el("ol", "preview-lines");
    list.start = 0;
    for (const line of doc.lines) {
      const item = el("li");
      item.value = line.line;
      if (line.error) {
        item.append(el("code", "unread", line.text));
        item.append(el("span", "line-error", ` not read: ${line.error.message}`));
      } else {
        item.append(math(line.mathml, line.latex));
      }
      list.append(item);
    }
    preview.append(el("span", "label", "Read as:"), list);
    return;
  }
  if (doc.error) {
    showError(preview, answer, doc.error);
    return;
  }
  preview.append(el("span", "label", "Read as: "), math(doc.mathml, doc.latex));
  if (doc.note) preview.append(el("span", "note", ` (${doc.note})`));
}

function value(v) {
  if (typeof v === "number") return Number(v.toPrecision(4)).toString();
  if (Array.isArray(v)) return "[" + v.slice(0, 6).map(value).join(", ") + (v.length > 6 ? ", \u2026" : "") + "]";
  if (v && typeof v === "object" && "re" in v) return `${value(v.re)} + ${value(v.im)}i`;
  return String(v);
}

// A span holding server HTML (MathML and escaped words from the page's JSON).
function html(markup, cls) {
  const span = el("span", cls);
  span.innerHTML = markup || "";
  return span;
}

function words(question) { return WORDS[question] || {}; }

// "name = value" typeset: the variable's MathML from the server, the number as <mn>.
function assignment(question, name, v) {
  const known = (words(question).variables || {})[name];
  const inner = known ? known.replace(/^<math[^>]*>|<\/math>$/g, "") : `<mi>${escapeXml(name)}</mi>`;
  const shown = escapeXml(value(v));
  return html(`<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="${escapeXml(name)} = ${shown}">` +
              `<mrow>${inner}<mo>=</mo><mn>${shown}</mn></mrow></math>`, "math");
}

function atPoint(question, at) {
  const span = el("span");
  Object.entries(at || {}).forEach(([k, v], i) => {
    if (i) span.append(", ");
    span.append(assignment(question, k, v));
  });
  return span;
}

// The counterexample, once, typeset: where, both values, and the simulation's measurement.
function counterexampleNode(question, c) {
  const p = el("span");
  if (!c) return p;
  if (c.at && Object.keys(c.at).length) p.append("At ", atPoint(question, c.at), " ");
  if ("answer_value" in c) {
    p.append(`your answer gives ${value(c.answer_value)}, the right answer ${value(c.reference_value)}.`);
  } else if ("previous_value" in c && !Array.isArray(c.value) && typeof c.value !== "object") {
    p.append(`the line before is ${value(c.previous_value)} and this line is ${value(c.value)}.`);
  } else {
    return null;
  }
  const sim = c.simulated;
  if (sim && sim.interval) {
    const [lo, hi] = sim.interval;
    const measured = words(question).measured;
    p.append(" The simulation measured ", measured ? html(measured) : sim.quantity, `: ${value(sim.estimate)}`);
    p.append(value(lo) === value(hi) ? " exactly." : ` (between ${value(lo)} and ${value(hi)}).`);
  }
  return p;
}

// A diagnosis by its human name and explanation (the PDF's words); null when it has none.
function mistakeNode(question, code) {
  const entry = (words(question).mistakes || {})[code] || (words("*").mistakes || {})[code];
  if (!entry) return null;
  const span = el("span", "mistake");
  span.append(html(entry.name, "name"));
  if (entry.why) span.append(": ", html(entry.why, "why"));
  return span;
}

// The reader's message with its caret ("  answer\n       ^") shown as the preview shows it.
function messageNode(text) {
  const lines = String(text || "").split("\n");
  const last = lines.length >= 3 ? lines[lines.length - 1] : "";
  if (last.trim() === "^" && last.startsWith("  ") && lines[lines.length - 2].startsWith("  ")) {
    const box = el("span", "error");
    const excerpt = lines[lines.length - 2].slice(2);
    box.append(el("span", "message", lines.slice(0, -2).join(" ")), pointer(excerpt, last.length - 3));
    return box;
  }
  return el("span", null, text || "");
}

function feedbackNodes(question, doc) {
  const nodes = [];
  if (doc.verdict === "correct") {
    nodes.push(el("span", null, doc.status === "proven" ? "Proved equal to the derived answer."
      : doc.status === "numeric" ? "Equal to the derived answer at every point tested." : doc.feedback || ""));
    return nodes;
  }
  const named = (doc.diagnoses || []).map((code) => mistakeNode(question, code));
  if (doc.verdict === "incorrect" && named.length && named.every((n) => n)) return named;
  if (doc.verdict === "incorrect" && !(doc.diagnoses || []).length && doc.counterexample) {
    return [el("span", null, "This does not match the derived answer.")];
  }
  nodes.push(messageNode(doc.feedback));
  return nodes;
}

function stepReason(question, step) {
  const box = el("span");
  for (const code of step.diagnoses || []) {
    const node = mistakeNode(question, code);
    if (node) box.append(node, " ");
  }
  const example = step.counterexample ? counterexampleNode(question, step.counterexample) : null;
  if (example) box.append(example);
  else if (step.note) box.append(step.note);
  // An undecided or unreadable line says why in the checker's words; a line that follows needs no words.
  if (!box.childNodes.length && step.note === undefined && ["undecided", "invalid"].includes(step.verdict)) {
    box.append(MARK_WORDS[step.verdict]);
  }
  return box;
}

function renderResult(section, doc) {
  const question = section.dataset.question;
  const verdict = section.querySelector('[data-role="verdict"]');
  verdict.dataset.verdict = doc.verdict;
  const score = typeof doc.score === "number" && doc.verdict !== "correct" && doc.score > 0
    ? ` \u00b7 partial credit ${value(doc.score)}` : "";
  verdict.textContent = `${VERDICT_WORDS[doc.verdict] || doc.verdict}${score}` +
                        `${doc.review ? " \u00b7 a person will look at it" : ""}`;
  section.querySelector('[data-role="feedback"]').replaceChildren(...feedbackNodes(question, doc));
  const example = doc.steps ? null : counterexampleNode(question, doc.counterexample);
  section.querySelector('[data-role="counterexample"]').replaceChildren(...(example ? [example] : []));
  const steps = section.querySelector('[data-role="steps"]');
  steps.replaceChildren();
  for (const [i, step] of (doc.steps || []).entries()) {
    const item = el("li", "step");
    item.value = i;
    item.dataset.line = String(i);
    item.dataset.verdict = step.verdict;
    if (doc.first_wrong === i) item.dataset.firstWrong = "true";
    const mark = el("span", "mark", MARKS[step.verdict] || "?");
    mark.title = MARK_WORDS[step.verdict] || step.verdict;
    mark.setAttribute("aria-label", MARK_WORDS[step.verdict] || step.verdict);
    const shown = el("span", "shown");
    if (i > 0 && String(step.line || "").trim().startsWith("=") && step.mathml) shown.append(el("span", "eq", "="));
    shown.append(math(step.mathml, null, step.line));
    const reason = stepReason(question, step);
    reason.className = "reason";
    item.append(mark, shown, reason);
    steps.append(item);
  }
}

function setUp(section) {
  const question = section.dataset.question;
  const area = section.querySelector("textarea");
  const preview = section.querySelector('[data-role="preview"]');
  const button = section.querySelector('[data-role="check"]');
  const verdict = section.querySelector('[data-role="verdict"]');
  let timer = null;
  let latest = 0;

  async function readNow() {
    const answer = area.value;
    const ticket = ++latest;
    if (!answer.trim()) { preview.replaceChildren(); delete preview.dataset.state; return; }
    try {
      const doc = await post("api/read", question, answer);
      if (ticket === latest) renderPreview(preview, answer, doc);
    } catch (err) {
      if (ticket === latest) { preview.replaceChildren(); showError(preview, answer, { message: err.message }); }
    }
  }

  async function checkNow() {
    const answer = area.value;
    if (!answer.trim()) { verdict.textContent = "empty: type an answer first"; return; }
    button.disabled = true;
    verdict.dataset.verdict = "pending";
    verdict.textContent = "checking\u2026";
    try {
      renderResult(section, await post("api/check", question, answer));
    } catch (err) {
      verdict.dataset.verdict = "error";
      verdict.textContent = `error: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  }

  area.addEventListener("input", () => {
    remember(question, area.value);
    area.rows = Math.min(12, Math.max(2, area.value.split("\n").length));  // a derivation grows the box
    clearTimeout(timer);
    timer = setTimeout(readNow, DEBOUNCE_MS);
  });
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); checkNow(); }
  });
  button.addEventListener("click", checkNow);
  if (!area.value) area.value = recall(question);  // the answer typed before a reload
  area.rows = Math.min(12, Math.max(2, area.value.split("\n").length));
  if (area.value.trim()) readNow();
}

document.querySelectorAll("[data-question]").forEach(setUp);
