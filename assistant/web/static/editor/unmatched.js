// Tab "unmatched": buyer questions that found no confident answer. Each is one click away from
// becoming an example of an intent (search an intent, the question is appended to its examples and
// saved with the version read); handled questions leave the list.
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";
import { debounce } from "./kb_common.js";

async function addExample(intentId, text) {
  const { intent } = await api.intent(intentId);
  if (intent.examples.includes(text)) return { intent, added: false };
  const { id, ...body } = intent;
  const saved = await api.updateIntent(id, { ...body, examples: [...intent.examples, text] });
  return { intent: saved.intent, added: true };
}

function row(message, ctx, onDone) {
  const example = el("input", { value: message.normalized, maxLength: 200, className: "kb-example-text" });
  example.setAttribute("aria-label", T.kb_example_text);
  const search = el("input", {
    type: "search",
    placeholder: T.kb_search_intents,
    className: "kb-intent-search",
  });
  search.setAttribute("aria-label", T.kb_pick_target_intent);
  const handled = el("input", { type: "checkbox", checked: true });
  const candidates = el("ul", { className: "kb-list kb-candidates" });
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const panel = el(
    "div",
    { className: "kb-add-panel", hidden: true },
    el("label", { className: "small muted", textContent: T.kb_example_text }),
    example,
    el("label", { className: "small muted", textContent: T.kb_pick_target_intent }),
    search,
    el("label", { className: "small muted kb-check" }, handled, T.kb_mark_handled),
    error,
    candidates,
  );
  const open = el("button", {
    type: "button",
    className: "primary kb-add-example",
    textContent: T.kb_add_as_example,
  });
  const ignore = el("button", { type: "button", textContent: T.kb_ignore });
  const li = el(
    "li",
    { className: "kb-unmatched" },
    el(
      "div",
      { className: "row" },
      el("strong", { className: "kb-unmatched-text", textContent: message.normalized }),
      el("span", { className: "chip", textContent: T.kb_asked_n.replace("{n}", message.count) }),
      el("span", {
        className: "muted small",
        textContent: new Date(message.last_at).toLocaleString(document.documentElement.lang),
      }),
      message.best_score !== null
        ? el("span", {
            className: "muted small",
            textContent: T.kb_best_score.replace("{score}", message.best_score.toFixed(2)),
          })
        : null,
      el("span", { className: "bar-fill" }),
      open,
      ignore,
    ),
    message.text !== message.normalized
      ? el("div", { className: "muted small", textContent: T.kb_said.replace("{text}", message.text) })
      : null,
    panel,
  );
  li.dataset.message = String(message.id);

  async function forget() {
    await api.dismissUnmatched(message.id, { nullOn404: true });
    onDone(li);
  }

  function candidate(intent, best = false) {
    const button = el(
      "button",
      { type: "button", className: "kb-row" },
      el("span", { className: "kb-row-title", textContent: intent.name }),
      el("span", { className: "muted small", textContent: intent.key }),
      best ? el("span", { className: "chip", textContent: T.kb_best_guess }) : null,
    );
    button.dataset.intent = String(intent.id);
    button.addEventListener("click", async () => {
      const text = example.value.trim();
      if (!text) {
        example.focus();
        return;
      }
      error.hidden = true;
      try {
        const result = await addExample(intent.id, text);
        toast(
          (result.added ? T.kb_added_example : T.kb_already_example).replace("{name}", result.intent.name),
        );
        if (handled.checked) await forget();
        else panel.hidden = true;
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
    });
    return el("li", {}, button);
  }

  let asked = 0;
  async function find() {
    const mine = ++asked;
    const params = new URLSearchParams({ shop: ctx.shop(), q: search.value.trim(), limit: "8" });
    const rows = [];
    try {
      if (!search.value.trim() && message.best_intent_id) {
        const best = await api.intent(message.best_intent_id, { nullOn404: true });
        if (best) rows.push(candidate(best.intent, true));
      }
      const { intents } = await api.intents(params);
      if (mine !== asked) return;
      for (const intent of intents)
        if (intent.id !== message.best_intent_id || search.value.trim()) rows.push(candidate(intent));
      candidates.replaceChildren(
        ...(rows.length ? rows : [el("li", { className: "muted small", textContent: T.kb_nothing_found })]),
      );
    } catch (e) {
      candidates.replaceChildren(el("li", { className: "form-error", textContent: e.message }));
    }
  }
  search.addEventListener("input", debounce(find, 250));
  open.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) {
      find();
      search.focus();
    }
  });
  ignore.addEventListener("click", () =>
    forget().then(
      () => toast(T.kb_handled),
      (e) => toast(e.message),
    ),
  );
  return li;
}

export async function mount(section, ctx) {
  const list = el("ul", { className: "kb-unmatched-list", id: "kb-unmatched-list" });
  const more = el("button", { type: "button", textContent: T.kb_more, hidden: true });
  const refresh = el("button", { type: "button", textContent: T.kb_refresh });
  let cursor = null;

  const done = (li) => {
    li.remove();
    if (!list.children.length)
      list.replaceChildren(el("li", { className: "muted", textContent: T.kb_no_unmatched }));
  };

  async function load(append = false) {
    const params = new URLSearchParams({ shop: ctx.shop(), limit: "50" });
    if (append && cursor) params.set("cursor", cursor);
    try {
      const data = await api.unmatched(params);
      const rows = data.messages.map((m) => row(m, ctx, done));
      if (append) list.append(...rows);
      else list.replaceChildren(...rows);
      if (!list.children.length)
        list.replaceChildren(el("li", { className: "muted", textContent: T.kb_no_unmatched }));
      cursor = data.next_cursor;
      more.hidden = cursor === null;
    } catch (error) {
      list.replaceChildren(el("li", { className: "form-error", textContent: error.message }));
    }
  }
  more.addEventListener("click", () => load(true));
  refresh.addEventListener("click", () => load());
  ctx.onShopChange(() => load());

  section.replaceChildren(
    el(
      "div",
      { className: "kb-unmatched-tab" },
      el(
        "div",
        { className: "row" },
        el("p", { className: "muted", textContent: T.kb_unmatched_intro }),
        el("span", { className: "bar-fill" }),
        refresh,
      ),
      list,
      more,
    ),
  );
  await load();
}
