// Progressive enhancement for the article list on a phone: once the reader has filtered
// (or turned a page), the filter form folds behind its summary, so that the results are
// on the first screen; a tap on the summary opens it again. Without JavaScript, or on a
// wider screen, the form stays open.
(function () {
  "use strict";
  var panel = document.querySelector(".filter-form__panel");
  if (!panel || !window.location.search) return;
  if (window.matchMedia("(max-width: 48rem)").matches) panel.open = false;
})();
