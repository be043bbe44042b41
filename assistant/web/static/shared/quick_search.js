// The sidebar's quick-reply search: a compact box at the top of the sidebar with the lookup popup's
// keyboard model (qr_results.js). Ctrl+Shift+F (the manifest's focus_search hotkey), `/` when not
// typing, or the host forwarding the hotkey (`{type: "kefu.hotkey", action: "focus_search"}`, or the
// short form `{type: "kefu.focus_search"}`, from the parent window only) focuses it; Esc clears it.
// The chosen phrase is rendered for the sidebar's current conversation and inserted like a suggestion.

import { quickSearch } from "./qr_results.js";
import { el, insertText, T, typing } from "./ui.js";

/** Build the search box in `root`; `conversation()` returns the sidebar's current conversation state,
 *  `order()` the order in focus (or null). */
export function mountQuickSearch(root, { conversation, order = () => null }) {
  const input = el("input", {
    id: "quick-search-q",
    className: "qr-input",
    type: "text",
    placeholder: T.qr_sidebar_placeholder,
  });
  const status = el("div", { className: "qr-status small muted" });
  const list = el("ol", { id: "quick-search-results", className: "qr-results" });
  list.setAttribute("aria-label", T.qr_results);
  root.replaceChildren(
    el("label", { htmlFor: input.id, className: "visually-hidden", textContent: T.qr_search_label }),
    input,
    status,
    list,
    el(
      "div",
      { className: "qr-keys small muted" },
      ...[T.qr_keys_nav, T.qr_keys_enter, T.qr_keys_digits, T.qr_keys_esc_sidebar].map((text) =>
        el("span", { textContent: text }),
      ),
    ),
  );

  const search = quickSearch({
    input,
    list,
    status,
    params: () => {
      const c = conversation();
      if (!c) return {};
      const params = { shop: c.shop_id, buyer: c.buyer, item: c.item_id };
      const focused = order();
      if (focused) params.order = focused;
      return params;
    },
    onPick: (result) => {
      const c = conversation();
      insertText({
        text: result.preview,
        conversation: c ? c.conversation : "",
        source: "quick_reply",
        ref_id: result.id,
        shop: c ? c.shop_id : null,
      });
    },
    onEscape: () => {
      search.clear();
      input.blur();
    },
  });

  function focus() {
    input.focus();
    input.select();
    search.run(); // fresh results (and previews) for the conversation in front of the agent now
  }

  document.addEventListener("keydown", (event) => {
    const hotkey = event.ctrlKey && event.shiftKey && !event.altKey && event.code === "KeyF";
    const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event);
    if (hotkey || slash) {
      event.preventDefault();
      focus();
    }
  });
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.source !== window.parent || !data) return;
    if ((data.type === "kefu.hotkey" && data.action === "focus_search") || data.type === "kefu.focus_search")
      focus();
  });
  return { focus };
}
