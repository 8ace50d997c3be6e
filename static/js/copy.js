// Progressive enhancement: a 复制 button beside every citation and feed URL.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = element.getAttribute("data-copy-label") || "复制";
    button.addEventListener("click", function () {
      var text = element.value !== undefined ? element.value : element.textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "已复制";
        setTimeout(function () { button.textContent = element.getAttribute("data-copy-label") || "复制"; }, 2000);
      });
    });
    element.insertAdjacentElement("afterend", button);
  });
})();
