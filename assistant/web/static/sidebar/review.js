// The sidebar's count for the review roles: for the order reviewer (and the supervisor) the orders waiting
// for review (and on hold), for the refund reviewer the refund requests waiting (and past the limit); a
// link to the editor's tab. Other roles never see it (nor ask for it).
import * as api from "../shared/api.js";
import { el, T, token } from "../shared/ui.js";

const POLL_MS = 60_000;
const COUNTS = {
  reviewer: { tab: "review", read: orderCount },
  supervisor: { tab: "review", read: orderCount },
  refund_reviewer: { tab: "refunds", read: refundCount },
};

async function orderCount() {
  const { count, held } = await api.reviewCount();
  return T.rv_sidebar_count.replace("{n}", count) + (held ? T.rv_sidebar_held.replace("{n}", held) : "");
}

async function refundCount() {
  const { open, overdue } = await api.refunds({ limit: 1 });
  return T.rf_sidebar_count.replace("{n}", open) + (overdue ? T.rf_sidebar_late.replace("{n}", overdue) : "");
}

export async function mount(section) {
  const { agent } = await api.me().catch(() => ({ agent: null }));
  const count = agent && COUNTS[agent.role];
  if (!count) return;
  const link = el("a", { className: "rv-count-link", target: "_blank", rel: "noopener" });
  link.href = `/editor?${new URLSearchParams({ token })}#${count.tab}`;
  section.replaceChildren(link);

  async function refresh() {
    try {
      link.textContent = await count.read();
      section.hidden = false;
    } catch {
      section.hidden = true;
    }
    setTimeout(refresh, POLL_MS);
  }
  refresh();
}
