// The shell's behaviour: the phone menu, and table rows that open their device.
(function () {
  "use strict";

  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("portal-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      const open = nav.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // A row with data-href opens it on click; the link inside the row stays the keyboard path.
  document.querySelectorAll("tr[data-href]").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select")) {
        return;
      }
      window.location.assign(row.dataset.href);
    });
  });
})();
