// The timeframe editor: shows the rows that the chosen recurrence and end use (without script, every row shows
// and the server ignores the unused ones). No framework.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".timeframe-editor").forEach(function (editor) {
    const prefix = editor.dataset.prefix;
    const recurrence = editor.querySelector("[name='" + prefix + "_recurrence']");
    function chosenEnd() {
      const checked = editor.querySelector("[name='" + prefix + "_ends']:checked");
      return checked ? checked.value : "never";
    }
    function update() {
      const shown = new Set([recurrence.value]);
      if (recurrence.value !== "oneTime") {
        shown.add(chosenEnd());
      }
      editor.querySelectorAll("[data-when]").forEach(function (row) {
        const wanted = row.dataset.when.split(" ");
        row.classList.toggle("tf-hidden", !wanted.some(function (w) { return shown.has(w); }));
      });
    }
    editor.addEventListener("change", update);
    update();
  });
});
