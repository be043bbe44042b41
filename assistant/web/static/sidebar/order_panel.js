// The sidebar's order panel: the buyer's open orders, each expandable to its detail, and the four
// one-click edits (改价 改邮 改地址 改备注) with a before → after confirmation, undo, 409 and approvals.
// Each applied edit is handed to the host (kefu.apply_edit, sync.js) and shows 待同步 / 已同步 / 同步失败.
// mountOrderPanel(section, {conversation, onFocus}) -> {show(current, openOrders), hide(), open(), focusedOrder(),
//   synced(data)}; synced() is called with the event stream's `edit.synced` and snapshot frames.
// onFocus() is called when the order in focus may have changed (orders listed, one expanded or folded).
import * as api from "../shared/api.js";
import { offer, syncRows } from "../shared/sync.js";
import {
  ApiError,
  el,
  insertText,
  joinItems,
  labelled,
  paren,
  showFieldErrors,
  T,
  toast,
} from "../shared/ui.js";
import { editForm } from "./order_forms.js";
import { holdLine } from "./order_hold.js";

/** A fresh Idempotency-Key (crypto.randomUUID needs a secure context; a LAN address is not one). */
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `op-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const tail = (id) => String(id).slice(-4);
const APPROVAL_POLL_MS = 30_000;

function fact(label, ...value) {
  return [el("dt", { textContent: label }), el("dd", {}, ...value)];
}

function flagDot(flag) {
  return el("span", { className: `op-flag flag-${flag}`, ariaHidden: "true" });
}

export function mountOrderPanel(section, { conversation, onFocus = () => {} }) {
  const count = el("span", { className: "muted small" });
  const list = el("ul", { className: "op-list" });
  const empty = el("p", { className: "muted small", textContent: T.op_none, hidden: true });
  const approvals = el("div", { className: "op-approvals small", hidden: true });
  section.replaceChildren(
    el(
      "h2",
      {},
      T.op_title,
      count,
      el("kbd", { className: "op-key", textContent: "Ctrl+Shift+O", title: T.op_hotkey_hint }),
    ),
    empty,
    list,
    approvals,
  );
  let shownFor = "";
  let lastExpanded = null;

  function show(current, openOrders) {
    if (!current || !openOrders) {
      hide();
      return;
    }
    shownFor = `${current.shop_id}|${current.buyer}`;
    section.hidden = false;
    count.textContent = openOrders.length ? paren(openOrders.length) : "";
    empty.hidden = openOrders.length > 0;
    list.replaceChildren(...openOrders.map((brief) => orderItem(brief, current.shop_id)));
    if (openOrders.length === 1) toggle(list.firstElementChild, true);
    else onFocus();
    loadApprovals();
  }

  function hide() {
    section.hidden = true;
    shownFor = "";
    list.replaceChildren();
    clearTimeout(poll);
  }

  /** The hotkey: bring the panel into view and put the focus on the first order. */
  function open() {
    if (section.hidden) return;
    loadApprovals();
    section.scrollIntoView({ block: "start" });
    const first = list.querySelector(".op-head");
    if (!first) return;
    if (list.children.length === 1) toggle(first.closest(".op-order"), true);
    first.focus();
  }

  // ---- one order ---------------------------------------------------------------------------

  function orderItem(brief, shopId) {
    const li = el("li", { className: "op-order" });
    li.dataset.orderId = brief.order_id;
    li.order = null;
    const head = el("button", { type: "button", className: "op-head" });
    head.setAttribute("aria-expanded", "false");
    head.addEventListener("click", () => toggle(li));
    const body = el("div", { className: "op-body", hidden: true });
    const work = el("div", { className: "op-work", hidden: true });
    li.append(head, body, work);
    renderHead(li, {
      status: brief.status,
      status_label: brief.status_label,
      money: brief.price_yuan,
      summary: brief.summary,
      alert: brief.alert,
    });
    li.shopId = shopId;
    return li;
  }

  function renderHead(li, { status, status_label, money, summary, alert }) {
    li.querySelector(".op-head").replaceChildren(
      el("span", {
        className: `op-status s-${status}`,
        textContent: T[`op_status_${status}`] || status_label,
      }),
      el("span", { className: "op-money", textContent: money }),
      el("span", { className: "op-summary", textContent: summary }),
      ...(alert ? [el("span", { className: "op-alert", textContent: alert })] : []),
    );
  }

  async function toggle(li, force) {
    const head = li.querySelector(".op-head");
    const body = li.querySelector(".op-body");
    const expand = force ?? body.hidden;
    head.setAttribute("aria-expanded", String(expand));
    body.hidden = !expand;
    if (expand) lastExpanded = li.dataset.orderId;
    li.querySelector(".op-work").hidden = !expand || !li.querySelector(".op-work").childElementCount;
    onFocus();
    if (expand && !li.order) await load(li);
  }

  async function load(li) {
    const body = li.querySelector(".op-body");
    body.replaceChildren(el("p", { className: "muted small", textContent: T.op_loading }));
    try {
      const data = await api.order(li.dataset.orderId);
      setOrder(li, data.order);
    } catch (error) {
      body.replaceChildren(
        el("p", { className: "form-error", textContent: labelled(T.op_load_failed, error.message) }),
      );
    }
  }

  function setOrder(li, order) {
    li.order = order;
    renderHead(li, {
      status: order.status,
      status_label: order.status_label,
      money: order.total_yuan,
      summary: joinItems(order.lines.map((l) => `${l.title} ×${l.quantity}`)),
    });
    const money = [order.price_yuan];
    if (order.discount_basis_points > 0) {
      money.push(
        el("span", {
          className: "muted",
          textContent: paren(
            `${T.op_original} ${order.original_price_yuan}${T.p_comma}${T.op_discount} ${order.discount_label}`,
          ),
        }),
      );
    }
    const facts = el(
      "dl",
      { className: "op-facts small" },
      ...fact(
        T.op_lines,
        ...order.lines.map((l) =>
          el("div", { textContent: `${l.title} ×${l.quantity} · ${l.subtotal_yuan}` }),
        ),
      ),
      ...fact(T.op_price, ...money),
      ...fact(T.op_postage, `${order.postage_yuan} · ${T.op_total} ${order.total_yuan}`),
      ...fact(T.op_address, el("span", { className: "op-address", textContent: order.address.one_line })),
      ...fact(
        T.op_remark,
        flagDot(order.remark_flag),
        el("span", { className: "op-remark", textContent: order.seller_remark || T.op_no_remark }),
      ),
      ...fact(
        T.op_logistics,
        el("span", {
          className: order.logistics.exception ? "op-alert" : "",
          textContent: `${order.logistics.label} · ${order.logistics.detail}`,
        }),
      ),
    );
    // Price requests on this order: pending ones, and the newest decision (granted, refused, failed).
    const decided = order.approvals.find((a) => a.status !== "pending");
    const shownApprovals = [
      ...order.approvals.filter((a) => a.status === "pending"),
      ...(decided ? [decided] : []),
    ];
    const pending = shownApprovals.map((a) =>
      el(
        "div",
        { className: `op-pending small is-${a.status}` },
        el("strong", { textContent: a.status_label }),
        ` ${a.from_price_yuan} → ${a.to_price_yuan}${paren(a.discount_label)}`,
      ),
    );
    const actions = el("div", { className: "buttons op-actions" });
    const edits = [
      ["price", T.op_edit_price],
      ["postage", T.op_edit_postage],
      ["address", T.op_edit_address],
      ["remark", T.op_edit_remark],
    ];
    for (const [kind, label] of edits) {
      if (!order.edits[kind].allowed) continue;
      const button = el("button", { type: "button", textContent: label, title: order.edits[kind].reason });
      button.dataset.edit = kind;
      button.addEventListener("click", () => startEdit(li, kind, button).catch((e) => toast(e.message)));
      actions.append(button);
    }
    if (order.edits.undo.allowed) {
      const undo = el("button", {
        type: "button",
        className: "op-undo",
        textContent: T.op_undo,
        title: order.edits.undo.reason,
      });
      undo.addEventListener("click", () => runUndo(li));
      actions.append(undo);
    }
    const tracking = el("button", {
      type: "button",
      className: "op-tracking",
      textContent: T.op_send_tracking,
    });
    tracking.addEventListener("click", () => sendTracking(li).catch((e) => toast(e.message)));
    actions.append(tracking);
    if (window.parent !== window) {
      const openIt = el("button", { type: "button", textContent: T.op_open_in_client });
      openIt.addEventListener("click", () =>
        window.parent.postMessage(
          { type: "kefu.open_order", order_id: order.id, conversation: conversationId() },
          "*",
        ),
      );
      actions.append(openIt);
    }
    const sync = syncRows(order, {
      retry: (entry) => retrySync(li, entry),
      undoLocally: (entry) => undoLocally(li, entry),
    });
    const syncList = el("div", { className: "op-sync-list small", hidden: sync.length === 0 }, ...sync);
    li.querySelector(".op-body").replaceChildren(holdLine(order.id), facts, ...pending, syncList, actions);
  }

  // ---- sync with the platform: retry a failed edit, or undo it here only ---------------------

  async function retrySync(li, entry) {
    try {
      const out = await api.retryEdit(entry.id);
      offer(out.offer.message);
      toast(T.sync_retried);
      await load(li);
    } catch (error) {
      toast(error.message);
    }
  }

  async function undoLocally(li, entry) {
    try {
      const out = await api.undoEditLocally(entry.id);
      setOrder(li, out.order);
      result(li, "ok", T.op_undone, out.message);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await load(li);
      result(li, "conflict", T.op_failed, error.message);
    }
  }

  /** The host answered for an edit (or pushed a newer snapshot): show the order as it is now. */
  function synced(data) {
    const id = (data && (data.entry ? data.entry.order_id : data.order_id)) || "";
    const li = id ? list.querySelector(`.op-order[data-order-id="${id}"]`) : null;
    if (li && li.order) load(li);
  }

  const conversationId = () => (conversation() ? conversation().conversation : "");

  async function sendTracking(li) {
    const data = await api.orderTracking(li.dataset.orderId);
    await insertText({
      text: data.message,
      conversation: conversationId(),
      source: "tracking",
      ref_id: null,
    });
  }

  // ---- edits: form -> confirm (before → after) -> apply -> result --------------------------

  function workArea(li, ...children) {
    const work = li.querySelector(".op-work");
    work.replaceChildren(...children);
    work.hidden = children.length === 0;
    return work;
  }

  async function startEdit(li, kind, trigger) {
    const close = () => {
      workArea(li);
      trigger.isConnected ? trigger.focus() : li.querySelector(".op-head").focus();
    };
    // Lists show the receiver masked (138****5276); the address form alone gets it in full.
    let getOrder = () => li.order;
    if (kind === "address") {
      const full = await api.orderAddress(li.dataset.orderId);
      getOrder = () => ({ ...li.order, address: full.address });
    }
    const spec = editForm(kind, getOrder, { close, next: (change) => confirm(li, spec, change) });
    workArea(li, spec.form);
    spec.focus();
  }

  function confirm(li, spec, change) {
    const key = newKey(); // one key per confirmed change: a double click or a retry applies once
    const rows = change.rows.map(([label, before, after]) =>
      el(
        "tr",
        {},
        el("th", { textContent: label }),
        el("td", {}, el("del", { textContent: before })),
        el("td", {}, el("ins", { textContent: after })),
      ),
    );
    const yes = el("button", { type: "submit", className: "primary", textContent: T.op_confirm });
    const back = el("button", { type: "button", textContent: T.op_back });
    const form = el(
      "form",
      { className: "op-confirm" },
      el("h3", { textContent: T.op_confirm_title }),
      el(
        "table",
        { className: "diff op-diff small" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th"),
            el("th", { textContent: T.op_before }),
            el("th", { textContent: T.op_after }),
          ),
        ),
        el("tbody", {}, ...rows),
      ),
      el("div", { className: "form-error", hidden: true }),
      el("div", { className: "row" }, yes, back),
    );
    const toForm = () => {
      workArea(li, spec.form);
      spec.focus();
    };
    back.addEventListener("click", toForm);
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        toForm();
      }
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      yes.disabled = true;
      yes.textContent = T.op_applying;
      apply(li, spec, change, key, form).finally(() => {
        yes.disabled = false;
        yes.textContent = T.op_confirm;
      });
    });
    workArea(li, form);
    yes.focus();
  }

  async function apply(li, spec, change, key, confirmForm) {
    try {
      const out = await api.editOrder(li.dataset.orderId, change.path, change.body, {
        headers: { "Idempotency-Key": key },
      });
      setOrder(li, out.order);
      if (out.sync) offer(out.sync.message);
      if (out.applied) result(li, "ok", T.op_done, out.message, out.order.edits.undo.allowed);
      else {
        const a = out.approval;
        result(
          li,
          "pending",
          T.op_pending,
          a
            ? `${a.from_price_yuan} → ${a.to_price_yuan}${paren(a.discount_label)} · ${T.op_pending_note}`
            : out.message,
        );
        loadApprovals();
      }
    } catch (error) {
      if (!(error instanceof ApiError)) {
        showFieldErrors(confirmForm, { message: error.message });
        return;
      }
      if (error.status === 409 && error.body.current) {
        setOrder(li, error.body.current);
        conflict(li, spec, error);
      } else if (error.status === 400) {
        workArea(li, spec.form);
        showFieldErrors(spec.form, error);
        spec.focus();
      } else {
        showFieldErrors(confirmForm, error);
      }
    }
  }

  function conflict(li, spec, error) {
    const stale = (error.errors[0] || {}).field === "version";
    const now = spec
      .current(li.order)
      .map(([label, value]) =>
        el("div", {}, el("span", { className: "muted", textContent: `${label}${T.p_colon}` }), value),
      );
    const box = el(
      "div",
      { className: "op-result conflict", role: "alert" },
      el("strong", { textContent: stale ? T.op_conflict : T.op_forbidden_now }),
      el("div", { className: "small", textContent: error.message }),
      el(
        "div",
        { className: "small op-now" },
        el("div", { className: "muted", textContent: T.op_conflict_now }),
        ...now,
      ),
    );
    const buttons = el("div", { className: "row" });
    if (stale && li.order.edits[spec.kind].allowed) {
      const retry = el("button", { type: "button", className: "primary", textContent: T.op_retry });
      retry.addEventListener("click", () => {
        const change = spec.collect(li.order);
        if (change) confirm(li, spec, change);
      });
      buttons.append(retry);
    }
    const cancel = el("button", { type: "button", textContent: T.op_cancel });
    cancel.addEventListener("click", spec.close);
    buttons.append(cancel);
    box.append(buttons);
    workArea(li, box);
    (buttons.querySelector(".primary") || cancel).focus();
  }

  function result(li, kind, title, message, undoable = false) {
    const box = el(
      "div",
      { className: `op-result ${kind}`, role: "status", tabIndex: -1 },
      el("strong", { textContent: title }),
      el("div", { className: "small", textContent: message }),
    );
    if (undoable) {
      const undo = el("button", { type: "button", className: "op-undo", textContent: T.op_undo });
      undo.addEventListener("click", () => runUndo(li));
      box.append(el("div", { className: "row" }, undo));
    }
    workArea(li, box);
    box.focus(); // not the undo button: a second Enter must not undo what was just applied
  }

  async function runUndo(li) {
    try {
      const out = await api.undoOrderEdit(
        li.dataset.orderId,
        { version: li.order.version, reason: "" },
        { headers: { "Idempotency-Key": newKey() } },
      );
      setOrder(li, out.order);
      if (out.sync) offer(out.sync.message);
      result(li, "ok", T.op_undone, out.message);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.body.current)
        setOrder(li, error.body.current);
      result(li, "conflict", T.op_failed, error.message);
    }
  }

  // ---- the agent's pending price approvals ---------------------------------------------------

  let waiting = new Set(); // order ids with a pending request, to notice when a supervisor decides
  let poll = 0;

  async function loadApprovals() {
    const asked = shownFor;
    clearTimeout(poll);
    let data;
    try {
      data = await api.approvals({ status: "pending", limit: 10 });
    } catch {
      approvals.hidden = true;
      return;
    }
    if (asked !== shownFor) return;
    const now = new Set(data.approvals.map((a) => a.order_id));
    for (const id of waiting) {
      const li = now.has(id) ? null : list.querySelector(`.op-order[data-order-id="${id}"]`);
      if (!li || !li.order) continue;
      if (li.querySelector(".op-work .op-result.pending")) workArea(li);
      load(li); // decided meanwhile: show the new price or the refusal
    }
    waiting = now;
    if (now.size) poll = setTimeout(loadApprovals, APPROVAL_POLL_MS);
    const rows = data.approvals.map((a) =>
      el(
        "li",
        {},
        el("span", { className: "op-status s-pending", textContent: a.status_label }),
        ` ${T.op_approval_line} ${tail(a.order_id)} · ${a.from_price_yuan} → ${a.to_price_yuan}${paren(a.discount_label)}`,
      ),
    );
    approvals.replaceChildren(
      el("h3", { textContent: T.op_approvals }),
      el("ul", { className: "op-approval-list" }, ...rows),
    );
    approvals.hidden = rows.length === 0;
  }

  // ---- the hotkey: pressed in the sidebar, or forwarded by the host (docs/plugin.md) ----------

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey && event.shiftKey && !event.altKey && event.code === "KeyO") {
      event.preventDefault();
      open();
    }
  });
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.source !== window.parent || !data || data.type !== "kefu.hotkey") return;
    if (data.action === "open_orders") open();
  });

  /** The order the agent is looking at: the last one expanded, or the buyer's only open order. Templates
   *  inserted from the sidebar render with it (tracking number, amounts); null when it is not clear. */
  function focusedOrder() {
    const orders = [...list.querySelectorAll(".op-order")];
    const expanded = orders.filter((li) => !li.querySelector(".op-body").hidden);
    if (expanded.length)
      return (expanded.find((li) => li.dataset.orderId === lastExpanded) || expanded[0]).dataset.orderId;
    return orders.length === 1 ? orders[0].dataset.orderId : null;
  }

  return { show, hide, open, focusedOrder, synced };
}
