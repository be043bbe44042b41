// Import quick replies from a CSV/.xlsx file (dry run table, then "Apply N changes") and export them
// (fetched with the bearer token and saved through a Blob, since a plain link cannot carry the header).
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";

const ACTIONS = () => ({ added: T.qre_added, changed: T.qre_changed, skipped: T.qre_skipped });
const FIELDS = () => ({
  group: T.qre_group,
  title: T.qre_title,
  body: T.qre_body,
  tags: T.qre_tags,
  enabled: T.qre_enabled,
  valid_from: T.qre_valid_from,
  valid_until: T.qre_valid_until,
});

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

function detail(row) {
  if (row.action === "skipped") return el("span", { className: "muted", textContent: row.reason || "" });
  if (row.action === "added") return el("span", { className: "qre-multiline", textContent: row.title });
  const labels = FIELDS();
  return el(
    "div",
    {},
    ...row.changes.map((c) =>
      el(
        "div",
        { className: "qre-change" },
        el("strong", { textContent: `${labels[c.field] || c.field}${T.p_colon}` }),
        el("del", { textContent: c.before || "—" }),
        " → ",
        el("ins", { textContent: c.after || "—" }),
      ),
    ),
  );
}

/** The import panel. opts: { ctx, onApplied() }. Returns { node, choose() }. */
export function importPanel(opts) {
  const file = el("input", {
    type: "file",
    accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    hidden: true,
    id: "qre-import-file",
  });
  const summary = el("p", { className: "qre-import-summary", id: "qre-import-summary" });
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const apply = el("button", { type: "button", className: "primary", id: "qre-apply" });
  const cancel = el("button", { type: "button", textContent: T.qre_cancel });
  const table = el("table", { className: "qre-import-table small" });
  const node = el(
    "section",
    { className: "qre-import card", hidden: true },
    el("h3", { textContent: T.qre_import_title }),
    summary,
    error,
    el("div", { className: "row" }, apply, cancel),
    el("div", { className: "qre-import-scroll" }, table),
  );
  let chosen = null;
  let plan = null;

  function render(result) {
    plan = result;
    const n = result.added + result.changed;
    summary.textContent = fill(T.qre_import_summary, { ...result, header: result.header_row });
    apply.textContent = fill(T.qre_apply, { n });
    apply.disabled = n === 0;
    apply.hidden = false;
    const actions = ACTIONS();
    table.replaceChildren(
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[T.qre_row, T.qre_result, T.qre_code, T.qre_group, T.qre_detail].map((h) =>
            el("th", { textContent: h }),
          ),
        ),
      ),
      el(
        "tbody",
        {},
        ...result.rows.map((row) => {
          const tr = el(
            "tr",
            { className: `qre-${row.action}` },
            el("td", { textContent: String(row.row) }),
            el(
              "td",
              {},
              el("span", { className: `chip qre-${row.action}`, textContent: actions[row.action] }),
            ),
            el("td", {}, el("code", { textContent: row.code })),
            el("td", { textContent: row.group }),
            el("td", {}, detail(row)),
          );
          tr.dataset.action = row.action;
          return tr;
        }),
      ),
    );
    node.hidden = false;
  }

  async function send(dryRun) {
    const form = new FormData();
    form.append("file", chosen);
    const query = new URLSearchParams({ shop: String(opts.ctx.shop()), dry_run: String(dryRun) });
    if (!dryRun && plan) query.set("plan", plan.plan_id);
    return api.importQuickReplies(query, form);
  }

  function fail(err) {
    error.textContent = [
      err.message,
      ...(err.errors || [])
        .filter((e) => e.message !== err.message && !err.message.includes(e.message))
        .map((e) => e.message),
    ].join(T.p_items);
    error.hidden = false;
  }

  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    chosen = file.files[0];
    file.value = "";
    error.hidden = true;
    table.replaceChildren();
    summary.textContent = T.loading;
    apply.disabled = true;
    apply.hidden = true; // until there is a plan to apply (a refused file has none)
    node.hidden = false;
    try {
      render(await send(true));
    } catch (err) {
      summary.textContent = "";
      fail(err);
    }
  });

  apply.addEventListener("click", async () => {
    apply.disabled = true;
    error.hidden = true;
    try {
      const result = await send(false);
      toast(fill(T.qre_applied, result));
      node.hidden = true;
      opts.onApplied(result);
    } catch (err) {
      if (err.status === 409 && err.body.current) {
        render(err.body.current);
        error.textContent = T.qre_import_stale;
        error.hidden = false;
      } else {
        fail(err);
        apply.disabled = false;
      }
    }
  });
  cancel.addEventListener("click", () => {
    node.hidden = true;
  });

  return { node: el("div", {}, file, node), choose: () => file.click() };
}

/** Download the shop's phrases as CSV or XLSX. */
export async function exportFile(shop, format) {
  const response = await api.exportQuickReplies({ shop, format });
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename\*=UTF-8''([^;]+)/);
  const name = match ? decodeURIComponent(match[1]) : `quick-replies.${format}`;
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  toast(T.qre_exported);
}
