// What the QC pages share: their stylesheet, "{name}" templates, the reason and tag labels, the chat as
// the reviewer reads it (forbidden words marked) and the scorecard arithmetic for the live total (the
// service's is assistant/team/qc.py review_score; the saved score is always the service's).
import * as api from "./api.js";
import { el, joinList, T, toast } from "./ui.js";

export function loadStyle() {
  if (document.querySelector("link[data-qc-style]")) return;
  const link = el("link", { rel: "stylesheet", href: "/static/shared/qc.css" });
  link.dataset.qcStyle = "1";
  document.head.append(link);
}

/** T[key] with "{name}" filled from `values`. */
export function fmt(key, values = {}) {
  return Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, String(v)), T[key] || key);
}

/** The buyer risk flags evidence may set (api.js `createEvidence`'s `flag`), as <option>s. */
export const FLAGS = ["bad_review_extortion", "professional_claimant", "malicious_complaint"];
export const flagOptions = () => FLAGS.map((f) => el("option", { value: f, textContent: T[`qc_flag_${f}`] }));

/** An error's field messages, else its message. */
export const errorText = (e) =>
  (e.errors || []).length ? e.errors.map((x) => x.message).join(" ") : e.message;

export const reasonLabel = (reason) => T[`qc_reason_${reason}`] || reason;
export const tagLabel = (tag) => (tag === "lost_order" ? T.qc_tag_lost_order : T.qc_tag_excellent_label);
export const when = (iso) => new Date(iso).toLocaleString(document.documentElement.lang);

/** One line of the chat, its forbidden words marked. */
function line(l) {
  const text = el("span", {});
  let rest = l.text;
  const words = l.words || [];
  while (rest) {
    const folded = rest.toLowerCase();
    let at = -1,
      word = "";
    for (const w of words) {
      const i = folded.indexOf(w.toLowerCase());
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        word = w;
      }
    }
    if (at < 0) {
      text.append(rest);
      break;
    }
    text.append(rest.slice(0, at), el("mark", { textContent: rest.slice(at, at + word.length) }));
    rest = rest.slice(at + word.length);
  }
  const who = l.by === "buyer" ? T.qc_buyer_said : l.sender || T.qc_shop_said;
  return el(
    "div",
    {
      className: `qc-line ${l.by}${words.length ? " flagged" : ""}`,
      title: words.length ? fmt("qc_words_in", { words: joinList(words) }) : "",
    },
    el("span", { className: "qc-meta", textContent: `${who} · ${when(l.at)}` }),
    text,
  );
}

export const chatLines = (lines) => lines.map(line);

/** The review's score as the service computes it: category points (mark − 1) ÷ (scale − 1) × 100, their
 *  weighted mean; a critical item at its lowest mark sets it to 0. */
export function scoreOf(marks, categories) {
  let total = 0,
    weight = 0;
  const failed = [];
  for (const c of categories) {
    const mark = marks[c.key];
    if (mark === null || mark === undefined) continue;
    const points = ((mark - 1) / (c.scale - 1)) * 100;
    if (c.critical && mark === 1) failed.push(c.key);
    if (c.weight > 0) {
      total += points * c.weight;
      weight += c.weight;
    }
  }
  const score = failed.length ? 0 : weight ? total / weight : 0;
  return { score: Math.round(score * 100) / 100, failed };
}

/** Save `data` as a file the browser downloads. */
export function download(name, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** `fn` with its error shown in `box` (a card with `fail(error)`). */
export function guard(box, fn) {
  return async (...args) => {
    box.fail(null);
    try {
      await fn(...args);
    } catch (e) {
      box.fail(e);
    }
  };
}

/** One open finding with its close action (also the editor's 质检待改 tab). */
export function findingRow(f, box, reload) {
  const outcome = el("input", { name: "outcome", placeholder: T.qc_outcome, maxLength: 500 });
  const close = el("button", { type: "button", textContent: T.qc_finding_close });
  close.addEventListener(
    "click",
    guard(box, async () => {
      await api.closeFinding(f.id, { outcome: outcome.value });
      toast(T.qc_closed);
      await reload();
    }),
  );
  const what =
    f.kind === "fix"
      ? `${f.target_kind === "intent" ? T.qc_target_intent : T.qc_target_quick_reply}「${f.target_name}」`
      : f.agent || "";
  const li = el(
    "li",
    { className: "qc-item" },
    el("span", {
      className: `chip${f.kind === "fix" ? " qc-risk" : ""}`,
      textContent: f.kind === "fix" ? T.qc_kind_fix : T.qc_kind_training,
    }),
    el("strong", { textContent: what }),
    el(
      "span",
      { className: "qc-grow" },
      f.note,
      el("div", {
        className: "small muted",
        textContent: [f.conversation, fmt("qc_by", { name: f.created_by }), when(f.created_at)]
          .filter(Boolean)
          .join(" · "),
      }),
    ),
    f.closed_at ? el("span", { className: "chip qc-done", textContent: T.qc_closed }) : outcome,
    f.closed_at ? null : close,
  );
  li.dataset.finding = String(f.id);
  return li;
}
