// The admin's 导入简报 pages do long work one short request at a time; without JavaScript
// the editor presses the button for each next step. Here the page presses it: a link or
// submit button marked data-import-continue is followed after a moment, unless the editor
// presses another button (停止) first.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var next = document.querySelector("[data-import-continue]");
    if (!next) return;
    var note = document.querySelector(".import-auto-note");
    if (note) note.hidden = false;
    var timer = window.setTimeout(function () {
      if (next.form) {
        next.form.requestSubmit(next);
      } else {
        window.location.assign(next.href);
      }
    }, 400);
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.clearTimeout(timer);
      });
    });
  });
})();
