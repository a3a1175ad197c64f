// Refreshes each [data-poll-seconds] element with htmx ("poll" is its hx-trigger) every so many seconds
// while the tab is visible. htmx's own "every 3s [document.visibilityState == 'visible']" would need
// eval, which the Content-Security-Policy forbids; a swapped-in element starts counting afresh.
setInterval(function () {
  if (document.visibilityState !== "visible" || !window.htmx) { return; }
  document.querySelectorAll("[data-poll-seconds]").forEach(function (element) {
    var waited = parseInt(element.dataset.pollWaited || "0", 10) + 1;
    if (waited >= parseInt(element.dataset.pollSeconds, 10)) {
      waited = 0;
      window.htmx.trigger(element, "poll");
    }
    element.dataset.pollWaited = String(waited);
  });
}, 1000);
