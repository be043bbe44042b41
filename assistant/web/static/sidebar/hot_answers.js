// Hot-item answers (爆款问答) of the item in focus as one-click buttons, before the buyer asks.
// mountHotAnswers(section, {insert}) -> {load(current), hide()}.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";

export function mountHotAnswers(section, { insert }) {
  const list = el("div", { className: "hot-list" });
  section.replaceChildren(
    el("h2", {}, T.hot_title, el("span", { className: "muted small", textContent: T.hot_hint })),
    list,
  );
  let asked = "";

  function hide() {
    section.hidden = true;
    list.replaceChildren();
    asked = "";
  }

  async function load(current) {
    if (!current || !current.item_id) {
      hide();
      return;
    }
    const params = new URLSearchParams({ shop: current.shop_id, buyer: current.buyer });
    const key = `${current.item_id}?${params}`;
    asked = key;
    const data = await api.itemAnswers(current.item_id, params, { nullOn404: true });
    if (asked !== key) return; // the agent moved on while this was loading
    const answers = data ? data.answers : [];
    list.replaceChildren(
      ...answers.map((a) => {
        const button = el(
          "button",
          { type: "button", className: "hot-answer", title: a.answer },
          el("span", { className: "hot-name", textContent: a.name }),
          el("span", { className: "hot-text small muted", textContent: a.answer }),
        );
        button.addEventListener("click", () =>
          insert({ text: a.answer, source: "suggestion", ref_id: a.id }),
        );
        return button;
      }),
    );
    section.hidden = answers.length === 0;
  }

  return { load, hide };
}
