// Tab "progress": per trainee coverage of the knowledge base, accuracy, median answer time and the pass;
// for trainers (editors, supervisors) the pass mark and the latest answers, each mark one click to override.
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";
import { diffView } from "./quiz.js";

const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);

export async function mount(section, ctx) {
  const table = el("table", { className: "tr-table small" });
  const markForm = el("div", { className: "buttons tr-pass-mark", hidden: true });
  const answers = el("ul", { className: "kb-list tr-answers" });
  const answersBox = el("section", { hidden: true }, el("h3", { textContent: T.tr_answers }), answers);
  section.replaceChildren(table, markForm, answersBox);
  const trainer = ["editor", "supervisor"].includes(ctx.me.role);

  async function load() {
    const data = await api.trainingProgress({ shop: ctx.shop() });
    const head = [
      T.tr_agent,
      T.tr_rounds,
      T.tr_answered,
      T.tr_accuracy,
      T.tr_coverage,
      T.tr_median,
      T.tr_passed_at,
    ];
    table.replaceChildren(
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { textContent: h })))),
      el(
        "tbody",
        {},
        ...data.rows.map((r) => {
          const tr = el(
            "tr",
            {},
            el(
              "td",
              {},
              r.name,
              r.trainee ? el("span", { className: "chip", textContent: T.tr_trainee }) : null,
            ),
            el("td", { textContent: r.rounds }),
            el("td", { textContent: r.answered }),
            el("td", { textContent: pct(r.accuracy) }),
            el("td", { textContent: pct(r.coverage) }),
            el("td", {
              textContent: r.median_seconds === null ? "–" : T.tr_seconds.replace("{s}", r.median_seconds),
            }),
            el("td", {
              className: "tr-pass",
              textContent: r.passed_at
                ? new Date(r.passed_at).toLocaleDateString(document.documentElement.lang)
                : r.meets_pass_mark
                  ? T.tr_meets
                  : T.tr_not_passed,
            }),
          );
          tr.dataset.agent = String(r.agent_id);
          return tr;
        }),
      ),
    );
    if (trainer) {
      const acc = el("input", {
        type: "number",
        min: 0,
        max: 100,
        value: Math.round(data.pass_mark.accuracy * 100),
        className: "tr-acc",
      });
      const cov = el("input", {
        type: "number",
        min: 0,
        max: 100,
        value: Math.round(data.pass_mark.coverage * 100),
        className: "tr-cov",
      });
      const save = el("button", { type: "button", textContent: T.tr_save_mark });
      save.addEventListener("click", async () => {
        try {
          await api.setPassMark({ shop: ctx.shop(), accuracy: acc.value / 100, coverage: cov.value / 100 });
          toast(T.tr_mark_saved);
          await load();
        } catch (e) {
          toast(e.message);
        }
      });
      markForm.replaceChildren(
        el("strong", { className: "small", textContent: T.tr_pass_mark }),
        el("label", { className: "small muted" }, T.tr_pass_accuracy, acc, "%"),
        el("label", { className: "small muted" }, T.tr_pass_coverage, cov, "%"),
        save,
      );
      markForm.hidden = false;
      await loadAnswers(data.rows);
    }
  }

  async function loadAnswers(rows) {
    const names = Object.fromEntries(rows.map((r) => [r.agent_id, r.name]));
    const data = await api.trainingAnswers({ shop: ctx.shop(), limit: 20 });
    answers.replaceChildren(
      ...data.answers.map((a) => {
        const flip = el("button", {
          type: "button",
          className: "tr-override",
          textContent: a.mark.correct ? T.tr_mark_wrong : T.tr_mark_right,
        });
        flip.addEventListener("click", async () => {
          try {
            await api.overrideAnswer(a.question_id, { correct: !a.mark.correct });
            await load();
          } catch (e) {
            toast(e.message);
          }
        });
        const li = el(
          "li",
          { className: "tr-answer-row" },
          el(
            "div",
            { className: "row" },
            el("strong", { textContent: names[a.agent_id] || a.agent_id }),
            el("span", { textContent: a.question }),
            el("span", {
              className: `chip ${a.mark.correct ? "is-right" : "is-wrong"}`,
              textContent: a.mark.correct ? T.tr_right : T.tr_wrong,
            }),
            a.mark.overridden ? el("span", { className: "chip", textContent: T.tr_overridden }) : null,
            el("span", { className: "bar-fill" }),
            flip,
          ),
          diffView(a.mark),
        );
        li.dataset.question = String(a.question_id);
        return li;
      }),
    );
    answersBox.hidden = false;
  }

  ctx.onShopChange(() => load().catch((e) => toast(e.message)));
  await load();
}
