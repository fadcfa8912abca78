// MlAspire dashboard: periodic refresh of server-rendered fragments, replica actions, live console (SSE).
"use strict";

function refreshLoop(container) {
  const url = container.dataset.refresh;
  setInterval(async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) container.innerHTML = await response.text();
    } catch { /* the AppHost may be stopping; try again later */ }
  }, 2000);
}

async function act(button) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/replicas/${encodeURIComponent(button.dataset.replica)}/${button.dataset.action}`,
      { method: "POST", credentials: "same-origin" });
    if (!response.ok) alert(await response.text());
  } finally {
    button.disabled = false;
  }
  const container = document.getElementById("resources");
  if (container) {
    const response = await fetch(container.dataset.refresh, { credentials: "same-origin" });
    if (response.ok) container.innerHTML = await response.text();
  }
}

function console_(pre) {
  const filter = document.getElementById("console-filter");
  const status = document.getElementById("console-status");
  const matches = (text) => !filter.value || text.toLowerCase().includes(filter.value.toLowerCase());
  const source = new EventSource(pre.dataset.stream);
  source.onopen = () => { status.textContent = "live"; };
  source.onerror = () => { status.textContent = "disconnected, retrying…"; };
  source.onmessage = (event) => {
    const line = JSON.parse(event.data);
    const span = document.createElement("span");
    span.textContent = line.x + "\n";
    if (line.e) span.className = "stderr";
    if (!matches(line.x)) span.classList.add("hidden");
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20;
    pre.appendChild(span);
    while (pre.childNodes.length > 5000) pre.removeChild(pre.firstChild);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };
  filter.addEventListener("input", () => {
    for (const span of pre.children) span.classList.toggle("hidden", !matches(span.textContent));
  });
  document.getElementById("replica").addEventListener("change", (event) => {
    location.search = "?replica=" + encodeURIComponent(event.target.value);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const container = document.querySelector("[data-refresh]");
  if (container) refreshLoop(container);
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) act(button);
  });
  const pre = document.getElementById("console");
  if (pre && pre.dataset.stream) console_(pre);
  const form = document.getElementById("console-form");
  if (form) form.addEventListener("submit", (event) => event.preventDefault());
});
