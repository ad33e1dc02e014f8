// Staff pages: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Batch screening: show that the file is being uploaded and screened (result on the page).
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var choice = form.querySelector("input[name=output]:checked");
      if (choice && choice.value !== "page") {
        return; // a download: the page stays as it is
      }
      var bar = form.querySelector("progress");
      if (bar) {
        bar.removeAttribute("value"); // indeterminate
        bar.hidden = false;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = "Screening the file…";
      }
    });
  });

  // After a validation error, move the focus to the summary so that it is read first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
