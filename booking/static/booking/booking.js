// The booking component: turns the server-rendered list of free times into
// buttons that hold a slot and confirm it through /api/v1/ — the same API as
// the widget, the mobile app and the Telegram bot. Without JavaScript the
// list stays readable and the sticky Call button remains.
(function () {
  "use strict";
  // The component may be on a page several times (a list of doctors): one run.
  if (window.clinicBookingLoaded) return;
  window.clinicBookingLoaded = true;

  // A logged-in patient's calls carry the CSRF token the page was rendered
  // with (data-csrf); the cookie itself is not readable by scripts.
  function api(root, path, body, csrf) {
    var options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      if (csrf) options.headers["X-CSRFToken"] = csrf;
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

  // "пт, 4 декабря, 10:30" on the wall clock of `zone` (the branch's), whatever
  // the browser's own zone is.
  function zonedLabel(iso, zone, withDate) {
    var options = { hour: "2-digit", minute: "2-digit", timeZone: zone || "Europe/Moscow" };
    if (withDate) { options.weekday = "short"; options.day = "numeric"; options.month = "long"; }
    var formatted = new Intl.DateTimeFormat("ru-RU", options).format(new Date(iso));
    return formatted.charAt(0).toUpperCase() + formatted.slice(1);
  }

  function Booking(section) {
    this.section = section;
    this.csrf = section.dataset.csrf || "";
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

  Booking.prototype.call = function (path, body) {
    return api(this.root, path, body, this.csrf);
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
    // Ask for the free times of the days the list spans (a finder filtered by
    // date or branch shows later times than the nearest few).
    var items = this.list.querySelectorAll("li[data-start]");
    if (!items.length) return;
    var last = new Date(items[items.length - 1].dataset.start);
    last.setUTCDate(last.getUTCDate() + 1);
    var query = "slots/?doctor=" + this.doctor + "&service=" + this.service + "&limit=500" +
      "&date_from=" + new Date(items[0].dataset.start).toISOString().slice(0, 10) +
      "&date_to=" + last.toISOString().slice(0, 10);
    this.call(query).then(function (answer) {
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
    this.call("holds/", {
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
    var zone = this.held.branch && this.held.branch.time_zone;
    var title = form.querySelector("[data-held-title]");
    title.textContent = zonedLabel(this.held.start, zone, true) +
      ". " + this.section.dataset.msgHeld + " " + zonedLabel(this.held.hold_expires_at, zone, false) +
      " (" + this.section.dataset.msgLocal + ").";
    var where = form.querySelector("[data-held-where]");
    var branch = this.held.branch;
    where.textContent = branch ? branch.name + ", " + branch.address : "";
    where.hidden = !branch;
    this.codeSent = false;
    if ("phoneCode" in this.section.dataset && form.querySelector("[data-send-code]")) {
      form.querySelector("[data-send-code]").hidden = false;
      form.querySelector("[data-book]").hidden = true;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!self.consentGiven(form)) return;
      if ("phoneCode" in self.section.dataset && !self.codeSent) self.sendCode(form);
      else self.confirm(form);
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () { self.release(); });
    this.status.parentNode.insertBefore(fragment, this.status);
    this.form = this.section.querySelector(".booking__form");
    title.focus();
  };

  Booking.prototype.consentGiven = function (form) {
    var box = form.querySelector("[name=consent]");
    if (!box || box.checked) return true;
    form.querySelector("[data-errors]").textContent = this.section.dataset.msgConsent;
    box.focus();
    return false;
  };

  Booking.prototype.closeForm = function () {
    if (this.form) this.form.remove();
    this.form = null;
  };

  Booking.prototype.release = function () {
    var held = this.held;
    this.held = null;
    this.closeForm();
    if (held) this.call("appointments/" + held.id + "/cancel/", { token: held.token });
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
    var fields = data.error && data.error.fields;
    if (!fields) {
      errors.textContent = (data.error && data.error.message) || this.section.dataset.msgError;
      return;
    }
    var lines = [];
    var add = function (name, messages) {
      if (messages && !Array.isArray(messages) && typeof messages === "object") {
        Object.keys(messages).forEach(function (inner) { add(inner, messages[inner]); });
        return;
      }
      var input = form.querySelector("[name=" + name + "]");
      var label = input && input.id ? form.querySelector("label[for=" + input.id + "]") : null;
      var text = [].concat(messages).join(" ");
      lines.push(label && input.type !== "checkbox" ? label.textContent + ": " + text : text);
    };
    Object.keys(fields).forEach(function (name) { add(name, fields[name]); });
    errors.textContent = lines.join(" ");
  };

  Booking.prototype.sendCode = function (form) {
    var self = this;
    var errors = form.querySelector("[data-errors]");
    errors.textContent = "";
    var phone = normalPhone(form.phone.value);
    var button = form.querySelector("[data-send-code]");
    button.disabled = true;
    this.call("appointments/" + this.held.id + "/phone-code/", { token: this.held.token, phone: phone })
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
          var input = field.querySelector("input");
          // The sixth digit books: no extra tap (also when the phone fills it in).
          input.addEventListener("input", function () {
            if (/^\d{6}$/.test(input.value.trim())) self.confirm(form);
          });
          input.focus();
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
    if (this.confirming) return;  // the sixth digit and Enter at once: one request
    this.confirming = true;
    var errors = form.querySelector("[data-errors]");
    errors.textContent = "";
    var submit = form.querySelector("[data-book]");
    submit.disabled = true;
    var body = { token: this.held.token };
    var whom = form.querySelector("[name=for_person]:checked");
    if (whom) {
      body.for_person = whom.value;
    } else {
      body.patient = {
        last_name: form.last_name.value.trim(), first_name: form.first_name.value.trim(),
        phone: normalPhone(form.phone.value),
      };
    }
    if (form.consent) body.consent = form.consent.checked;
    if (this.codeSent) body.code = form.code.value.trim();
    this.call("appointments/" + this.held.id + "/confirm/", body)
      .then(function (answer) {
        self.confirming = false;
        submit.disabled = false;
        var data = answer.data;
        if ((answer.status === 200 || answer.status === 202) && data.status === "rejected") {
          self.closeForm();
          self.say(self.section.dataset.msgRejected);
        } else if (answer.status === 200 || answer.status === 202) {
          self.showDone(data);
        } else if (data.error && (data.error.code === "hold_expired" || data.error.code === "slot_taken")) {
          self.showAlternatives(data.error.code === "hold_expired" ? self.section.dataset.msgExpired :
            self.section.dataset.msgTaken, data.error.alternatives);
        } else {
          self.showFieldErrors(form, data);
        }
      }).catch(function () {
        self.confirming = false;
        submit.disabled = false;
        errors.textContent = self.section.dataset.msgError;
      });
  };

  // The confirmation screen: what, where, when, how much, and what next.
  Booking.prototype.showDone = function (data) {
    var d = this.section.dataset;
    this.closeForm();
    this.say("");
    if (this.list) this.list.remove();
    this.list = null;
    this.section.querySelectorAll("[data-hint], [data-waitlist]").forEach(function (el) { el.hidden = true; });
    var fragment = this.section.querySelector("[data-done-template]").content.cloneNode(true);
    var done = fragment.querySelector("[data-done]");
    var set = function (name, text) { done.querySelector("[data-done-" + name + "]").textContent = text; };
    var confirmed = data.status === "confirmed";
    set("title", (confirmed ? d.msgConfirmed : d.msgAwaiting) + ": " +
      zonedLabel(data.start, data.branch && data.branch.time_zone, true));
    set("note", confirmed ? d.msgConfirmedNote : d.msgAwaitingNote);
    set("person", data.person_name);
    set("doctor", data.doctor_name);
    set("service", data.service_name);
    set("when", data.local_label.charAt(0).toUpperCase() + data.local_label.slice(1));
    set("branch", data.branch ? data.branch.name + ", " + data.branch.address : "");
    set("price", Number(data.price).toLocaleString("ru-RU") + " ₽");
    var map = done.querySelector("[data-done-map]");
    if (data.map_url) map.href = data.map_url; else map.remove();
    if (data.preparation) {
      done.querySelector("[data-done-preparation]").hidden = false;
      set("preparation-text", data.preparation);
    }
    done.querySelector("[data-done-calendar]").href = data.calendar_url;
    done.querySelector("[data-done-manage]").href = data.manage_url;
    this.status.parentNode.insertBefore(fragment, this.status);
    this.section.querySelector("[data-done]").focus();
  };

  Booking.prototype.upgradeWaitlist = function () {
    var self = this;
    var form = this.section.querySelector("[data-waitlist-form]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!self.consentGiven(form)) return;
      var body = {
        doctor: self.doctor, last_name: form.last_name.value.trim(),
        first_name: form.first_name.value.trim(), phone: normalPhone(form.phone.value),
        consent: form.consent.checked,
      };
      if (self.service) body.service = self.service;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      self.call("waitlist/", body).then(function (answer) {
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
      if (section.dataset.upgraded) return;
      section.dataset.upgraded = "1";
      var booking = new Booking(section);
      booking.upgradeWaitlist();
      booking.upgradeList();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
