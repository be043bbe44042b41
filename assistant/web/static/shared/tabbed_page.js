// A page of tabs (the editor, the supervisor's pages). Each tab is its own module
// (`<page>/<tab>.js`, loaded on first open) exporting `mount(section, ctx)`, where
// ctx = { me, shop() -> the chosen shop id, onShopChange(fn) }.
import * as api from "./api.js";
import { $, el, labelled, paren, T } from "./ui.js";

export function startTabbedPage(page) {
  const mounted = new Set(); // tabs whose module is mounted (or being mounted)
  const shopListeners = [];
  let me = null;

  const ctx = {
    get me() {
      return me;
    },
    shop: () => Number($("shop-select").value),
    onShopChange: (fn) => shopListeners.push(fn),
  };

  function fail(error) {
    const box = $("editor-error");
    box.textContent = labelled(T.load_failed, error.message);
    box.hidden = false;
  }

  async function show(tab) {
    const panels = [...document.querySelectorAll(".tab-panel")];
    if (!panels.length) return;
    if (!panels.some((p) => p.dataset.tab === tab)) tab = panels[0].dataset.tab;
    for (const panel of panels) panel.hidden = panel.dataset.tab !== tab;
    for (const link of document.querySelectorAll(".tabs a")) {
      if (link.dataset.tab === tab) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (mounted.has(tab)) return;
    mounted.add(tab);
    try {
      const module = await import(`../${page}/${tab.replace(/-/g, "_")}.js`);
      await module.mount($(`tab-${tab}`), ctx);
    } catch (error) {
      mounted.delete(tab);
      fail(error);
    }
  }

  async function start() {
    const data = await api.me();
    me = data.agent;
    // a tab with data-roles is only for those roles (the editor's review tab: the order-review role)
    for (const node of document.querySelectorAll("[data-roles]")) {
      if (!node.dataset.roles.split(" ").includes(me.role)) node.remove();
    }
    $("who").textContent = `${me.name}${paren(T[`role_${me.role}`] || me.role)}`;
    const select = $("shop-select");
    select.replaceChildren(
      ...data.shops.map((s) => el("option", { value: String(s.id), textContent: s.name })),
    );
    select.value = String(me.main_shop_id);
    select.addEventListener("change", () => {
      for (const fn of shopListeners) fn(ctx.shop());
    });
    window.addEventListener("hashchange", () => show(location.hash.slice(1)));
    await show(location.hash.slice(1));
  }

  return start().catch(fail);
}
