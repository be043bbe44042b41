// The forms of the four order edits. editForm(kind, getOrder, {close, next}) -> a spec:
// {kind, form, focus(), collect(order) -> change | null, current(order) -> [[label, value]], close}.
// A change is {path, body, rows: [[label, before, after]]}; `next(change)` shows the confirmation.
// Keyboard: Enter goes on (Shift+Enter is a new line in a text box), Esc cancels.
import * as api from "../shared/api.js";
import { ApiError, clearFieldErrors, el, showFieldErrors, T } from "../shared/ui.js";

const FULL_WIDTH = /[０-９．。，]/g;

/** "99", "99.5", "¥1,299.00", "９９．５" -> fen; anything else -> null. Never floats. */
export function yuanToFen(text) {
  const s = String(text)
    .trim()
    .replace(
      FULL_WIDTH,
      (c) => ({ "．": ".", "。": ".", "，": "," })[c] ?? String.fromCharCode(c.charCodeAt(0) - 0xfee0),
    )
    .replace(/^[¥￥]\s*/, "")
    .replace(/\s*元$/, "")
    .replace(/,(?=\d{3}(\D|$))/g, "");
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
}

/** 129900 -> "¥1,299.00" (the API's own format). */
export function fenToYuan(fen) {
  return `¥${Math.floor(fen / 100).toLocaleString("en-US")}.${String(fen % 100).padStart(2, "0")}`;
}

const plainYuan = (fen) => (fen / 100).toFixed(2);
const FLAGS = ["none", "red", "yellow", "green", "blue", "purple"];
const flagLabel = (flag) =>
  ({
    none: T.op_flag_none,
    red: T.op_flag_red,
    yellow: T.op_flag_yellow,
    green: T.op_flag_green,
    blue: T.op_flag_blue,
    purple: T.op_flag_purple,
  })[flag] || flag;
const ADDRESS_FIELDS = () => [
  ["name", T.op_name],
  ["phone", T.op_phone],
  ["province", T.op_province],
  ["city", T.op_city],
  ["district", T.op_district],
  ["detail", T.op_detail],
];

function field(label, input, className = "") {
  return el(
    "label",
    { className: `op-field ${className}` },
    el("span", { className: "small muted", textContent: label }),
    input,
  );
}

function reasonField() {
  return field(
    T.op_reason,
    el("input", {
      name: "reason",
      maxLength: 200,
      autocomplete: "off",
      placeholder: T.op_reason_placeholder,
    }),
  );
}

function invalid(form, name, message) {
  showFieldErrors(form, { message: "", errors: [{ field: name, message }] }); // focuses the field
  return null;
}

/** A form with the shared parts: fields, the error summary, Next / Cancel, the key hint. */
function shell(kind, fields, spec) {
  const form = el(
    "form",
    { className: `op-form op-${kind}`, noValidate: true },
    ...fields,
    el("div", { className: "form-error", hidden: true }),
    el(
      "div",
      { className: "row" },
      el("button", { type: "submit", className: "primary", textContent: T.op_next }),
      el("button", { type: "button", className: "op-cancel", textContent: T.op_cancel }),
    ),
    el("div", { className: "muted small op-hint", textContent: T.op_keys_hint }),
  );
  form.querySelector(".op-cancel").addEventListener("click", spec.close);
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      spec.close();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.target instanceof HTMLTextAreaElement) {
      e.preventDefault();
      if (e.target.name === "paste") spec.parse();
      else form.requestSubmit();
    }
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const change = spec.collect(spec.getOrder());
    if (change) spec.next(change);
  });
  return form;
}

function money(kind, getOrder, spec) {
  const name = kind === "price" ? "price_fen" : "postage_fen";
  const label = kind === "price" ? T.op_new_price : T.op_new_postage;
  const input = el("input", {
    name,
    inputMode: "decimal",
    autocomplete: "off",
    placeholder: T.op_yuan_placeholder,
    value: plainYuan(getOrder()[name]),
  });
  spec.form = shell(kind, [field(label, input), reasonField()], spec);
  spec.focus = () => {
    input.focus();
    input.select();
  };
  spec.current = (order) => [
    [kind === "price" ? T.op_price : T.op_postage, kind === "price" ? order.price_yuan : order.postage_yuan],
  ];
  spec.collect = (order) => {
    const fen = yuanToFen(input.value);
    if (fen === null || (kind === "price" && fen === 0)) return invalid(spec.form, name, T.op_bad_yuan);
    if (fen === order[name]) return invalid(spec.form, name, T.op_unchanged);
    const before = kind === "price" ? order.price_yuan : order.postage_yuan;
    return {
      path: kind,
      body: { version: order.version, [name]: fen, reason: spec.form.elements.reason.value.trim() },
      rows: [[kind === "price" ? T.op_price : T.op_postage, before, fenToYuan(fen)]],
    };
  };
}

function address(getOrder, spec) {
  const paste = el("textarea", { name: "paste", rows: 2, placeholder: T.op_paste_placeholder });
  const parseButton = el("button", { type: "button", className: "op-parse", textContent: T.op_parse });
  const current = getOrder().address;
  const inputs = ADDRESS_FIELDS().map(([name, label]) =>
    field(label, el("input", { name, autocomplete: "off", value: current[name] || "" }), `op-addr-${name}`),
  );
  const check = el("div", { className: "small op-check", hidden: true });
  spec.form = shell(
    "address",
    [
      field(T.op_paste, paste),
      el("div", { className: "row" }, parseButton),
      check,
      el("div", { className: "op-addr-grid" }, ...inputs),
      reasonField(),
    ],
    spec,
  );
  spec.focus = () => paste.focus();
  spec.parse = async () => {
    clearFieldErrors(spec.form);
    if (!paste.value.trim()) return;
    parseButton.disabled = true;
    try {
      const data = await api.parseAddress(paste.value);
      // An address alone has no name or phone: the order's current receiver stays.
      const order = getOrder().address;
      const kept = [];
      for (const [name, label] of ADDRESS_FIELDS()) {
        let value = data.address[name] || "";
        if (!value && (name === "name" || name === "phone")) {
          value = order[name] || "";
          if (value) kept.push(label);
        }
        spec.form.elements.namedItem(name).value = value;
      }
      const lines = [T.op_parsed_check];
      if (kept.length) lines.push(T.op_parsed_kept.replace("{fields}", kept.join(T.op_list_sep)));
      check.replaceChildren(
        ...lines.map((text) => el("div", { textContent: text })),
        ...(data.address.notes || []).map((text) => el("div", { className: "op-note", textContent: text })),
      );
      check.hidden = false;
      spec.form.elements.namedItem("name").focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // The parser names phone / region / name / text: all of them are about what was pasted.
      showFieldErrors(spec.form, {
        message: "",
        errors: error.errors.map((e) => ({ field: "paste", message: e.message })),
      });
    } finally {
      parseButton.disabled = false;
    }
  };
  parseButton.addEventListener("click", () => spec.parse());
  spec.current = (order) => [[T.op_address, order.address.one_line]];
  spec.collect = (order) => {
    const next = Object.fromEntries(
      ADDRESS_FIELDS().map(([name]) => [name, spec.form.elements.namedItem(name).value.trim()]),
    );
    const rows = ADDRESS_FIELDS()
      .filter(([name]) => next[name] !== (order.address[name] || ""))
      .map(([name, label]) => [label, order.address[name] || "—", next[name] || "—"]);
    if (!rows.length) return invalid(spec.form, paste.value.trim() ? "name" : "paste", T.op_unchanged);
    return {
      path: "address",
      rows,
      body: { version: order.version, address: next, reason: spec.form.elements.reason.value.trim() },
    };
  };
}

function remark(getOrder, spec) {
  const order = getOrder();
  const text = el("textarea", { name: "text", rows: 2, maxLength: 500 });
  const mode = (value, label) =>
    el(
      "label",
      { className: "op-radio" },
      el("input", {
        type: "radio",
        name: "mode",
        value,
        checked: value === (order.seller_remark ? "append" : "replace"),
      }),
      label,
    );
  const flags = FLAGS.map((flag) =>
    el(
      "label",
      { className: "op-radio op-flag-pick", title: flagLabel(flag) },
      el("input", { type: "radio", name: "flag", value: flag, checked: flag === order.remark_flag }),
      el("span", { className: `op-flag flag-${flag}`, ariaHidden: "true" }),
      el("span", { className: "small", textContent: flagLabel(flag) }),
    ),
  );
  spec.form = shell(
    "remark",
    [
      field(T.op_remark_text, text),
      el(
        "div",
        { className: "row small" },
        mode("replace", T.op_mode_replace),
        mode("append", T.op_mode_append),
      ),
      el(
        "fieldset",
        { className: "op-flags" },
        el("legend", { className: "small muted", textContent: T.op_flag }),
        ...flags,
      ),
      reasonField(),
    ],
    spec,
  );
  spec.focus = () => text.focus();
  spec.current = (o) => [[T.op_remark, `${flagLabel(o.remark_flag)} · ${o.seller_remark || T.op_no_remark}`]];
  spec.collect = (o) => {
    const words = text.value.trim();
    const how = spec.form.elements.mode.value;
    const flag = spec.form.elements.flag.value;
    const after =
      how === "append" && o.seller_remark
        ? words
          ? `${o.seller_remark}\n${words}`
          : o.seller_remark
        : words;
    const rows = [];
    if (after !== o.seller_remark)
      rows.push([T.op_remark, o.seller_remark || T.op_no_remark, after || T.op_no_remark]);
    if (flag !== o.remark_flag) rows.push([T.op_flag, flagLabel(o.remark_flag), flagLabel(flag)]);
    if (!rows.length) return invalid(spec.form, "text", T.op_unchanged);
    const body = {
      version: o.version,
      text: words,
      mode: how,
      reason: spec.form.elements.reason.value.trim(),
    };
    if (flag !== o.remark_flag) body.flag = flag;
    return { path: "remark", body, rows };
  };
}

export function editForm(kind, getOrder, { close, next }) {
  const spec = { kind, getOrder, close, next, parse: () => {} };
  if (kind === "price" || kind === "postage") money(kind, getOrder, spec);
  else if (kind === "address") address(getOrder, spec);
  else remark(getOrder, spec);
  return spec;
}
