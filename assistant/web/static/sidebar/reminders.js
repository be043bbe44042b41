// The sidebar's payment reminders: the queue (mine / pool: claim, insert the script for the buyer's
// reason, SMS text, a logged call, snooze, done with the outcome), the buyer card's line
// ("催付：小美 · 14:05 · 旺旺 · 今天第 1/3 次") and, inside the chat client, the care messages it
// hands over (`kefu.send_message`, each once: the service marks them as it gives them out).
import * as api from "../shared/api.js";
import { el, insertText, T, toast } from "../shared/ui.js";

const REFRESH_MS = 60_000;
const SHOWN = 5; // tasks shown before "more": the queue sits above the buyer card
const REASONS = ["default", "price", "size", "delivery"];
const OUTCOMES = [
  "rm_outcome_unwanted",
  "rm_outcome_elsewhere",
  "rm_outcome_unreachable",
  "rm_outcome_later",
];

const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), text);
const clock = (iso) =>
  new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
const dayClock = (iso) =>
  new Date(iso).toLocaleString(document.documentElement.lang, {
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
const yuan = (fen) => `¥${(fen / 100).toLocaleString("zh-CN", { maximumFractionDigits: 2 })}`;

function styles() {
  if (document.getElementById("reminders-css")) return;
  document.head.append(
    el("link", {
      id: "reminders-css",
      rel: "stylesheet",
      href: new URL("../shared/reminders.css", import.meta.url).href,
    }),
  );
}

/** Mount into `section` (the queue) and `line` (the buyer card's line). `conversation()` is the current one. */
export function mountReminders(section, line, { conversation }) {
  styles();
  let view = "mine";
  let expanded = false;
  let data = null;
  let lineFor = "";
  const host = window.opener || (window.parent !== window ? window.parent : null);

  async function load() {
    try {
      data = await api.reminders();
    } catch (error) {
      console.warn(T.load_failed, error.message);
      return;
    }
    render();
  }

  function render() {
    if (!data) return;
    // The reminder role sees the pool; anybody else only the tasks that are theirs (buyers they chatted with).
    const inRole = data.role !== "none";
    const total = data.mine.length + (inRole ? data.pool.length : 0);
    section.hidden = total === 0 && (!inRole || data.others === 0);
    if (section.hidden) return;
    if (!inRole) view = "mine";
    else if (view === "mine" && !data.mine.length && data.pool.length) view = "pool";
    const tab = (name, count) => {
      const button = el("button", {
        type: "button",
        className: "rm-tab",
        textContent: fill(T[`rm_${name}`], { n: count }),
      });
      button.setAttribute("aria-pressed", String(view === name));
      button.addEventListener("click", () => {
        view = name;
        expanded = false;
        render();
      });
      return button;
    };
    const tasks = view === "mine" ? data.mine : data.pool;
    const shown = expanded ? tasks : tasks.slice(0, SHOWN);
    const more = el("button", {
      type: "button",
      className: "rm-more small",
      textContent: fill(T.rm_more, { n: tasks.length - shown.length }),
    });
    more.addEventListener("click", () => {
      expanded = true;
      render();
    });
    section.replaceChildren(
      ...[
        el(
          "div",
          { className: "row rm-head" },
          el("h2", { textContent: T.rm_title }),
          tab("mine", data.mine.length),
          inRole ? tab("pool", data.pool.length) : null,
        ),
        tasks.length
          ? el(
              "ol",
              { className: "rm-list" },
              ...shown.map((t) => el("li", {}, taskCard(t, view === "mine"))),
            )
          : el("p", {
              className: "muted small",
              textContent: view === "mine" ? T.rm_empty_mine : T.rm_empty_pool,
            }),
        shown.length < tasks.length ? more : null,
        data.others
          ? el("p", { className: "muted small", textContent: fill(T.rm_others, { n: data.others }) })
          : null,
      ].filter(Boolean),
    );
  }

  function taskCard(task, mine) {
    const card = el("div", { className: `rm-task${task.due ? " due" : ""}` });
    card.dataset.task = String(task.id);
    const next = task.due
      ? T.rm_due_now
      : task.next_touch_at
        ? fill(T.rm_next, { at: dayClock(task.next_touch_at) })
        : T.rm_no_next;
    card.append(
      ...[
        el(
          "div",
          { className: "row" },
          el("strong", { className: "rm-buyer", textContent: task.buyer }),
          el("span", {
            className: `chip rm-ch-${task.channel}`,
            textContent: T[`rm_channel_${task.channel}`],
          }),
          el("span", { className: "rm-amount", textContent: yuan(task.total_fen) }),
          el("span", {
            className: "muted small",
            textContent: fill(T.rmd_orders, { n: task.orders.length }),
          }),
        ),
        el(
          "div",
          { className: "muted small" },
          `${next} · ${fill(T.rm_closes, { at: dayClock(task.closes_at) })} · ${fill(T.rm_today, { n: task.touches_today, max: data.per_day })}`,
        ),
        task.call_from
          ? el("div", {
              className: "muted small",
              textContent: fill(T.rm_phone_from, { at: dayClock(task.call_from) }),
            })
          : null,
      ].filter(Boolean),
    );
    if (!mine) {
      const claim = el("button", { type: "button", className: "primary", textContent: T.rm_claim });
      claim.addEventListener("click", () =>
        act(claim, async () => {
          await api.claimReminder(task.id);
          toast(T.rm_claimed);
          view = "mine";
        }),
      );
      card.append(el("div", { className: "buttons" }, claim));
      return card;
    }
    const reason = el(
      "select",
      { className: "rm-reason" },
      ...REASONS.map((r) => el("option", { value: r, textContent: T[`rm_reason_${r}`] })),
    );
    reason.setAttribute("aria-label", T.rm_reason);
    const insert = el("button", { type: "button", className: "primary", textContent: T.rm_insert });
    insert.addEventListener("click", () =>
      act(insert, async () => {
        const script = await api.reminderScript(task.id, { reason: reason.value });
        const current = conversation();
        await insertText({
          text: script.text,
          conversation: current && current.buyer === task.buyer ? current.conversation : "",
          source: "script",
        });
        await touch(task, "chat", "", script.text);
      }),
    );
    const sms = el("button", { type: "button", textContent: T.rm_sms });
    sms.addEventListener("click", () =>
      act(sms, async () => {
        const script = await api.reminderScript(task.id, { channel: "sms" });
        try {
          await navigator.clipboard.writeText(script.text);
        } catch {
          /* shown in the toast either way */
        }
        await touch(task, "sms", "", script.text);
        toast(T.rm_sms_copied);
      }),
    );
    const buttons = [insert, sms];
    if (task.channel === "phone") {
      const phone = el("button", { type: "button", textContent: T.rm_phone });
      phone.addEventListener("click", () => {
        const outcome = window.prompt(T.rm_phone_outcome) || "";
        act(phone, () => touch(task, "phone", outcome.slice(0, 200), ""));
      });
      buttons.push(phone);
    }
    const snooze = el("button", { type: "button", textContent: T.rm_snooze });
    snooze.addEventListener("click", () =>
      act(snooze, async () => {
        const later = await api.snoozeReminder(task.id, { minutes: 30 });
        toast(fill(T.rm_snoozed, { at: clock(later.next_touch_at) }));
      }),
    );
    const done = el("button", { type: "button", className: "rm-done", textContent: T.rm_done });
    const outcome = el(
      "select",
      { className: "rm-outcome" },
      ...OUTCOMES.map((k) => el("option", { value: T[k], textContent: T[k] })),
    );
    outcome.setAttribute("aria-label", T.rm_done_title);
    const confirm = el("button", { type: "button", className: "danger", textContent: T.rm_done_ok });
    const ending = el("div", { className: "row rm-ending", hidden: true }, outcome, confirm);
    done.addEventListener("click", () => {
      ending.hidden = !ending.hidden;
    });
    confirm.addEventListener("click", () =>
      act(confirm, async () => {
        await api.finishReminder(task.id, { outcome: outcome.value });
        toast(T.rm_ended);
      }),
    );
    card.append(el("div", { className: "row rm-actions" }, reason, ...buttons, snooze, done), ending);
    return card;
  }

  async function touch(task, channel, outcome, text) {
    await api.touchReminder(task.id, { channel, outcome, text });
    toast(T.rm_touched);
  }

  async function act(button, fn) {
    button.disabled = true;
    try {
      await fn();
    } catch (error) {
      const holder = error.body && error.body.holder;
      toast(holder ? fill(T.rm_held, { name: holder.name }) : error.message);
    } finally {
      button.disabled = false;
      await load();
      lineFor = "";
      follow(conversation());
    }
  }

  /** The buyer card's line for the conversation in view (reloaded when the buyer changes). */
  async function follow(current) {
    if (!current) {
      line.hidden = true;
      lineFor = "";
      return;
    }
    const key = `${current.shop_id}|${current.buyer}`;
    if (key === lineFor) return;
    lineFor = key;
    const params = new URLSearchParams({ shop: current.shop_id, nick: current.buyer });
    let info = null;
    try {
      info = await api.buyerReminders(params);
    } catch {
      info = null;
    }
    if (lineFor !== key) return;
    const text = info && (info.line || (info.owner ? fill(T.rm_card_owner, { name: info.owner }) : ""));
    line.textContent = text || "";
    line.hidden = !text;
  }

  /** Inside the chat client: take the shop's due care messages and hand each to it once. */
  async function sendCare() {
    const current = conversation();
    if (!host || !current) return;
    let taken = null;
    try {
      taken = await api.takeCare({ shop: current.shop_id });
    } catch {
      return;
    }
    for (const m of taken.messages) {
      host.postMessage(
        {
          type: "kefu.send_message",
          shop: current.shop_id,
          buyer: m.buyer,
          text: m.text,
          source: "care",
          ref_id: m.id,
          order_id: m.order_id,
        },
        "*",
      );
    }
    if (taken.messages.length) toast(fill(T.rm_care_sent, { n: taken.messages.length }));
  }

  load();
  setInterval(() => {
    load();
    sendCare();
  }, REFRESH_MS);
  return { follow, reload: load };
}
