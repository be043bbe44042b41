// Tab "synonyms": the shop's groups of words buyers use for the same thing, edit, history, rollback.
import * as api from "../shared/api.js";
import { clearFieldErrors, el, joinList, T } from "../shared/ui.js";
import { deleteOnClick, field, history, saveOnSubmit, words } from "./kb_common.js";

export async function mount(section, ctx) {
  let groups = [];
  let current = null;
  const search = el("input", { type: "search", placeholder: T.kb_search_synonyms });
  search.setAttribute("aria-label", T.kb_search_synonyms);
  const list = el("ul", { className: "kb-list", id: "kb-synonym-list" });
  const add = el("button", { type: "button", className: "primary", textContent: T.kb_new_synonyms });
  const title = el("h2", { className: "kb-form-title" });
  const summary = el("p", { className: "form-error", role: "alert", hidden: true });
  const input = el("textarea", { name: "words", rows: 3, placeholder: T.kb_synonym_words_hint });
  const save = el("button", { type: "submit", className: "primary", textContent: T.kb_save });
  const remove = el("button", { type: "button", className: "danger", textContent: T.kb_delete });
  const historyBox = el("div", { className: "kb-history-box" });
  const form = el(
    "form",
    { className: "kb-form", noValidate: true },
    title,
    summary,
    field(T.kb_synonym_words, input, T.kb_synonyms_note),
    el("div", { className: "row kb-actions" }, save, el("span", { className: "bar-fill" }), remove),
  );
  const editor = el(
    "div",
    { className: "kb-editor", hidden: true },
    form,
    el("section", { className: "kb-history" }, el("h3", { textContent: T.kb_history }), historyBox),
  );

  function render() {
    const q = search.value.trim();
    const shown = groups.filter((g) => !q || g.words.some((w) => w.includes(q)));
    list.replaceChildren(
      ...shown.map((g) => {
        const button = el(
          "button",
          { type: "button", className: "kb-row" },
          el("span", { className: "kb-row-title", textContent: g.words.join(" ≈ ") }),
        );
        if (current && current.id === g.id) button.setAttribute("aria-current", "true");
        button.addEventListener("click", () => {
          fill(g);
          render();
        });
        return el("li", {}, button);
      }),
    );
    if (!shown.length)
      list.replaceChildren(el("li", { className: "muted small", textContent: T.kb_nothing_found }));
  }

  function fill(group) {
    clearFieldErrors(form);
    current = group;
    title.textContent = group.id
      ? `${group.words.slice(0, 3).join(" ≈ ")} · v${group.version}`
      : T.kb_new_synonyms;
    input.value = (group.words || []).join("、");
    editor.hidden = false;
    remove.hidden = !group.id;
    if (group.id) {
      history(historyBox, {
        revisions: () => api.synonymRevisions(group.id),
        rollback: (body) => api.rollbackSynonym(group.id, body),
        version: group.version,
        labels: { words: T.kb_synonym_words, shop_id: T.shop },
        async onRolledBack(row) {
          fill(row.synonym);
          await load();
        },
      });
    } else {
      historyBox.replaceChildren(el("p", { className: "muted small", textContent: T.no_history }));
    }
  }

  async function load() {
    try {
      groups = (await api.synonyms({ shop: ctx.shop(), limit: 200 })).synonyms;
      render();
    } catch (error) {
      list.replaceChildren(el("li", { className: "form-error", textContent: error.message }));
    }
  }

  saveOnSubmit(form, save, {
    create: api.createSynonym,
    update: api.updateSynonym,
    key: "synonym",
    current: () => current,
    fill,
    saved: load,
    body: () => ({
      shop_id: current.shop_id || ctx.shop(),
      words: words(input.value),
      version: current.version || 1,
    }),
  });

  deleteOnClick(remove, form, {
    remove: api.deleteSynonym,
    current: () => current,
    name: (row) => joinList(row.words),
    fill,
    deleted: () => {
      current = null;
      editor.hidden = true;
      return load();
    },
  });
  search.addEventListener("input", render);
  add.addEventListener("click", () => {
    fill({ shop_id: ctx.shop(), words: [] });
    render();
    input.focus();
  });
  ctx.onShopChange(() => {
    current = null;
    editor.hidden = true;
    load();
  });

  section.replaceChildren(
    el(
      "div",
      { className: "kb-split" },
      el(
        "aside",
        { className: "kb-side" },
        el("div", { className: "row" }, search),
        el("div", { className: "row" }, add),
        list,
      ),
      el(
        "div",
        { className: "kb-main" },
        editor,
        el("p", { className: "muted kb-placeholder", textContent: T.kb_pick_synonyms }),
      ),
    ),
  );
  await load();
}
