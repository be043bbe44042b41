// Pieces the knowledge tabs share: labelled fields, text <-> lists, the item picker, the live template
// preview with lint findings, history that tolerates "no history yet", and the stale-version notice.
import * as api from "../shared/api.js";
import {
  clearFieldErrors,
  el,
  findingPlace,
  findingText,
  joinList,
  showFieldErrors,
  T,
  toast,
} from "../shared/ui.js";
import { showHistory } from "./history.js";

export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Non-empty trimmed lines of a textarea. */
export const lines = (text) =>
  text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
/** Words separated by commas, 、 or spaces. */
export const words = (text) =>
  text
    .split(/[,，、;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** A labelled field: <label> text, the control, an optional hint. */
export function field(label, control, hint = "") {
  const id = control.id || `kb-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return el(
    "div",
    { className: "kb-field" },
    el("label", { htmlFor: id, textContent: label }),
    control,
    hint ? el("div", { className: "muted small", textContent: hint }) : null,
  );
}

export const SAMPLES = {
  new_buyer: T.kb_sample_new_buyer,
  unpaid_order: T.kb_sample_unpaid_order,
  shipped_order: T.kb_sample_shipped_order,
  campaign: T.kb_sample_campaign,
};

export function sampleSelect(value = "new_buyer") {
  const select = el(
    "select",
    { className: "kb-sample" },
    ...Object.entries(SAMPLES).map(([name, label]) => el("option", { value: name, textContent: label })),
  );
  select.value = value;
  return select;
}

const BLOCKING = new Set([
  "syntax",
  "unknown_variable",
  "unknown_filter",
  "unsafe",
  "unsupported",
  "too_costly",
]);

/**
 * Live preview of `textarea`'s template against the sample `sample()` names (or the context object it
 * returns, sync or async): the rendered text, the lint findings with line and column, and the values
 * that fell back. Returns { node, refresh }.
 */
export function livePreview(textarea, sample) {
  const text = el("div", { className: "kb-preview-text" });
  const findings = el("ul", { className: "kb-findings" });
  const node = el(
    "div",
    { className: "kb-preview", ariaLive: "polite" },
    el("div", { className: "kb-preview-label muted small", textContent: T.kb_preview }),
    text,
    findings,
  );
  let asked = 0;
  async function refresh() {
    const template = textarea.value;
    const mine = ++asked;
    if (!template.trim()) {
      text.textContent = "—";
      findings.replaceChildren();
      textarea.classList.remove("kb-lint-bad");
      return;
    }
    node.classList.add("busy");
    try {
      const chosen = await sample();
      const body = typeof chosen === "string" ? { template, sample: chosen } : { template, context: chosen };
      const result = await api.preview(body);
      if (mine !== asked) return;
      text.textContent = result.text ?? "—";
      text.classList.toggle("muted", result.text === null);
      const items = result.findings.map((f) =>
        el(
          "li",
          { className: `finding ${BLOCKING.has(f.kind) ? "bad" : "warn"}` },
          f.line ? el("span", { className: "kb-where", textContent: findingPlace(f) }) : null,
          findingText(f),
        ),
      );
      if (result.missing.length) {
        items.push(
          el("li", {
            className: "finding warn",
            textContent: T.kb_missing_values.replace("{names}", joinList(result.missing)),
          }),
        );
      }
      findings.replaceChildren(...items);
      textarea.classList.toggle(
        "kb-lint-bad",
        result.findings.some((f) => BLOCKING.has(f.kind)),
      );
    } catch (error) {
      if (mine === asked)
        findings.replaceChildren(el("li", { className: "finding bad", textContent: error.message }));
    } finally {
      if (mine === asked) node.classList.remove("busy");
    }
  }
  textarea.addEventListener("input", debounce(refresh, 300));
  return { node, refresh };
}

const samples = new Map();
/** One sample context (api.js `sample`), fetched once. */
export function sampleContext(name) {
  if (!samples.has(name))
    samples.set(
      name,
      api.sample(name).then((r) => r.context),
    );
  return samples.get(name).then((context) => structuredClone(context));
}

/** History of one row; "no history yet" when the API has none (404). */
export async function history(box, opts) {
  try {
    await showHistory(box, opts);
  } catch (error) {
    if (error.status === 404)
      box.replaceChildren(el("p", { className: "muted small", textContent: T.no_history }));
    else box.replaceChildren(el("p", { className: "form-error", textContent: error.message }));
  }
}

/** A 409 with the current row: say so in the form's summary and offer to load the current version. */
export function showConflict(form, error, reload) {
  const summary = form.querySelector(".form-error");
  const button = el("button", { type: "button", className: "kb-reload", textContent: T.kb_reload_current });
  button.addEventListener("click", () => reload(error.body.current));
  summary.replaceChildren(el("span", { textContent: `${error.message} ` }), button);
  summary.hidden = false;
}

/** A failed save or delete: a 409 with the current row offers it, anything else goes next to the fields. */
export function showSaveError(form, error, reload) {
  if (error.status === 409 && error.body && error.body.current) showConflict(form, error, reload);
  else showFieldErrors(form, error);
}

/**
 * Save the form's row on submit: `create` when it is new, `update` otherwise.
 * opts: { create(body), update(id, body) (api.js), key (the response's field holding the row), current(), body(), fill(row), saved(row) }
 */
export function saveOnSubmit(form, button, opts) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    button.disabled = true;
    try {
      const { id } = opts.current();
      const body = opts.body();
      const data = id ? await opts.update(id, body) : await opts.create(body);
      toast(T.saved);
      opts.fill(data[opts.key]);
      if (opts.saved) await opts.saved(data[opts.key]);
    } catch (error) {
      showSaveError(form, error, opts.fill);
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * Delete the row on click, after a confirmation naming it; the version read goes along (409 when stale).
 * opts: { remove(id, version) (api.js), current(), name(row), fill(row), deleted(row) }
 */
export function deleteOnClick(button, form, opts) {
  button.addEventListener("click", async () => {
    const row = opts.current();
    if (!row || !row.id || !confirm(T.kb_delete_confirm.replace("{name}", opts.name(row)))) return;
    try {
      await opts.remove(row.id, row.version);
      toast(T.kb_deleted);
      await opts.deleted(row);
    } catch (error) {
      showSaveError(form, error, opts.fill);
    }
  });
}

/**
 * Item picker: a search box over the shop's items (api.js `items`), results as buttons.
 * opts: { hot: only items with hot-item answers, onPick(item), placeholder }. Returns { node, load }.
 */
export function itemPicker(ctx, opts) {
  const search = el("input", {
    type: "search",
    placeholder: opts.placeholder || T.kb_item_search,
    className: "kb-item-search",
  });
  search.setAttribute("aria-label", opts.placeholder || T.kb_item_search);
  const hot = el("input", { type: "checkbox", checked: Boolean(opts.hot) });
  const list = el("ul", { className: "kb-list kb-items" });
  let asked = 0;
  async function load() {
    const mine = ++asked;
    const params = new URLSearchParams({
      shop: ctx.shop(),
      q: search.value.trim(),
      hot: hot.checked ? "true" : "false",
    });
    try {
      const { items } = await api.items(params);
      if (mine !== asked) return;
      list.replaceChildren(
        ...items.map((item) => {
          const button = el(
            "button",
            { type: "button", className: "kb-row" },
            el("span", { className: "kb-row-title", textContent: item.title }),
            el("span", { className: "muted small", textContent: item.sku }),
            item.hot_answers
              ? el("span", {
                  className: "chip",
                  textContent: T.kb_hot_count.replace("{n}", item.hot_answers),
                })
              : null,
            item.has_knowledge
              ? el("span", { className: "chip kb-ok", textContent: T.kb_has_knowledge })
              : null,
            item.stock === 0
              ? el("span", { className: "chip kb-warn", textContent: T.kb_out_of_stock })
              : null,
          );
          button.dataset.item = String(item.id);
          button.addEventListener("click", () => {
            for (const b of list.querySelectorAll(".kb-row")) b.removeAttribute("aria-current");
            button.setAttribute("aria-current", "true");
            opts.onPick(item);
          });
          return el("li", {}, button);
        }),
      );
      if (!items.length)
        list.replaceChildren(el("li", { className: "muted small", textContent: T.kb_nothing_found }));
    } catch (error) {
      list.replaceChildren(el("li", { className: "form-error", textContent: error.message }));
    }
  }
  search.addEventListener("input", debounce(load, 250));
  hot.addEventListener("change", load);
  const node = el(
    "div",
    { className: "kb-picker" },
    search,
    el("label", { className: "small muted kb-check" }, hot, T.kb_only_hot),
    list,
  );
  return { node, load };
}

/** The title of one item, for showing a bound item (null when it cannot be read). */
export async function itemTitle(itemId) {
  const found = await api.itemKnowledge(itemId, { nullOn404: true });
  return found ? found.item.title : null;
}
