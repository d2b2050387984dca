// Quick exit: leaves for a neutral site and replaces this page in the history, so the Back
// button does not bring it back. Without script the link still leaves.
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a[data-quick-exit]');
  if (!link) return;
  event.preventDefault();
  window.location.replace(link.href);
});
