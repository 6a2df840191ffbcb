/* Behaviour that the Content-Security-Policy forbids inline: confirmations and widths computed on the server. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.dataset.confirm || (event.submitter && event.submitter.dataset.confirm);
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

function applyWidths(root) {
  root.querySelectorAll("[data-width]").forEach(function (element) {
    element.style.width = element.dataset.width + "%";
  });
  root.querySelectorAll("[data-left]").forEach(function (element) {
    element.style.left = element.dataset.left + "%";
  });
}
document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
document.addEventListener("htmx:afterSwap", function (event) { applyWidths(event.target); });
