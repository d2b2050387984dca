// Irreversible actions ask first. Without this script the server answers the first post with
// a confirmation page; with it, the same confirmation (fetched from the server, so the words
// and the rules are the server's) opens in a dialog over the page the person is on.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || typeof HTMLDialogElement !== "function") return;

  function open(form, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var confirmForm = doc.querySelector("form.confirm-form");
    var title = doc.querySelector("#confirm-title");
    if (!confirmForm || !title) return false;
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var heading = document.createElement("h2");
    heading.id = "confirm-dialog-title";
    heading.textContent = title.textContent;
    confirmForm.removeAttribute("aria-labelledby");
    dialog.appendChild(heading);
    var imported = document.importNode(confirmForm, true);
    // The page under the dialog may use the same ids (a reason field): give the dialog's own.
    imported.querySelectorAll("[id]").forEach(function (element) { element.id = "confirm-" + element.id; });
    imported.querySelectorAll("label[for]").forEach(function (label) { label.htmlFor = "confirm-" + label.htmlFor; });
    imported.querySelectorAll("[aria-describedby]").forEach(function (element) {
      element.setAttribute("aria-describedby", element.getAttribute("aria-describedby").split(" ").map(function (id) { return "confirm-" + id; }).join(" "));
    });
    dialog.appendChild(imported);
    document.body.appendChild(dialog);
    var cancel = dialog.querySelector("[data-cancel]");
    if (cancel) cancel.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); form.querySelector("[type=submit]").focus(); });
    dialog.showModal();
    var first = dialog.querySelector("select, textarea, input:not([type=hidden])");
    if (first) first.focus();
    return true;
  }

  function fallBack(form) {
    form.removeAttribute("data-confirm");
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    // Some forms ask only for some answers (a check asks when an item fails).
    var only = form.getAttribute("data-confirm");
    if (only && !form.querySelector(only)) return;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (response) {
      // The action needed no confirmation and is done (a check that passed): follow it.
      if (response.redirected) { window.location.assign(response.url); return; }
      return response.text().then(function (html) {
        // Anything but a confirmation (a refusal, an error): post as without script, so the
        // server's own page answers (the first post only asks; it changes nothing).
        if (!open(form, html)) fallBack(form);
      });
    }).catch(function () { fallBack(form); });
  });
})();
