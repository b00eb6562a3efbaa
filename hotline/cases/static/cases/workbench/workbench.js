/* The agent workbench: keyboard first. Enter moves to the next field (it never submits half a
   form), Alt+letter shortcuts, the category filter, the ID number check digit, citing a
   knowledge article, referral presets. Every handler is delegated from the document, so the
   parts htmx swaps in work without being set up again. */
(function () {
  "use strict";

  const messages = document.getElementById("wb-messages")?.dataset ?? {};
  const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const ID_CHECK = "10X98765432";
  const byId = (id) => document.getElementById(id);

  function debounce(run, wait) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => run(...args), wait);
    };
  }

  function visible(element) {
    return !element.disabled && !element.hidden && element.getClientRects().length > 0
      && element.tabIndex !== -1 && element.type !== "hidden";
  }

  /* The next field in tab order, as Tab would go: a radio group counts once (its checked one). */
  function focusNext(from) {
    const form = from.form || from.closest("form");
    if (!form) return;
    const fields = Array.from(form.querySelectorAll("input, select, textarea, button, a[href]"))
      .filter((element) => element.type === "radio" ? element.checked || !form.querySelector(`input[name="${element.name}"]:checked`) : true)
      .filter((element) => visible(element) || (element.classList.contains("btn-check") && !element.disabled));
    const here = fields.indexOf(from.type === "radio" ? (form.querySelector(`input[name="${from.name}"]:checked`) || from) : from);
    const next = fields[here + 1];
    if (next) next.focus();
  }

  /* --- the category picker: a filter over the taxonomy rendered once ------------------------ */

  function filterCategories(search) {
    const select = byId("id_category");
    if (!select) return;
    const terms = search.value.trim().toLowerCase().split(/[\s,，]+/).filter(Boolean);
    let first = null;
    let firstOwn = null;
    for (const group of select.querySelectorAll("optgroup")) {
      const groupWords = (group.dataset.words || "").toLowerCase();
      const groupHit = terms.length > 0 && terms.every((term) => groupWords.includes(term));
      let any = false;
      for (const option of group.querySelectorAll("option")) {
        const own = terms.length > 0 && terms.every((term) => (option.dataset.words || "").toLowerCase().includes(term));
        const show = terms.length === 0 || own || groupHit;
        option.hidden = !show;
        if (!show) continue;
        any = true;
        first = first || option;
        if (own) firstOwn = firstOwn || option;
      }
      group.hidden = !any;
    }
    const empty = document.querySelector("[data-testid=category-empty]");
    if (empty) empty.hidden = terms.length === 0 || first !== null;
    const pick = firstOwn || first;
    if (terms.length && pick && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
      pick.selected = true;
      categoryChosen();
    }
  }

  const categoryChosen = debounce(() => {
    if (window.htmx) htmx.trigger(document.body, "category-chosen");
  }, 250);

  /* --- the ID number: GB 11643 check digit, said at once --------------------------------- */

  function idNumberProblem(value) {
    const number = value.trim().toUpperCase();
    if (!number) return "";
    if (!/^[1-9]\d{16}[\dX]$/.test(number)) return messages.idLength || "";
    let total = 0;
    for (let i = 0; i < 17; i += 1) total += Number(number[i]) * ID_WEIGHTS[i];
    return ID_CHECK[total % 11] === number[17] ? "" : messages.idCheck || "";
  }

  function checkIdNumber(input, final) {
    const note = byId("id-number-check");
    if (!note) return;
    const value = input.value.trim();
    const problem = final || value.length >= 18 ? idNumberProblem(value) : "";
    note.textContent = problem;
    note.classList.toggle("d-block", problem !== "");
    input.classList.toggle("is-invalid", problem !== "");
  }

  /* --- duplicate hints: asked for a moment after the typing stops ------------------------ */

  const refreshHints = debounce(() => {
    const target = byId("duplicate-hints");
    // Saved meanwhile: the hints were for a form that is gone (they would list the saved case
    // as its own duplicate).
    if (target && byId("register-form") && window.htmx) htmx.trigger(target, "refresh-hints");
  }, 600);

  /* --- citing a knowledge article -------------------------------------------------------- */

  function cite(button) {
    const answer = document.querySelector("[name='resolve-answer']");
    if (answer) {
      const tab = byId("step-resolve-tab");
      if (tab && window.bootstrap) bootstrap.Tab.getOrCreateInstance(tab).show();
      answer.value = button.dataset.answer;
      const article = document.querySelector("[name='resolve-article']");
      if (article) article.value = button.dataset.article;
      const chip = document.querySelector("[data-testid=cited-article]");
      if (chip) {
        chip.querySelector(".wb-cited-title").textContent = button.dataset.title;
        chip.classList.remove("d-none");
      }
      answer.focus();
      return;
    }
    const pending = document.querySelector("#register-form [name='cite_article']");
    if (pending) {
      pending.value = button.dataset.article;
      const hint = byId("cited-hint");
      hint.textContent = `${messages.cited || ""}：${button.dataset.title} — ${messages.citeAfterSave || ""}`;
      hint.hidden = false;
    }
  }

  /* --- the keyboard ---------------------------------------------------------------------- */

  const SHORTCUTS = {
    KeyP: () => byId("id_phone")?.focus(),
    KeyC: () => byId("category-search")?.focus(),
    KeyK: () => byId("knowledge-q")?.focus(),
    KeyS: () => {
      const form = byId("register-form");
      if (form) form.requestSubmit(form.querySelector("[data-testid=save-accept]"));
    },
    KeyJ: () => {
      const form = byId("register-form");
      if (form) form.requestSubmit(form.querySelector("[data-testid=save-hold]"));
    },
    KeyN: () => document.querySelector("[data-testid=next-call]")?.click(),
  };

  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const digit = /^Digit([1-5])$/.exec(event.code);
      if (digit) {
        const tabs = document.querySelectorAll("[data-testid=steps] .nav-link");
        const tab = tabs[Number(digit[1]) - 1];
        if (tab && window.bootstrap) {
          event.preventDefault();
          bootstrap.Tab.getOrCreateInstance(tab).show();
          focusStep();
        }
        return;
      }
      const shortcut = SHORTCUTS[event.code];
      if (shortcut) {
        event.preventDefault();
        shortcut();
      }
      return;
    }
    if (event.key !== "Enter" || event.isComposing || event.shiftKey || event.ctrlKey) return;
    const target = event.target;
    if (target.id === "category-search") {
      event.preventDefault();
      const select = byId("id_category");
      const option = select && select.options[select.selectedIndex];
      if (option && !option.hidden) {
        categoryChosen();
        focusNext(select);
      }
      return;
    }
    if (target.id === "knowledge-q") {
      event.preventDefault();
      return;
    }
    const inForm = target.closest("#register-form, .wb-step-form");
    if (!inForm) return;
    if (target.matches("input:not([type=submit]):not([type=button]), select")) {
      event.preventDefault();
      focusNext(target);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.id === "category-search" && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const select = byId("id_category");
      const options = Array.from(select.options).filter((option) => !option.hidden);
      const here = options.indexOf(select.options[select.selectedIndex]);
      const next = options[Math.max(0, Math.min(options.length - 1, here + (event.key === "ArrowDown" ? 1 : -1)))];
      if (next) {
        next.selected = true;
        next.scrollIntoView({ block: "nearest" });
        categoryChosen();
      }
    }
  });

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target.id === "category-search") filterCategories(target);
    else if (target.id === "id_id_number") checkIdNumber(target, false);
    if (["id_description", "id_employer_name", "id_phone"].includes(target.id)) refreshHints();
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.id === "id_category") categoryChosen();
    if (target.classList.contains("wb-referral")) {
      const referral = document.querySelector("[name='decline-referral']");
      if (referral) {
        referral.value = target.dataset.text;
        referral.focus();
      }
    }
  });

  document.addEventListener("focusout", (event) => {
    if (event.target.id === "id_id_number") checkIdNumber(event.target, true);
  });

  document.addEventListener("click", (event) => {
    const citeButton = event.target.closest(".wb-cite");
    if (citeButton) {
      cite(citeButton);
      return;
    }
    if (event.target.closest(".wb-uncite")) {
      const article = document.querySelector("[name='resolve-article']");
      if (article) article.value = "";
      document.querySelector("[data-testid=cited-article]")?.classList.add("d-none");
      return;
    }
    const fill = event.target.closest(".wb-fill-name");
    if (fill) {
      const name = byId("id_worker_name");
      if (name) {
        name.value = fill.dataset.name;
        name.focus();
      }
    }
  });

  /* After htmx swaps the middle of the page, the keyboard goes where the agent works next. */
  function focusStep() {
    const pane = document.querySelector(".wb-step .tab-pane.active");
    const field = pane && pane.querySelector("textarea, select, input:not([type=hidden]):not([type=radio]), button[type=submit]");
    if (field) field.focus();
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "workbench-main" && event.detail.elt?.id !== "workbench-main") return;
    // The call is saved: its next step shows no duplicate hints (merging is a step there), as
    // the case's own workbench page does; a late answer then has nowhere to land.
    if (!byId("register-form")) byId("duplicate-hints")?.closest("section")?.remove();
    const invalid = document.querySelector("#workbench-main .is-invalid");
    if (invalid) {
      invalid.focus();
      return;
    }
    const finished = document.querySelector("#workbench-main [data-testid=finished]");
    if (finished) {
      document.querySelector("[data-testid=next-call]")?.focus();
      return;
    }
    focusStep();
  });

  document.addEventListener("shown.bs.tab", focusStep);
})();
