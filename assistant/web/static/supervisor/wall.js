// The supervisor's live wall: per agent (state, shift, conversations today, waiting, longest wait,
// today's 3-minute rate and human response time), per shop totals with the what-if line, the buyers
// past the escalation mark with 我来接, and the emergency switch with its timeline. Live over SSE
// (api.js `teamStream`); the clocks tick between frames.
import * as api from "../shared/api.js";
import { el, labelled, T } from "../shared/ui.js";
import { clock } from "../sidebar/watch.js";

const fill = (text, values) =>
  text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));
const percent = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
const ticking = (cell, seconds) => {
  cell.dataset.base = String(seconds);
  return cell;
};
const time = (iso) =>
  new Date(iso).toLocaleTimeString(document.documentElement.lang || "zh-CN", {
    hour: "2-digit",
    minute: "2-digit",
  });

export async function mount(section, ctx) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("../shared/watch.css", import.meta.url).href;
  document.head.append(link);

  const live = el("span", { id: "wall-live", className: "wall-live", textContent: T.wall_reconnecting });
  const shopLine = el("div", { id: "wall-shop", className: "wall-bar" });
  const escalated = el("section", { id: "wall-escalated", className: "card" });
  const agents = el("section", { id: "wall-agents", className: "card" });
  const emergency = el("section", { id: "wall-emergency", className: "card wall-emergency" });
  const message = el("p", { id: "wall-message", className: "small", role: "status", hidden: true });
  section.replaceChildren(
    el(
      "div",
      { className: "wall" },
      el("div", { className: "wall-bar" }, live),
      shopLine,
      message,
      escalated,
      agents,
      emergency,
    ),
  );

  let snapshot = null;
  let receivedAt = 0;
  const ago = (seconds) => seconds + (performance.now() - receivedAt) / 1000;

  function say(text, bad = false) {
    message.textContent = text;
    message.className = `small${bad ? " wall-error" : ""}`;
    message.hidden = !text;
  }

  function render() {
    if (!snapshot) return;
    const shop = snapshot.shops.find((s) => s.shop_id === ctx.shop()) || snapshot.shops[0];
    if (!shop) return;
    const today = shop.today;
    shopLine.replaceChildren(
      el("strong", { className: "wall-shop", textContent: shop.name }),
      el("span", { textContent: fill(T.wall_shop_waiting, { n: shop.waiting }) }),
      el("span", {
        textContent: fill(T.wall_shop_rate, {
          rate: percent(today.rate),
          within: today.within,
          counted: today.counted,
        }),
      }),
      today.pending
        ? el("span", {
            id: "wall-what-if",
            className: "wall-what-if",
            textContent: fill(T.wall_what_if, {
              n: today.pending,
              rate: percent(today.rate_if_answered_now),
            }),
          })
        : null,
    );
    renderEscalated(shop);
    renderAgents();
  }

  /** Between frames only the clocks move (the rows, and their buttons, stay). */
  function tick() {
    for (const cell of section.querySelectorAll(".tick"))
      cell.textContent = clock(ago(Number(cell.dataset.base)));
  }

  let shown = ""; // what the escalated table lists: rebuilt (and its buttons with it) only when that changes
  function renderEscalated(shop) {
    const listed = JSON.stringify([
      shop.shop_id,
      shop.escalated.map((w) => [w.conversation, w.agent_id, w.claimed_by]),
    ]);
    if (listed === shown) {
      shop.escalated.forEach((w, i) => {
        const cell = escalated.querySelectorAll("tbody .tick")[i];
        if (cell) cell.dataset.base = String(w.waited_s);
      });
      return;
    }
    shown = listed;
    const rows = shop.escalated.map((w) => {
      const waited = ago(w.waited_s);
      const take = el("button", { type: "button", className: "wall-take", textContent: T.wall_take });
      take.dataset.conversation = w.conversation;
      take.addEventListener("click", () => claim(w, take));
      const agent = snapshot.agents.find((a) => a.agent_id === w.agent_id);
      return el(
        "tr",
        { className: "escalated" },
        el("td", { textContent: w.buyer }),
        el("td", { textContent: agent ? agent.name : "—" }),
        ticking(el("td", { className: "num hot tick", textContent: clock(waited) }), w.waited_s),
        el(
          "td",
          {},
          w.claimed_by
            ? el("span", { className: "muted", textContent: fill(T.wall_claimed, { name: w.claimed_by }) })
            : take,
        ),
      );
    });
    escalated.replaceChildren(
      el("h2", { textContent: T.wall_escalated }),
      rows.length
        ? el(
            "table",
            {},
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...[T.wall_buyer, T.wall_agent, T.wall_waited, ""].map((h, i) =>
                  el("th", { className: i === 2 ? "num" : "", textContent: h }),
                ),
              ),
            ),
            el("tbody", {}, ...rows),
          )
        : el("p", { className: "muted small", textContent: T.wall_none_escalated }),
    );
  }

  function renderAgents() {
    const escalateS = snapshot.marks.escalate_s;
    const heads = [
      T.wall_agent,
      T.wall_state,
      T.wall_shift,
      T.wall_open,
      T.wall_waiting,
      T.wall_oldest,
      T.wall_rate,
      T.wall_mean,
    ];
    const rows = snapshot.agents.map((a) => {
      const oldest = a.waiting ? ago(a.oldest_s) : 0;
      const state = a.presence ? T[`w_presence_${a.presence}`] : T.wall_unknown;
      const row = el(
        "tr",
        { className: oldest >= escalateS ? "escalated" : "" },
        el("td", { textContent: a.name }),
        el("td", { className: a.presence ? `wall-presence-${a.presence}` : "muted", textContent: state }),
        el("td", {
          className: a.on_shift ? "" : "muted",
          textContent: a.on_shift
            ? a.shift
            : `${a.shift}${T.p_paren_open}${T.wall_off_shift}${T.p_paren_close}`,
        }),
        el("td", { className: "num", textContent: String(a.open_conversations) }),
        el("td", { className: "num", textContent: String(a.waiting) }),
        ticking(
          el("td", {
            className: `num${oldest >= escalateS ? " hot" : ""}${a.waiting ? " tick" : ""}`,
            textContent: a.waiting ? clock(oldest) : "—",
          }),
          a.oldest_s,
        ),
        el("td", { className: "num", textContent: percent(a.today.rate) }),
        el("td", {
          className: "num",
          textContent: a.today.mean_response_s === null ? "—" : clock(a.today.mean_response_s),
        }),
      );
      row.dataset.agent = a.login;
      return row;
    });
    agents.replaceChildren(
      el("h2", { textContent: T.wall_agents }),
      el(
        "table",
        {},
        el(
          "thead",
          {},
          el("tr", {}, ...heads.map((h, i) => el("th", { className: i >= 3 ? "num" : "", textContent: h }))),
        ),
        el("tbody", {}, ...rows),
      ),
    );
  }

  async function claim(w, button) {
    button.disabled = true;
    try {
      await api.claimConversation({ shop: w.shop_id, conversation: w.conversation });
      say(fill(T.wall_taken_ok, { buyer: w.buyer }));
    } catch (error) {
      const holder = error.body && error.body.holder;
      say(
        error.status === 409 && holder
          ? fill(T.wall_held, { name: holder.name, buyer: w.buyer })
          : labelled(T.load_failed, error.message),
        true,
      );
      button.disabled = false;
    }
  }

  // ---- the emergency switch ----
  async function loadEmergency() {
    const state = await api.emergency({ shop: ctx.shop() });
    renderEmergency(state);
  }

  function renderEmergency(state) {
    emergency.classList.toggle("on", state.on);
    const current = state.current;
    const status = el("p", {
      id: "wall-emergency-state",
      textContent: current
        ? fill(T.wall_emergency_on, {
            reason: current.reason,
            who: current.started_by_name,
            at: time(current.started_at),
          })
        : T.wall_emergency_off,
    });
    const error = el("p", { className: "small wall-error", hidden: true });
    let form;
    if (state.on) {
      form = el(
        "form",
        {},
        el("button", { type: "submit", id: "wall-switch-off", textContent: T.wall_switch_off }),
      );
    } else {
      const reason = el("input", {
        name: "reason",
        id: "wall-emergency-reason",
        placeholder: T.wall_emergency_reason_ph,
      });
      const reply = el("textarea", { name: "auto_reply", rows: 2 });
      form = el(
        "form",
        {},
        el("label", {}, T.wall_emergency_reason, reason),
        el("label", { className: "small" }, T.wall_emergency_reply, reply),
        el("button", { type: "submit", id: "wall-switch-on", textContent: T.wall_switch_on }),
      );
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = { shop: ctx.shop(), on: !state.on };
      if (!state.on) {
        body.reason = form.elements.namedItem("reason").value.trim();
        const text = form.elements.namedItem("auto_reply").value.trim();
        if (text) body.auto_reply = text;
      }
      try {
        renderEmergency(await api.setEmergency(body));
      } catch (failure) {
        error.textContent = failure.errors.length
          ? failure.errors.map((e) => e.message).join(T.p_items)
          : failure.message;
        error.hidden = false;
      }
    });
    const timeline = state.timeline.map((e) =>
      el(
        "li",
        {},
        fill(T.wall_timeline_row, { start: time(e.started_at), who: e.started_by_name, reason: e.reason }),
        e.ended_at
          ? `${T.p_items}${fill(T.wall_timeline_end, { end: time(e.ended_at), who: e.ended_by_name })}`
          : "",
      ),
    );
    emergency.replaceChildren(
      el("h2", { textContent: T.wall_emergency }),
      status,
      form,
      error,
      el("h3", { textContent: T.wall_timeline }),
      timeline.length
        ? el("ol", { id: "wall-timeline", className: "small" }, ...timeline)
        : el("p", { className: "muted small", textContent: T.wall_no_timeline }),
    );
  }

  // ---- live ----
  const source = api.teamStream();
  source.addEventListener("open", () => {
    live.textContent = `● ${T.wall_live}`;
    live.classList.add("on");
  });
  source.addEventListener("error", () => {
    live.textContent = T.wall_reconnecting;
    live.classList.remove("on");
  });
  let emergencies = "";
  source.addEventListener("team", (e) => {
    snapshot = JSON.parse(e.data);
    receivedAt = performance.now();
    render();
    const now = JSON.stringify(snapshot.emergencies.map((x) => x.id));
    if (now !== emergencies) {
      emergencies = now;
      loadEmergency().catch((error) => say(error.message, true));
    }
  });
  ctx.onShopChange(() => {
    render();
    loadEmergency().catch((error) => say(error.message, true));
  });
  setInterval(tick, 1000);
  await loadEmergency();
}
