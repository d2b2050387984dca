// Saves a draft (an application, a self-assessment) a few seconds after the person stops typing, so a dropped
// connection or a closed laptop loses little. The form works without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var timer = null, busy = false, again = false, stopped = false;

  function save() {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.delete("intent");
    // The attachment's controls belong to this form too; a file goes only with its own button.
    body.delete("file");
    body.delete("label");
    fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (status && answer.message) status.textContent = answer.message;
        // After a conflict the person decides with the Save button; the script stops.
        // Records without a revision (a self-assessment) have no such field.
        if (!answer.saved) stopped = true;
        else if (revision && answer.revision !== null && answer.revision !== undefined) revision.value = answer.revision;
      });
    }).catch(function () {
      // Offline or server away: the next keystroke tries again.
    }).then(function () {
      busy = false;
      if (again) { again = false; schedule(); }
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  var resending = false;
  form.addEventListener("submit", function (event) {
    stopped = true;
    if (timer) clearTimeout(timer);
    // A save still on its way would move the revision after this form was sent, and the
    // submission would read as "changed meanwhile": wait for it, then send with its revision.
    if (resending || !busy || !form.requestSubmit || !event.submitter) return;
    event.preventDefault();
    var submitter = event.submitter;
    var wait = setInterval(function () {
      if (busy) return;
      clearInterval(wait);
      resending = true;
      form.requestSubmit(submitter);
    }, 100);
  });
})();
