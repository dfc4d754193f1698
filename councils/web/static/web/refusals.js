// A refused htmx request (a form sent without a page load: ask to speak, cast a vote) says why.
// The server answers a refusal with its status (403, 409, 422) and a message retargeted at the
// page's #refusal region (HX-Retarget); htmx swaps no 4xx answer by itself, so this lets that one
// through. A later request that succeeds clears the message.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget") === "#refusal") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var region = document.getElementById("refusal");
    if (region && xhr && xhr.status < 400 && event.detail.requestConfig.verb !== "get") {
      region.replaceChildren();
    }
  });
})();
