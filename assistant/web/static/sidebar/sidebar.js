// The sidebar: follows the conversation over SSE, shows the buyer card, suggestions, scripts and
// product knowledge, and hands the chosen text to the chat client (postMessage, clipboard as fallback).
import * as api from "../shared/api.js";
import { mountQuickSearch } from "../shared/quick_search.js";
import { offerPending } from "../shared/sync.js";
import { $, el, insertText, joinItems, joinList, labelled, paren, T, typing } from "../shared/ui.js";
import { mountHotAnswers } from "./hot_answers.js";
import { mount as mountMyKpi } from "./kpi.js";
import { mountOrderPanel } from "./order_panel.js";
import { mountQc } from "./qc.js";
import { mountReminders } from "./reminders.js";
import { mount as mountReviewCount } from "./review.js";
import { mount as mountWatch } from "./watch.js";

/** The page: its state (the conversation followed, what is shown, the number keys' picks) lives here. */
function mountSidebar() {
  let current = null; // the conversation state from the service
  let shown = { key: "", message: "", item: null };
  let picks = []; // [{text, source, ref_id}] for the number keys
  let cardFor = ""; // the conversation whose buyer card (and so order panel) has loaded
  let asked = { seq: 0, key: "", message: "", order: null }; // the newest suggest request

  // the sidebar's calls answer null on a 404 (no buyer card, no knowledge yet): that section stays hidden
  const MISSING_OK = { nullOn404: true };

  function insert(pick) {
    return insertText({
      text: pick.text,
      conversation: current ? current.conversation : "",
      source: pick.source,
      kind: pick.kind,
      ref_id: pick.ref_id,
    });
  }

  const keyOf = (c) => `${c.conversation}|${c.shop_id}|${c.buyer}`;
  // The order in focus (the one expanded, or the buyer's only open order) changes: suggest again with it.
  const orders = mountOrderPanel($("orders"), {
    conversation: () => current,
    onFocus: () => refreshSuggestions(),
  });
  const hotAnswers = mountHotAnswers($("hot-answers"), { insert });
  mountReviewCount($("review-count"));
  mountQuickSearch($("quick-search"), { conversation: () => current, order: () => orders.focusedOrder() });
  const qc = mountQc($("qc"), { conversation: () => current, refreshCard: () => settle(loadCard()) });
  const reminders = mountReminders($("reminders"), $("reminder-line"), { conversation: () => current });
  mountMyKpi($("my-kpi"));
  const watch = mountWatch($("panel"), { conversation: () => current });

  function pickButton(pick, index, meta, unsure) {
    const missing = pick.missing || []; // values the text was rendered without (e.g. no order in focus)
    const button = el(
      "button",
      { type: "button", className: `pick${unsure ? " unsure" : ""}` },
      el("span", { className: "num", textContent: index < 9 ? String(index + 1) : "" }),
      el("span", { className: "text", textContent: pick.text }),
      meta ? el("span", { className: "meta", textContent: meta }) : null,
      missing.length
        ? el("span", {
            className: "missing",
            textContent: T.missing_values.replace("{names}", joinList(missing)),
          })
        : null,
    );
    const why = pick.why; // suggestions only: what made it match, as a tooltip
    if (why && why.similar) button.title = T.why_similar.replace("{example}", why.similar);
    else if (why && why.matched_words && why.matched_words.length)
      button.title = T.why_words.replace("{words}", joinList(why.matched_words));
    button.addEventListener("click", () => insert(pick));
    return button;
  }

  function renderCard(card) {
    $("buyer-card").hidden = false;
    $("buyer-nick").textContent = current.buyer;
    const kind = $("buyer-kind");
    if (!card) {
      kind.hidden = true;
      $("buyer-tier").hidden = true;
      $("buyer-risk").hidden = true;
      $("buyer-meta").textContent = "";
      orders.hide();
      return;
    }
    kind.hidden = false;
    kind.textContent = T[`${card.customer.kind}_buyer`] || card.customer.label; // new_buyer, returning_buyer
    kind.className = `chip ${card.customer.kind}`;
    $("buyer-tier").hidden = false;
    $("buyer-tier").textContent = `${card.buyer.platform_level_label} · ${card.buyer.member_tier_label}`;
    const risk = $("buyer-risk");
    risk.hidden = !card.risk;
    risk.textContent = card.risk
      ? `⚠ ${labelled(T.risk, card.risk.label)}${card.risk.note ? paren(card.risk.note) : ""}`
      : "";
    $("buyer-meta").textContent =
      `${card.rfm.segment_label} · ${card.spend.total_yuan} / ${card.spend.orders}`;
    orders.show(current, card.open_orders);
  }

  async function loadCard() {
    const key = keyOf(current);
    try {
      const data = await api.buyer(current.buyer, { shop: current.shop_id }, MISSING_OK);
      if (current && keyOf(current) === key) renderCard(data ? data.card : null);
    } finally {
      if (current && keyOf(current) === key) {
        cardFor = key;
        refreshSuggestions();
      }
    }
  }

  /** Ask for suggestions when the message or the order in focus differs from the newest request. The first
   *  request of a conversation waits for its order panel, so it already carries the order in focus. */
  function refreshSuggestions() {
    if (!current) return;
    const key = keyOf(current);
    const message = current.last_buyer_message || "";
    $("focus").hidden = !message;
    $("last-message").textContent = message;
    if (!message) {
      $("suggestions").hidden = true;
      picks = [];
      asked = { seq: asked.seq + 1, key, message, order: null }; // drops any answer still on its way
      return;
    }
    if (cardFor !== key) return;
    const order = orders.focusedOrder();
    if (asked.key === key && asked.message === message && asked.order === order) return;
    asked = { seq: asked.seq + 1, key, message, order };
    settle(loadSuggestions(asked));
  }

  async function loadSuggestions({ seq, message, order }) {
    const list = $("suggestion-list");
    const body = { shop: current.shop_id, message, buyer: current.buyer, limit: 3 };
    if (current.item_id) body.item = current.item_id;
    if (order) body.order = order;
    const data = await api.suggest(body, MISSING_OK);
    if (seq !== asked.seq) return; // a newer message or order was asked for meanwhile
    const suggestions = data ? data.questions.flatMap((q) => q.suggestions) : [];
    picks = suggestions.map((s) => ({
      text: s.answer,
      source: "suggestion",
      kind: s.kind,
      ref_id: s.id,
      meta: s.name,
      unsure: !s.confident,
      missing: s.missing,
      why: s.why,
    }));
    list.replaceChildren(...picks.map((p, i) => el("li", {}, pickButton(p, i, p.meta, p.unsure))));
    $("no-suggestions").hidden = picks.length > 0;
    $("suggestions").hidden = false;
  }

  async function loadScripts() {
    const params = new URLSearchParams({ shop: current.shop_id, buyer: current.buyer });
    if (current.item_id) params.set("item", current.item_id);
    const data = await api.scripts(params, MISSING_OK);
    const scripts = data ? data.scripts : [];
    $("script-list").replaceChildren(
      ...scripts.map((s) => {
        const button = el("button", { type: "button", textContent: s.title, title: s.text });
        button.addEventListener("click", () => insert({ text: s.text, source: "script", ref_id: s.id }));
        return button;
      }),
    );
    $("scripts").hidden = scripts.length === 0;
  }

  async function loadKnowledge() {
    if (!current.item_id) {
      $("knowledge").hidden = true;
      return;
    }
    const data = await api.itemKnowledge(current.item_id, MISSING_OK);
    if (!data) {
      $("knowledge").hidden = true;
      return;
    }
    $("item-title").textContent = data.item.title || "";
    const facts = [];
    const k = data.knowledge;
    if (k) {
      if (k.selling_points.length) facts.push([T.selling_points, joinItems(k.selling_points)]);
      for (const key of ["size_chart", "installation", "usage_notes"])
        if (k[key]) facts.push([T[key], k[key]]);
      if (k.in_box.length) facts.push([T.in_box, joinList(k.in_box)]);
    }
    $("knowledge-list").replaceChildren(
      ...facts.flatMap(([dt, dd]) => [el("dt", { textContent: dt }), el("dd", { textContent: dd })]),
    );
    const related = data.related || [];
    $("related-heading").hidden = related.length === 0;
    $("related-list").replaceChildren(
      ...related.map((r) => el("li", { textContent: [r.title, r.note].filter(Boolean).join(" — ") })),
    );
    $("knowledge").hidden = facts.length === 0 && related.length === 0;
  }

  function settle(promise) {
    promise.catch((error) => {
      console.warn(T.load_failed, error.message);
    });
  }

  function follow(state) {
    current = state.current;
    reminders.follow(current);
    $("waiting").hidden = Boolean(current);
    if (!current) {
      for (const id of ["buyer-card", "focus", "suggestions", "scripts", "knowledge"]) $(id).hidden = true;
      orders.hide();
      hotAnswers.hide();
      shown = { key: "", message: "", item: null };
      cardFor = "";
      asked = { seq: asked.seq + 1, key: "", message: "", order: null };
      return;
    }
    const key = keyOf(current);
    if (key !== shown.key) {
      $("buyer-nick").textContent = current.buyer;
      $("buyer-card").hidden = false;
      orders.hide();
      cardFor = "";
      settle(loadCard());
      settle(loadScripts());
    }
    if (key !== shown.key || current.item_id !== shown.item) {
      settle(loadKnowledge());
      settle(hotAnswers.load(current));
    }
    if (key !== shown.key || current.last_buyer_message !== shown.message) {
      asked = { seq: asked.seq + 1, key: "", message: "", order: null }; // drop answers still on their way
      // Another buyer or message: the picks on screen answer something else, so not even 1–9 may insert them.
      picks = [];
      $("suggestion-list").replaceChildren();
      $("suggestions").hidden = true;
      refreshSuggestions();
    }
    shown = { key, message: current.last_buyer_message, item: current.item_id };
  }

  function connect() {
    const status = $("status");
    const source = api.eventStream();
    watch.listen(source);
    source.addEventListener("open", () => {
      status.textContent = "●";
      status.classList.add("live");
    });
    source.addEventListener("error", () => {
      status.textContent = T.reconnecting;
      status.classList.remove("live");
    });
    source.addEventListener("state", (e) => {
      follow({ current: JSON.parse(e.data).current });
      settle(offerPending()); // (re)connected: hand the host every edit still waiting for it
    });
    source.addEventListener("edit.synced", (e) => orders.synced(JSON.parse(e.data)));
    for (const type of ["order.snapshot", "buyer.snapshot"]) {
      source.addEventListener(type, (e) => {
        const data = JSON.parse(e.data);
        if (!current || data.shop_id !== current.shop_id || data.buyer !== current.buyer) return;
        if (data.reason === "new" || type === "buyer.snapshot")
          settle(loadCard()); // a new order: list it
        else orders.synced(data);
      });
    }
    for (const type of ["conversation.opened", "conversation.changed", "message.received", "message.sent"]) {
      source.addEventListener(type, (e) => follow(JSON.parse(e.data).state));
    }
    qc.listen(source);
  }

  document.addEventListener("keydown", (event) => {
    if (typing(event)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const n = Number(event.key);
    if (n >= 1 && n <= 9 && picks[n - 1]) {
      event.preventDefault();
      insert(picks[n - 1]);
    }
  });

  connect();
}

mountSidebar();
