// The KPI tab: per agent and per shop tables for a day, week or month (score, bonus, explanation,
// level), the server's SVG charts, the conversations behind any number, exports, the month close and
// the KPI settings (weights per role, targets, bonus bands, level criteria).
import * as api from "../shared/api.js";
import { el, T, toast, token } from "../shared/ui.js";

const METRICS = [
  "inquiring",
  "conversion",
  "rate_3min",
  "response_s",
  "satisfaction",
  "invite_rate",
  "unit_price_yuan",
  "items_per_buyer",
  "reply_rate",
  "answer_ratio",
  "orders",
  "sales_yuan",
  "promoted_items",
];
const RATES = new Set([
  "conversion",
  "conversion_next_day",
  "rate_3min",
  "reply_rate",
  "satisfaction",
  "invite_rate",
  "efficiency",
  "quality",
]);
// which conversations a metric's number stands for
const DRILL = {
  conversion: "paid",
  orders: "paid",
  sales_yuan: "paid",
  unit_price_yuan: "paid",
  items_per_buyer: "paid",
  promoted_items: "paid",
  rate_3min: "slow",
  response_s: "slow",
  reply_rate: "unreplied",
};
const FILTERS = ["all", "paid", "unpaid", "slow", "unreplied"];
// the refund reviewers' card: each number opens the decisions behind it on the editor's refunds tab
const REFUND_METRICS = [
  "refunds_reviewed",
  "efficiency",
  "quality",
  "refund_review_minutes",
  "refunds_wrong",
];

const withData = (node, data) => {
  Object.assign(node.dataset, data);
  return node;
};
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

export function formatMetric(metric, value) {
  if (value === null || value === undefined) return "—";
  if (RATES.has(metric)) return `${(value * 100).toFixed(1)}%`;
  if (metric === "answer_ratio" || metric === "items_per_buyer") return value.toFixed(2);
  if (metric === "response_s" || metric === "refund_review_minutes") return value.toFixed(1);
  if (metric === "unit_price_yuan" || metric === "sales_yuan") return value.toFixed(2);
  return String(value);
}

function thisPeriod(kind) {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  if (kind === "day") return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  if (kind === "week") {
    const d = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
    const day = d.getUTCDay() || 7;
    d.setUTCDate(d.getUTCDate() + 4 - day);
    const first = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
    return `${d.getUTCFullYear()}-W${pad(Math.ceil(((d - first) / 86400000 + 1) / 7))}`;
  }
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}`;
}

function svgNode(markup) {
  const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  return document.importNode(doc.documentElement, true);
}

async function download(pending) {
  const response = await pending;
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename\*=UTF-8''([^;]+)/);
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: match ? decodeURIComponent(match[1]) : "kpi", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function mount(section, ctx) {
  const kind = el(
    "select",
    { id: "kpi-kind" },
    ...["month", "week", "day"].map((k) => el("option", { value: k, textContent: T[`rk_kind_${k}`] })),
  );
  const period = el("input", { id: "kpi-period", value: thisPeriod("month"), size: 10 });
  const scope = el(
    "select",
    { id: "kpi-scope" },
    el("option", { value: "shop", textContent: T.rk_scope_shop }),
    el("option", { value: "all", textContent: T.rk_scope_all }),
  );
  const show = el("button", { type: "button", className: "primary", textContent: T.rk_show });
  const format = el(
    "select",
    { id: "kpi-format" },
    el("option", { value: "xlsx", textContent: "XLSX" }),
    el("option", { value: "csv", textContent: "CSV" }),
  );
  const exports = ["agent", "day", "conversation"].map((rows) => {
    const button = withData(el("button", { type: "button", textContent: T[`rk_export_${rows}`] }), { rows });
    button.addEventListener("click", () =>
      download(api.exportReport(`${query()}&rows=${rows}&format=${format.value}`)).catch((e) =>
        toast(e.message),
      ),
    );
    return button;
  });
  const close = el("button", {
    type: "button",
    id: "kpi-close",
    className: "danger",
    textContent: T.rk_close,
  });
  const status = el("p", { id: "kpi-status", className: "small" });
  const agents = el("div", { id: "kpi-agents", className: "kpi-table" });
  const refunds = el("div", { id: "kpi-refunds", className: "kpi-table" });
  const shops = el("div", { id: "kpi-shops", className: "kpi-table" });
  const charts = el("div", { id: "kpi-charts", className: "kpi-charts" });
  const drill = el("div", { id: "kpi-drill", hidden: true });
  const settings = el("div", { id: "kpi-settings" });
  const settingsBox = el(
    "details",
    { className: "kpi-settings-box" },
    el("summary", { textContent: T.rk_settings }),
    settings,
  );
  section.append(
    el(
      "div",
      { className: "kpi-bar" },
      el("label", { textContent: T.rk_period, htmlFor: "kpi-period" }),
      kind,
      period,
      scope,
      show,
      el("span", { className: "muted small", textContent: T.rk_export }),
      format,
      ...exports,
      close,
    ),
    status,
    el("h3", { textContent: T.rk_agents }),
    agents,
    drill,
    refunds,
    el("h3", { textContent: T.rk_shops }),
    shops,
    el("h3", { textContent: T.rk_charts }),
    charts,
    settingsBox,
  );

  // one shop (the page's) or every shop of the supervisor's (then an agent's score weighs their shops)
  const shopOf = () => (scope.value === "all" ? null : ctx.shop());
  const query = (shop = shopOf()) =>
    `period=${encodeURIComponent(period.value.trim())}${shop ? `&shop=${shop}` : ""}`;
  let shopNames = {};

  kind.addEventListener("change", () => {
    period.value = thisPeriod(kind.value);
    load();
  });
  scope.addEventListener("change", () => load());
  show.addEventListener("click", () => load());
  period.addEventListener("keydown", (e) => {
    if (e.key === "Enter") load();
  });
  ctx.onShopChange(() => load());
  close.addEventListener("click", async () => {
    if (!confirm(fill(T.rk_close_confirm, { period: period.value }))) return;
    try {
      await api.closeKpi({ period: period.value, shop: shopOf() });
      toast(fill(T.rk_closed_done, { period: period.value }));
      await load();
    } catch (error) {
      status.textContent = error.message;
    }
  });

  function cell(row, metric, value, shop = undefined) {
    const text = formatMetric(metric, value);
    if (value === null || value === undefined) return el("td", { textContent: text });
    const link = withData(el("a", { href: "#kpi", textContent: text, className: "drill" }), { metric });
    link.addEventListener("click", (e) => {
      e.preventDefault();
      openDrill(row, DRILL[metric] || "all", shop);
    });
    return el("td", { className: "num" }, link);
  }

  let shown = []; // the agents' rows in the table, for the charts' bars
  // a bar of the scores chart opens that agent's conversations, as the table's numbers do
  charts.addEventListener("click", (e) => {
    const bar = e.target.closest("[data-key]");
    const row = bar && shown.find((r) => String(r.agent_id) === bar.dataset.key);
    if (row) openDrill(row, "all");
  });

  function renderAgents(rows) {
    shown = rows;
    if (!rows.length) {
      agents.replaceChildren(el("p", { className: "muted", textContent: T.rk_none }));
      return;
    }
    const head = el(
      "tr",
      {},
      el("th", { textContent: T.rk_agent }),
      el("th", { textContent: T.rk_level }),
      ...METRICS.map((m) => el("th", { textContent: T[`rm_${m}`] })),
      el("th", { textContent: T.rk_score }),
      el("th", { textContent: T.rk_base }),
      el("th", { textContent: T.rk_bonus }),
      el("th", { textContent: T.rk_explanation }),
    );
    const body = rows.map((r) =>
      withData(
        el(
          "tr",
          {},
          el("td", { textContent: r.agent }),
          el("td", { className: "kpi-level", title: r.level_needs || "", textContent: r.level || "—" }),
          ...METRICS.map((m) => cell(r, m, r.metrics[m])),
          el("td", { className: "num kpi-score", textContent: r.score ?? "—" }),
          el("td", { className: "num", textContent: r.base_yuan ?? "—" }),
          el("td", { className: "num kpi-bonus", textContent: r.bonus_yuan ?? "—" }),
          el("td", { className: "kpi-explanation small", textContent: r.explanation }),
        ),
        { agent: r.login },
      ),
    );
    agents.replaceChildren(el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
  }

  function renderRefunds(rows) {
    const reviewers = rows.filter((r) => r.role === "refund_reviewer" || r.metrics.refunds_reviewed);
    if (!reviewers.length) {
      refunds.replaceChildren();
      return;
    }
    const head = el(
      "tr",
      {},
      el("th", { textContent: T.rk_agent }),
      ...REFUND_METRICS.map((m) => el("th", { textContent: T[`rm_${m}`] })),
      el("th", { textContent: T.rk_score }),
    );
    const lang = document.documentElement.lang;
    const body = reviewers.map((r) => {
      const query = new URLSearchParams({ token, lang, reviewer: r.agent_id, period: period.value.trim() });
      const behind = `/editor?${query}#refunds`;
      const number = (m) => {
        const value = r.metrics[m];
        if (value === null || value === undefined) return el("td", { textContent: "—" });
        const link = el("a", { href: behind, className: "drill", textContent: formatMetric(m, value) });
        return el("td", { className: "num" }, withData(link, { metric: m }));
      };
      return withData(
        el(
          "tr",
          {},
          el("td", { textContent: r.agent }),
          ...REFUND_METRICS.map(number),
          el("td", { className: "num kpi-score", textContent: r.score ?? "—" }),
        ),
        { agent: r.login },
      );
    });
    refunds.replaceChildren(
      el("h4", { textContent: T.rk_refunds }),
      el("p", { className: "muted small", textContent: T.rk_refunds_note }),
      el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)),
    );
  }

  function renderShops(rows) {
    const lines = [];
    for (const r of rows) {
      for (const [shop, m] of Object.entries(r.shops)) lines.push({ shop, r, m });
    }
    lines.sort((a, b) => a.shop.localeCompare(b.shop) || a.r.agent_id - b.r.agent_id);
    const cols = ["inquiring", "conversion", "rate_3min", "response_s", "unit_price_yuan", "sales_yuan"];
    shops.replaceChildren(
      el(
        "table",
        {},
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { textContent: T.rk_shop }),
            el("th", { textContent: T.rk_agent }),
            ...cols.map((m) => el("th", { textContent: T[`rm_${m}`] })),
            el("th", { textContent: T.rk_shop_score }),
          ),
        ),
        el(
          "tbody",
          {},
          ...lines.map(({ shop, r, m }) =>
            el(
              "tr",
              {},
              el("td", { textContent: shopNames[shop] || shop }),
              el("td", { textContent: r.agent }),
              ...cols.map((c) => cell(r, c, m[c], shop)),
              el("td", { className: "num", textContent: r.shop_scores[shop] ?? "—" }),
            ),
          ),
        ),
      ),
    );
  }

  async function openDrill(row, filter, shop = undefined) {
    const who = row ? `&agent=${row.agent_id}` : "";
    const data = await api.reportConversations(`${query(shop ?? shopOf())}${who}&filter=${filter}&limit=200`);
    const title = fill(T.rk_drill_title, {
      agent: row ? row.agent : T.rk_drill_all_agents,
      period: period.value,
    });
    const chips = FILTERS.map((f) => {
      const b = el("button", {
        type: "button",
        textContent: `${T[`rk_filter_${f}`]} ${data.counts[f]}`,
        className: f === filter ? "primary" : "",
      });
      b.addEventListener("click", () => openDrill(row, f, shop));
      return b;
    });
    const shut = el("button", { type: "button", textContent: T.rk_close_drill });
    shut.addEventListener("click", () => {
      drill.hidden = true;
    });
    const table = el(
      "table",
      {},
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[
            "rk_col_started",
            "rk_col_buyer",
            "rk_agent",
            "rk_col_messages",
            "rk_col_first",
            "rk_col_within",
            "rk_col_paid",
          ].map((k) => el("th", { textContent: T[k] })),
        ),
      ),
      el(
        "tbody",
        {},
        ...data.conversations.map((c) =>
          el(
            "tr",
            {},
            el("td", { textContent: c.started.slice(0, 16).replace("T", " ") }),
            el("td", { textContent: c.buyer }),
            el("td", { textContent: c.agent || "—" }),
            el("td", { className: "num", textContent: `${c.buyer_messages} / ${c.agent_messages}` }),
            el("td", {
              className: "num",
              textContent: c.first_response_s === null ? "—" : fill(T.rk_seconds, { n: c.first_response_s }),
            }),
            el("td", { className: "num", textContent: `${c.turns_within}/${c.turns}` }),
            el("td", { className: "num", textContent: c.paid ? c.paid_yuan : "—" }),
          ),
        ),
      ),
    );
    const more =
      data.total > data.conversations.length
        ? el("p", {
            className: "muted small",
            textContent: fill(T.rk_drill_more, { n: data.conversations.length }),
          })
        : null;
    drill.replaceChildren(
      el("h4", { textContent: title }),
      el("div", { className: "kpi-filters" }, ...chips, shut),
      el("p", { className: "small", textContent: fill(T.rk_drill_total, { n: data.total }) }),
      el("div", { className: "kpi-drill-rows" }, table),
      more,
    );
    drill.hidden = false;
    drill.scrollIntoView({ block: "nearest" });
  }

  let loads = 0; // the newest load: an older answer arriving late is dropped

  async function loadCharts(seq) {
    try {
      const data = await api.reportCharts(query());
      if (seq !== loads) return;
      charts.dataset.period = period.value.trim();
      charts.replaceChildren(
        ...["trend", "bars", "heatmap"].map((k) =>
          el("figure", { className: `kpi-chart kpi-chart-${k}` }, svgNode(data[k])),
        ),
      );
    } catch (error) {
      if (seq === loads)
        charts.replaceChildren(el("p", { className: "form-error", textContent: error.message }));
    }
  }

  async function load() {
    const seq = ++loads;
    status.textContent = "";
    drill.hidden = true;
    close.hidden = kind.value !== "month";
    charts.replaceChildren();
    delete charts.dataset.period;
    loadCharts(seq);
    try {
      const data = await api.kpi(query());
      if (seq !== loads) return;
      close.disabled = data.closed;
      const notes = [];
      if (data.closed)
        notes.push(fill(T.rk_closed, { at: (data.closed_at || "").slice(0, 16).replace("T", " ") }));
      if (data.changed_since_close) notes.push(T.rk_changed);
      status.textContent = notes.join(" ");
      renderAgents(data.agents);
      renderRefunds(data.agents);
      renderShops(data.agents);
    } catch (error) {
      if (seq !== loads) return;
      status.textContent = error.message;
      agents.replaceChildren();
      refunds.replaceChildren();
      shops.replaceChildren();
    }
  }

  const me = await api.me();
  shopNames = Object.fromEntries(me.shops.map((s) => [String(s.id), s.name]));
  const { mountSettings } = await import("./kpi_settings.js");
  await Promise.all([load(), mountSettings(settings, () => load())]);
}
