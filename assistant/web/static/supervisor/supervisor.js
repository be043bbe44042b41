// The supervisor's pages: one tab each (tabbed_page.js loads `supervisor/<tab>.js`).
import { startTabbedPage } from "../shared/tabbed_page.js";

startTabbedPage("supervisor");
