// Keeps a meeting's page current from its live stream (the element with data-live): each part
// that names the events it shows (data-live-on) is fetched again by htmx when one of them
// arrives, through a "live-refresh" event its hx-trigger listens for; the events named by
// data-live-reload (the meeting opening or closing) reload the whole page. Without
// EventSource, or while the stream is down, the parts are fetched every 30 seconds instead.
// The page works without any of this: a reload shows everything.
(function () {
  "use strict";

  const FALLBACK_MS = 30000;
  // A burst of events makes one fetch per part. At a congress thousands of delegates follow the
  // same page: each waits a little more at random, so their fetches are spread over a second.
  const SETTLE_MS = 250;
  const SPREAD_MS = 750;

  function words(value) {
    return (value || "").split(/\s+/).filter(Boolean);
  }

  function start() {
    const root = document.querySelector("[data-live]");
    if (!root) return;
    const reloads = words(root.dataset.liveReload);
    const due = new Set();
    let timer = null;
    let polling = null;

    function parts() {
      return Array.prototype.slice.call(document.querySelectorAll("[data-live-on]"));
    }

    function flush() {
      timer = null;
      if (document.hidden) return; // refreshed once the page is seen again
      const all = due.has("*");
      parts().forEach(function (part) {
        if (all || words(part.dataset.liveOn).some(function (type) { return due.has(type); })) {
          part.dispatchEvent(new CustomEvent("live-refresh"));
        }
      });
      due.clear();
    }

    function refresh(type) {
      due.add(type);
      if (timer === null) timer = setTimeout(flush, SETTLE_MS + Math.random() * SPREAD_MS);
    }

    function poll() {
      if (polling === null) polling = setInterval(function () { refresh("*"); }, FALLBACK_MS);
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && due.size && timer === null) flush();
    });

    if (!window.EventSource || !root.dataset.live) {
      poll();
      return;
    }
    const source = new EventSource(root.dataset.live);
    const types = new Set();
    parts().forEach(function (part) { words(part.dataset.liveOn).forEach(function (t) { types.add(t); }); });
    types.forEach(function (type) {
      source.addEventListener(type, function () { refresh(type); });
    });
    reloads.forEach(function (type) {
      source.addEventListener(type, function () {
        source.close();
        setTimeout(function () { window.location.reload(); }, Math.random() * SPREAD_MS);
      });
    });
    // The browser reconnects by itself after a network error, but not after a refusal; until the
    // stream is back, poll. Events missed meanwhile are made up for by one fetch of every part.
    source.addEventListener("error", poll);
    source.addEventListener("open", function () {
      if (polling === null) return;
      clearInterval(polling);
      polling = null;
      refresh("*");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
