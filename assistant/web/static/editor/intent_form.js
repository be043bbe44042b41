// The intent form shared by the "intents" and "hot-items" tabs: name, key, topic, scope, keywords,
// example questions, answer variants each with a live preview and lint findings, save/delete with
// the version read (409 offers the current version), and the row's history with rollback.
import * as api from "../shared/api.js";
import { clearFieldErrors, el, T, toast } from "../shared/ui.js";
import {
  deleteOnClick,
  field,
  history,
  itemPicker,
  itemTitle,
  lines,
  livePreview,
  sampleSelect,
  saveOnSubmit,
  words,
} from "./kb_common.js";

export const TOPICS = {
  presale: T.kb_topic_presale,
  shipping: T.kb_topic_shipping,
  logistics: T.kb_topic_logistics,
  size: T.kb_topic_size,
  price: T.kb_topic_price,
  payment: T.kb_topic_payment,
  invoice: T.kb_topic_invoice,
  aftersales: T.kb_topic_aftersales,
  return: T.kb_topic_return,
  refund: T.kb_topic_refund,
  quality: T.kb_topic_quality,
  usage: T.kb_topic_usage,
  review: T.kb_topic_review,
  address: T.kb_topic_address,
  membership: T.kb_topic_membership,
  campaign: T.kb_topic_campaign,
  product: T.kb_topic_product,
  general: T.kb_topic_general,
};

export const LABELS = {
  name: T.kb_name,
  key: T.kb_key,
  topic: T.kb_topic,
  keywords: T.kb_keywords,
  examples: T.kb_examples,
  answers: T.kb_answers,
  item_id: T.kb_scope_item,
  campaign_id: T.kb_scope_campaign,
  enabled: T.kb_enabled,
  shop_id: T.shop,
};

/** A short description of an intent's scope, for lists. */
export function scopeLabel(intent) {
  if (intent.item_id) return T.kb_scope_item_n.replace("{id}", intent.item_id);
  if (intent.campaign_id) return T.kb_scope_campaign_n.replace("{id}", intent.campaign_id);
  return T.kb_scope_shop;
}

const newKey = () => `intent_${Date.now().toString(36)}`;

/**
 * Build the form. opts: { onSaved(intent), onDeleted(id), fixedItem: true when the item is chosen
 * outside the form (hot-item answers) }. Returns { node, edit(intent), create(defaults) }.
 */
export function intentForm(ctx, opts = {}) {
  let current = null; // the intent as last read or saved (null: nothing open)
  let campaigns = null;

  const title = el("h2", { className: "kb-form-title" });
  const name = el("input", { name: "name", maxLength: 60, required: true });
  const key = el("input", { name: "key", maxLength: 40, pattern: "[a-z][a-z0-9_]*" });
  const topic = el(
    "select",
    { name: "topic" },
    ...Object.entries(TOPICS).map(([value, label]) => el("option", { value, textContent: label })),
  );
  const enabled = el("input", { type: "checkbox", name: "enabled" });
  const scope = el(
    "select",
    { name: "scope" },
    el("option", { value: "shop", textContent: T.kb_scope_shop }),
    el("option", { value: "item", textContent: T.kb_scope_item }),
    el("option", { value: "campaign", textContent: T.kb_scope_campaign }),
  );
  const itemId = el("input", { type: "hidden", name: "item_id" });
  const itemShown = el("span", { className: "kb-bound-item" });
  const picker = itemPicker(ctx, {
    onPick(item) {
      itemId.value = String(item.id);
      itemShown.textContent = item.title;
      pickerBox.hidden = true;
    },
  });
  const change = el("button", { type: "button", textContent: T.kb_change_item });
  const pickerBox = el("div", { className: "kb-picker-box" }, picker.node);
  pickerBox.hidden = true;
  change.addEventListener("click", () => {
    pickerBox.hidden = !pickerBox.hidden;
    if (!pickerBox.hidden) picker.load();
  });
  const itemRow = el(
    "div",
    { className: "kb-scope-item" },
    el("div", { className: "row" }, itemShown, change),
    itemId,
    pickerBox,
  );
  const campaign = el("select", { name: "campaign_id" });
  const keywords = el("input", { name: "keywords", placeholder: T.kb_keywords_hint });
  const examples = el("textarea", { name: "examples", rows: 6, placeholder: T.kb_examples_hint });
  const examplesCount = el("span", { className: "muted small" });
  examples.addEventListener("input", () => {
    examplesCount.textContent = T.kb_n_examples.replace("{n}", lines(examples.value).length);
  });
  const sample = sampleSelect();
  sample.setAttribute("aria-label", T.kb_sample);
  const variants = el("ol", { className: "kb-variants" });
  const previews = [];
  const addVariant = el("button", { type: "button", textContent: T.kb_add_variant });
  const summary = el("p", { className: "form-error", role: "alert", hidden: true });
  const save = el("button", { type: "submit", className: "primary", textContent: T.kb_save });
  const remove = el("button", { type: "button", className: "danger", textContent: T.kb_delete });
  const historyBox = el("div", { className: "kb-history-box" });

  const form = el(
    "form",
    { className: "kb-form", noValidate: true },
    title,
    summary,
    el(
      "div",
      { className: "kb-grid" },
      field(T.kb_name, name),
      field(T.kb_key, key, T.kb_key_hint),
      field(T.kb_topic, topic),
      el("div", { className: "kb-field" }, el("label", { className: "kb-check" }, enabled, T.kb_enabled)),
    ),
    el(
      "div",
      { className: "kb-grid" },
      field(T.kb_scope, scope),
      el("div", { className: "kb-field kb-scope-detail" }, itemRow, campaign),
    ),
    field(T.kb_keywords, keywords),
    field(T.kb_examples, examples),
    examplesCount,
    el(
      "div",
      { className: "row kb-answers-head" },
      el("h3", { textContent: T.kb_answers }),
      el("span", { className: "bar-fill" }),
      el("label", { className: "small muted", textContent: T.kb_sample }),
      sample,
    ),
    variants,
    el("div", { className: "row" }, addVariant),
    el("div", { className: "row kb-actions" }, save, el("span", { className: "bar-fill" }), remove),
  );
  const node = el(
    "div",
    { className: "kb-editor" },
    form,
    el("section", { className: "kb-history" }, el("h3", { textContent: T.kb_history }), historyBox),
  );
  node.hidden = true;

  function renumber() {
    [...variants.children].forEach((li, i) => {
      li.querySelector(".kb-variant-label").textContent = T.kb_variant_n.replace("{n}", i + 1);
      li.querySelector("textarea").name = `answers.${i}`;
    });
  }

  function variant(template) {
    const area = el("textarea", { rows: 3, value: template });
    area.setAttribute("aria-label", T.kb_answers);
    const preview = livePreview(area, () => sample.value);
    const drop = el("button", { type: "button", className: "kb-drop", textContent: T.kb_remove });
    const li = el(
      "li",
      { className: "kb-variant" },
      el(
        "div",
        { className: "row" },
        el("strong", { className: "kb-variant-label small" }),
        el("span", { className: "bar-fill" }),
        drop,
      ),
      area,
      preview.node,
    );
    drop.addEventListener("click", () => {
      if (variants.children.length <= 1) {
        toast(T.kb_keep_one_answer);
        return;
      }
      li.remove();
      previews.splice(previews.indexOf(preview), 1);
      renumber();
    });
    previews.push(preview);
    variants.append(li);
    renumber();
    preview.refresh();
    return area;
  }

  addVariant.addEventListener("click", () => variant("").focus());
  sample.addEventListener("change", () => {
    for (const p of previews) p.refresh();
  });

  function showScope() {
    itemRow.hidden = scope.value !== "item";
    campaign.hidden = scope.value !== "campaign";
    if (scope.value === "item" && !itemId.value) {
      pickerBox.hidden = false;
      picker.load();
    }
  }
  scope.addEventListener("change", showScope);

  async function loadCampaigns(selected) {
    if (campaigns === null) {
      try {
        campaigns = (await api.campaigns({ shop: ctx.shop(), limit: 200 })).campaigns;
      } catch {
        campaigns = [];
      }
    }
    campaign.replaceChildren(
      el("option", { value: "", textContent: T.kb_pick_campaign }),
      ...campaigns.map((c) => el("option", { value: String(c.id), textContent: c.name })),
    );
    campaign.value = selected ? String(selected) : "";
  }
  ctx.onShopChange(() => {
    campaigns = null;
  });

  function fill(intent) {
    clearFieldErrors(form);
    current = intent;
    title.textContent = intent.id ? `${intent.name} · v${intent.version}` : T.kb_new_intent;
    name.value = intent.name || "";
    key.value = intent.key || newKey();
    topic.value = intent.topic || "general";
    enabled.checked = intent.enabled !== false;
    keywords.value = (intent.keywords || []).join("，");
    examples.value = (intent.examples || []).join("\n");
    examples.dispatchEvent(new Event("input"));
    variants.replaceChildren();
    previews.length = 0;
    for (const answer of intent.answers && intent.answers.length ? intent.answers : [""]) variant(answer);
    itemId.value = intent.item_id ? String(intent.item_id) : "";
    itemShown.textContent = intent.item_id ? `#${intent.item_id}` : T.kb_no_item;
    if (intent.item_id)
      itemTitle(intent.item_id).then((t) => {
        if (t && itemId.value === String(intent.item_id)) itemShown.textContent = t;
      });
    scope.value = intent.item_id ? "item" : intent.campaign_id ? "campaign" : "shop";
    scope.disabled = Boolean(opts.fixedItem);
    change.hidden = Boolean(opts.fixedItem);
    pickerBox.hidden = true;
    loadCampaigns(intent.campaign_id);
    showScope();
    remove.hidden = !intent.id;
    node.hidden = false;
    if (intent.id) {
      history(historyBox, {
        revisions: () => api.intentRevisions(intent.id),
        rollback: (body) => api.rollbackIntent(intent.id, body),
        version: intent.version,
        labels: LABELS,
        onRolledBack(row) {
          fill(row.intent);
          if (opts.onSaved) opts.onSaved(row.intent);
        },
      });
    } else {
      historyBox.replaceChildren(el("p", { className: "muted small", textContent: T.no_history }));
    }
  }

  function collect() {
    return {
      shop_id: current.shop_id || ctx.shop(),
      key: key.value.trim(),
      name: name.value.trim(),
      topic: topic.value,
      keywords: words(keywords.value),
      examples: lines(examples.value),
      answers: [...variants.querySelectorAll("textarea")].map((a) => a.value.trim()),
      item_id: scope.value === "item" && itemId.value ? Number(itemId.value) : null,
      campaign_id: scope.value === "campaign" && campaign.value ? Number(campaign.value) : null,
      enabled: enabled.checked,
      version: current.version || 1,
    };
  }

  saveOnSubmit(form, save, {
    create: api.createIntent,
    update: api.updateIntent,
    key: "intent",
    current: () => current,
    body: collect,
    fill,
    saved: (intent) => {
      if (opts.onSaved) opts.onSaved(intent);
    },
  });

  deleteOnClick(remove, form, {
    remove: api.deleteIntent,
    current: () => current,
    name: (row) => row.name,
    fill,
    deleted: (row) => {
      node.hidden = true;
      current = null;
      if (opts.onDeleted) opts.onDeleted(row.id);
    },
  });

  return {
    node,
    edit: fill,
    create(defaults = {}) {
      fill({
        shop_id: ctx.shop(),
        topic: "general",
        enabled: true,
        examples: [],
        answers: [""],
        ...defaults,
      });
      name.focus();
    },
    hide() {
      node.hidden = true;
      current = null;
    },
    get current() {
      return current;
    },
  };
}
