// The order panel's hold line: a reviewer held the order (api.js `holdOrder`); every agent
// sees why, who and when, so nobody ships or promises a ship date meanwhile.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";

/** An element filled in once the order's hold is read (hidden when there is none). */
export function holdLine(orderId) {
  const line = el("p", { className: "risk small op-hold", hidden: true });
  api
    .orderHold(orderId)
    .then(({ hold }) => {
      if (!hold) return;
      const at = new Date(hold.held_at).toLocaleString(document.documentElement.lang);
      line.textContent = T.rv_hold_line
        .replace("{reason}", hold.reason)
        .replace("{who}", hold.held_by)
        .replace("{at}", at);
      line.hidden = false;
    })
    .catch(() => {});
  return line;
}
