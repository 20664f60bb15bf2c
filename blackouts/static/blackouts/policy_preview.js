// The blackout policy form's Preview: posts the form as it is (saved or not) to the admin's preview view and shows
// the answer (next windows, matching events) under the button. Nothing is saved.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  const button = document.getElementById("policy-preview-button");
  if (!button) {
    return;
  }
  const target = document.getElementById("policy-preview");
  button.addEventListener("click", function () {
    const form = button.closest("form");
    const body = new FormData(form);
    body.set("windows", document.getElementById("policy-preview-windows").value);
    target.setAttribute("aria-busy", "true");
    target.textContent = "Computing the preview…";
    fetch(button.dataset.url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function (error) { target.textContent = "The preview failed: " + error; })
      .finally(function () { target.removeAttribute("aria-busy"); });
  });
});
