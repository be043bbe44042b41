// History of one row (quick reply, intent, campaign, synonym group, item knowledge): every revision
// with who/when/what, a readable field-by-field diff against the state before it, and one-click rollback.
import { el, labelled, T, toast } from "../shared/ui.js";

const HIDDEN = new Set([
  "id",
  "version",
  "created_at",
  "updated_at",
  "updated_by",
  "created_by",
  "search_keys",
]);

function text(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map(text).join("\n");
  if (typeof value === "object") return JSON.stringify(value, null, 1);
  return String(value);
}

/** Changed fields between two states, each as { field, before, after } in display text; `formats`
 *  may give a field its own display ({ field: (value) => text }). */
export function changes(before, after, formats = {}) {
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  const out = [];
  for (const key of keys) {
    if (HIDDEN.has(key)) continue;
    const show = (state) => {
      const value = (state || {})[key];
      return formats[key] && value !== undefined && value !== null ? text(formats[key](value)) : text(value);
    };
    const a = show(before);
    const b = show(after);
    if (a !== b) out.push({ field: key, before: a, after: b });
  }
  return out;
}

function diffTable(rows, labels) {
  if (!rows.length) return el("p", { className: "muted small", textContent: T.no_changes });
  return el(
    "table",
    { className: "diff small" },
    ...rows.map((r) =>
      el(
        "tr",
        {},
        el("th", { textContent: labels[r.field] || r.field }),
        el("td", { className: "before" }, el("del", { textContent: r.before })),
        el("td", { className: "after" }, el("ins", { textContent: r.after })),
      ),
    ),
  );
}

/**
 * Render the history into `box`.
 * opts: { revisions() and rollback(body): the row's calls in api.js, version (current, or null when deleted), labels, formats, onRolledBack(row) }
 */
export async function showHistory(box, opts) {
  box.replaceChildren(el("p", { className: "muted small", textContent: T.loading }));
  const { revisions } = await opts.revisions();
  const list = el("ol", { className: "history" });
  for (const rev of revisions) {
    const who = rev.agent_name || (rev.agent_id ? `#${rev.agent_id}` : T.system);
    const when = new Date(rev.at).toLocaleString(document.documentElement.lang);
    const rollback = el("button", { type: "button", className: "rollback", textContent: T.rollback_here });
    rollback.dataset.revision = String(rev.id);
    rollback.addEventListener("click", async () => {
      if (!confirm(T.rollback_confirm.replace("{version}", rev.version))) return;
      try {
        const row = await opts.rollback({ revision_id: rev.id, version: opts.version });
        toast(T.rolled_back);
        if (opts.onRolledBack) opts.onRolledBack(row);
      } catch (error) {
        toast(labelled(T.save_failed, error.message));
      }
    });
    list.append(
      el(
        "li",
        {},
        el(
          "div",
          { className: "row small" },
          el("strong", { textContent: `v${rev.version}` }),
          el("span", { className: "chip", textContent: T[`action_${rev.action}`] || rev.action }),
          el("span", { className: "muted", textContent: `${who} · ${when}` }),
          el("span", { className: "bar-fill" }),
          rev.after && rev.version !== opts.version ? rollback : null,
        ),
        rev.before
          ? diffTable(changes(rev.before, rev.after, opts.formats), opts.labels || {})
          : el(
              "details",
              { className: "small" },
              el("summary", { textContent: T.show_contents }),
              diffTable(changes(rev.before, rev.after, opts.formats), opts.labels || {}),
            ),
      ),
    );
  }
  box.replaceChildren(
    revisions.length ? list : el("p", { className: "muted small", textContent: T.no_history }),
  );
}
