// A formset field's "Add another" button (core/admin_formsets.py): a copy of the empty row, numbered, and the
// management form's TOTAL_FORMS counted up. No framework.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".formset-field").forEach(function (field) {
    const prefix = field.dataset.prefix;
    const total = field.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const template = field.querySelector("template.formset-empty");
    const rows = field.querySelector(".formset-rows");
    field.querySelector(".formset-add").addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__n__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  });
});
