// On narrow screens the main menu (when the page has one) and the header's tools (language,
// user, sign out) fold behind one "Menu" button, so the header stays one line. Without this script everything is
// simply shown (it wraps), so nothing depends on it.
(function () {
  "use strict";
  var button = document.querySelector(".meedoen-menu-toggle");
  if (!button) return;
  var root = document.documentElement;
  var narrow = window.matchMedia("(max-width: 40em)");
  function fold(folded) {
    root.classList.toggle("meedoen-menu-folded", folded);
    button.setAttribute("aria-expanded", folded ? "false" : "true");
  }
  function apply() {
    button.hidden = !narrow.matches;
    fold(narrow.matches);
  }
  button.addEventListener("click", function () {
    fold(button.getAttribute("aria-expanded") === "true");
  });
  narrow.addEventListener("change", apply);
  apply();
})();
