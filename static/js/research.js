/* Research filters: leave "Any" (empty) filters out of the request, so bookmarked addresses stay short. */
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form.lr-filters")) {
      return;
    }
    var data = event.detail.formData;
    if (!data) {
      return;
    }
    var empty = [];
    data.forEach(function (value, name) {
      if (value === "") {
        empty.push(name);
      }
    });
    empty.forEach(function (name) {
      data.delete(name);
    });
  });
})();
