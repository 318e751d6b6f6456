// Inside the widget's iframe: tell the host page our height so it can size the frame.
(function () {
  "use strict";
  function report() {
    parent.postMessage({ clinicBookingHeight: document.documentElement.scrollHeight }, "*");
  }
  window.addEventListener("load", report);
  new MutationObserver(report).observe(document.documentElement, { childList: true, subtree: true });
})();
