// The quick-reply form: fields, live preview with lint findings (api.js `preview`), API field
// errors next to their field, 409 stale version with a reload, delete, history with rollback.
import * as api from "../shared/api.js";
import {
  clearFieldErrors,
  el,
  findingPlace,
  findingText,
  joinList,
  showFieldErrors,
  T,
  toast,
} from "../shared/ui.js";
import { showHistory } from "./history.js";

const LABELS = () => ({
  group: T.qre_group,
  group_id: T.qre_group,
  title: T.qre_title,
  code: T.qre_code,
  body: T.qre_body,
  tags: T.qre_tags,
  enabled: T.qre_enabled,
  valid_from: T.qre_valid_from,
  valid_until: T.qre_valid_until,
  scope: T.qre_scope,
  position: "#",
});

function field(label, input, hint) {
  const id = `qre-${input.name}`;
  input.id = id;
  return el(
    "div",
    { className: "qre-field" },
    el("label", { htmlFor: id, textContent: label }),
    input,
    hint ? el("div", { className: "muted small", textContent: hint }) : null,
  );
}

/** "2026-11-11T00:00:00+08:00" -> the value of a datetime-local input (in the browser's time). */
function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * The form. opts: { ctx, groups() -> [{id, name}], onSaved(row), onDeleted(id), onNewGroup() -> group|null }
 * Returns { node, edit(row), create(groupId), close() } where row = { quick_reply, group }.
 */
export function quickReplyForm(opts) {
  const { ctx } = opts;
  const input = (name, props = {}) => el("input", { name, ...props });
  const group = el("select", { name: "group_id" });
  const newGroup = el("button", { type: "button", className: "qre-small", textContent: T.qre_new_group });
  const title = input("title", { maxLength: 40, required: true });
  const code = input("code", { maxLength: 12, required: true, autocomplete: "off", spellcheck: false });
  const body = el("textarea", { name: "body", rows: 6, maxLength: 2000, required: true });
  const tags = input("tags");
  const enabled = input("enabled", { type: "checkbox" });
  const validFrom = input("valid_from", { type: "datetime-local" });
  const validUntil = input("valid_until", { type: "datetime-local" });
  const scope = el(
    "select",
    { name: "scope" },
    ...["shop", "team", "personal"].map((s) => el("option", { value: s, textContent: T[`qre_scope_${s}`] })),
  );
  const heading = el("h3", {});
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const reload = el("button", { type: "button", textContent: T.qre_reload, hidden: true });
  const save = el("button", { type: "submit", className: "primary", textContent: T.qre_save });
  const remove = el("button", { type: "button", className: "danger", textContent: T.qre_delete });
  const historyButton = el("button", { type: "button", textContent: T.qre_history });
  const close = el("button", { type: "button", textContent: T.qre_cancel });
  const sample = el("select", { className: "qre-sample" });
  sample.setAttribute("aria-label", T.qre_sample);
  const previewText = el("div", { className: "qre-preview-text", id: "qre-preview" });
  const findings = el("ul", { className: "qre-findings small", id: "qre-findings" });
  const history = el("div", { className: "qre-history", hidden: true });

  const form = el(
    "form",
    { className: "qre-form", noValidate: true },
    heading,
    el(
      "div",
      { className: "qre-grid" },
      field(T.qre_title, title),
      field(T.qre_code, code, T.qre_code_hint),
      el(
        "div",
        { className: "qre-field" },
        el("label", { htmlFor: "qre-group_id", textContent: T.qre_group }),
        el("div", { className: "row" }, group, newGroup),
      ),
      field(T.qre_scope, scope),
    ),
    field(T.qre_body, body, T.qre_body_hint),
    el(
      "div",
      { className: "qre-preview" },
      el(
        "div",
        { className: "row small" },
        el("strong", { textContent: T.qre_preview }),
        el("span", { className: "bar-fill" }),
        sample,
      ),
      previewText,
      findings,
    ),
    el(
      "div",
      { className: "qre-grid" },
      field(T.qre_tags, tags, T.qre_tags_hint),
      el("div", { className: "qre-field qre-check" }, el("label", {}, enabled, " ", T.qre_enabled)),
      field(T.qre_valid_from, validFrom),
      field(T.qre_valid_until, validUntil),
    ),
    error,
    el(
      "div",
      { className: "row" },
      save,
      reload,
      historyButton,
      el("span", { className: "bar-fill" }),
      remove,
      close,
    ),
    history,
  );
  group.id = "qre-group_id";
  const node = el("aside", { className: "qre-editor", hidden: true }, form);

  let current = null; // the row being edited ({quick_reply, group}) or null for a new phrase
  let staleRow = null;

  function fillGroups(selected) {
    group.replaceChildren(
      ...opts.groups().map((g) => el("option", { value: String(g.id), textContent: g.name })),
    );
    if (selected) group.value = String(selected);
  }

  function fill(reply) {
    fillGroups(reply.group_id);
    title.value = reply.title || "";
    code.value = reply.code || "";
    body.value = reply.body || "";
    tags.value = (reply.tags || []).join("，");
    enabled.checked = reply.enabled !== false;
    validFrom.value = toLocalInput(reply.valid_from);
    validUntil.value = toLocalInput(reply.valid_until);
    scope.value = reply.scope || "shop";
  }

  function open(row, groupId) {
    current = row;
    staleRow = null;
    reload.hidden = true;
    history.hidden = true;
    clearFieldErrors(form);
    heading.textContent = row ? T.qre_edit_title : T.qre_new_title;
    remove.hidden = historyButton.hidden = !row;
    fill(row ? row.quick_reply : { group_id: groupId, enabled: true, scope: "shop" });
    node.hidden = false;
    previewText.textContent = "";
    findings.replaceChildren();
    preview();
    (row ? body : title).focus();
  }

  function payload() {
    const reply = current ? current.quick_reply : {};
    const chosen = scope.value;
    const out = {
      group_id: Number(group.value),
      scope: chosen,
      code: code.value,
      title: title.value,
      body: body.value,
      tags: tags.value
        .split(/[,，、;；]/)
        .map((t) => t.trim())
        .filter(Boolean),
      enabled: enabled.checked,
      valid_from: fromLocalInput(validFrom.value),
      valid_until: fromLocalInput(validUntil.value),
      team_id: chosen === "team" ? (reply.scope === "team" ? reply.team_id : ctx.me.team_id) : null,
      owner_agent_id:
        chosen === "personal" ? (reply.scope === "personal" ? reply.owner_agent_id : ctx.me.id) : null,
      attachment: reply.attachment || null,
      position: reply.position || 0,
      shop: ctx.shop(),
    };
    if (current) out.version = reply.version;
    return out;
  }

  let previews = 0;
  const preview = debounce(async () => {
    const mine = ++previews;
    if (!body.value.trim()) {
      previewText.textContent = "";
      findings.replaceChildren();
      return;
    }
    try {
      const result = await api.preview({ template: body.value, sample: sample.value || "new_buyer" });
      if (mine !== previews) return; // a newer keystroke's preview is on its way
      if (!sample.options.length) {
        sample.replaceChildren(
          ...result.samples.map((s) => el("option", { value: s, textContent: T[`kb_sample_${s}`] || s })),
        );
      }
      previewText.textContent = result.text ?? "";
      const items = result.findings.map((f) =>
        el(
          "li",
          { className: "qre-finding" },
          f.line ? el("span", { className: "muted", textContent: `${findingPlace(f)} ` }) : null,
          findingText(f),
        ),
      );
      if (result.missing.length)
        items.push(
          el("li", { className: "qre-finding", textContent: T.qre_missing + joinList(result.missing) }),
        );
      findings.replaceChildren(
        ...(items.length ? items : [el("li", { className: "muted", textContent: T.qre_lint_ok })]),
      );
    } catch (err) {
      findings.replaceChildren(el("li", { className: "qre-finding", textContent: err.message }));
    }
  }, 250);
  body.addEventListener("input", preview);
  sample.addEventListener("change", preview);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    reload.hidden = true;
    save.disabled = true;
    try {
      const row = current
        ? await api.updateQuickReply(current.quick_reply.id, payload())
        : await api.createQuickReply(payload());
      current = row;
      heading.textContent = T.qre_edit_title;
      remove.hidden = historyButton.hidden = false;
      toast(T.saved);
      opts.onSaved(row);
      if (!history.hidden) showHistoryBox();
    } catch (err) {
      showFieldErrors(form, err);
      if (err.status === 409 && err.body.current) {
        staleRow = err.body.current;
        error.textContent = `${T.qre_stale} ${err.message}`;
        reload.hidden = false;
      }
    } finally {
      save.disabled = false;
    }
  });

  reload.addEventListener("click", () => {
    if (staleRow) {
      open(staleRow);
      opts.onSaved(staleRow);
    }
  });

  remove.addEventListener("click", async () => {
    const reply = current.quick_reply;
    if (!confirm(T.qre_delete_confirm.replace("{title}", reply.title))) return;
    try {
      await api.deleteQuickReply(reply.id, reply.version);
      toast(T.qre_deleted);
      node.hidden = true;
      opts.onDeleted(reply.id);
    } catch (err) {
      showFieldErrors(form, err);
    }
  });

  function showHistoryBox() {
    const reply = current.quick_reply;
    history.hidden = false;
    showHistory(history, {
      revisions: () => api.quickReplyRevisions(reply.id),
      rollback: (body) => api.rollbackQuickReply(reply.id, body),
      version: reply.version,
      labels: LABELS(),
      onRolledBack(row) {
        open(row);
        opts.onSaved(row);
        showHistoryBox();
      },
    }).catch((err) => {
      history.replaceChildren(el("p", { className: "form-error", textContent: err.message }));
    });
  }
  historyButton.addEventListener("click", () => {
    if (history.hidden) showHistoryBox();
    else history.hidden = true;
  });

  newGroup.addEventListener("click", async () => {
    const made = await opts.onNewGroup();
    if (made) fillGroups(made.id);
  });
  close.addEventListener("click", () => {
    node.hidden = true;
  });

  return {
    node,
    edit: (row) => open(row),
    create: (groupId) => open(null, groupId),
    close: () => {
      node.hidden = true;
    },
    get editing() {
      return current && !node.hidden ? current.quick_reply.id : null;
    },
  };
}
