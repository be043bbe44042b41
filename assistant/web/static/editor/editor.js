// The editor: one page, one tab per kind of content (tabbed_page.js loads `editor/<tab>.js`).
import { startTabbedPage } from "../shared/tabbed_page.js";

startTabbedPage("editor");
