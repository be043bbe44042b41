// Quick-reply search shared by the lookup popup (/lookup) and the sidebar's search box: asks
// api.js `searchQuickReplies` as the agent types, shows the ranked phrases (code, title, group,
// the rendered preview with the matched parts marked, why each matched) and picks one by keyboard.
//
// Keys (on the search box): ↑/↓ move, Enter picks the selected phrase, Esc calls `onEscape`.
// Number keys: codes and pinyin contain digits (fh2, d11), so while the box has text a digit is
// typed into the query and Alt+1–9 picks; when the box is empty, 1–9 pick directly.
// Keys pressed while an input method is composing (Chinese IME) are left to the IME.
import * as api from "./api.js";
import { el, joinItems, labelled, paren, T } from "./ui.js";

const DEBOUNCE_MS = 60;
let instances = 0;

/** `text` with the code-point spans [[start, end], …] wrapped in <mark>, as nodes. */
export function highlighted(text, spans) {
  const chars = Array.from(text || "");
  const nodes = [];
  let at = 0;
  for (const [start, end] of [...(spans || [])].sort((a, b) => a[0] - b[0])) {
    if (start < at || end <= start) continue;
    if (start > at) nodes.push(chars.slice(at, start).join(""));
    nodes.push(el("mark", { textContent: chars.slice(start, end).join("") }));
    at = end;
  }
  if (at < chars.length) nodes.push(chars.slice(at).join(""));
  return nodes;
}

/** The digit 1–9 of a key event (top row or keypad), or 0. */
function digitOf(event) {
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
  return match ? Number(match[1]) : 0;
}

function whyChips(result, emptyQuery) {
  const kinds = emptyQuery ? ["usage"] : result.matched_on;
  const chips = kinds.map((kind) =>
    el("span", { className: `chip why why-${kind}`, textContent: T[`qr_why_${kind}`] || kind }),
  );
  if (result.scope !== "shop") {
    chips.push(
      el("span", { className: "chip scope", textContent: T[`qr_scope_${result.scope}`] || result.scope }),
    );
  }
  return chips;
}

/**
 * Wire a search box to a result list.
 *   input, list, status: the elements (list is an <ol>, status shows headings and errors)
 *   params(): extra query parameters for the search (shop, buyer, item, order), read on every search
 *   onPick(result): called with the chosen result (its `preview` is the rendered text)
 *   onEscape(): called on Esc
 */
export function quickSearch({
  input,
  list,
  status,
  params = () => ({}),
  onPick,
  onEscape = () => {},
  limit = 9,
}) {
  const prefix = `qr${++instances}`;
  let results = [];
  let shownFor = null; // {q, key} of the results on screen
  let selected = 0;
  let seq = 0; // the newest request; older responses are dropped
  let timer = null;
  let pending = null; // promise of the newest search

  list.setAttribute("role", "listbox");
  list.id = list.id || `${prefix}-list`;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("autocomplete", "off");
  input.setAttribute("spellcheck", "false");

  const clean = (values) =>
    Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const keyOf = (values) => JSON.stringify(values);

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("qr-error", isError);
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function select(index) {
    if (!results.length) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    selected = (index + results.length) % results.length;
    for (const [i, node] of Array.from(list.children).entries()) {
      node.setAttribute("aria-selected", String(i === selected));
    }
    const node = list.children[selected];
    input.setAttribute("aria-activedescendant", node.id);
    node.scrollIntoView({ block: "nearest" });
  }

  function show(q, key, found) {
    results = found;
    shownFor = { q, key };
    const empty = q.trim() === "";
    list.replaceChildren(
      ...found.map((r, i) => {
        const row = el(
          "li",
          { id: `${prefix}-${i}`, className: "qr-row" },
          el("span", { className: "qr-num", textContent: i < 9 ? String(i + 1) : "" }),
          el(
            "div",
            { className: "qr-main" },
            el(
              "div",
              { className: "qr-head" },
              el("code", { className: "qr-code" }, ...highlighted(r.code, r.highlights.code)),
              el("span", { className: "qr-title" }, ...highlighted(r.title, r.highlights.title)),
              el("span", { className: "qr-group", textContent: r.group }),
            ),
            el("div", { className: "qr-preview" }, ...highlighted(r.preview, r.highlights.preview)),
            el("div", { className: "qr-why" }, ...whyChips(r, empty)),
          ),
        );
        row.setAttribute("role", "option");
        row.dataset.id = r.id;
        row.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
        row.addEventListener("click", () => pick(i));
        return row;
      }),
    );
    if (found.length) say(empty ? T.qr_most_used : `${T.qr_results}${paren(found.length)}`);
    else say(empty ? T.qr_none_yet : T.qr_none);
    select(0);
  }

  async function search() {
    const q = input.value;
    const extra = clean(params());
    const mine = ++seq;
    const query = new URLSearchParams({ q, limit: String(limit), ...extra });
    try {
      const data = await api.searchQuickReplies(query);
      if (mine !== seq) return;
      show(q, keyOf(extra), data.results);
    } catch (error) {
      if (mine !== seq) return;
      results = [];
      shownFor = null;
      list.replaceChildren();
      const details = (error.errors || []).map((e) => e.message).filter((m) => m && m !== error.message);
      say(labelled(T.qr_failed, joinItems([error.message, ...details])), true);
    }
  }

  /** Search now (and drop any answer to an earlier query). */
  function run() {
    clearTimeout(timer);
    timer = null;
    pending = search();
    return pending;
  }

  function schedule() {
    clearTimeout(timer);
    const mine = seq;
    pending = new Promise((resolve) => {
      timer = setTimeout(() => {
        timer = null;
        (mine === seq ? search() : Promise.resolve()).then(resolve);
      }, DEBOUNCE_MS);
    });
  }

  /** The results for what the box says now, with the current conversation (searching again if needed). */
  async function current() {
    if (timer) run();
    if (pending) await pending;
    const key = keyOf(clean(params()));
    if (!shownFor || shownFor.q !== input.value || shownFor.key !== key) await run();
    return results;
  }

  async function pick(index) {
    const id = results[index] && results[index].id;
    const fresh = await current(); // the conversation may have changed since these were rendered
    const chosen = fresh.find((r) => r.id === id) || (id === undefined ? fresh[index] : null);
    if (chosen) onPick(chosen);
  }

  input.addEventListener("input", schedule);
  input.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229) return; // the IME is composing pinyin
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      current().then(() => select(selected + (event.key === "ArrowDown" ? 1 : -1)));
    } else if (event.key === "Enter") {
      event.preventDefault();
      const before = shownFor && shownFor.q === input.value ? selected : 0;
      current().then(() => {
        if (results.length) pick(Math.min(before, results.length - 1));
      });
    } else if (event.key === "Escape") {
      event.preventDefault();
      onEscape();
    } else if (!event.ctrlKey && !event.metaKey && !event.shiftKey) {
      const n = digitOf(event);
      if (n && (event.altKey || input.value === "")) {
        event.preventDefault();
        current().then(() => {
          if (results[n - 1]) pick(n - 1);
        });
      }
    }
  });

  return {
    run,
    clear() {
      clearTimeout(timer);
      timer = null;
      pending = null;
      seq++;
      input.value = "";
      results = [];
      shownFor = null;
      list.replaceChildren();
      say("");
    },
    get results() {
      return results;
    },
  };
}
