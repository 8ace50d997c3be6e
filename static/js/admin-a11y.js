// Django's admin autocomplete (select2 4.0) leaves two accessibility faults, mended here
// as select2 draws and redraws its widgets:
// - the search box of a multiple choice (tags) has no accessible name: it gets the
//   label of the <select> it stands for;
// - the clear button (×) sits directly in a <ul>: it is wrapped in an <li>;
// - a single choice with nothing chosen yet (a new article's source) is named by an empty
//   element: it gets the label of its <select> too.
(function () {
  "use strict";

  function labelOf(select) {
    var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "";
  }

  function mend() {
    document.querySelectorAll(".select2-container--admin-autocomplete").forEach(function (box) {
      var name = labelOf(box.previousElementSibling);
      box.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (input) {
        if (name) input.setAttribute("aria-label", name);
      });
      box.querySelectorAll(
        ".select2-selection--single:not([aria-label]), .select2-selection__rendered[role]:not([aria-label])"
      ).forEach(function (field) {
        if (name) field.setAttribute("aria-label", name);
      });
      box.querySelectorAll("ul > .select2-selection__clear").forEach(function (clear) {
        var item = document.createElement("li");
        item.className = "select2-selection__clear-item";
        clear.replaceWith(item);
        item.appendChild(clear);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    mend();
    new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
  });
})();
