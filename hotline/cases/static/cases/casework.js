// Opens the action form named in the address (#action-reply), e.g. from an inbox link; on a
// phone, brings the chosen work tab into sight (the tab bar scrolls sideways).
(function () {
  function openFromHash() {
    if (!location.hash || !location.hash.startsWith("#action-")) return;
    var panel = document.getElementById(location.hash.slice(1));
    if (!panel || !window.bootstrap) return;
    bootstrap.Collapse.getOrCreateInstance(panel, { toggle: false }).show();
    var button = document.querySelector('[data-bs-target="' + location.hash + '"]');
    if (button) button.classList.remove("collapsed");
    panel.scrollIntoView({ block: "center" });
  }
  function showChosenTab() {
    document.querySelectorAll(".app-tabs").forEach(function (bar) {
      var chosen = bar.querySelector(".btn-check:checked + .app-tab, .app-tab.active");
      if (!chosen || bar.scrollWidth <= bar.clientWidth) return;
      var left = chosen.getBoundingClientRect().left - bar.getBoundingClientRect().left;
      bar.scrollLeft += left - (bar.clientWidth - chosen.offsetWidth) / 2;
    });
  }
  document.addEventListener("DOMContentLoaded", openFromHash);
  document.addEventListener("DOMContentLoaded", showChosenTab);
  window.addEventListener("hashchange", openFromHash);
})();
