// Keeps a page current from its live stream (the element with data-live, whose value is the
// stream's address): each part that names the events it shows (data-live-on) is fetched again by
// htmx when one of them arrives, through a "live-refresh" event its hx-trigger listens for; the
// events named by data-live-reload (a meeting opening, an election closing) reload the whole page.
// A reload never wipes a form someone is filling in: while a form on the page differs from what it
// was loaded with, the page shows instead the notice whose data-live-notice names the event. Without
// EventSource, or while the stream is down, the parts are fetched every 30 seconds instead.
// A part that changes all the time (an election's turnout) is read out by screen readers through
// its summary, a live region marked data-live-summary with the part's id, told at most every ten
// seconds. The page works without any of this: a reload shows everything.
(function () {
  "use strict";

  const FALLBACK_MS = 30000;
  // A burst of events makes one fetch per part. At a congress thousands of delegates follow the
  // same page: each waits a little more at random, so their fetches are spread over a second.
  const SETTLE_MS = 250;
  const SPREAD_MS = 750;
  const QUIET_MS = 10000;

  function words(value) {
    return (value || "").split(/\s+/).filter(Boolean);
  }

  function list(items) {
    return Array.prototype.slice.call(items);
  }

  // Whether a field holds something other than what the page was loaded with.
  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      const options = list(field.options);
      const marked = options.some(function (o) { return o.defaultSelected; });
      // With no option marked selected, a single select starts on its first option.
      return options.some(function (o, i) {
        return o.selected !== (marked ? o.defaultSelected : !field.multiple && i === 0);
      });
    }
    if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type !== "hidden")) {
      return field.value !== field.defaultValue;
    }
    return false;
  }

  function filling() {
    return list(document.forms).some(function (form) { return list(form.elements).some(changed); });
  }

  function start() {
    const root = document.querySelector("[data-live]");
    if (!root) return;
    const reloads = words(root.dataset.liveReload);
    const due = new Set();
    let timer = null;
    let polling = null;

    function parts() {
      return list(document.querySelectorAll("[data-live-on]"));
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

    // Say what happened instead of reloading; the latest event's notice replaces an earlier one.
    function tell(type) {
      const notices = list(document.querySelectorAll("[data-live-notice]"));
      const notice = notices.find(function (n) { return words(n.dataset.liveNotice).indexOf(type) >= 0; });
      if (!notice) return;
      notices.forEach(function (n) { n.hidden = n !== notice; });
    }

    // Tell the summary what its part says now: at once the first time, then at most every QUIET_MS,
    // always the latest. The part is looked up each time, since htmx replaces it.
    function summarise(summary) {
      if (summary.dataset.liveTelling) return;
      summary.dataset.liveTelling = "1";
      const told = Number(summary.dataset.liveTold || 0);
      setTimeout(function () {
        delete summary.dataset.liveTelling;
        const part = document.getElementById(summary.dataset.liveSummary);
        if (!part) return;
        const text = [summary.dataset.liveLabel, part.textContent.replace(/\s+/g, " ").trim()].join(" ").trim();
        if (text === summary.textContent) return;
        summary.dataset.liveTold = String(Date.now());
        summary.textContent = text;
      }, Math.max(0, told + QUIET_MS - Date.now()));
    }

    document.addEventListener("htmx:afterSettle", function () {
      list(document.querySelectorAll("[data-live-summary]")).forEach(summarise);
    });

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
        setTimeout(function () {
          if (filling()) {
            tell(type);
            return;
          }
          source.close();
          window.location.reload();
        }, Math.random() * SPREAD_MS);
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
