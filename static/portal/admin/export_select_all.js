// The admin export page's "Select all" toggle (django-import-export's onSelectToggleChange), bound here
// rather than in an inline onchange attribute, which the Content-Security-Policy refuses to run.
(function () {
  "use strict";

  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", onSelectToggleChange); // defined by import_export/export_selectable_fields.js
  });
})();
