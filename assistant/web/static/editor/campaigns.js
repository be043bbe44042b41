// Tab "campaigns": a shop's campaigns (active badge), each with its window, rules, variables and
// scripts by kind (welcome, waiting, closing, emergency situations, first-message auto-reply), every
// script with a live preview; history and rollback.
import * as api from "../shared/api.js";
import { clearFieldErrors, el, T } from "../shared/ui.js";
import {
  debounce,
  deleteOnClick,
  field,
  history,
  livePreview,
  sampleContext,
  sampleSelect,
  saveOnSubmit,
} from "./kb_common.js";

const KINDS = {
  welcome: T.kb_kind_welcome,
  waiting: T.kb_kind_waiting,
  closing: T.kb_kind_closing,
  emergency: T.kb_kind_emergency,
  auto_reply: T.kb_kind_auto_reply,
};
const LABELS = {
  name: T.kb_campaign_name,
  starts_at: T.kb_starts_at,
  ends_at: T.kb_ends_at,
  rules: T.kb_rules,
  variables: T.kb_variables,
  scripts: T.kb_scripts,
  shop_id: T.shop,
};
const OFFSET = /([+-]\d\d:\d\d|Z)$/;

function state(campaign, now = Date.now()) {
  if (now < Date.parse(campaign.starts_at)) return ["upcoming", T.kb_upcoming];
  if (now > Date.parse(campaign.ends_at)) return ["ended", T.kb_ended];
  return ["active", T.kb_active];
}

const local = (iso) => (iso ? iso.slice(0, 16) : "");
const offsetOf = (iso) => ((iso || "").match(OFFSET) || [null, "+08:00"])[1];

export async function mount(section, ctx) {
  let current = null;
  const list = el("ul", { className: "kb-list", id: "kb-campaign-list" });
  const add = el("button", { type: "button", className: "primary", textContent: T.kb_new_campaign });
  const search = el("input", { type: "search", placeholder: T.kb_search_campaigns });
  search.setAttribute("aria-label", T.kb_search_campaigns);
  const stateFilter = el(
    "select",
    {},
    el("option", { value: "", textContent: T.kb_all_states }),
    el("option", { value: "active", textContent: T.kb_active }),
    el("option", { value: "upcoming", textContent: T.kb_upcoming }),
    el("option", { value: "ended", textContent: T.kb_ended }),
  );
  stateFilter.setAttribute("aria-label", T.kb_all_states);
  const remove = el("button", { type: "button", className: "danger", textContent: T.kb_delete });
  const title = el("h2", { className: "kb-form-title" });
  const badge = el("span", { className: "chip" });
  const summary = el("p", { className: "form-error", role: "alert", hidden: true });
  const name = el("input", { name: "name", maxLength: 60 });
  const starts = el("input", { type: "datetime-local", name: "starts_at" });
  const ends = el("input", { type: "datetime-local", name: "ends_at" });
  const rules = el("textarea", { name: "rules", rows: 3 });
  const variables = el("textarea", { name: "variables", rows: 3, placeholder: T.kb_variables_hint });
  const sample = sampleSelect("campaign");
  sample.setAttribute("aria-label", T.kb_sample);
  const previews = [];
  const groups = {};
  const save = el("button", { type: "submit", className: "primary", textContent: T.kb_save });
  const historyBox = el("div", { className: "kb-history-box" });
  const scriptsBox = el("div", { className: "kb-scripts" });
  for (const [kind, label] of Object.entries(KINDS)) {
    const ol = el("ol", { className: "kb-variants" });
    const plus = el("button", { type: "button", textContent: T.kb_add_script });
    plus.addEventListener("click", () => script({ kind, title: "", body: "", situation: "" }).focus());
    groups[kind] = ol;
    scriptsBox.append(
      el(
        "section",
        { className: "kb-script-group" },
        el(
          "div",
          { className: "row" },
          el("h3", { textContent: label }),
          el("span", { className: "bar-fill" }),
          plus,
        ),
        ol,
      ),
    );
  }
  const form = el(
    "form",
    { className: "kb-form", noValidate: true },
    el("div", { className: "row" }, title, badge),
    summary,
    el(
      "div",
      { className: "kb-grid" },
      field(T.kb_campaign_name, name),
      field(T.kb_starts_at, starts),
      field(T.kb_ends_at, ends),
    ),
    el(
      "div",
      { className: "kb-grid kb-grid-2" },
      field(T.kb_rules, rules),
      field(T.kb_variables, variables, T.kb_variables_note),
    ),
    el(
      "div",
      { className: "row kb-answers-head" },
      el("h3", { textContent: T.kb_scripts }),
      el("span", { className: "bar-fill" }),
      el("label", { className: "small muted", textContent: T.kb_sample }),
      sample,
    ),
    scriptsBox,
    el("div", { className: "row kb-actions" }, save, el("span", { className: "bar-fill" }), remove),
  );
  const editor = el(
    "div",
    { className: "kb-editor", hidden: true },
    form,
    el("section", { className: "kb-history" }, el("h3", { textContent: T.kb_history }), historyBox),
  );

  function renumber() {
    [...scriptsBox.querySelectorAll(".kb-variant")].forEach((li, i) => {
      li.querySelector(".kb-script-title").name = `scripts.${i}.title`;
      li.querySelector(".kb-script-situation").name = `scripts.${i}.situation`;
      li.querySelector("textarea").name = `scripts.${i}`;
    });
  }

  function script(s) {
    const heading = el("input", {
      className: "kb-script-title",
      value: s.title || "",
      placeholder: T.kb_script_title,
      maxLength: 60,
    });
    heading.setAttribute("aria-label", T.kb_script_title);
    const situation = el("input", {
      className: "kb-script-situation",
      value: s.situation || "",
      placeholder: T.kb_situation,
      hidden: s.kind !== "emergency",
    });
    situation.setAttribute("aria-label", T.kb_situation);
    const body = el("textarea", { rows: 3, value: s.body || "" });
    body.setAttribute("aria-label", KINDS[s.kind]);
    const preview = livePreview(body, previewContext);
    const drop = el("button", { type: "button", className: "kb-drop", textContent: T.kb_remove });
    const li = el(
      "li",
      { className: "kb-variant" },
      el("div", { className: "row" }, heading, situation, drop),
      body,
      preview.node,
    );
    li.dataset.kind = s.kind;
    if (s.id) li.dataset.id = String(s.id);
    drop.addEventListener("click", () => {
      li.remove();
      previews.splice(previews.indexOf(preview), 1);
      renumber();
    });
    previews.push(preview);
    groups[s.kind].append(li);
    renumber();
    preview.refresh();
    return heading;
  }
  sample.addEventListener("change", refreshAll);
  function refreshAll() {
    for (const p of previews) p.refresh();
  }
  for (const input of [name, rules, variables, starts, ends])
    input.addEventListener("input", debounce(refreshAll, 400));

  /** The chosen sample, with this campaign (name, rules, window, variables) as `campaign`. */
  async function previewContext() {
    const context = await sampleContext(sample.value);
    const { name: campaignName, rules: campaignRules, starts_at, ends_at, variables: vars } = collect();
    context.campaign = {
      ...(context.campaign || {}),
      ...vars,
      name: campaignName,
      rules: campaignRules,
      starts_at,
      ends_at,
    };
    return context;
  }

  function fill(campaign) {
    clearFieldErrors(form);
    current = campaign;
    title.textContent = campaign.id ? `${campaign.name} · v${campaign.version}` : T.kb_new_campaign;
    const [kind, text] = campaign.id ? state(campaign) : ["", ""];
    badge.textContent = text;
    badge.className = `chip kb-state-${kind}`;
    badge.hidden = !campaign.id;
    name.value = campaign.name || "";
    starts.value = local(campaign.starts_at);
    ends.value = local(campaign.ends_at);
    rules.value = campaign.rules || "";
    variables.value = Object.entries(campaign.variables || {})
      .map(([k, v]) => `${k}=${v}`)
      .join("\n");
    for (const ol of Object.values(groups)) ol.replaceChildren();
    previews.length = 0;
    for (const s of campaign.scripts || []) script(s);
    editor.hidden = false;
    remove.hidden = !campaign.id;
    if (campaign.id) {
      history(historyBox, {
        revisions: () => api.campaignRevisions(campaign.id),
        rollback: (body) => api.rollbackCampaign(campaign.id, body),
        version: campaign.version,
        labels: LABELS,
        onRolledBack(row) {
          fill(row.campaign);
          load();
        },
      });
    } else {
      historyBox.replaceChildren(el("p", { className: "muted small", textContent: T.no_history }));
    }
  }

  function collect() {
    const vars = {};
    for (const line of variables.value.split("\n")) {
      const at = line.search(/[=＝:：]/);
      if (at > 0) vars[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    const when = (input, original) =>
      input.value
        ? `${input.value.length === 16 ? `${input.value}:00` : input.value}${offsetOf(original)}`
        : "";
    const scripts = [...scriptsBox.querySelectorAll(".kb-variant")].map((li, position) => {
      const s = {
        kind: li.dataset.kind,
        title: li.querySelector(".kb-script-title").value.trim(),
        situation: li.querySelector(".kb-script-situation").value.trim(),
        body: li.querySelector("textarea").value.trim(),
        position,
      };
      if (li.dataset.id) s.id = Number(li.dataset.id);
      return s;
    });
    return {
      shop_id: current.shop_id || ctx.shop(),
      name: name.value.trim(),
      starts_at: when(starts, current.starts_at),
      ends_at: when(ends, current.ends_at),
      rules: rules.value.trim(),
      variables: vars,
      scripts,
      version: current.version || 1,
    };
  }

  saveOnSubmit(form, save, {
    create: api.createCampaign,
    update: api.updateCampaign,
    key: "campaign",
    current: () => current,
    body: collect,
    fill,
    saved: load,
  });

  async function load() {
    try {
      const params = new URLSearchParams({ shop: ctx.shop(), limit: "200" });
      if (search.value.trim()) params.set("q", search.value.trim());
      if (stateFilter.value) params.set("state", stateFilter.value);
      const { campaigns } = await api.campaigns(params);
      list.replaceChildren(
        ...campaigns.map((c) => {
          const [kind, text] = state(c);
          const button = el(
            "button",
            { type: "button", className: "kb-row" },
            el("span", { className: "kb-row-title", textContent: c.name }),
            el("span", { className: `chip kb-state-${kind}`, textContent: text }),
            el("span", {
              className: "muted small",
              textContent: `${local(c.starts_at).replace("T", " ")} — ${local(c.ends_at).replace("T", " ")}`,
            }),
            el("span", {
              className: "muted small",
              textContent: T.kb_n_scripts.replace("{n}", c.scripts.length),
            }),
          );
          if (current && current.id === c.id) button.setAttribute("aria-current", "true");
          button.addEventListener("click", () => {
            for (const b of list.querySelectorAll(".kb-row")) b.removeAttribute("aria-current");
            button.setAttribute("aria-current", "true");
            fill(c);
          });
          return el("li", {}, button);
        }),
      );
      if (!campaigns.length)
        list.replaceChildren(el("li", { className: "muted small", textContent: T.kb_nothing_found }));
    } catch (error) {
      list.replaceChildren(el("li", { className: "form-error", textContent: error.message }));
    }
  }

  add.addEventListener("click", () => {
    const start = new Date(Date.now() + 86400000);
    const pad = (n) => String(n).padStart(2, "0");
    const day = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    const end = new Date(start.getTime() + 3 * 86400000);
    fill({
      shop_id: ctx.shop(),
      name: "",
      starts_at: `${day(start)}T00:00:00+08:00`,
      ends_at: `${day(end)}T23:59:00+08:00`,
      rules: "",
      variables: {},
      scripts: [{ kind: "welcome", title: T.kb_kind_welcome, body: "" }],
    });
    name.focus();
  });
  deleteOnClick(remove, form, {
    remove: api.deleteCampaign,
    current: () => current,
    name: (row) => row.name,
    fill,
    deleted: () => {
      current = null;
      editor.hidden = true;
      return load();
    },
  });
  search.addEventListener("input", debounce(load, 250));
  stateFilter.addEventListener("change", load);
  ctx.onShopChange(() => {
    current = null;
    editor.hidden = true;
    load();
  });

  section.replaceChildren(
    el(
      "div",
      { className: "kb-split" },
      el(
        "aside",
        { className: "kb-side" },
        el("div", { className: "row" }, search),
        el("div", { className: "row" }, stateFilter),
        el("div", { className: "row" }, add),
        list,
      ),
      el(
        "div",
        { className: "kb-main" },
        editor,
        el("p", { className: "muted kb-placeholder", textContent: T.kb_pick_campaign_left }),
      ),
    ),
  );
  await load();
}
