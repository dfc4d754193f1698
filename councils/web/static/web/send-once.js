// A form is sent once per page. A second press while the first is on its way (a double click, an
// impatient press on a slow line) would do the thing twice: two motions tabled, or a signature refused
// as already given although the first went through. htmx forms are left to htmx, which cancels the
// browser's own sending; without JavaScript the server's refusals still hold.
(function () {
  "use strict";
  var sent = new WeakSet();
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.method !== "post") {
      return;
    }
    if (sent.has(form)) {
      event.preventDefault();
      return;
    }
    sent.add(form);
  });
  // A page brought back by the browser's Back button may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sent = new WeakSet();
    }
  });
})();
