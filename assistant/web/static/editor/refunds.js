// Tab "refunds" (the refund-review role, 退款审核): buyers' refund requests, the longest wait first, each
// with what to check (the parcel, the amount, the buyer) and 同意 / 拒绝 (a refusal needs its reason).
// "Decided" lists the decisions with how long each took; a supervisor marks one wrong (误退 / 误拒: the
// reviewer's quality) or takes the mark back. Opened from a KPI number as
// /editor?reviewer=<id>&period=<YYYY-MM>#refunds it shows that reviewer's decisions of that period.
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";

const STATES = ["open", "decided", "wrong"];
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const when = (iso) =>
  new Date(iso).toLocaleString(document.documentElement.lang, {
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, v), text);

export async function mount(section, ctx) {
  const wanted = new URLSearchParams(location.search);
  const drill = { reviewer: wanted.get("reviewer"), period: wanted.get("period") };
  let state = drill.reviewer ? "decided" : "open";
  let cursor = 0;
  const supervisor = ctx.me.role === "supervisor";

  const filters = el("div", { className: "buttons rf-states", role: "group" });
  const summary = el("p", { className: "muted small rf-total" });
  const list = el("ul", { className: "kb-list rf-list" });
  const more = el("button", { type: "button", className: "rf-more", hidden: true });
  section.replaceChildren(
    el("p", { className: "muted small", textContent: T.rf_intro }),
    filters,
    summary,
    list,
    more,
  );

  function drawFilters() {
    filters.replaceChildren(
      ...STATES.map((s) => {
        const b = el("button", {
          type: "button",
          textContent: T[`rf_state_${s}`],
          className: s === state ? "primary" : "",
        });
        b.dataset.state = s;
        b.setAttribute("aria-pressed", String(s === state));
        b.addEventListener("click", () => {
          state = s;
          drill.reviewer = drill.period = null;
          load().catch((e) => toast(e.message));
        });
        return b;
      }),
    );
  }

  async function load(reset = true) {
    if (reset) cursor = 0;
    drawFilters();
    const params = new URLSearchParams({ shop: ctx.shop(), state, limit: "50", cursor: String(cursor) });
    if (drill.reviewer) params.set("reviewer", drill.reviewer);
    if (drill.period) params.set("period", drill.period);
    const data = await api.refunds(params);
    if (reset) list.replaceChildren();
    const head = fill(T.rf_total, { n: data.open, late: data.overdue, limit: data.limit_minutes });
    const shown = state === "open" ? "" : ` · ${fill(T.rf_shown, { n: data.total })}`;
    summary.textContent = head + shown + (drill.period ? ` · ${drill.period}` : "");
    list.append(...data.requests.map((r) => row(r, data.limit_minutes)));
    if (!data.requests.length && reset)
      list.append(el("li", { className: "muted", textContent: T[`rf_empty_${state}`] }));
    cursor = data.next_cursor ?? cursor;
    more.hidden = data.next_cursor === null;
    more.textContent = fill(T.rf_more, { n: data.total - cursor });
  }
  more.addEventListener("click", () => load(false).catch((e) => toast(e.message)));
  ctx.onShopChange(() => load().catch((e) => toast(e.message)));

  function row(r) {
    const li = el("li", { className: "rf-request" });
    li.dataset.orderId = r.order_id;
    const hints = el(
      "ul",
      { className: "rf-hints small" },
      ...r.hints.map((h) => {
        const item = el("li", { className: h.warn ? "rf-warn" : "", textContent: hintText(h) });
        item.dataset.code = h.code;
        return item;
      }),
    );
    const work = el("div", { className: "rf-work", hidden: true });
    const error = el("p", { className: "form-error", role: "alert", hidden: true });
    const fail = (e) => {
      error.textContent = e.message;
      error.hidden = false;
    };
    const button = (label, cls, fn) => {
      const b = el("button", { type: "button", className: cls, textContent: label });
      b.addEventListener("click", () => fn().catch(fail));
      return b;
    };
    const post = async (action, body, done) => {
      const send = action === "wrong" ? api.markRefundWrong : api.decideRefund;
      await send(r.id, { ...body, version: r.version });
      toast(fill(done, { id: r.order_id }));
      await load();
    };
    function ask(placeholder, label, cls, send) {
      const text = el("input", { maxLength: 200, className: "rf-note", placeholder });
      text.setAttribute("aria-label", placeholder);
      work.replaceChildren(
        text,
        el(
          "div",
          { className: "buttons" },
          button(label, `primary ${cls}`, async () => send(text.value)),
          button(T.rf_cancel, "", async () => {
            work.hidden = true;
          }),
        ),
      );
      work.hidden = false;
      text.focus();
    }

    const actions = el("div", { className: "buttons" });
    if (r.outcome === null) {
      actions.append(
        button(T.rf_approve, "primary rf-approve", () =>
          post("decision", { outcome: "approved" }, T.rf_approved),
        ),
        button(T.rf_reject, "rf-reject-open", async () =>
          ask(T.rf_reject_reason, T.rf_reject, "rf-reject", (note) =>
            post("decision", { outcome: "rejected", note }, T.rf_rejected),
          ),
        ),
      );
    } else if (supervisor && r.outcome !== "elsewhere") {
      actions.append(
        r.wrong
          ? button(T.rf_clear_wrong, "rf-clear-wrong", () =>
              post("wrong", { wrong: false }, T.rf_wrong_cleared),
            )
          : button(T.rf_mark_wrong, "rf-mark-wrong-open", async () =>
              ask(T.rf_wrong_reason, T.rf_mark_wrong, "rf-mark-wrong", (reason) =>
                post("wrong", { wrong: true, reason }, T.rf_wrong_marked),
              ),
            ),
      );
    }

    const clock =
      r.outcome === null
        ? fill(T.rf_due, { at: when(r.due_at) })
        : fill(r.on_time === false ? T.rf_took_late : T.rf_took, { n: r.took_minutes ?? 0 });
    const decided =
      r.outcome === null
        ? null
        : el(
            "p",
            { className: "small rf-decision" },
            el("span", {
              className: `chip rf-outcome-${r.outcome}`,
              textContent: T[`rf_outcome_${r.outcome}`],
            }),
            ` ${r.reviewer ?? ""} ${r.decided_at ? when(r.decided_at) : ""} ${r.note}`,
          );
    const wrong = r.wrong
      ? el("p", {
          className: "risk small rf-wrong",
          textContent: fill(T.rf_wrong_line, { reason: r.wrong.reason, by: r.wrong.by ?? "" }),
        })
      : null;
    li.append(
      el(
        "div",
        { className: "row" },
        el("strong", { textContent: r.order_id }),
        el("span", { className: "chip", textContent: r.buyer }),
        el("span", {
          className: "muted small",
          textContent: T[`op_status_${r.order_status}`] || r.order_status,
        }),
        el("span", { className: "muted small rf-clock", textContent: `${when(r.requested_at)} · ${clock}` }),
        el("span", { className: "bar-fill" }),
        el("span", {
          className: "small rf-amount",
          textContent: fill(T.rf_amount, { amount: yuan(r.amount_fen), paid: yuan(r.paid_fen) }),
        }),
      ),
      ...[hints, decided, wrong, actions, work, error].filter(Boolean),
    );
    return li;
  }

  await load();
}

function hintText(h) {
  const text = T[`rf_hint_${h.code}`];
  if (!text) return h.text;
  return fill(text, { n: h.code === "over_paid" ? `¥${(h.n / 100).toFixed(2)}` : h.n });
}
