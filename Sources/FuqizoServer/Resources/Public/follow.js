// A list that follows another field: the municipalities of the chosen region. Without this
// script every group shows, headed by its region.
(function () {
  "use strict";
  document.querySelectorAll("select[data-follows]").forEach(function (select) {
    var leader = select.form && select.form.querySelector("[name='" + select.getAttribute("data-follows") + "']");
    if (!leader) return;
    function follow() {
      var chosen = leader.value;
      select.querySelectorAll("optgroup[data-group]").forEach(function (group) {
        var value = group.getAttribute("data-group");
        var shown = !chosen || value === "" || value === chosen;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var current = select.selectedOptions[0];
      if (current && current.parentElement.disabled) select.value = "";
    }
    leader.addEventListener("change", follow);
    follow();
  });
})();
