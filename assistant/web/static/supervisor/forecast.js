// The forecast tab: the three figures (typed in or read from the chat log), the event day's
// consultations and agents at 80–120 a day, the hour-by-hour curve (SVG from the server), each shift
// against the roster with the 3-minute rate it leaves, and the hours short of people.
import * as api from "../shared/api.js";
import { el, showFieldErrors, T } from "../shared/ui.js";

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);

export async function mount(section, ctx) {
  const field = (name, label, value) =>
    el(
      "label",
      {},
      label,
      " ",
      el("input", { type: "number", name, min: 0, step: "any", value: String(value), className: "narrow" }),
    );
  const year = new Date().getFullYear();
  const form = el(
    "form",
    { className: "forecast-form", noValidate: true },
    field("this_october_daily", T.rf_this_october, 1500),
    field("last_event_day", T.rf_last_event, 9000),
    field("last_october_daily", T.rf_last_october, 1200),
    el("label", {}, T.rf_day, " ", el("input", { type: "date", name: "day", value: `${year}-11-11` })),
    el("button", { type: "button", id: "forecast-from-log", textContent: T.rf_from_log }),
    el("button", { type: "submit", className: "primary", textContent: T.rf_run }),
    el("p", { className: "form-error", role: "alert", hidden: true }),
  );
  const note = el("p", { id: "forecast-note", className: "small muted" });
  const result = el("div", { id: "forecast-result" });
  section.append(el("h3", { textContent: T.rf_title }), form, note, result);

  form.querySelector("#forecast-from-log").addEventListener("click", async () => {
    const data = await api.forecastInputs({ shop: ctx.shop() });
    const missing = [];
    for (const [name, label] of [
      ["this_october_daily", T.rf_this_october],
      ["last_event_day", T.rf_last_event],
      ["last_october_daily", T.rf_last_october],
    ]) {
      if (data[name] === null) missing.push(label);
      else form.elements[name].value = String(data[name]);
    }
    note.textContent = missing.length ? fill(T.rf_from_log_none, { what: missing.join("、") }) : "";
  });

  async function run() {
    const body = {
      this_october_daily: Number(form.elements.this_october_daily.value),
      last_event_day: Number(form.elements.last_event_day.value),
      last_october_daily: Number(form.elements.last_october_daily.value),
      shop: ctx.shop(),
    };
    if (form.elements.day.value) body.day = form.elements.day.value;
    let data;
    try {
      data = await api.forecast(body);
    } catch (error) {
      showFieldErrors(form, error);
      return;
    }
    const summary = el(
      "p",
      { className: "forecast-summary" },
      el("strong", { textContent: fill(T.rf_forecast, { n: data.forecast }) }),
      " · ",
      fill(T.rf_ratio, { r: data.ratio }),
      " · ",
      fill(T.rf_agents, { min: data.agents_min, max: data.agents_max }),
    );
    const curveNote = el("p", {
      className: "small muted",
      textContent: `${data.curve_from === "log" ? T.rf_curve_log : T.rf_curve_typical} · ${T.rm_rate_3min} ${fill(T.rf_rate_now, { now: pct(data.rate_3min_now) })}`,
    });
    const doc = new DOMParser().parseFromString(data.curve_svg, "image/svg+xml");
    const curve = el("figure", { className: "kpi-chart" }, document.importNode(doc.documentElement, true));
    const shifts = el(
      "table",
      { id: "forecast-shifts" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[
            "rf_shift",
            "rf_share",
            "rf_consultations",
            "rf_need",
            "rf_rostered",
            "rf_short",
            "rf_per_agent",
            "rf_rate",
          ].map((k) => el("th", { textContent: T[k] })),
        ),
      ),
      el(
        "tbody",
        {},
        ...data.by_shift.map((s) =>
          el(
            "tr",
            { className: s.short ? "short" : "" },
            el("td", { textContent: s.shift }),
            el("td", { className: "num", textContent: pct(s.share) }),
            el("td", { className: "num", textContent: s.consultations }),
            el("td", { className: "num", textContent: `${s.agents_min}–${s.agents_max}` }),
            el("td", { className: "num", textContent: s.rostered }),
            el("td", { textContent: s.short ? fill(T.rf_short_n, { n: s.short }) : T.rf_ok }),
            el("td", { className: "num", textContent: s.per_agent ?? "—" }),
            el("td", { className: "num", textContent: pct(s.rate_3min_expected) }),
          ),
        ),
      ),
    );
    const short = data.hours.filter((h) => data.hours_short.includes(h.hour));
    const hours = el(
      "div",
      { id: "forecast-hours" },
      el("h4", { textContent: T.rf_hours_short }),
      short.length
        ? el(
            "ul",
            {},
            ...short.map((h) =>
              el("li", {
                textContent: fill(T.rf_hour_row, {
                  hour: String(h.hour).padStart(2, "0"),
                  n: Math.round(h.consultations),
                  need: h.agents_needed,
                  on: h.on_shift,
                }),
              }),
            ),
          )
        : el("p", { textContent: T.rf_hours_none }),
    );
    result.replaceChildren(summary, curveNote, curve, shifts, hours);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  ctx.onShopChange(() => run());
  await run();
}
