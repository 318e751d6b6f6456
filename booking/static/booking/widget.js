// The booking widget: one script tag on any site.
//   <script src="https://CLINIC/static/booking/widget.js" data-doctor="12" async></script>
// It inserts a frame with the clinic's booking component (/book/embed/), which
// talks to the clinic's /api/v1/ like every other channel.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.doctor) return;
  var origin = new URL(script.src).origin;
  var frame = document.createElement("iframe");
  frame.src = origin + "/book/embed/?doctor=" + encodeURIComponent(script.dataset.doctor);
  frame.title = script.dataset.title || "Запись на приём";
  frame.loading = "lazy";
  frame.style.cssText = "width:100%;max-width:480px;border:0;min-height:420px;display:block";
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.source === frame.contentWindow && event.data &&
        typeof event.data.clinicBookingHeight === "number") {
      frame.style.height = event.data.clinicBookingHeight + "px";
    }
  });
  script.parentNode.insertBefore(frame, script.nextSibling);
})();
