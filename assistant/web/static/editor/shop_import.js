// Tab "shop-import": import the seller center's exports (orders with their lines, items). Upload →
// the dry run runs as a job on the server; the page polls it for the progress bar, shows what would be
// added / updated / left / refused (and conflicts with local edits), then "Import N rows" applies it.
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";

const POLL_MS = 400;
const ACTIONS = ["add", "update", "conflict", "leave", "refuse"];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function fileInput(id, label) {
  const input = el("input", {
    type: "file",
    id,
    accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  });
  return {
    input,
    node: el(
      "label",
      { className: "shi-file small", htmlFor: id },
      el("span", { textContent: label }),
      input,
    ),
  };
}

/** One import card (orders or items). */
function card(kind, ctx) {
  const files =
    kind === "orders"
      ? [fileInput("shi-orders-file", T.shi_orders_file), fileInput("shi-lines-file", T.shi_lines_file)]
      : [fileInput("shi-items-file", T.shi_items_file)];
  const overwrite = kind === "orders" ? el("input", { type: "checkbox", id: "shi-overwrite" }) : null;
  const preview = el("button", {
    type: "button",
    className: "primary",
    id: `shi-${kind}-preview`,
    textContent: T.shi_preview,
  });
  const bar = el("progress", { id: `shi-${kind}-progress`, max: 1, value: 0, hidden: true });
  const status = el("p", { className: "muted small", id: `shi-${kind}-status`, role: "status" });
  const error = el("p", { className: "form-error", role: "alert", hidden: true, id: `shi-${kind}-error` });
  const summary = el("p", { className: "shi-summary", id: `shi-${kind}-summary` });
  const extra = el("p", { className: "muted small" });
  const apply = el("button", { type: "button", className: "primary", id: `shi-${kind}-apply`, hidden: true });
  const filter = el(
    "select",
    { id: `shi-${kind}-filter`, hidden: true },
    el("option", { value: "", textContent: T.shi_show_all }),
    ...ACTIONS.map((a) => el("option", { value: a, textContent: T[`shi_${a}`] })),
  );
  filter.setAttribute("aria-label", T.shi_show);
  const table = el("table", { className: "qre-import-table small", id: `shi-${kind}-rows` });
  const node = el(
    "section",
    { className: "card shi-card", id: `shi-${kind}` },
    el("h3", { textContent: kind === "orders" ? T.shi_orders : T.shi_items }),
    el("p", {
      className: "muted small",
      textContent: kind === "orders" ? T.shi_orders_hint : T.shi_items_hint,
    }),
    el("div", { className: "shi-files" }, ...files.map((f) => f.node)),
    overwrite
      ? el("label", { className: "small shi-check", htmlFor: "shi-overwrite" }, overwrite, T.shi_overwrite)
      : null,
    el("div", { className: "row" }, preview, apply, filter),
    bar,
    status,
    error,
    summary,
    extra,
    el("div", { className: "qre-import-scroll" }, table),
  );
  let job = null;
  let report = null;

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  function render(result) {
    report = result;
    summary.textContent = fill(T.shi_summary, {
      file: job ? job.file_name : "",
      rows: result.rows_read,
      added: result.added,
      updated: result.updated,
      conflicts: result.conflicts,
      left: result.left,
      refused: result.refused,
    });
    const bits = [];
    if (result.kind === "orders")
      bits.push(fill(T.shi_buyers, { buyers: result.buyers_added, lines: result.lines_read }));
    // in the shop's own time, as the API writes it ("2026-11-12T09:30:00+08:00")
    if (result.exported_at)
      bits.push(fill(T.shi_exported_at, { at: result.exported_at.slice(0, 16).replace("T", " ") }));
    if (result.rows_cut) bits.push(T.shi_cut);
    extra.textContent = bits.join(" · ");
    const n = result.added + result.updated + result.conflicts;
    apply.textContent = fill(T.shi_apply, { n });
    apply.hidden = result.applied;
    apply.disabled = n === 0;
    filter.hidden = false;
    draw();
  }

  function draw() {
    if (!report) return;
    const wanted = filter.value;
    table.replaceChildren(
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[T.shi_row, T.shi_result, T.shi_key, T.shi_detail].map((h) => el("th", { textContent: h })),
        ),
      ),
      el(
        "tbody",
        {},
        ...report.rows
          .filter((r) => !wanted || r.action === wanted)
          .map((r) => {
            const tr = el(
              "tr",
              {},
              el("td", { textContent: String(r.row) }),
              el(
                "td",
                {},
                el("span", { className: `chip shi-${r.action}`, textContent: T[`shi_${r.action}`] }),
              ),
              el("td", {}, el("code", { textContent: r.key })),
              el("td", {
                className: r.action === "refuse" ? "" : "muted",
                textContent: r.reason || r.fields.join(T.p_list),
              }),
            );
            tr.dataset.action = r.action;
            return tr;
          }),
      ),
    );
  }

  async function follow(started, verb) {
    job = started;
    bar.hidden = false;
    bar.value = job.progress;
    status.textContent = fill(verb, { file: job.file_name });
    while (job.state === "running") {
      await sleep(POLL_MS);
      job = await api.shopImportJob(job.id);
      bar.value = job.progress;
    }
    bar.value = 1;
    status.textContent = "";
    if (job.state === "failed") {
      if (job.error_status === 409 && job.current) {
        render(job.current);
        showError(T.shi_stale);
      } else {
        showError(job.error);
      }
      return null;
    }
    render(job.report);
    return job.report;
  }

  preview.addEventListener("click", async () => {
    error.hidden = true;
    const chosen = files.map((f) => f.input.files[0] || null);
    if (!chosen[0]) {
      showError(T.shi_pick_file);
      return;
    }
    const form = new FormData();
    form.append("file", chosen[0]);
    if (chosen[1]) form.append("lines", chosen[1]);
    const query = new URLSearchParams({
      shop: String(ctx.shop()),
      last_modified: String(chosen[0].lastModified || 0),
    });
    if (overwrite && overwrite.checked) query.set("overwrite_conflicts", "true");
    preview.disabled = true;
    apply.hidden = true;
    summary.textContent = "";
    extra.textContent = "";
    table.replaceChildren();
    try {
      await follow(await api.startShopImport(kind, query, form), T.shi_reading);
    } catch (err) {
      showError(err.message);
    } finally {
      preview.disabled = false;
    }
  });

  apply.addEventListener("click", async () => {
    if (!job || !report) return;
    error.hidden = true;
    apply.disabled = true;
    try {
      const done = await follow(await api.applyShopImport(job.id, { plan: report.plan_id }), T.shi_writing);
      if (done) toast(fill(T.shi_applied, done));
    } catch (err) {
      showError(err.message);
      apply.disabled = false;
    }
  });
  filter.addEventListener("change", draw);
  return node;
}

export async function mount(section, ctx) {
  section.replaceChildren(
    el("p", { className: "muted", textContent: T.shi_intro }),
    el("div", { className: "shi-cards" }, card("orders", ctx), card("items", ctx)),
  );
}
