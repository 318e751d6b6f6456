// The family switch ("Me" / a child) without a page reload: the switch and its
// status region stay in place, so a screen reader hears "Сейчас показаны
// данные: …" when the person changes; the rest of the cabinet's page comes
// from the server's answer. Without this script the form posts as usual.
(function () {
  "use strict";

  function plainSubmit(form, button) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = button.name;
    input.value = button.value;
    form.appendChild(input);
    form.submit();
  }

  function update(form, html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var fresh = next.querySelector(".cabinet");
    var freshForm = fresh && fresh.querySelector("[data-family-switch]");
    var status = form.querySelector("[data-family-switch-status]");
    var freshStatus = freshForm && freshForm.querySelector("[data-family-switch-status]");
    var current = form.closest(".cabinet");
    if (!freshStatus || !status || !current) return false;

    Array.prototype.slice.call(current.children).forEach(function (child) {
      if (child !== form) child.remove();
    });
    var beforeSwitch = true;
    Array.prototype.slice.call(fresh.children).forEach(function (child) {
      if (child.matches("[data-family-switch]")) {
        beforeSwitch = false;
        return;
      }
      var node = document.importNode(child, true);
      if (beforeSwitch) form.before(node);
      else current.appendChild(node);
    });
    form.querySelectorAll("button[name='patient']").forEach(function (button) {
      var twin = freshForm.querySelector("button[name='patient'][value='" + button.value + "']");
      if (!twin) return;
      button.className = twin.className;
      button.setAttribute("aria-pressed", twin.getAttribute("aria-pressed"));
      button.innerHTML = twin.innerHTML;
    });
    var token = freshForm.querySelector("input[name='csrfmiddlewaretoken']");
    var ownToken = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (token && ownToken) ownToken.value = token.value;
    if (window.htmx) window.htmx.process(current);
    status.textContent = freshStatus.textContent;
    return true;
  }

  function enhance(form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch || !window.DOMParser) return;
      event.preventDefault();
      if (button.getAttribute("aria-pressed") === "true") return;
      var data = new FormData(form);
      data.set(button.name, button.value);
      form.setAttribute("aria-busy", "true");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text().then(function (html) {
            if (!update(form, html)) window.location.assign(response.url);
          });
        })
        .catch(function () {
          plainSubmit(form, button);
        })
        .then(function () {
          form.removeAttribute("aria-busy");
        });
    });
  }

  document.querySelectorAll("[data-family-switch]").forEach(enhance);
})();
