// After a failed submit: the error summary takes the focus (a screen reader reads it first)
// and lists each problem as a link to its field. Without this script the summary and the
// messages beside the fields are the same; only the links and the focus are missing.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  var fields = document.querySelectorAll(".has-error");
  var list = document.createElement("ul");
  fields.forEach(function (field, index) {
    var message = field.querySelector(".error");
    var control = field.querySelector("input:not([type=hidden]), select, textarea");
    if (!message || !control) return;
    if (!control.id) control.id = "error-field-" + index;
    var label = field.querySelector("label, legend");
    var name = "";
    if (label) {
      var copy = label.cloneNode(true);
      copy.querySelectorAll(".req").forEach(function (mark) { mark.remove(); });
      name = copy.textContent.trim();
    }
    var link = document.createElement("a");
    link.href = "#" + control.id;
    link.textContent = (name ? name + ": " : "") + message.textContent.trim();
    link.addEventListener("click", function (event) {
      event.preventDefault();
      control.focus();
      control.scrollIntoView({ block: "center" });
    });
    var item = document.createElement("li");
    item.appendChild(link);
    list.appendChild(item);
  });
  if (list.children.length) summary.appendChild(list);
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
})();
