// The training pages: the trainee's quiz and the trainer's progress table (tabbed_page.js loads `training/<tab>.js`).
import { startTabbedPage } from "../shared/tabbed_page.js";

startTabbedPage("training");
