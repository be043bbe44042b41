// Tab "fixes" of the editor: the open QC fixes on the shop's quick replies and intents (and the training
// cards), each closed with what was done once the phrase or intent is corrected.
import * as api from "../shared/api.js";
import { findingRow, loadStyle } from "../shared/qc_common.js";
import { el, T } from "../shared/ui.js";

export async function mount(section, ctx) {
  loadStyle();
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const list = el("ul", { className: "qc-list", id: "qc-fixes" });
  const box = el("section", { className: "qc-card" }, el("h3", { textContent: T.tab_fixes }), error, list);
  box.fail = (e) => {
    error.textContent = e ? e.message : "";
    error.hidden = !e;
  };
  section.replaceChildren(box);

  async function load() {
    box.fail(null);
    try {
      const { findings } = await api.findings({ shop: ctx.shop() });
      const fixes = [...findings].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "fix" ? -1 : 1));
      list.replaceChildren(
        ...(fixes.length
          ? fixes.map((f) => findingRow(f, box, load))
          : [el("li", { className: "muted small", textContent: T.qc_findings_empty })]),
      );
    } catch (e) {
      box.fail(e);
    }
  }
  ctx.onShopChange(load);
  await load();
}
