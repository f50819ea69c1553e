/* Local Reach: progressive enhancement only. No inline scripts anywhere (strict CSP). */
(function () {
  "use strict";
  var body = document.body;
  body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    body.classList.add("govuk-frontend-supported");
  }
  // Re-initialise GOV.UK components inside content that htmx swaps in.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (window.LocalReach && window.LocalReach.initAll) {
      window.LocalReach.initAll(event.target);
    }
  });
})();
