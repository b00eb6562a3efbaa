/* The worker's pages, a little smoother: each helper is optional and the pages work without it. */
(function () {
  "use strict";

  // The county list shows the counties of the chosen prefecture only.
  document.querySelectorAll("select[data-county]").forEach(function (prefecture) {
    var county = document.getElementById(prefecture.dataset.county);
    if (!county) return;
    var groups = Array.prototype.slice.call(county.querySelectorAll("optgroup"));
    function show() {
      var chosen = county.value;
      groups.forEach(function (group) { group.remove(); });
      groups.forEach(function (group) {
        if (group.dataset.parent === prefecture.value) county.appendChild(group);
      });
      county.value = county.querySelector('option[value="' + chosen + '"]') ? chosen : "";
      county.disabled = !prefecture.value;
    }
    prefecture.addEventListener("change", show);
    show();
  });

  // An anonymous report has no name: hide the name field while the box is ticked.
  document.querySelectorAll("input[data-hides]").forEach(function (box) {
    var target = document.getElementById(box.dataset.hides);
    if (!target) return;
    function toggle() { target.hidden = box.checked; }
    box.addEventListener("change", toggle);
    toggle();
  });

  // How much of the description is used.
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var counter = document.getElementById(area.dataset.counter);
    var max = area.getAttribute("maxlength");
    function update() { counter.textContent = area.value.length + " / " + max; }
    area.addEventListener("input", update);
    update();
  });

  // The chosen photos, by name; more than allowed are refused at once.
  document.querySelectorAll("input[type=file][data-max]").forEach(function (input) {
    var list = document.getElementById(input.dataset.list);
    input.addEventListener("change", function () {
      list.textContent = "";
      if (input.files.length > Number(input.dataset.max)) {
        input.value = "";
        var warning = document.createElement("li");
        warning.className = "ss-error";
        warning.textContent = input.dataset.tooMany;
        list.appendChild(warning);
        return;
      }
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        var icon = document.createElement("i");
        icon.className = "bi bi-image";
        icon.setAttribute("aria-hidden", "true");
        item.appendChild(icon);
        item.appendChild(document.createTextNode(" " + file.name));
        list.appendChild(item);
      });
    });
  });

  // One tap sends once: the button waits while the page loads (the server ignores repeats too).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) return;
      window.setTimeout(function () {
        button.disabled = true;
        if (button.dataset.busy) button.lastChild.textContent = button.dataset.busy;
      }, 0);
    });
  });

  // Back to a sent form (the browser's page cache): the button works again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-once] button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });

  // Copy the case number.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.querySelector("span");
    var original = label.textContent;
    function say(text) {
      label.textContent = text;
      window.setTimeout(function () { label.textContent = original; }, 2500);
    }
    function fallback() {
      var field = document.createElement("textarea");
      field.value = button.dataset.copy;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      field.remove();
      say(copied ? button.dataset.done : button.dataset.failed);
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(button.dataset.copy).then(
          function () { say(button.dataset.done); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
