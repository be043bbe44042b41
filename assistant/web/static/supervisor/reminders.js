// Tab "reminders": the rules in force, the effect report (last-touch credit and the lift over the
// holdout), the message templates with the SMS counter, the care messages waiting, and the
// courier-jam wizard (pick buyers → preview with real names → create / approve → send or export).
import * as api from "../shared/api.js";
import { el, labelled, showFieldErrors, T, toast } from "../shared/ui.js";

const fill = (text, values) => Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), text);
const yuan = (fen) => `¥${(fen / 100).toLocaleString("zh-CN", { maximumFractionDigits: 2 })}`;
const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
const when = (iso) => (iso ? new Date(iso).toLocaleString(document.documentElement.lang) : "—");
const host = () => window.opener || (window.parent !== window ? window.parent : null);

function styles() {
  if (document.getElementById("reminders-css")) return;
  document.head.append(
    el("link", {
      id: "reminders-css",
      rel: "stylesheet",
      href: new URL("../shared/reminders.css", import.meta.url).href,
    }),
  );
}

function table(headers, rows, className = "rs-table small") {
  return el(
    "table",
    { className },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { textContent: h })))),
    el("tbody", {}, ...rows),
  );
}

function td(text, className = "") {
  return el("td", { className, textContent: text });
}

async function download(pending, fallbackName) {
  const response = await pending;
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
  const link = el("a", {
    href: URL.createObjectURL(blob),
    download: match ? decodeURIComponent(match[1]) : fallbackName,
  });
  document.body.append(link);
  link.click();
  link.remove();
}

function rulesBox(rules) {
  const rows = [
    [T.rs_first_after, fill(T.rs_minutes, { n: rules.first_after_minutes })],
    [T.rs_touches, rules.touches.join(" · ")],
    [
      T.rs_close,
      fill(T.rs_close_value, {
        hours: rules.close_after_hours,
        flash: rules.flash_close_minutes,
        words: rules.flash_sale_words.join("、"),
      }),
    ],
    [T.rs_per_day, fill(T.rs_per_day_value, { n: rules.per_day })],
    [T.rs_quiet, rules.quiet_hours || T.rs_quiet_none],
    [
      T.rs_phone,
      fill(T.rs_phone_value, {
        yuan: rules.phone_from_yuan.toLocaleString("zh-CN"),
        hours: rules.calling_hours.join("、"),
      }),
    ],
    [T.rs_lease, fill(T.rs_minutes, { n: rules.lease_minutes })],
    [T.rs_holdout, `${rules.holdout_percent}%`],
    [T.rs_care_channel, rules.care_channel === "sms" ? T.rs_care_sms : T.rs_care_host],
    [T.rs_review_after, fill(T.rs_days, { n: rules.care_review_after_days })],
    [T.rs_event_before, fill(T.rs_days, { n: rules.care_event_days_before })],
    [T.rs_jam_threshold, fill(T.rs_jam_threshold_value, { n: rules.jam_approval_from_buyers })],
  ];
  return el(
    "section",
    { className: "card", id: "rs-rules" },
    el("h2", { textContent: T.rs_rules }),
    el(
      "dl",
      { className: "rs-rules small" },
      ...rows.flatMap(([dt, dd]) => [el("dt", { textContent: dt }), el("dd", { textContent: dd })]),
    ),
    el("p", { className: "muted small", textContent: T.rs_rules_hint }),
  );
}

function effectBox(ctx) {
  const days = el(
    "select",
    { id: "rs-effect-days" },
    ...[7, 30, 90].map((n) => el("option", { value: String(n), textContent: fill(T.rs_last_days, { n }) })),
  );
  days.value = "30";
  days.setAttribute("aria-label", T.rs_days_label);
  const body = el("div", { id: "rs-effect-body" });
  const box = el(
    "section",
    { className: "card", id: "rs-effect" },
    el("div", { className: "row" }, el("h2", { textContent: T.rs_effect }), days),
    body,
  );
  async function load() {
    const e = await api.reminderEffect({ shop: ctx.shop(), days: days.value });
    const lift =
      e.lift === null
        ? T.rs_lift_none
        : fill(T.rs_lift, { lift: pct(e.lift), low: pct(e.lift_low), high: pct(e.lift_high) });
    body.replaceChildren(
      e.rows.length
        ? table(
            [T.rs_agent, T.rs_channel, T.rs_reminded, T.rs_paid, T.rs_rate, T.rs_recovered],
            e.rows.map((r) =>
              el(
                "tr",
                {},
                td(r.agent),
                td(T[`rm_channel_${r.channel}`] || r.channel),
                td(String(r.reminded), "num"),
                td(String(r.paid), "num"),
                td(pct(r.rate), "num"),
                td(yuan(r.recovered_fen), "num"),
              ),
            ),
          )
        : el("p", { className: "muted", textContent: T.rs_no_effect }),
      el("p", { className: "small", id: "rs-lift", textContent: lift }),
      el("p", {
        className: "muted small",
        textContent: fill(T.rs_summary, {
          reminded: e.reminded,
          paid: e.reminded_paid,
          held: e.held_out,
          held_paid: e.held_out_paid,
          before: e.paid_before_reminder,
        }),
      }),
      el("p", { className: "muted small", textContent: T.rs_credit_note }),
    );
  }
  days.addEventListener("change", () => load());
  return { box, load };
}

function countText(m) {
  return fill(T.rs_chars, { chars: m.chars, segments: m.segments });
}

function templatesBox(ctx) {
  const list = el("div", { className: "rs-templates" });
  const box = el(
    "section",
    { className: "card", id: "rs-templates" },
    el("h2", { textContent: T.rs_templates }),
    el("p", { className: "muted small", textContent: T.rs_templates_hint }),
    list,
  );

  function editor(t) {
    const form = el("form", { className: "rs-template" });
    const area = el("textarea", { name: "body", value: t.body });
    area.setAttribute("aria-label", T[`rs_purpose_${t.purpose}`] || t.purpose);
    const count = el("span", { className: "rs-count", textContent: t.chars === null ? "—" : countText(t) });
    const state = el("span", {
      className: "chip",
      textContent: t.own ? `${T.rs_own}${t.updated_by ? ` · ${t.updated_by}` : ""}` : T.rs_builtin,
    });
    const save = el("button", { type: "submit", className: "primary", textContent: T.rs_save });
    const reset = el("button", { type: "button", textContent: T.rs_reset_default });
    const error = el("div", { className: "form-error", hidden: true, role: "alert" });
    let timer = null;
    let seq = 0;
    async function measure() {
      const mine = ++seq;
      const m = await api.measureTemplate({ body: area.value });
      if (mine !== seq) return;
      const blocking = m.findings.find((f) => f.kind !== "missing_value");
      count.textContent = blocking ? fill(T.rs_measure_failed, { message: blocking.message }) : countText(m);
      count.classList.toggle("over", Boolean(blocking) || m.segments > 1);
    }
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => measure().catch(() => {}), 250);
    });
    reset.addEventListener("click", () => {
      area.value = t.default_body;
      measure().catch(() => {});
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const saved = await api.saveContactTemplate(t.purpose, { shop: ctx.shop(), body: area.value });
        state.textContent = `${T.rs_own} · ${saved.updated_by}`;
        toast(T.rs_saved);
      } catch (e) {
        showFieldErrors(form, e, error);
      }
    });
    form.append(area, el("div", { className: "row" }, save, reset), error);
    const item = el(
      "details",
      { className: "rs-template-item" },
      el(
        "summary",
        {},
        el("strong", { textContent: T[`rs_purpose_${t.purpose}`] || t.purpose }),
        " ",
        state,
        " ",
        count,
      ),
      form,
    );
    item.dataset.purpose = t.purpose;
    return item;
  }

  async function load() {
    const data = await api.contactTemplates({ shop: ctx.shop() });
    list.replaceChildren(...data.templates.map(editor));
  }
  return { box, load };
}

function careBox(ctx) {
  const body = el("div", {});
  const exportButton = el("button", { type: "button", textContent: T.rs_care_export, hidden: true });
  const box = el(
    "section",
    { className: "card", id: "rs-care" },
    el("div", { className: "row" }, el("h2", { textContent: T.rs_care_queue }), exportButton),
    body,
  );
  async function load() {
    const data = await api.care({ shop: ctx.shop(), state: "pending" });
    exportButton.hidden = data.channel !== "sms" || !data.messages.length;
    body.replaceChildren(
      data.messages.length
        ? el(
            "div",
            { className: "rs-scroll" },
            table(
              [T.jam_buyer, T.rs_purpose, T.jam_text],
              data.messages
                .slice(0, 50)
                .map((m) => el("tr", {}, td(m.buyer), td(T[`rs_stage_${m.stage}`] || m.stage), td(m.text))),
            ),
          )
        : el("p", { className: "muted small", textContent: T.rs_care_none }),
    );
  }
  exportButton.addEventListener("click", async () => {
    await download(api.exportCare({ shop: ctx.shop() }), "care-sms.csv");
    toast(T.rs_exported);
    await load();
  });
  return { box, load };
}

function jamWizard(ctx) {
  const steps = ["pick", "preview", "send"].map((s) => el("span", { textContent: T[`jam_step_${s}`] }));
  const mark = (n) => {
    for (const [i, s] of steps.entries()) s.classList.toggle("on", i === n);
  };
  const courier = el("select", { name: "courier", id: "jam-courier" });
  const provinces = el("input", { name: "provinces", id: "jam-provinces" });
  const cities = el("input", { name: "cities", id: "jam-cities" });
  const statuses = ["shipped", "delivered", "completed"].map((s) => {
    const box = el("input", { type: "checkbox", value: s, checked: s === "shipped" });
    return el("label", { className: "small" }, box, T[`jam_status_${s}`]);
  });
  const today = new Date();
  const iso = (d) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const from = el("input", {
    type: "date",
    name: "shipped_from",
    id: "jam-from",
    value: iso(new Date(today.getTime() - 3 * 86400000)),
  });
  const to = el("input", { type: "date", name: "shipped_to", id: "jam-to", value: iso(today) });
  const template = el("textarea", { name: "template", id: "jam-template" });
  const count = el("span", { className: "rs-count" });
  const previewButton = el("button", { type: "submit", className: "primary", textContent: T.jam_preview });
  const error = el("div", { className: "form-error", hidden: true, role: "alert" });
  const label = (forId, text) => el("label", { htmlFor: forId, textContent: text });
  const form = el(
    "form",
    { className: "jam-form", id: "jam-form" },
    label("jam-courier", T.jam_courier),
    courier,
    label("jam-provinces", T.jam_provinces),
    provinces,
    label("jam-cities", T.jam_cities),
    cities,
    el("span", { textContent: T.jam_statuses }),
    el("div", { className: "row" }, ...statuses),
    label("jam-from", T.jam_from),
    el("div", { className: "row" }, from, el("span", { textContent: T.jam_to }), to),
    label("jam-template", T.jam_template),
    el("div", {}, template, count),
    el("span", {}),
    el("div", { className: "row" }, previewButton),
    el("span", {}),
    error,
  );
  const preview = el("div", { id: "jam-preview" });
  const list = el("div", { id: "jam-list" });
  const box = el(
    "section",
    { className: "card", id: "rs-jam" },
    el("h2", { textContent: T.jam_title }),
    el("div", { className: "jam-steps" }, ...steps),
    form,
    preview,
    el("h3", { textContent: T.jam_list }),
    list,
  );
  mark(0);
  const split = (v) =>
    v
      .split(/[,，、\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  const selection = () => ({
    shop: ctx.shop(),
    courier: courier.value,
    provinces: split(provinces.value),
    cities: split(cities.value),
    statuses: statuses
      .map((l) => l.firstChild)
      .filter((b) => b.checked)
      .map((b) => b.value),
    shipped_from: from.value,
    shipped_to: to.value,
    template: template.value,
  });
  let timer = null;
  template.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!template.value.trim()) {
        count.textContent = "";
        return;
      }
      const m = await api.measureTemplate({ body: template.value }).catch(() => null);
      if (m) count.textContent = countText(m);
    }, 250);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let p;
    try {
      p = await api.previewCourierJam(selection());
    } catch (e) {
      showFieldErrors(form, e, error);
      return;
    }
    error.hidden = true;
    mark(1);
    const create = el("button", {
      type: "button",
      className: "primary",
      id: "jam-create",
      textContent: T.jam_create,
      disabled: p.buyers === 0,
    });
    create.addEventListener("click", async () => {
      try {
        await api.createCourierJam(selection());
        toast(T.jam_created);
        mark(2);
        preview.replaceChildren();
        await loadList();
      } catch (e) {
        showFieldErrors(form, e, error);
      }
    });
    preview.replaceChildren(
      ...[
        el(
          "p",
          { className: "jam-summary" },
          el("strong", { textContent: fill(T.jam_count, { n: p.buyers }) }),
          p.already_notified
            ? el("span", {
                className: "muted small",
                textContent: ` · ${fill(T.jam_already, { n: p.already_notified })}`,
              })
            : null,
        ),
        p.needs_approval
          ? el("p", {
              className: "jam-warn small",
              textContent: fill(T.jam_needs_approval, { n: p.threshold }),
            })
          : null,
        p.messages.length
          ? el(
              "div",
              { className: "rs-scroll" },
              table(
                [T.jam_receiver, T.jam_buyer, T.jam_phone, T.jam_place, T.jam_text],
                p.messages.map((m) =>
                  el(
                    "tr",
                    {},
                    td(m.receiver_name),
                    td(m.buyer),
                    td(m.phone),
                    td(`${m.province}${m.city}`),
                    td(m.text),
                  ),
                ),
              ),
            )
          : el("p", { className: "muted", textContent: T.jam_no_buyers }),
        el("div", { className: "row" }, create),
      ].filter(Boolean),
    );
  });

  function noticeRow(n) {
    const actions = el("div", { className: "row" });
    if (n.state === "awaiting_approval") {
      const approve = el("button", { type: "button", className: "primary", textContent: T.jam_approve });
      approve.addEventListener("click", () => act(() => api.approveCourierJam(n.id)));
      actions.append(approve);
    }
    if (n.state !== "awaiting_approval" && n.sent < n.buyers) {
      const send = el("button", { type: "button", textContent: T.jam_send_host, disabled: !host() });
      send.addEventListener("click", () =>
        act(async () => {
          const out = await api.sendCourierJam(n.id);
          for (const m of out.messages) {
            host().postMessage(
              {
                type: "kefu.send_message",
                shop: ctx.shop(),
                buyer: m.buyer,
                text: m.text,
                source: "jam",
                ref_id: `jam:${n.id}:${m.buyer}`,
                order_id: m.order_id,
              },
              "*",
            );
          }
          toast(fill(T.jam_sent, { n: out.messages.length }));
        }),
      );
      const exp = el("button", { type: "button", textContent: T.jam_export });
      exp.addEventListener("click", () =>
        act(() => download(api.exportCourierJam(n.id), `courier-jam-${n.id}.csv`)),
      );
      actions.append(send, exp);
    }
    const sel = n.selection;
    const place = [...(sel.provinces || []), ...(sel.cities || [])].join("、");
    return el(
      "tr",
      {},
      td(`#${n.id}`),
      td(`${sel.courier}${place ? ` · ${place}` : ""} · ${sel.shipped_from}–${sel.shipped_to}`),
      td(T[`jam_state_${n.state}`] || n.state),
      td(
        [
          fill(T.jam_by, { who: n.created_by, at: when(n.created_at) }),
          n.approved_by ? fill(T.jam_approved_by, { who: n.approved_by }) : "",
        ]
          .filter(Boolean)
          .join(" · "),
      ),
      td(fill(T.jam_sent_count, { sent: n.sent, buyers: n.buyers })),
      el("td", {}, actions),
    );
  }

  async function act(fn) {
    try {
      await fn();
    } catch (e) {
      toast(e.message);
    }
    await loadList();
  }

  async function loadList() {
    const data = await api.courierJams({ shop: ctx.shop() });
    list.replaceChildren(
      data.notices.length
        ? table(["#", T.jam_courier, "", "", "", ""], data.notices.map(noticeRow))
        : el("p", { className: "muted small", textContent: T.jam_none }),
    );
  }

  async function load() {
    const options = await api.courierJamOptions({ shop: ctx.shop() });
    courier.replaceChildren(...options.couriers.map((c) => el("option", { value: c, textContent: c })));
    preview.replaceChildren();
    mark(0);
    await loadList();
  }
  return { box, load };
}

export async function mount(section, ctx) {
  styles();
  const rules = await api.reminderRules();
  const effect = effectBox(ctx);
  const templates = templatesBox(ctx);
  const care = careBox(ctx);
  const jam = jamWizard(ctx);
  section.replaceChildren(
    el(
      "div",
      { className: "rs-grid" },
      el("div", {}, rulesBox(rules), effect.box, care.box),
      el("div", {}, jam.box, templates.box),
    ),
  );
  const load = () =>
    Promise.all([effect.load(), templates.load(), care.load(), jam.load()]).catch((e) =>
      toast(labelled(T.load_failed, e.message)),
    );
  ctx.onShopChange(() => load());
  await load();
}
