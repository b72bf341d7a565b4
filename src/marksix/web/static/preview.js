// Live preview on the settings page: the reply the bot would write, as you type.
(function () {
  "use strict";
  const script = document.currentScript;
  const url = script.dataset.url;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const input = document.getElementById("preview-comment");
  const output = document.getElementById("preview-reply");
  const meta = document.getElementById("preview-meta");
  const form = document.getElementById("settings-form");
  let timer = null;
  let sequence = 0;

  async function refresh() {
    const mine = ++sequence;
    const comment = input.value.trim();
    if (!comment) { output.textContent = ""; meta.textContent = ""; return; }
    const settings = new FormData(form);
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token, Accept: "application/json" },
      body: JSON.stringify({ comment: comment, language: settings.get("language") }),
    });
    if (mine !== sequence) return; // a newer keystroke already asked
    const data = await response.json();
    if (!response.ok) { output.textContent = data.detail || ("HTTP " + response.status); return; }
    meta.textContent = [data.intent, data.language, data.path].filter(Boolean).join(" · ");
    output.textContent = data.reply === null ? "(" + (data.reason || "ignored") + ")" : data.reply;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  form.addEventListener("change", function () { if (input.value.trim()) refresh(); });
})();
