// The sidebar's "my KPI" card: the agent's own level, score so far this month, what the bonus band
// and the next level need (api.js `myKpi`), folded away until opened.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";

export async function mount(section) {
  let data;
  try {
    data = await api.myKpi();
  } catch {
    return; // the card is a convenience: the sidebar works without it
  }
  const row = data.row;
  const summary = el(
    "summary",
    {},
    T.sk_title,
    " · ",
    el("strong", { className: "sk-level", textContent: row.level || "—" }),
    row.score === null ? null : ` · ${row.score}`,
  );
  const lines = [
    el(
      "div",
      { className: "small" },
      `${T.sk_score}${T.p_colon}`,
      el("span", { className: "sk-score", textContent: row.score === null ? T.sk_none : String(row.score) }),
    ),
    row.score === null
      ? null
      : el("div", { className: "small sk-explanation", textContent: row.explanation }),
    el("div", { className: "small muted sk-next", textContent: row.next_level ? row.level_needs : T.sk_top }),
  ];
  section.replaceChildren(el("details", {}, summary, ...lines));
  section.hidden = false;
}
