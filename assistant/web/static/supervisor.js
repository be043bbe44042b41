// The supervisor's pages: one tab each (tabbed_page.js loads `supervisor_<tab>.js`).
import { startTabbedPage } from "./tabbed_page.js";

startTabbedPage("supervisor");
