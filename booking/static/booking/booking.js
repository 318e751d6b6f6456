// The booking component: turns the server-rendered list of free times into
// buttons that hold a slot and confirm it through /api/v1/ — the same API as
// the widget, the mobile app and the Telegram bot. Without JavaScript the
// list stays readable and the sticky Call button remains.
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(root, path, body) {
    var options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    return fetch(root + path, options).then(function (response) {
      return response.json().then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function localLabel(slot) {
    // local_start keeps the branch's offset: show its wall clock, not the browser's.
    var text = slot.local_start || slot.start;
    var date = new Date(text.slice(0, 19) + "Z");
    var formatted = new Intl.DateTimeFormat("ru-RU", {
      weekday: "short", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
      timeZone: "UTC",
    }).format(date);
    return formatted.charAt(0).toUpperCase() + formatted.slice(1);
  }

  function Booking(section) {
    this.section = section;
    this.root = section.dataset.api;
    this.doctor = Number(section.dataset.doctor);
    this.service = section.dataset.service ? Number(section.dataset.service) : null;
    this.list = section.querySelector("[data-slot-list]");
    this.status = section.querySelector("[data-status]");
    this.formTemplate = section.querySelector("[data-form-template]");
    this.held = null;
  }

  Booking.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Booking.prototype.upgradeList = function () {
    var self = this;
    this.section.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
    if (!this.list) return;
    this.list.querySelectorAll("li[data-start]").forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "slot__button";
      while (item.firstChild) button.appendChild(item.firstChild);
      item.appendChild(button);
      button.addEventListener("click", function () { self.hold(item.dataset.start, button); });
    });
    this.refresh();
  };

  // The page may come from a cache: drop the times that were taken since.
  Booking.prototype.refresh = function () {
    var self = this;
    var count = this.list.querySelectorAll("li[data-start]").length;
    var query = "slots/?doctor=" + this.doctor + "&service=" + this.service + "&limit=" + (count + 20);
    api(this.root, query).then(function (answer) {
      if (answer.status !== 200) return;
      var free = {};
      answer.data.forEach(function (slot) { free[new Date(slot.start).getTime()] = true; });
      self.list.querySelectorAll("li[data-start]").forEach(function (item) {
        if (!free[new Date(item.dataset.start).getTime()]) item.remove();
      });
    }).catch(function () { /* the server-rendered list stays */ });
  };

  Booking.prototype.showAlternatives = function (message, alternatives) {
    var self = this;
    this.list.innerHTML = "";
    (alternatives || []).forEach(function (slot) {
      var item = document.createElement("li");
      item.className = "slot";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "slot__button";
      button.textContent = localLabel(slot);
      item.appendChild(button);
      button.addEventListener("click", function () { self.hold(slot.start, button); });
      self.list.appendChild(item);
    });
    this.closeForm();
    this.say(message);
    var first = this.list.querySelector("button");
    if (first) first.focus();
  };

  Booking.prototype.hold = function (start, button) {
    var self = this;
    if (button) button.disabled = true;
    this.say("");
    api(this.root, "holds/", {
      doctor: this.doctor, service: this.service, start: start,
      idempotency_key: "web-" + this.doctor + "-" + start + "-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID() : Math.random()),
    }).then(function (answer) {
      if (button) button.disabled = false;
      if (answer.status === 201) {
        self.held = answer.data;
        self.openForm();
      } else if (answer.data.error && answer.data.error.code === "slot_taken") {
        self.showAlternatives(self.section.dataset.msgTaken, answer.data.error.alternatives);
      } else {
        self.say((answer.data.error && answer.data.error.message) || self.section.dataset.msgError);
      }
    }).catch(function () {
      if (button) button.disabled = false;
      self.say(self.section.dataset.msgError);
    });
  };

  Booking.prototype.openForm = function () {
    var self = this;
    this.closeForm();
    var fragment = this.formTemplate.content.cloneNode(true);
    var form = fragment.querySelector("form");
    var until = new Date(this.held.hold_expires_at);
    var title = form.querySelector("[data-held-title]");
    title.textContent = localLabel({ start: this.held.start, local_start: this.localStartOfHeld() }) +
      ". " + this.section.dataset.msgHeld + " " +
      until.toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" }) + ".";
    this.codeSent = false;
    if ("phoneCode" in this.section.dataset) {
      form.querySelector("[data-send-code]").hidden = false;
      form.querySelector("[data-book]").hidden = true;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if ("phoneCode" in self.section.dataset && !self.codeSent) self.sendCode(form);
      else self.confirm(form);
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () { self.release(); });
    this.status.parentNode.insertBefore(fragment, this.status);
    this.form = this.section.querySelector(".booking__form");
    title.focus();
  };

  Booking.prototype.localStartOfHeld = function () {
    var zone = this.held.branch && this.held.branch.time_zone;
    if (!zone) return this.held.start;
    // Wall-clock time in the branch's zone, written as if UTC, for localLabel().
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date(this.held.start));
    var get = function (type) { return parts.find(function (p) { return p.type === type; }).value; };
    return get("year") + "-" + get("month") + "-" + get("day") + "T" + get("hour") + ":" + get("minute") + ":00";
  };

  Booking.prototype.closeForm = function () {
    if (this.form) this.form.remove();
    this.form = null;
  };

  Booking.prototype.release = function () {
    var held = this.held;
    this.held = null;
    this.closeForm();
    if (held) api(this.root, "appointments/" + held.id + "/cancel/", { token: held.token });
    var first = this.list && this.list.querySelector("button");
    if (first) first.focus();
  };

  function normalPhone(value) {
    var phone = value.replace(/[\s()-]/g, "");
    if (/^8\d{10}$/.test(phone)) phone = "+7" + phone.slice(1);
    return phone;
  }

  Booking.prototype.showFieldErrors = function (form, data) {
    var errors = form.querySelector("[data-errors]");
    if (data.error && data.error.fields) {
      var fields = data.error.fields.patient || data.error.fields;
      errors.textContent = Object.keys(fields).map(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        var label = input ? form.querySelector("label[for=" + input.id + "]").textContent : name;
        return label + ": " + [].concat(fields[name]).join(" ");
      }).join(" ");
    } else {
      errors.textContent = (data.error && data.error.message) || this.section.dataset.msgError;
    }
  };

  Booking.prototype.sendCode = function (form) {
    var self = this;
    var errors = form.querySelector("[data-errors]");
    errors.textContent = "";
    var phone = normalPhone(form.phone.value);
    var button = form.querySelector("[data-send-code]");
    button.disabled = true;
    api(this.root, "appointments/" + this.held.id + "/phone-code/", { token: this.held.token, phone: phone })
      .then(function (answer) {
        button.disabled = false;
        if (answer.status === 202) {
          self.codeSent = true;
          button.hidden = true;
          form.querySelector("[data-book]").hidden = false;
          var field = form.querySelector("[data-code-field]");
          field.hidden = false;
          field.querySelector("input").required = true;
          self.say(self.section.dataset.msgCodeSent + " " + phone + ".");
          field.querySelector("input").focus();
        } else {
          self.showFieldErrors(form, answer.data);
        }
      }).catch(function () {
        button.disabled = false;
        errors.textContent = self.section.dataset.msgError;
      });
  };

  Booking.prototype.confirm = function (form) {
    var self = this;
    var errors = form.querySelector("[data-errors]");
    errors.textContent = "";
    var phone = normalPhone(form.phone.value);
    var patient = { last_name: form.last_name.value.trim(), first_name: form.first_name.value.trim(), phone: phone };
    var submit = form.querySelector("[data-book]");
    submit.disabled = true;
    var body = { token: this.held.token, patient: patient };
    if (this.codeSent) body.code = form.code.value.trim();
    api(this.root, "appointments/" + this.held.id + "/confirm/", body)
      .then(function (answer) {
        submit.disabled = false;
        var data = answer.data;
        if (answer.status === 200 || answer.status === 202) {
          self.closeForm();
          self.list.innerHTML = "";
          var done = data.status === "confirmed" ? self.section.dataset.msgConfirmed :
            data.status === "rejected" ? self.section.dataset.msgRejected : self.section.dataset.msgAwaiting;
          self.say(localLabel({ start: data.start, local_start: self.localStartOfHeld() }) + ", " +
            data.doctor_name + ". " + done);
          self.status.setAttribute("tabindex", "-1");
          self.status.focus();
        } else if (data.error && (data.error.code === "hold_expired" || data.error.code === "slot_taken")) {
          self.showAlternatives(data.error.code === "hold_expired" ? self.section.dataset.msgExpired :
            self.section.dataset.msgTaken, data.error.alternatives);
        } else {
          self.showFieldErrors(form, data);
        }
      }).catch(function () {
        submit.disabled = false;
        errors.textContent = self.section.dataset.msgError;
      });
  };

  Booking.prototype.upgradeWaitlist = function () {
    var self = this;
    var form = this.section.querySelector("[data-waitlist-form]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        doctor: self.doctor, last_name: form.last_name.value.trim(),
        first_name: form.first_name.value.trim(), phone: normalPhone(form.phone.value),
      };
      if (self.service) body.service = self.service;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      api(self.root, "waitlist/", body).then(function (answer) {
        button.disabled = false;
        if (answer.status === 201) {
          form.hidden = true;
          self.say(self.section.dataset.msgWaitlisted);
        } else {
          self.showFieldErrors(form, answer.data);
        }
      }).catch(function () {
        button.disabled = false;
        form.querySelector("[data-errors]").textContent = self.section.dataset.msgError;
      });
    });
  };

  function start() {
    document.querySelectorAll("[data-booking][data-doctor]").forEach(function (section) {
      var booking = new Booking(section);
      booking.upgradeWaitlist();
      booking.upgradeList();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
