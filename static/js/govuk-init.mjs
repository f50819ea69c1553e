// Initialise GOV.UK Frontend components (vendored ES module build).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
window.LocalReach = window.LocalReach || {};
window.LocalReach.initAll = function (scope) {
  try {
    initAll({ scope: scope });
  } catch (error) {
    // Components that are already initialised refuse a second start; nothing to do.
  }
};
