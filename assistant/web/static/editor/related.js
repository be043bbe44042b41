// The related items of one item inside the product-knowledge form: the list in the order the sidebar
// recommends them (title, note), add an item of the shop, remove, move up/down, edit the note. Saved
// with the knowledge form (`related` of api.js `saveItemKnowledge`); field errors land next to
// the row they name (`related.{i}.related_item_id`, `related.{i}.note`).
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";
import { debounce } from "./kb_common.js";

export const RELATED_MAX = 20;
const NOTE_MAX = 60;

/** Returns { node, set(itemId, related), body(), describe(entry) }. */
export function relatedEditor(ctx) {
  const titles = new Map(); // item id -> title, of every item seen (to show history entries by name)
  let itemId = null;
  let rows = []; // [{ related_item_id, title, sku, stock, on_sale, note }]
  let found = []; // the shop's items matching the search
  const list = el("ol", { className: "kb-related-edit" });
  const search = el("input", {
    type: "search",
    className: "kb-related-search",
    placeholder: T.kb_related_search,
  });
  search.setAttribute("aria-label", T.kb_related_search);
  const pick = el("select", { className: "kb-related-pick" });
  pick.setAttribute("aria-label", T.kb_related_pick);
  const add = el("button", { type: "button", className: "kb-related-add", textContent: T.kb_related_add });
  const full = el("p", {
    className: "muted small",
    hidden: true,
    textContent: T.kb_related_full.replace("{n}", RELATED_MAX),
  });

  function button(text, label, onClick, disabled = false) {
    const b = el("button", { type: "button", textContent: text, disabled });
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function move(i, by) {
    const [row] = rows.splice(i, 1);
    rows.splice(i + by, 0, row);
    render();
  }

  function render() {
    list.replaceChildren(
      ...rows.map((row, i) => {
        const note = el("input", {
          name: `related.${i}.note`,
          value: row.note,
          maxLength: NOTE_MAX,
          className: "kb-related-note",
          placeholder: T.kb_related_note_placeholder,
        });
        note.setAttribute("aria-label", `${row.title} · ${T.kb_related_note_placeholder}`);
        note.addEventListener("input", () => {
          row.note = note.value;
        });
        const title = el(
          "output",
          { name: `related.${i}.related_item_id`, className: "kb-related-title" },
          el("strong", { textContent: row.title }),
          " ",
          el("span", { className: "muted small", textContent: row.sku || "" }),
          row.stock === 0 ? el("span", { className: "chip kb-warn", textContent: T.kb_out_of_stock }) : null,
          row.on_sale === false
            ? el("span", { className: "chip kb-warn", textContent: T.kb_off_sale })
            : null,
        );
        const li = el(
          "li",
          { className: "kb-related-row" },
          title,
          note,
          el(
            "span",
            { className: "kb-related-buttons" },
            button("↑", T.kb_related_up, () => move(i, -1), i === 0),
            button("↓", T.kb_related_down, () => move(i, 1), i === rows.length - 1),
            button(T.kb_remove, `${T.kb_remove} ${row.title}`, () => {
              rows.splice(i, 1);
              render();
            }),
          ),
        );
        li.dataset.item = String(row.related_item_id);
        return li;
      }),
    );
    if (!rows.length)
      list.replaceChildren(el("li", { className: "muted small", textContent: T.kb_no_related }));
    full.hidden = rows.length < RELATED_MAX;
    fillPick();
  }

  function fillPick() {
    const taken = new Set(rows.map((r) => r.related_item_id));
    const choices = found.filter((i) => i.id !== itemId && !taken.has(i.id));
    pick.replaceChildren(
      ...choices.map((i) => el("option", { value: String(i.id), textContent: `${i.title} · ${i.sku}` })),
    );
    if (!choices.length) pick.replaceChildren(el("option", { value: "", textContent: T.kb_related_nothing }));
    add.disabled = !choices.length || rows.length >= RELATED_MAX;
  }

  let asked = 0;
  async function load() {
    const mine = ++asked;
    const params = new URLSearchParams({ shop: ctx.shop(), q: search.value.trim(), limit: "50" });
    try {
      const { items } = await api.items(params);
      if (mine !== asked) return;
      found = items;
      for (const i of items) titles.set(i.id, i.title);
    } catch (error) {
      found = [];
      pick.replaceChildren(el("option", { value: "", textContent: error.message }));
      add.disabled = true;
      return;
    }
    fillPick();
  }
  search.addEventListener("input", debounce(load, 250));
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      load();
    }
  });
  add.addEventListener("click", () => {
    const chosen = found.find((i) => String(i.id) === pick.value);
    if (!chosen || rows.length >= RELATED_MAX) return;
    rows.push({
      related_item_id: chosen.id,
      title: chosen.title,
      sku: chosen.sku,
      stock: chosen.stock,
      on_sale: chosen.on_sale,
      note: "",
    });
    render();
  });

  const node = el(
    "section",
    { className: "kb-related-editor" },
    el("h3", { textContent: T.kb_related }),
    el("p", { className: "muted small", textContent: T.kb_related_edit_hint }),
    list,
    full,
    el("div", { className: "row kb-related-adder" }, search, pick, add),
  );

  return {
    node,
    /** Show the saved list of `id` (rows of the knowledge GET, PUT or rollback). */
    set(id, related) {
      if (id !== itemId) {
        itemId = id;
        search.value = "";
        load();
      }
      rows = (related || []).map((r) => ({
        related_item_id: r.related_item_id,
        title: r.title,
        sku: r.sku,
        stock: r.stock,
        on_sale: r.on_sale,
        note: r.note || "",
      }));
      for (const r of rows) titles.set(r.related_item_id, r.title);
      render();
    },
    body() {
      return rows.map((r) => ({ related_item_id: r.related_item_id, note: r.note.trim() }));
    },
    /** One related entry of a revision as a line: "title · note" (#id when the title is unknown). */
    describe(entry) {
      const name = titles.get(entry.related_item_id) || `#${entry.related_item_id}`;
      return entry.note ? `${name} · ${entry.note}` : name;
    },
  };
}
