// Check-up price calculator: the total follows the ticked items as the patient
// ticks them. Without JavaScript the form still works: "Recalculate" asks the
// server for the same total. No inline script anywhere (CSP).
(function () {
  "use strict";
  var format = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 0 });

  function setUp(form) {
    var boxes = form.querySelectorAll('input[type="checkbox"][data-price]');
    var total = form.querySelector("[data-total]");
    var button = form.querySelector("[data-recalculate]");
    if (!total) return;
    function update() {
      var kopecks = 0;
      boxes.forEach(function (box) {
        if (box.checked) kopecks += Math.round(parseFloat(box.dataset.price) * 100);
      });
      total.textContent = format.format(kopecks / 100);
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    if (button) button.hidden = true;
    update();
  }

  function init() {
    document.querySelectorAll("[data-checkup-calculator]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
