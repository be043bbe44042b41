// Tab "intents": the shop's intents with search and filters (topic, campaign), and the intent form.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";
import { intentForm, scopeLabel, TOPICS } from "./intent_form.js";
import { debounce } from "./kb_common.js";

/** A list row for one intent. */
export function intentRow(intent, onOpen) {
  const button = el(
    "button",
    { type: "button", className: "kb-row" },
    el("span", { className: "kb-row-title", textContent: intent.name }),
    el("span", { className: "muted small", textContent: intent.key }),
    el("span", { className: "chip", textContent: TOPICS[intent.topic] || intent.topic }),
    el("span", { className: "chip", textContent: scopeLabel(intent) }),
    intent.enabled ? null : el("span", { className: "chip kb-warn", textContent: T.kb_disabled }),
    el("span", {
      className: "muted small",
      textContent: T.kb_n_examples.replace("{n}", intent.examples.length),
    }),
  );
  button.dataset.intent = String(intent.id);
  button.addEventListener("click", () => onOpen(intent, button));
  return el("li", {}, button);
}

export async function mount(section, ctx) {
  const search = el("input", { type: "search", placeholder: T.kb_search_intents });
  search.setAttribute("aria-label", T.kb_search_intents);
  const topic = el(
    "select",
    {},
    el("option", { value: "", textContent: T.kb_all_topics }),
    ...Object.entries(TOPICS).map(([value, label]) => el("option", { value, textContent: label })),
  );
  topic.setAttribute("aria-label", T.kb_topic);
  const campaign = el("select", {});
  campaign.setAttribute("aria-label", T.kb_scope_campaign);
  const list = el("ul", { className: "kb-list", id: "kb-intent-list" });
  const more = el("button", { type: "button", textContent: T.kb_more, hidden: true });
  const add = el("button", { type: "button", className: "primary", textContent: T.kb_new_intent });
  let cursor = null;
  let asked = 0;

  const form = intentForm(ctx, {
    onSaved(intent) {
      const row = list.querySelector(`[data-intent="${intent.id}"]`);
      const fresh = intentRow(intent, open);
      if (row) row.parentElement.replaceWith(fresh);
      else list.prepend(fresh);
      mark(intent.id);
    },
    onDeleted(id) {
      const row = list.querySelector(`[data-intent="${id}"]`);
      if (row) row.parentElement.remove();
    },
  });

  function mark(id) {
    for (const b of list.querySelectorAll(".kb-row")) {
      if (b.dataset.intent === String(id)) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  async function open(intent) {
    mark(intent.id);
    const { intent: fresh } = await api.intent(intent.id);
    form.edit(fresh);
  }

  async function load(append = false) {
    const mine = ++asked;
    const params = new URLSearchParams({ shop: ctx.shop(), q: search.value.trim(), limit: "50" });
    if (topic.value) params.set("topic", topic.value);
    if (campaign.value) params.set("campaign", campaign.value);
    if (append && cursor) params.set("cursor", cursor);
    try {
      const data = await api.intents(params);
      if (mine !== asked) return;
      const rows = data.intents.map((i) => intentRow(i, open));
      if (append) list.append(...rows);
      else list.replaceChildren(...rows);
      if (!append && !rows.length)
        list.replaceChildren(el("li", { className: "muted small", textContent: T.kb_nothing_found }));
      cursor = data.next_cursor;
      more.hidden = cursor === null;
      if (form.current && form.current.id) mark(form.current.id);
    } catch (error) {
      list.replaceChildren(el("li", { className: "form-error", textContent: error.message }));
    }
  }

  async function loadCampaigns() {
    let campaigns = [];
    try {
      campaigns = (await api.campaigns({ shop: ctx.shop(), limit: 200 })).campaigns;
    } catch {
      /* filter stays empty */
    }
    campaign.replaceChildren(
      el("option", { value: "", textContent: T.kb_all_campaigns }),
      ...campaigns.map((c) => el("option", { value: String(c.id), textContent: c.name })),
    );
  }

  search.addEventListener(
    "input",
    debounce(() => load(), 250),
  );
  topic.addEventListener("change", () => load());
  campaign.addEventListener("change", () => load());
  more.addEventListener("click", () => load(true));
  add.addEventListener("click", () => {
    mark(null);
    form.create();
  });
  ctx.onShopChange(() => {
    form.hide();
    loadCampaigns();
    load();
  });

  section.replaceChildren(
    el(
      "div",
      { className: "kb-split" },
      el(
        "aside",
        { className: "kb-side" },
        el("div", { className: "row" }, search),
        el("div", { className: "row" }, topic, campaign),
        el("div", { className: "row" }, add),
        list,
        more,
      ),
      el(
        "div",
        { className: "kb-main" },
        form.node,
        el("p", { className: "muted kb-placeholder", textContent: T.kb_pick_intent }),
      ),
    ),
  );
  await Promise.all([loadCampaigns(), load()]);
}
