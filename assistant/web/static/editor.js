// The editor: one page, one tab per kind of content (tabbed_page.js loads `editor_<tab>.js`).
import { startTabbedPage } from "./tabbed_page.js";

startTabbedPage("editor");
