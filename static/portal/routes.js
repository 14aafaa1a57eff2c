// The route page: as devices are ticked, fetch the server's pick list for them and swap it in.
// The server sums the units; this script only asks again and keeps the address bar in step.
(function () {
  "use strict";

  const form = document.getElementById("device-selection");
  const pickList = document.getElementById("pick-list");
  if (!form || !pickList) {
    return;
  }
  // With the script running the list updates itself; the no-script submit button is hidden.
  form.classList.add("is-live");

  let inFlight = null;

  async function reloadPickList() {
    const query = new URLSearchParams(new FormData(form)).toString();
    if (inFlight) {
      inFlight.abort();
    }
    const request = new AbortController();
    inFlight = request;
    pickList.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${form.dataset.pickListUrl}?${query}`, {
        signal: request.signal,
        credentials: "same-origin",
      });
      pickList.innerHTML = await response.text();
      history.replaceState(null, "", `?${query}`);
    } catch (error) {
      if (error.name !== "AbortError") {
        pickList.querySelector(".pick-list-devices").textContent =
          "Could not update the pick list; check the connection and tick again.";
      }
    } finally {
      // A request superseded by a newer tick leaves the list busy until the newer one lands.
      if (inFlight === request) {
        pickList.removeAttribute("aria-busy");
      }
    }
  }

  // The checkboxes sit in the device list, outside the form they belong to (their form attribute).
  document.addEventListener("change", (event) => {
    if (event.target.form === form && event.target.name === "devices") {
      reloadPickList();
    }
  });

  pickList.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
