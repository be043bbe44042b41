// Tab "quiz": the trainee draws a round (timed, by topic, campaign, what changed), answers each question
// as a buyer wrote it (typing, or picking a quick reply), and sees the mark beside the reference answer
// with the difference highlighted. The server keeps the clock; the countdown here is only a display.
import * as api from "../shared/api.js";
import { el, T, toast } from "../shared/ui.js";

const MODES = ["timed", "topic", "campaign", "what-changed"];

/** The answer and the reference, each with its own differences marked (del: typed extra; mark: missed). */
export function diffView(mark) {
  const mine = el("div", { className: "tr-mine" });
  const ref = el("div", { className: "tr-ref" });
  for (const seg of mark.diff) {
    if (seg.op === "same") {
      mine.append(seg.text);
      ref.append(seg.text);
    } else if (seg.op === "answer_only") mine.append(el("del", { textContent: seg.text }));
    else ref.append(el("mark", { textContent: seg.text }));
  }
  return el(
    "div",
    { className: "tr-diff" },
    el("div", { className: "small muted", textContent: T.tr_your_answer }),
    mine,
    el("div", { className: "small muted", textContent: T.tr_reference }),
    ref,
    el("div", { className: "small muted", textContent: T.tr_legend }),
  );
}

export async function mount(section, ctx) {
  const mode = el(
    "select",
    { className: "tr-mode" },
    ...MODES.map((m) => el("option", { value: m, textContent: T[`tr_mode_${m.replace("-", "_")}`] })),
  );
  const topic = el("input", { className: "tr-topic", maxLength: 60, placeholder: "size / shipping / 双11" });
  const size = el("input", { className: "tr-size", type: "number", min: 1, max: 100, value: 5 });
  const start = el("button", { type: "button", className: "primary tr-start", textContent: T.tr_start });
  const error = el("p", { className: "form-error", role: "alert", hidden: true });
  const stage = el("div", { className: "tr-stage" });
  const label = (text, input) => el("label", { className: "small muted tr-field" }, text, input);
  section.replaceChildren(
    el("p", { className: "muted small", textContent: T.tr_intro }),
    el(
      "div",
      { className: "buttons tr-setup" },
      label(T.tr_mode, mode),
      label(T.tr_topic, topic),
      label(T.tr_size, size),
      start,
    ),
    error,
    stage,
  );
  let clock = null;

  start.addEventListener("click", async () => {
    error.hidden = true;
    const body = { mode: mode.value, size: Number(size.value) || undefined, shop: ctx.shop() };
    if (topic.value.trim()) body.topic = topic.value.trim();
    try {
      const round = await api.startRound(body);
      play(round, 0);
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });

  function countdown(seconds, node) {
    clearInterval(clock);
    if (!seconds) return;
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((until - Date.now()) / 1000));
      node.textContent = T.tr_clock.replace("{s}", left);
      if (!left) clearInterval(clock);
    };
    tick();
    clock = setInterval(tick, 1000);
  }

  function play(round, index) {
    const q = round.questions[index];
    const answer = el("textarea", { rows: 3, className: "tr-answer", maxLength: 1000 });
    answer.setAttribute("aria-label", T.tr_your_answer);
    const timer = el("span", { className: "chip tr-clock" });
    const result = el("div", { className: "tr-result" });
    const submit = el("button", { type: "button", className: "primary tr-submit", textContent: T.tr_submit });
    const send = async (payload) => {
      try {
        const { mark } = await api.answerQuestion(q.id, payload);
        clearInterval(clock);
        showMark(mark);
      } catch (e) {
        toast(e.message);
      }
    };
    submit.addEventListener("click", () => {
      if (answer.value.trim()) send({ text: answer.value.trim() });
    });
    const choices = q.choices.map((c) => {
      const b = el(
        "button",
        { type: "button", className: "tr-choice", title: c.body },
        el("strong", { textContent: c.title }),
        " ",
        el("span", { className: "muted small", textContent: c.body }),
      );
      b.dataset.phrase = String(c.id);
      b.addEventListener("click", () => send({ phrase_id: c.id }));
      return b;
    });
    const last = index === round.questions.length - 1;
    function showMark(mark) {
      submit.disabled = true;
      for (const b of choices) b.disabled = true;
      const verdict = mark.late ? T.tr_late : mark.correct ? T.tr_right : T.tr_wrong;
      const next = el("button", {
        type: "button",
        className: "primary tr-next",
        textContent: last ? T.tr_finish : T.tr_next,
      });
      next.addEventListener("click", () => (last ? finish(round) : play(round, index + 1)));
      const picked = mark.picked_phrase_id ? q.choices.find((c) => c.id === mark.picked_phrase_id) : null;
      result.replaceChildren(
        ...[
          el(
            "p",
            { className: `tr-verdict ${mark.correct ? "is-right" : "is-wrong"}` },
            el("strong", { textContent: verdict }),
            mark.similarity !== null
              ? el("span", {
                  className: "muted small",
                  textContent: ` ${T.tr_similarity.replace("{s}", mark.similarity)}`,
                })
              : null,
          ),
          picked
            ? el("p", { className: "small", textContent: T.tr_picked.replace("{title}", picked.title) })
            : null,
          diffView(mark),
          next,
        ].filter(Boolean),
      );
      next.focus();
    }
    stage.replaceChildren(
      el(
        "section",
        { className: "card tr-question" },
        el(
          "div",
          { className: "row" },
          el("span", {
            className: "small muted",
            textContent: T.tr_question_n.replace("{i}", index + 1).replace("{n}", round.questions.length),
          }),
          el("span", { className: "bar-fill" }),
          timer,
        ),
        el("div", { className: "small muted", textContent: T.tr_buyer_asks }),
        el("blockquote", { className: "tr-asked", textContent: q.question }),
        answer,
        el("div", { className: "buttons" }, submit),
        choices.length ? el("p", { className: "small muted", textContent: T.tr_or_pick }) : null,
        choices.length ? el("div", { className: "tr-choices" }, ...choices) : null,
        result,
      ),
    );
    countdown(round.seconds_per_question, timer);
    if (!round.seconds_per_question) timer.hidden = true;
    answer.focus();
  }

  async function finish(round) {
    try {
      const done = await api.finishRound(round.id);
      stage.replaceChildren(
        el(
          "section",
          { className: "card tr-summary" },
          el(
            "p",
            {},
            el("strong", {
              textContent: T.tr_done.replace("{c}", done.correct).replace("{n}", done.answered),
            }),
          ),
          ...(done.passed_now ? [el("p", { className: "tr-passed", textContent: T.tr_passed })] : []),
        ),
      );
    } catch (e) {
      toast(e.message);
    }
  }
}
