// Tab "review" (the order-review role): paid, unshipped orders with their reasons, the soonest ship-by
// first. Per order: reviewed, fix the address (the guarded order edit `address`), seller
// remark + flag (the order edit `remark`), hold with a reason / release, and the confirmation script
// inserted into the chat (kefu.insert_text through ui.insertText).
import * as api from "../shared/api.js";
import { el, insertText, T, toast } from "../shared/ui.js";
import { newKey } from "../sidebar/order_panel.js";

const FLAGS = ["none", "red", "yellow", "green", "blue", "purple"];
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const when = (iso) =>
  new Date(iso).toLocaleString(document.documentElement.lang, {
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });

export async function mount(section, ctx) {
  const summary = el("p", { className: "muted small rv-total" });
  const list = el("ul", { className: "kb-list rv-list" });
  const more = el("button", { type: "button", className: "rv-more", hidden: true });
  section.replaceChildren(
    el("p", { className: "muted small", textContent: T.rv_intro }),
    summary,
    list,
    more,
  );
  let cursor = 0;

  async function load(reset = true) {
    // after an action the list is read again as far as the reviewer had scrolled (at most 200)
    const limit = reset ? Math.min(Math.max(50, list.children.length), 200) : 50;
    if (reset) cursor = 0;
    const params = new URLSearchParams({ shop: ctx.shop(), limit: String(limit), cursor: String(cursor) });
    const data = await api.reviewOrders(params);
    if (reset) list.replaceChildren();
    summary.textContent = data.total
      ? T.rv_total.replace("{n}", data.total).replace("{held}", data.held)
      : T.rv_empty;
    list.append(...data.orders.map(row));
    cursor = data.next_cursor ?? cursor;
    more.hidden = data.next_cursor === null;
    more.textContent = T.rv_more.replace("{n}", data.total - cursor);
  }
  more.addEventListener("click", () => load(false).catch((e) => toast(e.message)));
  ctx.onShopChange(() => load().catch((e) => toast(e.message)));

  function row(order) {
    const li = el("li", { className: "rv-order" });
    li.dataset.orderId = order.order_id;
    const reasons = el(
      "ul",
      { className: "rv-reasons small" },
      ...order.reasons.map((r) => {
        const item = el("li", { textContent: r.text });
        item.dataset.code = r.code;
        return item;
      }),
    );
    const hold = order.hold
      ? el("p", {
          className: "risk small rv-hold",
          textContent: `${T.rv_held}：${order.hold.reason}（${order.hold.held_by}）`,
        })
      : null;
    const work = el("div", { className: "rv-work", hidden: true });
    const button = (label, cls, fn) => {
      const b = el("button", { type: "button", className: cls, textContent: label });
      b.addEventListener("click", () => fn().catch((e) => toast(e.message)));
      return b;
    };
    const actions = el(
      "div",
      { className: "buttons" },
      button(T.rv_reviewed, "primary rv-reviewed", async () => {
        await api.markReviewed(order.order_id, { version: order.version });
        toast(T.rv_marked.replace("{id}", order.order_id));
        await load();
      }),
      button(T.rv_fix_address, "rv-fix", async () => openAddress()),
      button(T.rv_remark, "rv-remark", async () => openRemark()),
      order.hold
        ? button(T.rv_release, "rv-release", async () => {
            await api.releaseOrder(order.order_id);
            toast(T.rv_released);
            await load();
          })
        : button(T.rv_hold, "rv-hold-open", async () => openHold()),
      button(T.rv_script, "rv-script", async () => {
        const { text } = await api.reviewScript(order.order_id);
        await insertText({ text, source: "script", ref_id: null, shop: ctx.shop() });
      }),
    );
    li.append(
      el(
        "div",
        { className: "row" },
        el("strong", { textContent: order.order_id }),
        el("span", { className: "chip", textContent: order.buyer }),
        el("span", {
          className: "muted small",
          textContent: T.rv_ship_by.replace("{at}", when(order.ship_by)),
        }),
        el("span", { className: "bar-fill" }),
        el("span", { className: "small", textContent: yuan(order.total_fen) }),
      ),
      el("div", {
        className: "small rv-address",
        textContent: `${order.receiver_name} ${order.receiver_phone} ${order.address}`,
      }),
      ...[reasons, hold, actions, work].filter(Boolean),
    );

    function form(...children) {
      const error = el("p", { className: "form-error", role: "alert", hidden: true });
      work.replaceChildren(...children, error);
      work.hidden = false;
      return (e) => {
        error.textContent = e.message;
        error.hidden = false;
      };
    }

    function openAddress() {
      const paste = el("textarea", { rows: 2, className: "rv-paste", placeholder: T.rv_paste });
      paste.setAttribute("aria-label", T.rv_paste);
      const preview = el("p", { className: "small rv-parsed" });
      const apply = el("button", {
        type: "button",
        className: "primary rv-apply-address",
        textContent: T.rv_apply_address,
        disabled: true,
      });
      let parsed = null;
      const fail = form(
        paste,
        el(
          "div",
          { className: "buttons" },
          button(T.rv_parse, "rv-parse", async () => {
            try {
              const { address } = await api.parseAddress(paste.value);
              parsed = {
                ...address,
                name: address.name || order.receiver_name,
                phone: address.phone || order.receiver_phone,
              };
              delete parsed.notes;
              preview.textContent = `${parsed.name} ${parsed.phone} ${parsed.province}${parsed.city}${parsed.district}${parsed.detail}`;
              apply.disabled = false;
            } catch (e) {
              fail(e);
            }
          }),
          apply,
          button(T.rv_cancel, "", async () => {
            work.hidden = true;
          }),
        ),
        preview,
      );
      apply.addEventListener("click", async () => {
        try {
          await api.editOrder(
            order.order_id,
            "address",
            { version: order.version, address: parsed, reason: T.tab_review },
            { headers: { "Idempotency-Key": newKey() } },
          );
          toast(T.rv_address_saved);
          await load();
        } catch (e) {
          fail(e);
        }
      });
      paste.focus();
    }

    function openRemark() {
      const text = el("input", { value: order.seller_remark, maxLength: 500, className: "rv-remark-text" });
      text.setAttribute("aria-label", T.rv_remark_text);
      const flag = el(
        "select",
        { className: "rv-flag" },
        ...FLAGS.map((f) =>
          el("option", { value: f, textContent: T[`op_flag_${f}`], selected: f === order.remark_flag }),
        ),
      );
      flag.setAttribute("aria-label", T.op_flag);
      const fail = form(
        text,
        el(
          "div",
          { className: "buttons" },
          flag,
          button(T.rv_save_remark, "primary rv-save-remark", async () => {
            try {
              await api.editOrder(
                order.order_id,
                "remark",
                { version: order.version, text: text.value, mode: "replace", flag: flag.value },
                { headers: { "Idempotency-Key": newKey() } },
              );
              toast(T.rv_remark_saved);
              await load();
            } catch (e) {
              fail(e);
            }
          }),
          button(T.rv_cancel, "", async () => {
            work.hidden = true;
          }),
        ),
      );
      text.focus();
    }

    function openHold() {
      const reason = el("input", {
        maxLength: 200,
        className: "rv-hold-reason",
        placeholder: T.rv_hold_reason,
      });
      reason.setAttribute("aria-label", T.rv_hold_reason);
      const fail = form(
        reason,
        el(
          "div",
          { className: "buttons" },
          button(T.rv_hold_save, "primary rv-hold-save", async () => {
            try {
              await api.holdOrder(order.order_id, { reason: reason.value });
              await load();
            } catch (e) {
              fail(e);
            }
          }),
          button(T.rv_cancel, "", async () => {
            work.hidden = true;
          }),
        ),
      );
      reason.focus();
    }
    return li;
  }

  await load();
}
