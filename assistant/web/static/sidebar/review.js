// The sidebar's count for the order-review role: orders waiting for review (and on hold), a link to the
// editor's review tab. Other roles never see it (nor ask for it).
import * as api from "../shared/api.js";
import { el, T, token } from "../shared/ui.js";

const POLL_MS = 60_000;
const ROLES = ["reviewer", "supervisor"];

export async function mount(section) {
  const { agent } = await api.me().catch(() => ({ agent: null }));
  if (!agent || !ROLES.includes(agent.role)) return;
  const link = el("a", { className: "rv-count-link", target: "_blank", rel: "noopener" });
  link.href = `/editor?${new URLSearchParams({ token })}#review`;
  section.replaceChildren(link);

  async function refresh() {
    try {
      const { count, held } = await api.reviewCount();
      link.textContent =
        T.rv_sidebar_count.replace("{n}", count) + (held ? T.rv_sidebar_held.replace("{n}", held) : "");
      section.hidden = false;
      setTimeout(refresh, POLL_MS);
    } catch {
      section.hidden = true;
      setTimeout(refresh, POLL_MS);
    }
  }
  refresh();
}
