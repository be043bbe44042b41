// The response watch in the sidebar: the "N 位买家在等 · 最长 2:41" chip that jumps to the oldest
// (`kefu.open_conversation`), the current conversation's own clock and mark, presence (reported and
// settable), the auto-reply proposal on a buyer's first message or while away or off shift (`kefu.send_auto_reply`),
// the notice that a supervisor took a conversation, and the emergency script pinned while the switch is on.
import * as api from "../shared/api.js";
import { el, insertText, labelled, T, toast } from "../shared/ui.js";

const POLL_MS = 5000;
const fill = (text, values) =>
  text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : `{${k}}`));

/** 161 -> "2:41". */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const percent = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);

function host() {
  return window.opener || (window.parent !== window ? window.parent : null);
}

export function mount(panel, { conversation }) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("../shared/watch.css", import.meta.url).href;
  document.head.append(link);

  const chip = el("button", { type: "button", id: "watch-chip", className: "watch-chip", hidden: true });
  const idle = el("span", { id: "watch-idle", className: "muted small", textContent: T.w_nobody_waiting });
  const presence = el(
    "select",
    { id: "watch-presence", className: "small" },
    ...["online", "busy", "away"].map((s) => el("option", { value: s, textContent: T[`w_presence_${s}`] })),
  );
  const today = el("div", { id: "watch-today", className: "muted small" });
  const own = el("div", { id: "watch-clock", className: "watch-clock", hidden: true });
  const taken = el("div", { id: "watch-taken", className: "watch-notice", role: "alert", hidden: true });
  const emergency = el("section", {
    id: "watch-emergency",
    className: "card watch-emergency",
    role: "alert",
    hidden: true,
  });
  const proposal = el("section", {
    id: "watch-auto-reply",
    className: "card watch-auto-reply",
    hidden: true,
  });
  const box = el(
    "section",
    { id: "watch", className: "card watch" },
    el(
      "div",
      { className: "row watch-top" },
      chip,
      idle,
      el("label", { className: "small watch-presence" }, `${T.w_presence} `, presence),
    ),
    own,
    today,
    taken,
  );
  panel.prepend(emergency, box, proposal);

  let data = null; // the last api.watch() answer
  let fetchedAt = 0; // performance.now() when it arrived
  let proposedFor = ""; // the conversation the auto-reply was last proposed for

  const waitedNow = (w) => w.waited_s + (performance.now() - fetchedAt) / 1000;
  const markOf = (seconds) => {
    const m = data.marks;
    if (seconds >= m.limit_s) return "limit";
    if (seconds >= m.missed_s) return "missed";
    if (seconds >= m.escalate_s) return "escalate";
    if (seconds >= m.nudge_s) return "nudge";
    return "none";
  };

  function render() {
    if (!data) return;
    const oldest = data.waiting[0];
    chip.hidden = !oldest;
    idle.hidden = Boolean(oldest);
    if (oldest) {
      const longest = waitedNow(oldest);
      chip.textContent = fill(T.w_waiting_chip, { n: data.count, longest: clock(longest) });
      chip.dataset.mark = markOf(longest);
      chip.title = fill(T.w_jump_title, { buyer: oldest.buyer });
    }
    const c = conversation();
    const mine = c && data.waiting.find((w) => w.conversation === c.conversation && w.shop_id === c.shop_id);
    own.hidden = !mine;
    if (mine) {
      const waited = waitedNow(mine);
      const mark = markOf(waited);
      own.dataset.mark = mark;
      own.replaceChildren(
        el("strong", { textContent: fill(T.w_clock, { waited: clock(waited) }) }),
        T[`w_mark_${mark}`]
          ? el("span", { className: "small", textContent: ` · ${T[`w_mark_${mark}`]}` })
          : "",
      );
    }
    const mean = data.today.mean_response_s;
    today.textContent = fill(T.w_today, {
      rate: percent(data.today.rate),
      mean: mean === null ? "—" : clock(mean),
    });
    if (data.presence && document.activeElement !== presence) presence.value = data.presence;
    renderEmergency(data.emergencies.find((e) => !c || e.shop_id === c.shop_id) || null);
  }

  function renderEmergency(current) {
    emergency.hidden = !current;
    if (!current) {
      emergency.replaceChildren();
      return;
    }
    const insert = el("button", { type: "button", textContent: T.w_insert_script });
    insert.addEventListener("click", () => {
      const c = conversation();
      insertText({
        text: current.auto_reply,
        conversation: c ? c.conversation : "",
        source: "script",
        ref_id: current.script_id,
      });
    });
    emergency.replaceChildren(
      el("strong", { textContent: fill(T.w_emergency, { reason: current.reason }) }),
      el("p", { className: "watch-script", textContent: current.auto_reply }),
      el(
        "div",
        { className: "row" },
        el("span", { className: "muted small", textContent: T.w_emergency_hint }),
        insert,
      ),
    );
  }

  async function refresh() {
    try {
      data = await api.watch();
      fetchedAt = performance.now();
      render();
    } catch (error) {
      console.warn(labelled(T.load_failed, error.message));
    }
  }

  let pending = null;
  const soon = () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 250);
  };

  chip.addEventListener("click", () => {
    const oldest = data && data.waiting[0];
    const target = host();
    if (!oldest || !target) return;
    target.postMessage(
      {
        type: "kefu.open_conversation",
        conversation: oldest.conversation,
        shop_id: oldest.shop_id,
        buyer: oldest.buyer,
      },
      "*",
    );
  });

  async function setPresence(state) {
    try {
      await api.setPresence({ state });
      if (data) data.presence = state;
      if (state === "away") propose(conversation(), true);
    } catch (error) {
      toast(error.message);
    }
  }
  presence.addEventListener("change", () => setPresence(presence.value));

  /** The shop's auto-reply for this buyer, for the host to send (it is logged as auto_reply). */
  async function propose(c, away = false) {
    if (!c) return;
    proposedFor = c.conversation;
    const params = new URLSearchParams({ shop: c.shop_id, buyer: c.buyer });
    let reply = null;
    try {
      reply = await api.autoReply(params);
    } catch (error) {
      console.warn(error.message);
    }
    if (!reply || !reply.text || proposedFor !== c.conversation) {
      proposal.hidden = true;
      return;
    }
    const send = el("button", {
      type: "button",
      id: "watch-send-auto-reply",
      textContent: T.w_send_auto_reply,
    });
    send.addEventListener("click", () => {
      const target = host();
      if (target) {
        target.postMessage(
          {
            type: "kefu.send_auto_reply",
            conversation: c.conversation,
            text: reply.text,
            source: reply.source,
          },
          "*",
        );
        toast(T.w_auto_reply_sent);
      } else {
        insertText({ text: reply.text, conversation: c.conversation, source: "script" });
      }
      proposal.hidden = true;
    });
    proposal.replaceChildren(
      el("strong", { textContent: away ? T.w_auto_reply_away : T.w_auto_reply }),
      el("p", { className: "watch-script", textContent: reply.text }),
      el(
        "div",
        { className: "row" },
        el("span", { className: "muted small", textContent: T.w_auto_reply_note }),
        send,
      ),
    );
    proposal.hidden = false;
  }

  /** Away: the agent said so, or the roster has them off shift. */
  const away = () => presence.value === "away" || (data !== null && data.on_shift === false);

  /** A buyer's first message of a conversation (nothing sent to them yet), or any while away. */
  function onMessage(payload) {
    const event = payload.event || {};
    const state = payload.state && payload.state.current;
    if (event.type !== "message.received" || !state || state.conversation !== event.conversation) return;
    const history = state.history || [];
    const first =
      history.filter((h) => h.role === "buyer").length === 1 && !history.some((h) => h.role === "agent");
    if (first || away()) propose(state, away());
  }

  setInterval(render, 1000); // the clocks tick between answers
  setInterval(refresh, POLL_MS); // and the list is asked again now and then
  setPresence("online").then(refresh); // the sidebar opened: the agent is here

  return {
    /** Follow the sidebar's event stream (the same EventSource sidebar.js opened). */
    listen(source) {
      for (const type of [
        "conversation.opened",
        "conversation.changed",
        "message.received",
        "message.sent",
      ]) {
        source.addEventListener(type, (e) => {
          if (type === "message.received") onMessage(JSON.parse(e.data));
          if (type === "message.sent" || type.startsWith("conversation.")) {
            const c = conversation();
            if (!c || c.conversation !== proposedFor) proposal.hidden = true;
            if (type === "message.sent" && c && c.conversation === proposedFor) proposal.hidden = true;
          }
          soon();
        });
      }
      source.addEventListener("conversation.taken", (e) => {
        const d = JSON.parse(e.data);
        taken.textContent = fill(T.w_taken, { by: d.by, buyer: d.buyer });
        taken.hidden = false;
        soon();
      });
      source.addEventListener("emergency", () => refresh());
      source.addEventListener("open", () => soon());
    },
  };
}
