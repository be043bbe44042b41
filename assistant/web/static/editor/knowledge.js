// Tab "knowledge": an item's product knowledge (selling points, installation, usage notes, what is
// in the box, size chart) and its related items (editor/related.js), saved together as one version;
// what the sidebar recommends now; history and rollback.
import * as api from "../shared/api.js";
import { clearFieldErrors, el, T, toast } from "../shared/ui.js";
import { field, history, itemPicker, lines, showSaveError } from "./kb_common.js";
import { relatedEditor } from "./related.js";

const LABELS = {
  selling_points: T.kb_selling_points,
  installation: T.kb_installation,
  usage_notes: T.kb_usage_notes,
  in_box: T.kb_in_box,
  size_chart: T.kb_size_chart,
  item_id: T.kb_scope_item,
  related: T.kb_related,
};

export async function mount(section, ctx) {
  let item = null;
  let knowledge = null; // as read (null: the item has none yet)
  const title = el("h2", { className: "kb-form-title" });
  const summary = el("p", { className: "form-error", role: "alert", hidden: true });
  const selling = el("textarea", { name: "selling_points", rows: 4 });
  const installation = el("textarea", { name: "installation", rows: 4 });
  const usage = el("textarea", { name: "usage_notes", rows: 4 });
  const inBox = el("textarea", { name: "in_box", rows: 4 });
  const sizes = el("textarea", { name: "size_chart", rows: 4 });
  const save = el("button", { type: "submit", className: "primary", textContent: T.kb_save });
  const related = el("ul", { className: "kb-related" });
  const pairings = relatedEditor(ctx);
  const historyBox = el("div", { className: "kb-history-box" });
  const form = el(
    "form",
    { className: "kb-form", noValidate: true },
    title,
    summary,
    el(
      "div",
      { className: "kb-grid kb-grid-2" },
      field(T.kb_selling_points, selling, T.kb_one_per_line),
      field(T.kb_in_box, inBox, T.kb_one_per_line),
      field(T.kb_installation, installation),
      field(T.kb_usage_notes, usage),
    ),
    field(T.kb_size_chart, sizes),
    pairings.node,
    el("div", { className: "row kb-actions" }, save),
  );
  const editor = el(
    "div",
    { className: "kb-editor", hidden: true },
    form,
    el(
      "div",
      { className: "kb-column" },
      el(
        "section",
        { className: "kb-card" },
        el("h3", { textContent: T.kb_related_sidebar }),
        related,
        el("p", { className: "muted small", textContent: T.kb_related_note }),
      ),
      el("section", { className: "kb-history" }, el("h3", { textContent: T.kb_history }), historyBox),
    ),
  );

  function fill(data, relatedRows) {
    clearFieldErrors(form);
    knowledge = data;
    pairings.set(item.id, relatedRows);
    title.textContent = data
      ? `${item.title} · v${data.version}`
      : `${item.title} · ${T.kb_no_knowledge_yet}`;
    selling.value = ((data && data.selling_points) || []).join("\n");
    inBox.value = ((data && data.in_box) || []).join("\n");
    installation.value = (data && data.installation) || "";
    usage.value = (data && data.usage_notes) || "";
    sizes.value = (data && data.size_chart) || "";
    editor.hidden = false;
    if (!data || (!item.knowledge_revisions && !item.saved)) {
      historyBox.replaceChildren(el("p", { className: "muted small", textContent: T.no_history }));
      return;
    }
    history(historyBox, {
      revisions: () => api.itemKnowledgeRevisions(item.id),
      rollback: (body) => api.rollbackItemKnowledge(item.id, body),
      version: data ? data.version : null,
      labels: LABELS,
      formats: { related: (rows) => rows.map((r) => pairings.describe(r)) },
      onRolledBack(row) {
        fill(row.knowledge, row.related);
        showRelated();
      },
    });
  }

  async function showRelated() {
    related.replaceChildren(el("li", { className: "muted small", textContent: T.loading }));
    try {
      const data = await api.relatedItems(item.id, { shop: ctx.shop() });
      const rows = data.related.map((r) =>
        el(
          "li",
          {},
          el("strong", { textContent: r.title }),
          " ",
          el("span", {
            className: "chip",
            textContent: r.source === "bought_together" ? T.kb_related_bought : T.kb_related_editor,
          }),
          " ",
          el("span", { className: "muted small", textContent: r.note || r.message }),
        ),
      );
      related.replaceChildren(
        ...(rows.length ? rows : [el("li", { className: "muted small", textContent: T.kb_no_related })]),
      );
    } catch (error) {
      related.replaceChildren(el("li", { className: "muted small", textContent: error.message }));
    }
  }

  const opt = (text) => (text.trim() ? text.trim() : null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const body = {
      item_id: item.id,
      selling_points: lines(selling.value),
      in_box: lines(inBox.value),
      installation: opt(installation.value),
      usage_notes: opt(usage.value),
      size_chart: opt(sizes.value),
      related: pairings.body(),
    };
    if (knowledge) body.version = knowledge.version;
    save.disabled = true;
    try {
      const saved = await api.saveItemKnowledge(item.id, body);
      toast(T.saved);
      item.saved = true;
      fill(saved.knowledge, saved.related);
      showRelated();
    } catch (error) {
      showSaveError(form, error, reload);
    } finally {
      save.disabled = false;
    }
  });

  /** Load the saved knowledge and related items (also after a 409: the current version). */
  async function reload() {
    const data = await api.itemKnowledge(item.id);
    fill(data.knowledge, data.related);
    showRelated();
  }

  const picker = itemPicker(ctx, {
    async onPick(picked) {
      item = picked;
      await reload();
    },
  });
  ctx.onShopChange(() => {
    item = null;
    editor.hidden = true;
    picker.load();
  });

  section.replaceChildren(
    el(
      "div",
      { className: "kb-split" },
      el("aside", { className: "kb-side" }, el("h3", { textContent: T.kb_items }), picker.node),
      el(
        "div",
        { className: "kb-main" },
        editor,
        el("p", { className: "muted kb-placeholder", textContent: T.kb_pick_item_first }),
      ),
    ),
  );
  await picker.load();
}
