// Edits on their way to the platform: the sidebar posts each outbox entry to the host as
// `kefu.apply_edit` (docs/plugin.md) and shows its state; the host answers with the events
// edit.applied / edit.failed, which come back over the event stream as `edit.synced`.
import * as api from "./api.js";
import { el, paren, T } from "./ui.js";

const host = () => (window.parent !== window ? window.parent : null);

/** The host's origin when the browser tells it (the message carries order data); "*" otherwise. */
function hostOrigin() {
  const ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length) return ancestors[0];
  try {
    if (document.referrer) return new URL(document.referrer).origin;
  } catch {
    /* no referrer */
  }
  return "*";
}

/** Hand one outbox entry to the host; false when the sidebar is not embedded (it stays pending). */
export function offer(message) {
  const parent = host();
  if (!parent || !message) return false;
  parent.postMessage(message, hostOrigin());
  return true;
}

/** Re-offer every pending edit of this agent (on connect and reconnect): nothing is lost by a restart. */
export async function offerPending() {
  if (!host()) return 0;
  const data = await api.outbox();
  for (const o of data.offers) offer(o.message);
  return data.offers.length;
}

function kindLabel(entry) {
  const edit = T[`op_edit_${entry.edit_kind}`] || entry.kind_label;
  return entry.kind === "undo" ? T.sync_of_undo.replace("{kind}", edit) : edit;
}

/** The order's sync states: its newest edit, and every one that failed (each with retry / undo here). */
export function syncRows(order, { retry, undoLocally }) {
  const entries = order.sync || [];
  const shown = entries.filter((e, i) => i === 0 || e.status === "failed");
  return shown.map((entry) => {
    const row = el(
      "div",
      { className: `op-sync is-${entry.status}` },
      el("span", {
        className: "op-sync-state",
        textContent: T[`sync_${entry.status}`] || entry.status_label,
      }),
      el("span", { className: "op-sync-kind", textContent: kindLabel(entry) }),
    );
    row.dataset.editId = entry.id;
    row.dataset.status = entry.status;
    if (entry.status === "pending") row.title = host() ? T.sync_pending_hint : T.sync_not_embedded;
    if (entry.failure)
      row.append(el("span", { className: "op-sync-reason", textContent: paren(entry.failure) }));
    if (entry.can_retry || entry.can_undo_locally) {
      const buttons = el("span", { className: "op-sync-buttons" });
      if (entry.can_retry) {
        const again = el("button", { type: "button", className: "op-sync-retry", textContent: T.sync_retry });
        again.addEventListener("click", () => {
          again.disabled = true;
          retry(entry).finally(() => {
            again.disabled = false;
          });
        });
        buttons.append(again);
      }
      if (entry.can_undo_locally) {
        const back = el("button", {
          type: "button",
          className: "op-sync-undo",
          textContent: T.sync_undo_local,
          title: T.sync_undo_local_hint,
        });
        back.addEventListener("click", () => {
          back.disabled = true;
          undoLocally(entry).finally(() => {
            back.disabled = false;
          });
        });
        buttons.append(back);
      }
      row.append(buttons);
    }
    return row;
  });
}
