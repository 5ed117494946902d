/* The progress of a long run (a household build, a linkage, the chain check; the partial
   web/_run_progress.html): while the run goes on, ask its status every two seconds and update
   the status region (role="status", so screen readers announce the change politely); reload the
   page once when the run has finished, which then shows its outcome. No meta refresh (WCAG 2.2.1); without JavaScript the page's "Vernieuwen" link does
   the same. Loaded as a file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var INTERVAL = 2000;
  var RETRY = 10000;
  var region = document.getElementById("run-progress");
  if (!region || region.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-status-url");
  var bar = region.querySelector("progress");

  function setText(field, text) {
    var element = region.querySelector('[data-field="' + field + '"]');
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function update(data) {
    if (data.finished) {
      window.location.reload();
      return;
    }
    setText("status_label", data.status_label);
    setText("step", data.step);
    setText("percent_label", data.percent_label);
    if (bar && String(bar.value) !== String(data.percent)) {
      bar.value = data.percent;
      bar.textContent = data.percent_label;
    }
    window.setTimeout(poll, INTERVAL);
  }

  function poll() {
    window
      .fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(update)
      .catch(function () {
        window.setTimeout(poll, RETRY);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
