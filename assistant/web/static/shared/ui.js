// What every page shares: the strings, element helpers, field errors shown next to their field, a
// toast, and handing text to the chat client. The API calls, the token and ApiError live in api.js.
import { recordUse, token } from "./api.js";

export { ApiError, token } from "./api.js";
export const T = JSON.parse(document.body.dataset.i18n);
export const $ = (id) => document.getElementById(id);

/** "label：text" / "label: text", in the page's language. */
export const labelled = (label, text) => `${label}${T.p_colon}${text}`;
/** "（text）" / " (text)". */
export const paren = (text) => `${T.p_paren_open}${text}${T.p_paren_close}`;
/** Words of a list ("、" / ", ") and whole items ("；" / "; "). */
export const joinList = (words) => words.join(T.p_list);
export const joinItems = (items) => items.join(T.p_items);

export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A template finding's message in the page's language (the API gives Chinese and, mostly, English). */
export function findingText(finding) {
  return document.documentElement.lang.startsWith("en") && finding.message_en
    ? finding.message_en
    : finding.message;
}

/** Where a template finding is ("第 2 行第 5 列"); its message says only what is wrong. */
export function findingPlace(finding) {
  return T.kb_at_line_col.replace("{line}", finding.line).replace("{column}", finding.column || 1);
}

/** Show the API's field errors next to the fields of `form` (matched by `name`); the rest in `summary`. */
export function showFieldErrors(form, error, summary = form.querySelector(".form-error")) {
  clearFieldErrors(form);
  const errors = error.errors || [];
  const loose = [];
  let first = null;
  for (const { field, message } of errors) {
    const name =
      String(field)
        .split(".")
        .find((part) => form.elements.namedItem(part)) || namedPrefix(form, String(field));
    const input = form.elements.namedItem(name);
    if (input instanceof Element) {
      input.setAttribute("aria-invalid", "true");
      input.after(el("div", { className: "field-error", textContent: message, role: "alert" }));
      first = first || input;
    } else {
      loose.push(field && field !== "body" ? labelled(field, message) : message);
    }
  }
  // The API's message repeats its field errors with raw field names: shown only when it has no
  // field errors. Errors that sit under their fields are not repeated; the first one gets focus.
  if (summary) {
    summary.textContent = errors.length ? joinItems(loose) : error.message || "";
    summary.hidden = !summary.textContent;
  }
  if (first instanceof HTMLElement && !loose.length) first.focus();
}

/** The longest dotted prefix of `field` that names an input of `form` ("answers.1.template" -> "answers.1"), else `field`. */
function namedPrefix(form, field) {
  const parts = field.split(".");
  for (let n = parts.length; n > 1; n--) {
    const name = parts.slice(0, n).join(".");
    if (form.elements.namedItem(name)) return name;
  }
  return field;
}

export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-error");
  if (summary) {
    summary.textContent = "";
    summary.hidden = true;
  }
}

export function toast(text) {
  let box = $("toast");
  if (!box) {
    box = el("div", { id: "toast", className: "toast", role: "status" });
    document.body.append(box);
  }
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    box.hidden = true;
  }, 1800);
}

const USAGE_KINDS = { quick_reply: "quick_reply", suggestion: "intent", script: "script" };

/** Tell the service a phrase, answer or script was used (api.js `recordUse`). Best-effort: never awaited,
 *  never throws, survives the page closing (`keepalive`). `kind` defaults from the insert's `source`. */
export function recordUsage({ source, ref_id, conversation = "", shop = null, kind = null, text = "" }) {
  const usageKind = kind || USAGE_KINDS[source];
  const id = Number(ref_id);
  if (!usageKind || !Number.isInteger(id) || id <= 0 || !token) return;
  const body = { kind: usageKind, ref_id: id, conversation: String(conversation || "").slice(0, 100) };
  if (Number(shop) > 0) body.shop = Number(shop);
  // The inserted text lets the service tell, when the client reports message.sent, whether it was edited.
  if (body.conversation && text) body.text = String(text).slice(0, 2000);
  recordUse(body).catch(() => {});
}

/** Hand text to the chat client (`kefu.insert_text`, docs/plugin.md); the clipboard when there is no host.
 *  Every insert is recorded as a use (`recordUsage`); `shop` and `kind` are optional. */
export async function insertText({
  text,
  conversation = "",
  source,
  ref_id = null,
  shop = null,
  kind = null,
}) {
  const host = window.opener || (window.parent !== window ? window.parent : null);
  if (host) {
    host.postMessage({ type: "kefu.insert_text", text, conversation, source, ref_id }, "*");
    recordUsage({ source, ref_id, conversation, shop, kind, text });
    toast(T.inserted);
    return "posted";
  }
  try {
    await navigator.clipboard.writeText(text);
    recordUsage({ source, ref_id, conversation, shop, kind, text });
    toast(T.copied);
    return "copied";
  } catch {
    toast(T.copy_failed);
    return "failed";
  }
}

/** True when the key event belongs to a text field (number keys must not pick then). */
export function typing(event) {
  const target = event.target;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}
