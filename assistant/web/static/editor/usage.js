// Tab "usage": which phrases agents use most, and which nobody used, over the last days.
import * as api from "../shared/api.js";
import { el, T } from "../shared/ui.js";

function when(iso) {
  return iso ? new Date(iso).toLocaleString(document.documentElement.lang) : "—";
}

function table(headers, rows) {
  return el(
    "table",
    { className: "qre-usage-table small" },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { textContent: h })))),
    el("tbody", {}, ...rows),
  );
}

function phraseCells(p) {
  return [
    el("td", {}, el("code", { textContent: p.code })),
    el(
      "td",
      {},
      p.title,
      p.enabled ? null : el("span", { className: "chip qre-off", textContent: T.qre_disabled }),
    ),
    el("td", { className: "muted", textContent: p.group }),
  ];
}

export async function mount(section, ctx) {
  const days = el(
    "select",
    { id: "qre-usage-days" },
    ...[7, 30, 90].map((n) =>
      el("option", { value: String(n), textContent: T.qre_usage_last_days.replace("{n}", n) }),
    ),
  );
  days.value = "30";
  days.setAttribute("aria-label", T.qre_usage_days);
  const total = el("span", { className: "muted small" });
  const most = el("div", { id: "qre-most-used" });
  const never = el("div", { id: "qre-never-used" });
  section.replaceChildren(
    el(
      "div",
      { className: "row qre-toolbar" },
      el("label", { htmlFor: "qre-usage-days", className: "small muted", textContent: T.qre_usage_days }),
      days,
      total,
    ),
    el(
      "div",
      { className: "qre-usage" },
      el("section", {}, el("h3", { textContent: T.qre_most_used }), most),
      el(
        "section",
        {},
        el("h3", { textContent: T.qre_never_used }),
        el("p", { className: "muted small", textContent: T.qre_never_used_hint }),
        never,
      ),
    ),
  );

  async function load() {
    const report = await api.quickReplyUsage({ shop: ctx.shop(), days: days.value });
    total.textContent = T.qre_usage_total
      .replace("{phrases}", report.phrases)
      .replace("{uses}", report.total_uses);
    const top = Math.max(1, ...report.most_used.map((p) => p.uses));
    most.replaceChildren(
      report.most_used.length
        ? table(
            [T.qre_code, T.qre_title, T.qre_group, T.qre_uses, T.qre_agents, T.qre_edited, T.qre_last_used],
            report.most_used.map((p) => {
              const bar = el("span", { className: "qre-bar" });
              bar.style.setProperty("--share", String(p.uses / top));
              return el(
                "tr",
                {},
                ...phraseCells(p),
                el("td", { className: "qre-num" }, bar, String(p.uses)),
                el("td", { className: "qre-num", textContent: String(p.agents) }),
                el("td", {
                  className: "qre-num",
                  textContent: p.uses ? `${Math.round((100 * p.edited) / p.uses)}%` : "—",
                }),
                el("td", { className: "muted", textContent: when(p.last_used_at) }),
              );
            }),
          )
        : el("p", { className: "muted", textContent: T.qre_none_used }),
    );
    never.replaceChildren(
      report.never_used.length
        ? table(
            [T.qre_code, T.qre_title, T.qre_group],
            report.never_used.map((p) => el("tr", {}, ...phraseCells(p))),
          )
        : el("p", { className: "muted", textContent: T.qre_none_unused }),
    );
  }

  days.addEventListener("change", () => load());
  ctx.onShopChange(() => load());
  await load();
}
