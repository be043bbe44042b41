// The hotkey lookup popup (/lookup, manifest entry "lookup", Ctrl+Shift+K): the search box is focused
// on open; type, ↑/↓, Enter inserts, 1–9 (Alt+1–9 while typing) pick, Esc closes. The chosen phrase,
// rendered with the conversation passed in the address (?conversation=&shop=&buyer=&item=&order=),
// goes to the chat client as `kefu.insert_text` (window.opener, else the parent frame; the clipboard
// when there is neither). See docs/plugin.md, "Lookup popup".

import { quickSearch } from "../shared/qr_results.js";
import { $, insertText, labelled, T, toast, token } from "../shared/ui.js";

const query = new URLSearchParams(location.search);
const conversation = query.get("conversation") || "";
const context = Object.fromEntries(
  ["shop", "buyer", "item", "order"].map((name) => [name, query.get(name) || ""]),
);

function host() {
  return window.opener || (window.parent !== window ? window.parent : null);
}

/** Close the popup; a window the script did not open cannot close itself, so ask the host to. */
function close() {
  window.close();
  if (window.closed) return;
  const target = host();
  if (target) target.postMessage({ type: "kefu.close", entry: "lookup", conversation }, "*");
  else toast(T.qr_close_hint);
}

const input = $("lookup-q");
const search = quickSearch({
  input,
  list: $("lookup-results"),
  status: $("lookup-status"),
  params: () => context,
  onPick: async (result) => {
    const how = await insertText({
      text: result.preview,
      conversation,
      source: "quick_reply",
      ref_id: result.id,
      shop: context.shop,
    });
    if (how === "posted") close();
  },
  onEscape: close,
});

const shown = [context.buyer, context.order].filter(Boolean);
if (shown.length) {
  $("lookup-context").textContent = labelled(T.qr_context, shown.join(" · "));
  $("lookup-context").hidden = false;
}

if (!token) {
  $("lookup-status").textContent = T.qr_no_token;
  $("lookup-status").classList.add("qr-error");
} else {
  input.focus();
  search.run();
}
window.addEventListener("focus", () => input.focus());
// Esc also closes when the focus has left the box (e.g. after a click on the page).
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && event.target !== input) {
    event.preventDefault();
    close();
  }
});
