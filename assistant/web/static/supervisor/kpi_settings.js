// The KPI settings form of the KPI tab: weights per role, each metric's 0/100-point targets, the bonus
// bands, the level criteria and the main shop's weight (api.js `kpiSettings` / `saveKpiSettings`).
import * as api from "../shared/api.js";
import { el, showFieldErrors, T, toast } from "../shared/ui.js";

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
const num = (value, attrs = {}) =>
  el("input", { type: "number", step: "any", value: String(value), ...attrs });

export async function mountSettings(box, onSaved) {
  let saved = await api.kpiSettings();

  function render() {
    const c = saved.config;
    const metrics = Object.keys(c.targets);
    const roles = Object.keys(c.cards);
    const weights = el(
      "table",
      { className: "kpi-settings-weights" },
      el(
        "thead",
        {},
        el("tr", {}, el("th"), ...roles.map((r) => el("th", { textContent: T[`rk_role_${r}`] || r }))),
      ),
      el(
        "tbody",
        {},
        ...metrics.map((m) =>
          el(
            "tr",
            {},
            el("th", { textContent: T[`rm_${m}`] || m }),
            ...roles.map((r) =>
              el(
                "td",
                {},
                num(c.cards[r].weights[m] ?? 0, { name: `w.${r}.${m}`, min: 0, className: "narrow" }),
              ),
            ),
          ),
        ),
        el(
          "tr",
          {},
          el("th", { textContent: T.rk_team_share }),
          ...roles.map((r) =>
            el(
              "td",
              {},
              num(c.cards[r].team_share, { name: `share.${r}`, min: 0, max: 1, className: "narrow" }),
            ),
          ),
        ),
      ),
    );
    const targets = el(
      "table",
      { className: "kpi-settings-targets" },
      el(
        "thead",
        {},
        el("tr", {}, el("th"), el("th", { textContent: T.rk_worst }), el("th", { textContent: T.rk_best })),
      ),
      el(
        "tbody",
        {},
        ...metrics.map((m) =>
          el(
            "tr",
            {},
            el("th", { textContent: T[`rm_${m}`] || m }),
            el("td", {}, num(c.targets[m].worst, { name: `t.${m}.worst`, className: "narrow" })),
            el("td", {}, num(c.targets[m].best, { name: `t.${m}.best`, className: "narrow" })),
          ),
        ),
      ),
    );
    const bands = el(
      "table",
      { className: "kpi-settings-bands" },
      el(
        "thead",
        {},
        el("tr", {}, el("th", { textContent: T.rk_band_min }), el("th", { textContent: T.rk_band_base })),
      ),
      el(
        "tbody",
        {},
        ...c.bands.map((b, i) =>
          el(
            "tr",
            {},
            el("td", {}, num(b.min_score, { name: `b.${i}.min_score`, className: "narrow" })),
            el("td", {}, num(b.base_yuan, { name: `b.${i}.base_yuan`, step: 1, className: "narrow" })),
          ),
        ),
      ),
    );
    const levels = el(
      "table",
      { className: "kpi-settings-levels" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th"),
          el("th", { textContent: T.rk_level_months }),
          el("th", { textContent: T.rk_level_average }),
          el("th", { textContent: T.rk_level_each }),
        ),
      ),
      el(
        "tbody",
        {},
        ...c.levels.map((lv, i) =>
          el(
            "tr",
            {},
            el("th", { textContent: lv.name }),
            el("td", {}, num(lv.months, { name: `l.${i}.months`, step: 1, min: 0, className: "narrow" })),
            el("td", {}, num(lv.min_average, { name: `l.${i}.min_average`, className: "narrow" })),
            el("td", {}, num(lv.min_each, { name: `l.${i}.min_each`, className: "narrow" })),
          ),
        ),
      ),
    );
    const main = num(c.main_shop_weight, { name: "main_shop_weight", min: 0, max: 1, className: "narrow" });
    const save = el("button", { type: "submit", className: "primary", textContent: T.rk_save });
    const version = el("span", {
      className: "muted small",
      textContent: saved.version ? fill(T.rk_version, { v: saved.version }) : T.rk_defaults,
    });
    const form = el(
      "form",
      { className: "kpi-settings", noValidate: true },
      el("h4", { textContent: T.rk_weights }),
      weights,
      el("h4", { textContent: T.rk_targets }),
      targets,
      el("h4", { textContent: T.rk_bands }),
      bands,
      el("h4", { textContent: T.rk_levels }),
      levels,
      el("label", {}, T.rk_main_weight, " ", main),
      el("p", { className: "form-error", role: "alert", hidden: true }),
      el("div", {}, save, " ", version),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (name) => Number(form.elements[name].value);
      const config = {
        cards: Object.fromEntries(
          roles.map((r) => [
            r,
            {
              weights: Object.fromEntries(
                metrics.map((m) => [m, value(`w.${r}.${m}`)]).filter(([, w]) => w > 0),
              ),
              team_share: value(`share.${r}`),
            },
          ]),
        ),
        targets: Object.fromEntries(
          metrics.map((m) => [m, { worst: value(`t.${m}.worst`), best: value(`t.${m}.best`) }]),
        ),
        bands: c.bands.map((_, i) => ({
          min_score: value(`b.${i}.min_score`),
          base_yuan: value(`b.${i}.base_yuan`),
        })),
        levels: c.levels.map((lv, i) => ({
          name: lv.name,
          months: value(`l.${i}.months`),
          min_average: value(`l.${i}.min_average`),
          min_each: value(`l.${i}.min_each`),
        })),
        main_shop_weight: value("main_shop_weight"),
      };
      try {
        saved = await api.saveKpiSettings({ version: saved.version, config });
        toast(fill(T.rk_saved, { v: saved.version }));
        render();
        onSaved();
      } catch (error) {
        showFieldErrors(form, error);
      }
    });
    box.replaceChildren(form);
  }
  render();
}
