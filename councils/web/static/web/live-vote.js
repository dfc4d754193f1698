// Live tally (named votes) or turnout (secret votes) of the open vote on a motion's page;
// the page works without it. The counts change on screen as they come; a screen reader hears them
// whole, and at most every few seconds, since in a vote of thousands they change all the time.
// An officer told to wait for the closing time gets the page again, with its close button, once
// the last vote is in.
(function () {
  "use strict";

  const QUIET_MS = 10000;

  function start() {
    const box = document.getElementById("vote-box");
    if (!box || !window.EventSource || !box.dataset.live) return;
    const source = new EventSource(box.dataset.live);
    let told = 0;
    let telling = null;

    // The vote box is replaced when the reader votes: look its parts up each time.
    function tell() {
      telling = null;
      told = Date.now();
      const tally = document.getElementById("tally");
      const summary = document.getElementById("tally-summary");
      if (tally && summary) summary.textContent = tally.textContent.replace(/\s+/g, " ").trim();
    }

    function update(event) {
      const data = JSON.parse(event.data);
      ["yes", "no", "abstain", "turnout"].forEach(function (key) {
        const el = document.querySelector('#vote-box [data-count="' + key + '"]');
        if (el && data[key] !== undefined && data[key] !== null) el.textContent = data[key];
      });
      if (telling === null) telling = setTimeout(tell, Math.max(0, told + QUIET_MS - Date.now()));
      // The officer waiting to close is offered the close once everyone entitled has voted.
      const wait = document.getElementById("vote-close-wait");
      if (wait && data.turnout !== undefined && data.turnout !== null &&
          Number(data.turnout) >= Number(wait.dataset.electorate)) {
        source.close();
        window.location.reload();
      }
    }
    source.addEventListener("tally", update);
    source.addEventListener("turnout", update);
    source.addEventListener("closed", function () { source.close(); window.location.reload(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
