// Tab "hot-items": pick an item (items with answers first), see the answers bound to it and edit
// them with the same intent form as the "intents" tab.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";
import { intentForm } from "./intent_form.js";
import { intentRow } from "./intents.js";
import { itemPicker } from "./kb_common.js";

export async function mount(section, ctx) {
  let item = null;
  const heading = el("h2", { textContent: T.kb_pick_item_first });
  const answers = el("ul", { className: "kb-list", id: "kb-hot-list" });
  const add = el("button", {
    type: "button",
    className: "primary",
    textContent: T.kb_new_hot_answer,
    hidden: true,
  });

  const form = intentForm(ctx, {
    fixedItem: true,
    onSaved: () => loadAnswers(),
    onDeleted: () => loadAnswers(),
  });

  async function open(intent, button) {
    for (const b of answers.querySelectorAll(".kb-row")) b.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    form.edit((await api.intent(intent.id)).intent);
  }

  async function loadAnswers() {
    if (!item) return;
    const current = form.current && form.current.id;
    const { intents } = await api.intents({ shop: ctx.shop(), item: item.id, limit: 200 });
    answers.replaceChildren(...intents.map((i) => intentRow(i, open)));
    if (!intents.length)
      answers.replaceChildren(el("li", { className: "muted small", textContent: T.kb_no_hot_answers }));
    const row = current && answers.querySelector(`[data-intent="${current}"]`);
    if (row) row.setAttribute("aria-current", "true");
  }

  const picker = itemPicker(ctx, {
    hot: true,
    async onPick(picked) {
      item = picked;
      heading.textContent = T.kb_answers_of.replace("{title}", picked.title);
      add.hidden = false;
      form.hide();
      await loadAnswers();
    },
  });
  add.addEventListener("click", () => {
    if (!item) return;
    form.create({ item_id: item.id, topic: "product", key: `item${item.id}_${Date.now().toString(36)}` });
  });
  ctx.onShopChange(() => {
    item = null;
    form.hide();
    answers.replaceChildren();
    add.hidden = true;
    heading.textContent = T.kb_pick_item_first;
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
        el("div", { className: "row" }, heading, el("span", { className: "bar-fill" }), add),
        answers,
        form.node,
      ),
    ),
  );
  await picker.load();
}
