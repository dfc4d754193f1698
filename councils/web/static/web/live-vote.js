// Live tally (named votes) or turnout (secret votes) of the open vote on a motion's page;
// the page works without it.
(function () {
  "use strict";

  function start() {
    const box = document.getElementById("vote-box");
    if (!box || !window.EventSource || !box.dataset.live) return;
    const source = new EventSource(box.dataset.live);
    function update(event) {
      const data = JSON.parse(event.data);
      ["yes", "no", "abstain", "turnout"].forEach(function (key) {
        const el = document.querySelector('#vote-box [data-count="' + key + '"]');
        if (el && data[key] !== undefined && data[key] !== null) el.textContent = data[key];
      });
    }
    source.addEventListener("tally", update);
    source.addEventListener("turnout", update);
    source.addEventListener("closed", function () { source.close(); window.location.reload(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
