// Opens the action form named in the address (#action-reply), e.g. from an inbox link.
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
  document.addEventListener("DOMContentLoaded", openFromHash);
  window.addEventListener("hashchange", openFromHash);
})();
