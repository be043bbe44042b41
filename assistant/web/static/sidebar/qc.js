// The sidebar's QC corner: the live forbidden-word warning (the stream's `qc.warning`), the evidence
// button (freeze the current conversation, show its hash, the buyer card shows the risk flag), and the
// agent's own reviews with the dispute action (the "我的质检" menu).
import * as api from "../shared/api.js";
import { errorText, flagOptions, fmt, loadStyle } from "../shared/qc_common.js";
import { el, joinList, T, toast } from "../shared/ui.js";

/** Mount into `section`; ctx = { conversation() -> the current conversation or null, refreshCard() }.
 *  Returns { listen(source) }: call it with the sidebar's EventSource. */
export function mountQc(section, ctx) {
  loadStyle();
  // ---- the live warning ----
  const warningText = el("span", { className: "qc-grow" });
  const dismiss = el("button", { type: "button", textContent: T.qc_dismiss });
  const warning = el(
    "div",
    { className: "qc-item qc-warning", id: "qc-warning", role: "alert", hidden: true },
    el("strong", { textContent: `⚠ ${T.qc_warning_title}` }),
    warningText,
    dismiss,
  );
  dismiss.addEventListener("click", () => {
    warning.hidden = true;
  });

  // ---- the evidence button ----
  const open = el("button", { type: "button", id: "qc-evidence-open", textContent: T.qc_evidence });
  const note = el("textarea", {
    name: "note",
    rows: 2,
    maxLength: 500,
    placeholder: T.qc_evidence_placeholder,
  });
  note.setAttribute("aria-label", T.qc_evidence_note);
  const flag = el("select", { name: "flag" }, ...flagOptions());
  flag.setAttribute("aria-label", T.qc_flag);
  const freeze = el("button", { type: "submit", className: "primary", textContent: T.qc_freeze });
  const cancel = el("button", { type: "button", textContent: T.qc_cancel });
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const form = el(
    "form",
    { className: "qc-evidence-form", id: "qc-evidence-form", hidden: true, noValidate: true },
    el("strong", { className: "small", textContent: T.qc_evidence_title }),
    note,
    flag,
    error,
    el("div", { className: "row" }, freeze, cancel),
  );
  const result = el("div", { className: "small", id: "qc-evidence-result", hidden: true });
  open.addEventListener("click", () => {
    form.hidden = !form.hidden;
    result.hidden = true;
    if (!form.hidden) note.focus();
  });
  cancel.addEventListener("click", () => {
    form.hidden = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = ctx.conversation();
    if (!current) return;
    error.hidden = true;
    freeze.disabled = true;
    try {
      const made = await api.createEvidence({
        shop: current.shop_id,
        conversation: current.conversation,
        note: note.value,
        flag: flag.value,
      });
      const pack = el("button", { type: "button", textContent: T.qc_open_pack });
      pack.addEventListener("click", () => openPack(made.id));
      result.replaceChildren(
        el("strong", { textContent: fmt("qc_frozen", { id: made.id }) }),
        el("div", { className: "muted", textContent: T.qc_hash }),
        el("code", { className: "qc-hash", id: "qc-evidence-hash", textContent: made.hash }),
        el("div", {}, pack),
      );
      result.hidden = false;
      form.hidden = true;
      note.value = "";
      toast(fmt("qc_frozen", { id: made.id }));
      ctx.refreshCard();
    } catch (e) {
      error.textContent = errorText(e);
      error.hidden = false;
    } finally {
      freeze.disabled = false;
    }
  });

  async function openPack(id) {
    const response = await api.evidencePack(id);
    const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
    window.open(url, "_blank");
  }

  // ---- my reviews (the menu) ----
  const mine = el("ul", { className: "qc-list small", id: "qc-my-reviews" });
  const mean = el("span", { className: "muted small" });
  const menu = el("details", { id: "qc-menu" }, el("summary", {}, T.qc_my_reviews, " ", mean), mine);
  menu.addEventListener("toggle", () => {
    if (menu.open)
      loadMine().catch((e) => {
        mean.textContent = e.message;
      });
  });

  function reviewRow(r) {
    const state = r.dispute
      ? el("span", { className: "chip", textContent: T[`qc_dispute_${r.dispute}`] })
      : null;
    const li = el(
      "li",
      { className: "qc-item" },
      el(
        "span",
        { className: "qc-grow" },
        fmt("qc_review_line", { day: r.day, score: r.final_score }),
        r.zeroed_by.length ? el("div", { className: "muted", textContent: T.qc_zeroed }) : null,
        r.comment ? el("div", { className: "muted", textContent: r.comment }) : null,
      ),
      state,
    );
    li.dataset.review = String(r.id);
    if (!r.dispute) {
      const start = el("button", { type: "button", textContent: T.qc_dispute });
      const reason = el("textarea", { rows: 2, maxLength: 500, placeholder: T.qc_dispute_reason });
      const send = el("button", { type: "button", className: "primary", textContent: T.qc_send_dispute });
      const fail = el("p", { className: "form-error", role: "alert", hidden: true });
      const box = el("div", { className: "qc-evidence-form", hidden: true }, reason, fail, send);
      start.addEventListener("click", () => {
        box.hidden = !box.hidden;
      });
      send.addEventListener("click", async () => {
        try {
          await api.disputeReview(r.id, { reason: reason.value });
          toast(T.qc_dispute_sent);
          await loadMine();
        } catch (e) {
          fail.textContent = errorText(e);
          fail.hidden = false;
        }
      });
      li.append(start, box);
    }
    return li;
  }

  async function loadMine() {
    const data = await api.qcReviews();
    mean.textContent = data.mean === null ? "" : fmt("qc_my_mean", { mean: data.mean });
    mine.replaceChildren(
      ...(data.reviews.length
        ? data.reviews.map(reviewRow)
        : [el("li", { className: "muted", textContent: T.qc_no_reviews })]),
    );
  }

  section.replaceChildren(warning, el("div", { className: "row" }, open), form, result, menu);
  section.hidden = false;

  let shownFor = "";
  function follow() {
    const current = ctx.conversation();
    const key = current ? `${current.shop_id}|${current.conversation}` : "";
    open.hidden = !current;
    if (key !== shownFor) {
      form.hidden = true;
      result.hidden = true;
      shownFor = key;
    }
  }
  follow();

  return {
    listen(source) {
      source.addEventListener("qc.warning", (e) => {
        const data = JSON.parse(e.data);
        warningText.textContent = document.documentElement.lang.startsWith("en")
          ? fmt("qc_words_in", { words: joinList(data.words) })
          : data.message;
        warning.hidden = false;
      });
      for (const type of ["state", "conversation.opened", "conversation.changed"])
        source.addEventListener(type, follow);
    },
  };
}
