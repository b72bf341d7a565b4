// The sandbox post: send a comment to the simulated Instagram and poll for the
// bot's reply. Plain fetch + setTimeout; nothing loads from outside this server.
(function () {
  "use strict";
  const post = document.getElementById("post");
  const api = post.dataset.api;
  const list = document.getElementById("comments");
  const form = document.getElementById("comment-form");
  const username = document.getElementById("comment-username");
  const text = document.getElementById("comment-text");
  const pending = new Map(); // comment id -> its <li>
  let account = null;
  let polling = false;

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function addComment(id, name, body) {
    const item = element("li", "comment");
    item.dataset.commentId = id;
    const line = element("p");
    line.append(element("b", null, "@" + name), " ", body);
    item.append(line);
    const waiting = element("p", "reply waiting", post.dataset.waiting);
    item.append(waiting);
    list.append(item);
    pending.set(String(id), { item: item, since: Date.now() });
    return item;
  }

  function showReply(entry, reply) {
    const waiting = entry.item.querySelector(".reply.waiting");
    const bubble = element("div", "reply");
    bubble.dataset.replyId = reply.reply_id;
    const who = element("b", null, "@" + (account ? account.username : "bot"));
    const body = element("span", "reply-text", reply.text);
    bubble.append(who, " ", body);
    if (waiting) waiting.replaceWith(bubble); else entry.item.append(bubble);
  }

  // A comment that will get no reply (a cooldown, a cap, a blocked account) says why.
  async function explain(id, entry) {
    const response = await fetch(post.dataset.status + encodeURIComponent(id), {
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    const status = await response.json();
    if ((status.state === "skipped" || status.state === "failed") && pending.has(id)) {
      const waiting = entry.item.querySelector(".reply.waiting");
      if (waiting) {
        waiting.textContent = post.dataset.noReplyBecause + " " + (status.reason || status.state);
        waiting.classList.add("skipped");
      }
      pending.delete(id);
    }
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      while (pending.size > 0) {
        const response = await fetch(api + "/replies", { headers: { Accept: "application/json" } });
        if (response.ok) {
          const replies = await response.json();
          for (const reply of replies) {
            const entry = pending.get(String(reply.comment_id));
            if (entry) {
              showReply(entry, reply);
              pending.delete(String(reply.comment_id));
            }
          }
        }
        for (const [id, entry] of pending) {
          if (Date.now() - entry.since > 1500 && !entry.checking) {
            entry.checking = true;
            explain(id, entry).finally(() => { entry.checking = false; });
          }
          if (Date.now() - entry.since > 15000) {
            const waiting = entry.item.querySelector(".reply.waiting");
            if (waiting) waiting.textContent = post.dataset.noReply;
            pending.delete(id);
          }
        }
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      polling = false;
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const name = username.value.trim().replace(/^@/, "");
    const body = text.value.trim();
    if (!name || !body) return;
    const button = document.getElementById("comment-submit");
    button.disabled = true;
    try {
      const response = await fetch(api + "/comments", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ username: name, text: body }),
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const created = await response.json();
      addComment(created.id, name, body);
      text.value = "";
      poll();
    } catch (problem) {
      const item = element("li", "comment error", String(problem));
      list.append(item);
    } finally {
      button.disabled = false;
      text.focus();
    }
  });

  fetch(api + "/account", { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (!data) return;
      account = data;
      document.getElementById("account-name").textContent = "@" + data.username;
    });
})();

// The draw control: the simulated HKJC draws; the results poller brings it in.
(() => {
  const button = document.getElementById("run-draw");
  const output = document.getElementById("draw-result");
  if (!button || !output) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch("/sandbox/api/draw", { method: "POST", headers: { Accept: "application/json" } });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || response.statusText);
      const numbers = data.numbers.map((n) => String(n).padStart(2, "0")).join(" ");
      output.textContent = data.draw_id + ": " + numbers + " + " + String(data.extra).padStart(2, "0");
    } catch (problem) {
      output.textContent = String(problem);
    } finally {
      button.disabled = false;
    }
  });
})();
