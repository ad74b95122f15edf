// derivcheck self-check page: live preview (POST api/read) and Check (POST api/check) for every
// element [data-question]. No framework. Text from the answer or the server is only ever set as
// textContent; innerHTML receives nothing but the server's MathML, built from an allowlist.
"use strict";

const DEBOUNCE_MS = 200;
const MARKS = { start: "\u00b7", ok: "\u2713", wrong: "\u2717", invalid: "!", undecided: "?" };

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
    body: JSON.stringify({ question, answer }),
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
  if (typeof v === "number") return Number(v.toPrecision(6)).toString();
  if (Array.isArray(v)) return "[" + v.slice(0, 6).map(value).join(", ") + (v.length > 6 ? ", \u2026" : "") + "]";
  if (v && typeof v === "object" && "re" in v) return `${value(v.re)} + ${value(v.im)}i`;
  return String(v);
}

function describeCounterexample(c) {
  if (!c) return "";
  const at = Object.entries(c.at || {}).map(([k, v]) => `${k} = ${value(v)}`).join(", ");
  let text = `Counterexample${at ? ` at ${at}` : ""}: your answer ${value(c.answer_value)}, ` +
             `the reference ${value(c.reference_value)}`;
  if (c.simulated && c.simulated.interval) {
    const [lo, hi] = c.simulated.interval;
    text += `; simulated ${value(c.simulated.estimate)} (interval [${value(lo)}, ${value(hi)}])`;
  }
  return text + ".";
}

function stepReason(step) {
  const parts = [];
  if (step.diagnoses && step.diagnoses.length) parts.push(step.diagnoses.join(", "));
  if (step.note) parts.push(step.note);
  // A step's note already says its counterexample in words ("the previous line is ... and this one is ...").
  if (step.counterexample && !step.note) parts.push(describeCounterexample(step.counterexample));
  if (!parts.length && step.status && step.verdict !== "start") parts.push(step.status);
  return parts.join(" \u2014 ");
}

function renderResult(section, doc) {
  const verdict = section.querySelector('[data-role="verdict"]');
  verdict.dataset.verdict = doc.verdict;
  const score = typeof doc.score === "number" ? ` \u00b7 score ${value(doc.score)}` : "";
  const codes = doc.diagnoses && doc.diagnoses.length ? ` \u00b7 ${doc.diagnoses.join(", ")}` : "";
  verdict.textContent = `${doc.verdict}${score}${codes}${doc.review ? " \u00b7 flagged for a person" : ""}`;
  section.querySelector('[data-role="feedback"]').textContent = doc.feedback || "";
  section.querySelector('[data-role="counterexample"]').textContent = describeCounterexample(doc.counterexample);
  const steps = section.querySelector('[data-role="steps"]');
  steps.replaceChildren();
  for (const [i, step] of (doc.steps || []).entries()) {
    const item = el("li", "step");
    item.value = i;
    item.dataset.line = String(i);
    item.dataset.verdict = step.verdict;
    if (doc.first_wrong === i) item.dataset.firstWrong = "true";
    const mark = el("span", "mark", MARKS[step.verdict] || "?");
    mark.title = step.verdict;
    mark.setAttribute("aria-label", step.verdict);
    const shown = el("span", "shown");
    if (i > 0 && String(step.line || "").trim().startsWith("=") && step.mathml) shown.append(el("span", "eq", "="));
    shown.append(math(step.mathml, null, step.line));
    item.append(mark, shown, el("span", "reason", stepReason(step)));
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
    area.rows = Math.min(12, Math.max(2, area.value.split("\n").length));  // a derivation grows the box
    clearTimeout(timer);
    timer = setTimeout(readNow, DEBOUNCE_MS);
  });
  area.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); checkNow(); }
  });
  button.addEventListener("click", checkNow);
  if (area.value.trim()) readNow();
}

document.querySelectorAll("[data-question]").forEach(setUp);
