// The training pages: the trainee's quiz and the trainer's progress table (tabbed_page.js loads `training_<tab>.js`).
import { startTabbedPage } from "./tabbed_page.js";

startTabbedPage("training");
