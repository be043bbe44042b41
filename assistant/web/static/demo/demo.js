// The demo console plays the chat client: it reports conversations and buyer messages as events
// (api.js `postEvent`, the plugin contract), takes `kefu.insert_text` from the sidebar iframe, and plays the
// platform for `kefu.apply_edit`: it answers edit.applied, or edit.failed when the switch says so.
import * as api from "../shared/api.js";

const token = document.body.dataset.token;
const conversations = JSON.parse(document.body.dataset.conversations);
const $ = (id) => document.getElementById(id);
/** The console: its state (the histories, the conversation open, the edits answered) lives here. */
function mountDemo() {
  const histories = new Map(); // conversation id -> [{role, text}]
  let active = null;
  const opened = new Set();

  async function post(event) {
    await api.postEvent(event, { headers: { Authorization: `Bearer ${token}` } });
  }

  function showMessages() {
    const list = (active && histories.get(active.conversation)) || [];
    $("messages").replaceChildren(
      ...list.map((m) =>
        Object.assign(document.createElement("li"), { className: m.role, textContent: m.text }),
      ),
    );
    $("messages").scrollTop = $("messages").scrollHeight;
  }

  async function say(role, text) {
    const at = new Date().toISOString();
    histories.get(active.conversation).push({ role, text });
    showMessages();
    await post({
      type: role === "buyer" ? "message.received" : "message.sent",
      conversation: active.conversation,
      text,
      at,
    });
  }

  async function open(index) {
    const c = conversations[index];
    active = c;
    for (const b of document.querySelectorAll(".conversation"))
      b.setAttribute("aria-current", String(b.dataset.index === String(index)));
    $("chat-title").textContent = c.buyer;
    $("chat-item").textContent = c.item_title || "";
    for (const input of document.querySelectorAll(
      "#buyer-form input, #buyer-form button, #agent-form textarea, #agent-form button",
    ))
      input.disabled = false;
    const first = !opened.has(c.conversation);
    await post({
      type: first ? "conversation.opened" : "conversation.changed",
      conversation: c.conversation,
      shop: c.shop,
      buyer: c.buyer,
      item_id: c.item_id,
    });
    if (first) {
      opened.add(c.conversation);
      histories.set(c.conversation, []);
      await say("buyer", c.first_message);
    }
    showMessages();
  }

  for (const button of document.querySelectorAll(".conversation")) {
    button.addEventListener("click", () =>
      open(Number(button.dataset.index)).catch((e) => console.warn(e.message)),
    );
  }

  $("buyer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("buyer-input");
    const text = input.value.trim();
    if (!text || !active) return;
    input.value = "";
    say("buyer", text).catch((e) => console.warn(e.message));
  });

  $("agent-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const composer = $("agent-composer");
    const text = composer.value.trim();
    if (!text || !active) return;
    composer.value = "";
    say("agent", text).catch((e) => console.warn(e.message));
  });

  // The manifest's hotkeys, as a client would bind them: Ctrl+Shift+K opens the lookup popup for the
  // conversation in front of the agent; Ctrl+Shift+F asks the sidebar to focus its quick-reply search.
  let lookup = null;
  document.addEventListener("keydown", (event) => {
    if (!event.ctrlKey || !event.shiftKey || event.altKey) return;
    if (event.code === "KeyK") {
      event.preventDefault();
      const query = new URLSearchParams({ token, lang: document.body.dataset.lang || "" });
      if (active) {
        query.set("conversation", active.conversation);
        query.set("buyer", active.buyer);
        if (active.item_id) query.set("item", active.item_id);
      }
      lookup = window.open(`/lookup?${query}`, "kefu-lookup", "popup,width=480,height=420");
    } else if (event.code === "KeyF") {
      event.preventDefault();
      $("sidebar").focus();
      $("sidebar").contentWindow.postMessage(
        { type: "kefu.hotkey", action: "focus_search" },
        location.origin,
      );
    }
  });

  // ---- the platform: apply the sidebar's edits, or refuse them (the switch in the bar) -------------
  const answers = new Map(); // idempotency key -> the answer given: a re-offered edit gets the same one
  const held = new Map(); // idempotency key -> message, while the switch says "hold"

  async function applyEdit(message) {
    const mode = $("host-mode").value;
    let answer = answers.get(message.idempotency_key);
    if (!answer) {
      if (mode === "hold") {
        held.set(message.idempotency_key, message);
        return;
      }
      answer =
        mode === "fail"
          ? {
              type: "edit.failed",
              edit_id: message.edit_id,
              idempotency_key: message.idempotency_key,
              reason: $("host-mode").dataset.failReason,
            }
          : {
              type: "edit.applied",
              edit_id: message.edit_id,
              idempotency_key: message.idempotency_key,
              modified_at: new Date().toISOString(),
            };
      answers.set(message.idempotency_key, answer);
    }
    held.delete(message.idempotency_key);
    await post(answer);
  }

  $("host-mode").addEventListener("change", () => {
    if ($("host-mode").value === "hold") return;
    for (const message of [...held.values()]) applyEdit(message).catch((e) => console.warn(e.message));
  });

  window.addEventListener("message", (event) => {
    const fromLookup = lookup && event.source === lookup;
    if (event.origin !== location.origin || (event.source !== $("sidebar").contentWindow && !fromLookup))
      return;
    const data = event.data;
    if (!fromLookup && data && data.type === "kefu.apply_edit") {
      applyEdit(data).catch((e) => console.warn(e.message));
      return;
    }
    if (fromLookup && data && data.type === "kefu.close") {
      lookup.close();
      return;
    }
    if (!data || data.type !== "kefu.insert_text" || typeof data.text !== "string") return;
    if (active && data.conversation && data.conversation !== active.conversation) return;
    const composer = $("agent-composer");
    composer.value = data.text;
    composer.focus();
  });

  // ---- the watch: jump to a conversation, send the auto-reply (kefu.open_conversation, kefu.send_auto_reply)
  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin || event.source !== $("sidebar").contentWindow) return;
    const data = event.data;
    if (data && data.type === "kefu.open_conversation") {
      const index = conversations.findIndex((c) => c.conversation === data.conversation);
      if (index >= 0) open(index).catch((e) => console.warn(e.message));
    } else if (
      data &&
      data.type === "kefu.send_auto_reply" &&
      active &&
      data.conversation === active.conversation
    ) {
      // the platform sends its auto-reply and reports it as such: it does not stop the human clock
      histories.get(active.conversation).push({ role: "agent auto", text: data.text });
      showMessages();
      post({
        type: "message.sent",
        conversation: active.conversation,
        text: data.text,
        at: new Date().toISOString(),
        source: "auto_reply",
      }).catch((e) => console.warn(e.message));
    }
  });

  // ---- rush mode: replay a Double-11 hour (assistant/demo/rush.py) -------------------------------
  // The past ten minutes are posted at once, with their own times; the rest as their moment comes.
  // The second agent's events go with his token; the demo agent's own answers after "now" are left to
  // whoever plays her, and the conversation in front of her is opened again when the history is in.
  const tokens = JSON.parse(document.body.dataset.tokens || "{}");
  const me = Object.keys(tokens)[0];

  async function postAs(login, event) {
    await api.postEvent(event, { headers: { Authorization: `Bearer ${tokens[login]}` } });
  }

  function timed(item, start) {
    const at = new Date(start + item.offset_s * 1000).toISOString();
    if (item.kind === "order") return { ...item.body, modified_at: at, created_at: at };
    if (item.kind === "opened") return item.body;
    return { ...item.body, at };
  }

  function remember(item) {
    if (item.login !== me || !item.body.conversation) return;
    const list = histories.get(item.body.conversation) || [];
    histories.set(item.body.conversation, list);
    if (item.kind === "opened") {
      opened.add(item.body.conversation);
      return;
    }
    if (item.kind === "order") return;
    list.push({
      role: item.kind === "buyer" ? "buyer" : item.kind === "auto_reply" ? "agent auto" : "agent",
      text: item.body.text,
    });
  }

  async function startRush() {
    const button = $("rush");
    button.disabled = true;
    button.textContent = button.dataset.on;
    const events = JSON.parse(document.body.dataset.rush || "[]");
    const start = Date.now();
    for (const item of events.filter((e) => e.offset_s < 0)) {
      await postAs(item.login, timed(item, start));
      remember(item);
    }
    const index = active ? conversations.indexOf(active) : 0;
    await open(Math.max(0, index)); // the history opened every conversation: back to the one in front
    button.dataset.state = "live"; // the past is in; the rest follows in real time
    for (const item of events.filter((e) => e.offset_s >= 0 && !(e.login === me && e.kind === "reply"))) {
      setTimeout(() => {
        postAs(item.login, timed(item, start))
          .then(() => {
            remember(item);
            if (active && item.body.conversation === active.conversation) showMessages();
          })
          .catch((e) => console.warn(e.message));
      }, item.offset_s * 1000);
    }
  }

  $("rush").addEventListener("click", () => startRush().catch((e) => console.warn(e.message)));
}

mountDemo();
