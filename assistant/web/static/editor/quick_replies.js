// Tab "quick-replies": the shop's phrases grouped by group, searched and filtered on the server,
// ordered by hand within a group (move up/down saves the group's order in one request, versions checked),
// the form (editor/qr_form.js) and import/export (editor/qr_import.js).
import * as api from "../shared/api.js";
import { el, labelled, T, toast } from "../shared/ui.js";
import { quickReplyForm } from "./qr_form.js";
import { exportFile, importPanel } from "./qr_import.js";

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export async function mount(section, ctx) {
  const search = el("input", { type: "search", placeholder: T.qre_search, id: "qre-search" });
  search.setAttribute("aria-label", T.qre_search);
  const groupFilter = el("select", { id: "qre-group-filter" });
  groupFilter.setAttribute("aria-label", T.qre_group);
  const scopeFilter = el(
    "select",
    { id: "qre-scope-filter" },
    el("option", { value: "", textContent: T.qre_all_scopes }),
    ...["shop", "team", "personal"].map((s) => el("option", { value: s, textContent: T[`qre_scope_${s}`] })),
  );
  scopeFilter.setAttribute("aria-label", T.qre_scope);
  const stateFilter = el(
    "select",
    { id: "qre-state-filter" },
    el("option", { value: "", textContent: T.qre_all_states }),
    el("option", { value: "true", textContent: T.qre_only_enabled }),
    el("option", { value: "false", textContent: T.qre_only_disabled }),
  );
  stateFilter.setAttribute("aria-label", T.qre_enabled);
  const add = el("button", { type: "button", className: "primary", id: "qre-new", textContent: T.qre_new });
  const importButton = el("button", { type: "button", id: "qre-import", textContent: T.qre_import });
  const csv = el("button", { type: "button", id: "qre-export-csv", textContent: T.qre_export_csv });
  const xlsx = el("button", { type: "button", id: "qre-export-xlsx", textContent: T.qre_export_xlsx });
  const count = el("span", { className: "muted small" });
  const list = el("div", { className: "qre-list", id: "qre-list" });

  let groups = [];
  let rows = [];
  let asked = 0;

  const form = quickReplyForm({
    ctx,
    groups: () => groups,
    onSaved: async (row) => {
      await load();
      mark(row.quick_reply.id);
    },
    onDeleted: () => load(),
    onNewGroup: newGroup,
  });
  const importer = importPanel({ ctx, onApplied: () => load() });

  section.replaceChildren(
    el(
      "div",
      { className: "qre-toolbar row" },
      search,
      groupFilter,
      scopeFilter,
      stateFilter,
      count,
      el("span", { className: "bar-fill" }),
      add,
      importButton,
      csv,
      xlsx,
    ),
    importer.node,
    el("div", { className: "qre-body" }, list, form.node),
  );

  async function newGroup() {
    const name = (prompt(T.qre_new_group_prompt) || "").trim();
    if (!name) return null;
    try {
      const { group } = await api.createQuickReplyGroup({ name, shop: ctx.shop(), position: groups.length });
      await loadGroups();
      return group;
    } catch (err) {
      toast(labelled(T.save_failed, err.message));
      return null;
    }
  }

  async function loadGroups() {
    ({ groups } = await api.quickReplyGroups({ shop: ctx.shop() }));
    const keep = groupFilter.value;
    groupFilter.replaceChildren(
      el("option", { value: "", textContent: T.qre_all_groups }),
      ...groups.map((g) => el("option", { value: String(g.id), textContent: g.name })),
    );
    groupFilter.value = groups.some((g) => String(g.id) === keep) ? keep : "";
  }

  function mark(id) {
    for (const item of list.querySelectorAll(".qre-item")) {
      if (item.dataset.id === String(id)) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }

  function item(row, siblings, index) {
    const reply = row.quick_reply;
    const open = el(
      "button",
      { type: "button", className: "qre-open" },
      el("code", { className: "qre-code", textContent: reply.code }),
      el("span", { className: "qre-item-title", textContent: reply.title }),
      reply.scope !== "shop"
        ? el("span", { className: "chip", textContent: T[`qre_scope_${reply.scope}`] })
        : null,
      reply.enabled ? null : el("span", { className: "chip qre-off", textContent: T.qre_disabled }),
      el("span", { className: "qre-snippet muted small", textContent: reply.body }),
    );
    open.addEventListener("click", () => {
      form.edit(row);
      mark(reply.id);
    });
    const up = el("button", {
      type: "button",
      className: "qre-move",
      textContent: "↑",
      title: T.qre_move_up,
      disabled: index === 0,
    });
    const down = el("button", {
      type: "button",
      className: "qre-move",
      textContent: "↓",
      title: T.qre_move_down,
      disabled: index === siblings.length - 1,
    });
    up.setAttribute("aria-label", `${T.qre_move_up} ${reply.title}`);
    down.setAttribute("aria-label", `${T.qre_move_down} ${reply.title}`);
    up.addEventListener("click", () => move(reply, -1));
    down.addEventListener("click", () => move(reply, 1));
    const li = el("li", { className: "qre-item" }, open, el("span", { className: "qre-moves" }, up, down));
    li.dataset.id = String(reply.id);
    li.dataset.code = reply.code;
    return li;
  }

  function render() {
    const byGroup = new Map();
    for (const row of rows) {
      const key = row.quick_reply.group_id;
      if (!byGroup.has(key)) byGroup.set(key, { name: row.group, rows: [] });
      byGroup.get(key).rows.push(row);
    }
    count.textContent = T.qre_count.replace("{n}", rows.length);
    if (!rows.length) {
      list.replaceChildren(el("p", { className: "muted", textContent: T.qre_empty }));
      return;
    }
    list.replaceChildren(
      ...[...byGroup.entries()].map(([id, g]) => {
        const box = el(
          "section",
          { className: "qre-group" },
          el(
            "h3",
            { textContent: g.name },
            el("span", { className: "muted small", textContent: ` · ${g.rows.length}` }),
          ),
          el("ol", {}, ...g.rows.map((row, i) => item(row, g.rows, i))),
        );
        box.dataset.group = String(id);
        return box;
      }),
    );
    if (form.editing) mark(form.editing);
  }

  /** Every page of api.js `quickReplies` for these filters, in display order. */
  async function allPhrases(query) {
    const found = [];
    let cursor = 0;
    do {
      query.set("cursor", String(cursor));
      const data = await api.quickReplies(query);
      found.push(...data.quick_replies);
      cursor = data.next_cursor;
    } while (cursor != null);
    return found;
  }

  async function load() {
    const mine = ++asked;
    const query = new URLSearchParams({ shop: String(ctx.shop()) });
    if (search.value.trim()) query.set("q", search.value.trim());
    if (groupFilter.value) query.set("group", groupFilter.value);
    if (scopeFilter.value) query.set("scope", scopeFilter.value);
    if (stateFilter.value) query.set("enabled", stateFilter.value);
    const found = await allPhrases(query);
    if (mine !== asked) return;
    rows = found;
    render();
  }

  /** Swap a phrase with its neighbour in its group (whole group, unfiltered): one request, all or nothing. */
  async function move(reply, step) {
    try {
      const all = await allPhrases(
        new URLSearchParams({ shop: String(ctx.shop()), group: String(reply.group_id) }),
      );
      const order = all.map((r) => r.quick_reply);
      const at = order.findIndex((r) => r.id === reply.id);
      const to = at + step;
      if (at < 0 || to < 0 || to >= order.length) return;
      [order[at], order[to]] = [order[to], order[at]];
      await api.orderQuickReplyGroup(reply.group_id, {
        items: order.map((r) => ({ id: r.id, version: r.version })),
      });
      toast(T.qre_moved);
    } catch (err) {
      toast(labelled(T.save_failed, err.message));
    }
    await load();
    mark(reply.id);
  }

  const reload = debounce(() => load().catch(showError), 200);
  function showError(err) {
    list.replaceChildren(el("p", { className: "form-error", textContent: err.message }));
  }
  search.addEventListener("input", reload);
  for (const select of [groupFilter, scopeFilter, stateFilter]) select.addEventListener("change", reload);
  add.addEventListener("click", () => form.create(Number(groupFilter.value) || (groups[0] && groups[0].id)));
  importButton.addEventListener("click", () => importer.choose());
  for (const [button, format] of [
    [csv, "csv"],
    [xlsx, "xlsx"],
  ]) {
    button.addEventListener("click", () => exportFile(ctx.shop(), format).catch((err) => toast(err.message)));
  }
  ctx.onShopChange(async () => {
    form.close();
    await loadGroups();
    await load();
  });

  await loadGroups();
  await load();
}
