// Tab "try": type a buyer message (optionally an item, a buyer, an order status) and see what the
// sidebar would suggest for each question, with the score, the confident flag and why it matched.
import * as api from "../shared/api.js";
import { clearFieldErrors, el, joinList, labelled, showFieldErrors, T } from "../shared/ui.js";
import { field, itemPicker } from "./kb_common.js";

const STATUSES = {
  "": T.kb_any_status,
  awaiting_payment: T.kb_status_awaiting_payment,
  paid: T.kb_status_paid,
  shipped: T.kb_status_shipped,
  delivered: T.kb_status_delivered,
  completed: T.kb_status_completed,
  cancelled: T.kb_status_cancelled,
  refunding: T.kb_status_refunding,
  refunded: T.kb_status_refunded,
};

function boosts(why) {
  const out = [];
  if (why.item_boost) out.push(`${T.kb_item_boost} +${why.item_boost.toFixed(2)}`);
  if (why.campaign_boost) out.push(`${T.kb_campaign_boost} +${why.campaign_boost.toFixed(2)}`);
  if (why.order_boost) out.push(`${T.kb_order_boost} +${why.order_boost.toFixed(2)}`);
  return out;
}

function suggestion(s) {
  const why = s.why;
  const chips = (list) => list.map((w) => el("span", { className: "chip", textContent: w }));
  return el(
    "li",
    { className: `kb-suggestion ${s.confident ? "" : "unsure"}` },
    el(
      "div",
      { className: "row" },
      el("strong", { textContent: s.name }),
      el("span", { className: "muted small", textContent: s.kind === "script" ? T.kb_kind_script : s.key }),
      el("span", { className: "bar-fill" }),
      el("span", { className: "kb-score", textContent: `${T.kb_score} ${s.score.toFixed(2)}` }),
      el("span", {
        className: `chip ${s.confident ? "kb-ok" : "kb-warn"}`,
        textContent: s.confident ? T.kb_confident : T.kb_not_confident,
      }),
    ),
    el("p", { className: "kb-answer", textContent: s.answer }),
    el(
      "dl",
      { className: "kb-why small" },
      why.similar ? el("dt", { textContent: T.kb_why_similar }) : null,
      why.similar ? el("dd", { className: "kb-why-similar", textContent: why.similar }) : null,
      why.example && !why.similar ? el("dt", { textContent: T.kb_why_example }) : null,
      why.example && !why.similar ? el("dd", { textContent: why.example }) : null,
      why.matched_words.length ? el("dt", { textContent: T.kb_why_words }) : null,
      why.matched_words.length ? el("dd", {}, ...chips(why.matched_words)) : null,
      why.keywords.length ? el("dt", { textContent: T.kb_why_keywords }) : null,
      why.keywords.length ? el("dd", {}, ...chips(why.keywords)) : null,
      el("dt", { textContent: T.kb_why_parts }),
      el("dd", {
        textContent:
          `${T.kb_lexical} ${why.lexical.toFixed(2)} · ${T.kb_fuzzy} ${why.fuzzy.toFixed(2)}` +
          (why.semantic ? ` · ${T.kb_semantic} ${why.semantic.toFixed(2)}` : ""),
      }),
      boosts(why).length ? el("dt", { textContent: T.kb_why_boosts }) : null,
      boosts(why).length ? el("dd", {}, ...chips(boosts(why))) : null,
      why.note ? el("dt", { textContent: T.kb_why_note }) : null,
      why.note ? el("dd", { textContent: why.note }) : null,
      s.missing.length ? el("dt", { textContent: T.kb_why_missing }) : null,
      s.missing.length ? el("dd", { textContent: joinList(s.missing) }) : null,
    ),
  );
}

export async function mount(section, ctx) {
  let item = null;
  const message = el("textarea", { name: "message", rows: 3, placeholder: T.kb_try_placeholder });
  const buyer = el("input", { name: "buyer", maxLength: 60, placeholder: T.kb_try_buyer_hint });
  const status = el(
    "select",
    { name: "order_status" },
    ...Object.entries(STATUSES).map(([value, label]) => el("option", { value, textContent: label })),
  );
  const itemShown = el("span", { className: "kb-bound-item muted", textContent: T.kb_no_item });
  const clearItem = el("button", { type: "button", textContent: T.kb_clear_item, hidden: true });
  const picker = itemPicker(ctx, {
    onPick(picked) {
      item = picked;
      itemShown.textContent = picked.title;
      clearItem.hidden = false;
      pickerBox.hidden = true;
    },
  });
  const pickerBox = el("div", { className: "kb-picker-box" }, picker.node);
  pickerBox.hidden = true;
  const chooseItem = el("button", { type: "button", textContent: T.kb_change_item });
  chooseItem.addEventListener("click", () => {
    pickerBox.hidden = !pickerBox.hidden;
    if (!pickerBox.hidden) picker.load();
  });
  clearItem.addEventListener("click", () => {
    item = null;
    itemShown.textContent = T.kb_no_item;
    clearItem.hidden = true;
  });
  const summary = el("p", { className: "form-error", role: "alert", hidden: true });
  const go = el("button", { type: "submit", className: "primary", textContent: T.kb_try_go });
  const results = el("div", { className: "kb-try-results", id: "kb-try-results" });
  const form = el(
    "form",
    { className: "kb-form", noValidate: true },
    summary,
    field(T.kb_try_message, message),
    el(
      "div",
      { className: "kb-grid" },
      field(T.kb_try_buyer, buyer),
      field(T.kb_try_order_status, status),
      el(
        "div",
        { className: "kb-field" },
        el("label", { textContent: T.kb_try_item }),
        el("div", { className: "row" }, itemShown, chooseItem, clearItem),
        pickerBox,
      ),
    ),
    el("div", { className: "row kb-actions" }, go),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = { shop: ctx.shop(), message: message.value, limit: 5 };
    if (buyer.value.trim()) body.buyer = buyer.value.trim();
    if (item) body.item = item.id;
    if (status.value) body.order_status = status.value;
    go.disabled = true;
    try {
      const data = await api.suggest(body);
      results.replaceChildren(
        ...data.questions.map((q) =>
          el(
            "section",
            { className: "kb-question" },
            el(
              "div",
              { className: "row" },
              el("h3", { textContent: labelled(T.kb_question, q.question) }),
              el("span", {
                className: `chip ${q.confident ? "kb-ok" : "kb-warn"}`,
                textContent: q.confident ? T.kb_confident : T.kb_not_confident,
              }),
            ),
            q.suggestions.length
              ? el("ol", { className: "kb-suggestions" }, ...q.suggestions.map(suggestion))
              : el("p", { className: "muted small", textContent: T.kb_no_suggestions }),
          ),
        ),
      );
      if (!data.questions.length)
        results.replaceChildren(el("p", { className: "muted", textContent: T.kb_no_suggestions }));
    } catch (error) {
      showFieldErrors(form, error);
    } finally {
      go.disabled = false;
    }
  });
  message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  ctx.onShopChange(() => {
    item = null;
    itemShown.textContent = T.kb_no_item;
    clearItem.hidden = true;
    results.replaceChildren();
  });

  section.replaceChildren(el("div", { className: "kb-try" }, form, results));
}
