// The period picker: a date inside the period, or a first and last day for a custom range.
(function () {
  function sync(form) {
    var period = form.querySelector("[name=period]");
    if (!period) return;
    var custom = period.value === "custom";
    form.querySelectorAll(".app-custom-range").forEach(function (el) { el.hidden = !custom; });
    form.querySelectorAll(".app-period-date").forEach(function (el) { el.hidden = custom; });
  }
  document.querySelectorAll("#figure-filters").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function () { sync(form); });
  });
})();
