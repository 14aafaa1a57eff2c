// The Celery schedule form: hide the read-only translation row and show the chosen crontab in words under
// the crontab field, as django-celery-beat's inline script did.
(function () {
  "use strict";

  const translationRow = document.querySelector(".field-crontab_translation");
  if (translationRow) {
    translationRow.style.display = "none";
  }
  const data = document.getElementById("readable-crontabs");
  const select = document.getElementById("id_crontab");
  const help = document.querySelector(".field-crontab .help");
  if (!data || !select || !help) {
    return;
  }
  const readable = JSON.parse(data.textContent);
  const translation = document.createElement("div");
  translation.className = "crontab-translation";
  help.appendChild(translation);

  function show() {
    const words = readable[select.value];
    translation.textContent = words ? `Translation: ${words}` : "";
  }
  select.addEventListener("change", show);
  show();
})();
