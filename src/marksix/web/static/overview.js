// Keeps the overview's queue figures fresh without reloading the page.
(function () {
  "use strict";
  const url = document.currentScript.dataset.url;
  const depth = document.getElementById("queue-depth");
  const handled = document.getElementById("throughput");
  const latency = document.getElementById("latency");

  async function refresh() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (!data.connected) return;
      depth.textContent = data.queue_depth;
      handled.textContent = data.handled_last_hour;
      if (latency && data.latency_p50 !== null) latency.textContent = Math.round(data.latency_p50 * 1000) + " ms";
      for (const [state, count] of Object.entries(data.states)) {
        const cell = document.querySelector('#state-counts [data-state="' + state + '"]');
        if (cell) cell.textContent = count;
      }
    } catch (problem) {
      // A restart or a dropped connection: try again on the next tick.
    }
  }
  setInterval(refresh, 5000);
})();
