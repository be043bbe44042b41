// Tab "qc" of the supervisor's pages: my sample today, the review form with the conversation beside it
// (scorecard, critical items, the live total), what a review leads to (丢单 / 优秀, a fix on a quick reply
// or intent, a training card), calibration, disputes, open findings, the weekly pack, and the team's
// scorecard and forbidden-word list.
import * as api from "../shared/api.js";
import {
  chatLines,
  download,
  errorText,
  findingRow,
  flagOptions,
  fmt,
  guard,
  loadStyle,
  reasonLabel,
  scoreOf,
  tagLabel,
} from "../shared/qc_common.js";
import { el, labelled, showFieldErrors, T, toast } from "../shared/ui.js";

function card(title, ...children) {
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const node = el("section", { className: "qc-card" }, el("h3", { textContent: title }), error, ...children);
  node.fail = (e) => {
    error.textContent = e ? e.message : "";
    error.hidden = !e;
  };
  return node;
}

export async function mount(section, ctx) {
  loadStyle();
  let categories = [];
  const dayInput = el("input", { type: "date", id: "qc-day", style: "width:auto" });
  const reload = el("button", { type: "button", textContent: T.qc_reload });
  const toolbar = el(
    "div",
    { className: "row" },
    el("label", { className: "small muted", htmlFor: "qc-day", textContent: T.qc_day }),
    dayInput,
    reload,
  );

  // ---- my sample ----
  const sampleNote = el("p", { className: "small muted" });
  const sampleList = el("ol", { className: "qc-list", id: "qc-sample" });
  const sampleCard = card(T.qc_sample_title, sampleNote, sampleList);

  async function loadSample() {
    const params = new URLSearchParams({ shop: ctx.shop() });
    if (dayInput.value) params.set("day", dayInput.value);
    const data = await api.qcSample(params);
    dayInput.value = data.day;
    const done = data.items.filter((i) => i.reviewed).length;
    sampleNote.textContent = data.items.length
      ? `${fmt("qc_sample_note", { n: data.items.length, done })} ${fmt("qc_reviewers", { n: data.reviewers })}`
      : T.qc_sample_empty;
    sampleList.replaceChildren(
      ...data.items.map((item) => {
        const open = el("button", {
          type: "button",
          className: item.reviewed ? "" : "primary",
          textContent: T.qc_review,
        });
        open.addEventListener("click", () => openReview({ ...item, day: data.day }));
        const li = el(
          "li",
          { className: "qc-item" },
          el("strong", { textContent: item.conversation }),
          el("span", { className: "qc-grow", textContent: `${item.buyer} · ${item.agent}` }),
          el("span", {
            className: `chip${item.reason === "random" ? "" : " qc-risk"}`,
            textContent: reasonLabel(item.reason),
          }),
          item.reviewed ? el("span", { className: "chip qc-done", textContent: T.qc_reviewed }) : null,
          open,
        );
        li.dataset.conversation = item.conversation;
        return li;
      }),
    );
  }

  // ---- the review form beside the conversation ----
  const chat = el("div", { className: "qc-chat", id: "qc-chat" });
  const title = el("h3", {});
  const form = el("form", { className: "qc-form", id: "qc-review-form", noValidate: true });
  const after = el("div", { className: "qc-after", id: "qc-after" });
  const closeReview = el("button", { type: "button", className: "qc-noprint", textContent: T.qc_close_form });
  const reviewPanel = el(
    "section",
    { className: "qc-review", id: "qc-review", hidden: true },
    el("div", { className: "qc-card" }, el("h3", { textContent: T.qc_chat }), chat),
    el(
      "div",
      { className: "qc-card" },
      el("div", { className: "row" }, title, el("span", { className: "bar-fill" }), closeReview),
      form,
      after,
    ),
  );
  closeReview.addEventListener("click", () => {
    reviewPanel.hidden = true;
  });

  function markInputs(c, prefill) {
    const name = `mark-${c.key}`;
    const choices = c.critical
      ? [
          [2, T.qc_pass],
          [1, T.qc_fail],
        ]
      : [...Array.from({ length: c.scale }, (_, i) => [i + 1, String(i + 1)]), [null, T.qc_na]];
    const given = prefill && c.key in prefill ? prefill[c.key] : c.critical ? 2 : null;
    return el(
      "div",
      { className: "qc-points" },
      ...choices.map(([value, text]) => {
        const input = el("input", {
          type: "radio",
          name,
          value: value === null ? "" : String(value),
          checked: value === given,
        });
        return el("label", {}, input, text);
      }),
    );
  }

  function readMarks() {
    const marks = {};
    for (const c of categories) {
      const chosen = form.querySelector(`input[name="mark-${c.key}"]:checked`);
      marks[c.key] = chosen && chosen.value ? Number(chosen.value) : null;
    }
    return marks;
  }

  async function openReview({
    conversation,
    shop_id,
    day,
    calibration = false,
    dispute = null,
    prefill = null,
  }) {
    const shop = shop_id || ctx.shop();
    const params = new URLSearchParams({ shop, conversation });
    const seen = await api.qcConversation(params);
    chat.replaceChildren(...chatLines(seen.lines));
    title.textContent = fmt(dispute ? "qc_decide_title" : "qc_review_title", { conversation });
    const total = el("span", { className: "qc-total", id: "qc-total" });
    const zeroed = el("span", { className: "small", hidden: true, textContent: T.qc_zeroed });
    const comment = el("textarea", { name: "comment", rows: 2, maxLength: 1000 });
    const submit = el("button", {
      type: "submit",
      className: "primary",
      textContent: dispute ? T.qc_revise : T.qc_submit,
    });
    const summary = el("p", { className: "form-error", role: "alert", hidden: true });
    form.replaceChildren(
      ...[
        calibration ? el("p", { className: "chip", textContent: T.qc_calibration_review }) : null,
        ...categories.map((c) =>
          el(
            "fieldset",
            { className: "qc-cat" },
            el("legend", {
              textContent: `${c.label}${c.critical ? ` · ${T.qc_critical}` : ` · ${fmt("qc_weight", { w: c.weight })}`}`,
            }),
            markInputs(c, prefill),
          ),
        ),
        el("div", { className: "row" }, el("span", { textContent: labelled(T.qc_total, "") }), total, zeroed),
        dispute ? null : el("label", { className: "small muted", textContent: T.qc_comment }),
        dispute ? null : comment,
        summary,
        el("div", { className: "row" }, submit),
      ].filter(Boolean),
    );
    const update = () => {
      const result = scoreOf(readMarks(), categories);
      total.textContent = result.score.toFixed(2).replace(/\.?0+$/, "");
      total.classList.toggle("zero", result.failed.length > 0);
      zeroed.hidden = !result.failed.length;
    };
    form.onchange = update;
    update();
    form.onsubmit = async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        if (dispute) {
          await api.decideDispute(dispute, { decision: "revised", marks: readMarks() });
          toast(T.qc_decided);
          reviewPanel.hidden = true;
          await loadDisputes();
          return;
        }
        const saved = await api.createQcReview({
          shop,
          conversation,
          day,
          marks: readMarks(),
          comment: comment.value,
          calibration,
        });
        toast(fmt("qc_saved", { score: saved.score }));
        total.textContent = String(saved.score);
        submit.hidden = true;
        renderAfter({ conversation, shop, review: saved.id });
        await Promise.all([loadSample(), calibration ? loadCalibration() : null]);
      } catch (e) {
        showFieldErrors(form, e, summary);
      } finally {
        submit.disabled = false;
      }
    };
    const latest = seen.reviews.filter((r) => !r.calibration).at(-1);
    renderAfter({ conversation, shop, review: latest ? latest.id : null, tags: seen.tags.map((t) => t.tag) });
    after.hidden = Boolean(dispute);
    reviewPanel.hidden = false;
    reviewPanel.scrollIntoView({ block: "nearest" });
  }

  // ---- what a review leads to: tags, a fix, a training card ----
  function renderAfter({ conversation, shop, review, tags = [] }) {
    const error = el("p", { className: "form-error", role: "alert", hidden: true });
    const fail = (e) => {
      error.textContent = errorText(e);
      error.hidden = false;
    };
    const tagButton = (tag, text) => {
      const button = el("button", { type: "button", textContent: text, disabled: tags.includes(tag) });
      button.dataset.tag = tag;
      button.addEventListener("click", async () => {
        try {
          await api.tagConversation({ shop, conversation, tag });
          button.disabled = true;
          toast(fmt("qc_tagged", { tag: tagLabel(tag) }));
          await loadPack();
        } catch (e) {
          fail(e);
        }
      });
      return button;
    };
    const kind = el(
      "select",
      { name: "target_kind" },
      el("option", { value: "quick_reply", textContent: T.qc_target_quick_reply }),
      el("option", { value: "intent", textContent: T.qc_target_intent }),
    );
    const search = el("input", { type: "search", name: "target_search", placeholder: T.qc_target_search });
    const results = el("ul", { className: "qc-list small" });
    const chosen = el("span", { className: "small", textContent: T.qc_target_none });
    let target = null;
    async function find() {
      const q = search.value.trim();
      const rows =
        kind.value === "intent"
          ? (await api.intents({ shop, q, limit: "8" })).intents.map((i) => ({ id: i.id, name: i.name }))
          : (await api.quickReplies({ shop, q })).quick_replies
              .slice(0, 8)
              .map((p) => ({ id: p.quick_reply.id, name: p.quick_reply.title }));
      results.replaceChildren(
        ...rows.map((row) => {
          const pick = el("button", { type: "button", textContent: T.qc_target_pick });
          pick.addEventListener("click", () => {
            target = row;
            chosen.textContent = fmt("qc_target_chosen", { name: row.name });
          });
          return el(
            "li",
            { className: "qc-item" },
            el("span", { className: "qc-grow", textContent: row.name }),
            pick,
          );
        }),
      );
    }
    search.addEventListener("input", () => find().catch(fail));
    kind.addEventListener("change", () => {
      target = null;
      chosen.textContent = T.qc_target_none;
      find().catch(fail);
    });
    const fixNote = el("textarea", { name: "fix_note", rows: 2, placeholder: T.qc_note });
    const openFix = el("button", { type: "button", textContent: T.qc_new_fix });
    openFix.addEventListener("click", async () => {
      if (!target) {
        fail(new Error(T.qc_target_none));
        return;
      }
      try {
        await api.createFinding({
          shop,
          review,
          conversation,
          kind: "fix",
          target_kind: kind.value,
          target: target.id,
          note: fixNote.value,
        });
        toast(fmt("qc_finding_saved", { what: target.name }));
        fixNote.value = "";
        await loadFindings();
      } catch (e) {
        fail(e);
      }
    });
    const trainNote = el("textarea", { name: "training_note", rows: 2, placeholder: T.qc_note });
    const openTraining = el("button", { type: "button", textContent: T.qc_new_training });
    openTraining.addEventListener("click", async () => {
      try {
        await api.createFinding({ shop, review, conversation, kind: "training", note: trainNote.value });
        toast(fmt("qc_finding_saved", { what: T.qc_kind_training }));
        trainNote.value = "";
        await loadFindings();
      } catch (e) {
        fail(e);
      }
    });
    // the evidence locker, from the supervisor's side too
    const evidenceNote = el("textarea", {
      name: "evidence_note",
      rows: 2,
      maxLength: 500,
      placeholder: T.qc_evidence_placeholder,
    });
    const flag = el("select", { name: "flag" }, ...flagOptions());
    const freeze = el("button", { type: "button", textContent: T.qc_evidence });
    const kept = el("div", { className: "small", id: "qc-kept" });
    freeze.addEventListener("click", async () => {
      try {
        const made = await api.createEvidence({
          shop,
          conversation,
          note: evidenceNote.value,
          flag: flag.value,
        });
        kept.replaceChildren(
          el("strong", { textContent: fmt("qc_frozen", { id: made.id }) }),
          " ",
          el("span", { className: "muted", textContent: T.qc_hash }),
          " ",
          el("code", { className: "qc-hash", textContent: made.hash }),
        );
        evidenceNote.value = "";
      } catch (e) {
        fail(e);
      }
    });
    after.replaceChildren(
      el("strong", { className: "small", textContent: T.qc_after_review }),
      error,
      el(
        "div",
        { className: "row" },
        tagButton("lost_order", T.qc_tag_lost),
        tagButton("excellent", T.qc_tag_excellent),
      ),
      el(
        "div",
        { className: "row" },
        el("label", { className: "small muted", textContent: T.qc_target_kind }),
        kind,
        search,
      ),
      results,
      chosen,
      fixNote,
      el("div", { className: "row" }, openFix),
      trainNote,
      el("div", { className: "row" }, openTraining),
      evidenceNote,
      el("div", { className: "row" }, flag, freeze),
      kept,
    );
  }

  // ---- calibration ----
  const calibBody = el("tbody", {});
  const calibCard = card(
    T.qc_calibration_title,
    el("p", { className: "small muted", textContent: T.qc_calibration_note }),
    el("table", { className: "qc-table", id: "qc-calibration" }, calibBody),
  );
  async function loadCalibration() {
    const params = new URLSearchParams({ shop: ctx.shop() });
    if (dayInput.value) params.set("day", dayInput.value);
    const data = await api.qcCalibration(params);
    calibBody.replaceChildren(
      ...data.items.map((item) => {
        const scores = Object.entries(item.scores);
        const mine = ctx.me && item.scores[ctx.me.name] !== undefined;
        const open = el("button", { type: "button", textContent: T.qc_review, disabled: mine });
        open.addEventListener(
          "click",
          guard(calibCard, () =>
            openReview({ conversation: item.conversation, day: data.day, calibration: true }),
          ),
        );
        return el(
          "tr",
          {},
          el("td", { textContent: item.conversation }),
          el("td", {
            textContent: scores.length ? scores.map(([n, s]) => `${n} ${s}`).join(" / ") : T.qc_no_scores,
          }),
          el("td", {
            className: "small muted",
            textContent:
              scores.length > 1
                ? fmt("qc_spread", {
                    range: item.range.toFixed(1),
                    stdev: item.stdev.toFixed(1),
                    mean: item.mean.toFixed(1),
                  })
                : "",
          }),
          el("td", {}, open),
        );
      }),
    );
  }

  // ---- disputes ----
  const disputeList = el("ul", { className: "qc-list", id: "qc-disputes" });
  const disputeCard = card(T.qc_disputes_title, disputeList);
  async function loadDisputes() {
    const { disputes } = await api.qcDisputes();
    const reviews = new Map();
    for (const agent of new Set(disputes.map((d) => d.agent_id))) {
      for (const r of (await api.qcReviews({ agent })).reviews) reviews.set(r.id, r);
    }
    disputeList.replaceChildren(
      ...(disputes.length
        ? disputes.map((d) => {
            const review = reviews.get(d.review_id);
            const uphold = el("button", { type: "button", textContent: T.qc_uphold });
            uphold.addEventListener(
              "click",
              guard(disputeCard, async () => {
                await api.decideDispute(d.id, { decision: "upheld" });
                toast(T.qc_decided);
                await loadDisputes();
              }),
            );
            const revise = el("button", { type: "button", className: "primary", textContent: T.qc_revise });
            revise.addEventListener(
              "click",
              guard(disputeCard, () =>
                openReview({
                  conversation: review.conversation,
                  shop_id: review.shop_id,
                  day: review.day,
                  dispute: d.id,
                  prefill: review.marks,
                }),
              ),
            );
            return el(
              "li",
              { className: "qc-item" },
              el(
                "span",
                { className: "qc-grow" },
                el("strong", {
                  textContent: review
                    ? fmt("qc_dispute_of", {
                        review: d.review_id,
                        conversation: review.conversation,
                        score: review.score,
                      })
                    : `#${d.review_id}`,
                }),
                el("div", { className: "small", textContent: d.reason }),
              ),
              uphold,
              review ? revise : null,
            );
          })
        : [el("li", { className: "muted small", textContent: T.qc_disputes_empty })]),
    );
  }

  // ---- findings and fixes ----
  const findingList = el("ul", { className: "qc-list", id: "qc-findings" });
  const findingCard = card(T.qc_findings_title, findingList);
  async function loadFindings() {
    const { findings } = await api.findings({ shop: ctx.shop() });
    findingList.replaceChildren(
      ...(findings.length
        ? findings.map((f) => findingRow(f, findingCard, loadFindings))
        : [el("li", { className: "muted small", textContent: T.qc_findings_empty })]),
    );
  }

  // ---- the weekly pack ----
  const weekInput = el("input", { type: "date", name: "week", style: "width:auto" });
  const showPack = el("button", { type: "button", textContent: T.qc_pack_load });
  const exportPack = el("button", { type: "button", textContent: T.qc_pack_export, id: "qc-pack-export" });
  const printPack = el("button", { type: "button", textContent: T.qc_pack_print });
  const packNote = el("p", { className: "small", id: "qc-pack-note" });
  const packList = el("ul", { className: "qc-list" });
  const packCard = card(
    T.qc_pack_title,
    el(
      "div",
      { className: "row qc-noprint" },
      el("span", { className: "small muted", textContent: T.qc_week }),
      weekInput,
      showPack,
      exportPack,
      printPack,
    ),
    packNote,
    packList,
  );
  packCard.classList.add("qc-pack");
  let pack = null; // the pack on screen
  async function loadPack() {
    const params = new URLSearchParams({ shop: ctx.shop() });
    if (weekInput.value) params.set("week", weekInput.value);
    pack = await api.qcPack(params);
    packNote.textContent = fmt("qc_pack_counts", {
      start: pack.week_start,
      end: pack.week_end,
      lost: pack.lost_orders.length,
      good: pack.excellent.length,
    });
    packList.replaceChildren(
      ...[...pack.lost_orders, ...pack.excellent].map((i) =>
        el(
          "li",
          { className: "qc-item" },
          el("span", {
            className: `chip${i.tag === "lost_order" ? " qc-risk" : " qc-done"}`,
            textContent: tagLabel(i.tag),
          }),
          el("strong", { textContent: i.conversation }),
          el("span", {
            className: "qc-grow",
            textContent: [i.buyer, i.agent, i.note].filter(Boolean).join(" · "),
          }),
          el("span", {
            className: "small muted",
            textContent: i.score === null ? T.qc_pack_unscored : fmt("qc_pack_score", { score: i.score }),
          }),
          el(
            "details",
            { className: "qc-pack-chat" },
            el("summary", { className: "small", textContent: T.qc_chat }),
            el("div", { className: "qc-chat" }, ...chatLines(i.lines)),
          ),
        ),
      ),
    );
  }
  showPack.addEventListener("click", guard(packCard, loadPack));
  exportPack.addEventListener(
    "click",
    guard(packCard, async () => {
      await loadPack(); // the week chosen now
      download(`qc-pack-${pack.week_start}.json`, pack);
    }),
  );
  // the printout is the pack alone, every chat open
  printPack.addEventListener("click", () => {
    for (const d of packList.querySelectorAll("details")) d.open = true;
    document.body.classList.add("qc-print-pack");
    window.addEventListener("afterprint", () => document.body.classList.remove("qc-print-pack"), {
      once: true,
    });
    window.print();
  });

  // ---- the scorecard and the word list ----
  const cardBody = el("tbody", {});
  const addCategory = el("button", { type: "button", textContent: T.qc_add_category });
  const saveCard = el("button", { type: "button", className: "primary", textContent: T.qc_save_card });
  const words = el("textarea", { rows: 6, id: "qc-words" });
  const saveWords = el("button", { type: "button", className: "primary", textContent: T.qc_save_words });
  const cardForm = el(
    "form",
    { noValidate: true },
    el(
      "table",
      { className: "qc-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ...[
            "qc_category_key",
            "qc_category_label",
            "qc_category_weight",
            "qc_category_scale",
            "qc_category_critical",
            "",
          ].map((k) => el("th", { textContent: k ? T[k] : "" })),
        ),
      ),
      cardBody,
    ),
    el("p", { className: "form-error", hidden: true }),
    el("div", { className: "row" }, addCategory, saveCard),
  );
  const settingsCard = card(
    T.qc_settings_title,
    el("p", { className: "small muted", textContent: T.qc_settings_note }),
    cardForm,
    el("label", { className: "small muted", htmlFor: "qc-words", textContent: T.qc_words_label }),
    words,
    el("div", { className: "row" }, saveWords),
  );

  function categoryRow(c, index) {
    const remove = el("button", { type: "button", textContent: T.qc_remove });
    const tr = el(
      "tr",
      {},
      el("td", {}, el("input", { name: `categories.${index}.key`, value: c.key, maxLength: 40 })),
      el("td", {}, el("input", { name: `categories.${index}.label`, value: c.label, maxLength: 20 })),
      el(
        "td",
        {},
        el("input", {
          name: `categories.${index}.weight`,
          type: "number",
          min: 0,
          max: 100,
          value: String(c.weight),
        }),
      ),
      el(
        "td",
        {},
        el("input", {
          name: `categories.${index}.scale`,
          type: "number",
          min: 2,
          max: 5,
          value: String(c.scale),
        }),
      ),
      el(
        "td",
        {},
        el("input", {
          name: `categories.${index}.critical`,
          type: "checkbox",
          checked: c.critical,
          style: "width:auto",
        }),
      ),
      el("td", {}, remove),
    );
    remove.addEventListener("click", () => tr.remove());
    return tr;
  }
  function renderCard() {
    cardBody.replaceChildren(...categories.map(categoryRow));
  }
  addCategory.addEventListener("click", () =>
    cardBody.append(
      categoryRow({ key: "", label: "", weight: 10, scale: 5, critical: false }, cardBody.children.length),
    ),
  );
  saveCard.addEventListener(
    "click",
    guard(settingsCard, async () => {
      const rows = [...cardBody.children].map((tr) => {
        const [key, label, weight, scale, critical] = tr.querySelectorAll("input");
        return {
          key: key.value.trim(),
          label: label.value.trim(),
          weight: Number(weight.value),
          scale: Number(scale.value),
          critical: critical.checked,
        };
      });
      try {
        categories = (await api.saveQcScorecard({ categories: rows })).categories;
        renderCard();
        toast(T.qc_card_saved);
      } catch (e) {
        showFieldErrors(cardForm, e);
      }
    }),
  );
  saveWords.addEventListener(
    "click",
    guard(settingsCard, async () => {
      const list = words.value
        .split("\n")
        .map((w) => w.trim())
        .filter(Boolean);
      const saved = await api.saveQcWords({ words: list });
      words.value = saved.words.join("\n");
      toast(fmt("qc_words_saved", { n: saved.words.length }));
    }),
  );

  section.replaceChildren(
    el(
      "div",
      { className: "qc-tab" },
      toolbar,
      sampleCard,
      reviewPanel,
      calibCard,
      disputeCard,
      findingCard,
      packCard,
      settingsCard,
    ),
  );

  async function loadAll() {
    reviewPanel.hidden = true;
    await guard(sampleCard, loadSample)();
    await Promise.all([
      guard(calibCard, loadCalibration)(),
      guard(disputeCard, loadDisputes)(),
      guard(findingCard, loadFindings)(),
      guard(packCard, loadPack)(),
    ]);
  }
  categories = (await api.qcScorecard()).categories;
  renderCard();
  words.value = (await api.qcWords()).words.join("\n");
  reload.addEventListener("click", loadAll);
  dayInput.addEventListener("change", loadAll);
  ctx.onShopChange(loadAll);
  await loadAll();
}
