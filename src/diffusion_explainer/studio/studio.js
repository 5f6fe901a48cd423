// The studio's page: live state from the server (Server-Sent Events), the preview player that
// reloads itself and plays from the first changed moment, and the editable transcript.
"use strict";

const token = document.querySelector('meta[name="studio-token"]').content;
const player = document.getElementById("player");
let shownVersion = 0;
let state = JSON.parse(document.getElementById("initial-state").textContent);
window.studioPlaying = null; // {version, wall, at}: when the last loaded preview started playing (tests, timings)

function clock(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}.${Math.floor((ms % 1000) / 100)}`;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function showState(next) {
  state = next;
  document.body.dataset.status = state.status;
  document.getElementById("status").textContent = state.status;
  showProblems(state.problems);
  if (!document.querySelector(".beat textarea")) showTranscript(state.scenes); // never under an open editor
  showPreview(state.preview);
}

function showProblems(problems) {
  const box = document.getElementById("problems");
  const list = document.getElementById("problem-list");
  list.replaceChildren(...problems.map((p) => el("li", {},
    el("span", { class: "at" }, p.where || ""), p.where ? " " : "",
    p.field ? el("b", {}, p.field + ": ") : "", p.message)));
  box.hidden = problems.length === 0;
}

function showPreview(preview) {
  if (!preview) return;
  document.getElementById("why").textContent =
    `preview ${preview.version}: ${preview.why}; plays from ${clock(preview.start_ms)} ` +
    `(saved to video in ${preview.render_s} s, ${preview.jobs} job${preview.jobs === 1 ? "" : "s"})`;
  if (preview.version === shownVersion) return;
  shownVersion = preview.version;
  const version = preview.version;
  player.src = `/build/${preview.video}?v=${version}`;
  player.addEventListener("loadedmetadata", () => {
    player.currentTime = preview.start_ms / 1000;
    player.play().catch(() => { player.muted = true; return player.play(); }).catch(() => {});
  }, { once: true });
  player.addEventListener("playing", () => {
    if (shownVersion !== version) return;
    document.body.dataset.previewVersion = String(version);
    window.studioPlaying = { version, wall: Date.now(), at: player.currentTime };
  }, { once: true });
}

function showTranscript(scenes) {
  const root = document.getElementById("scenes");
  root.replaceChildren(...scenes.map((scene) => el("div", { class: "scene" },
    el("h3", {}, `Scene ${String(scene.number).padStart(2, "0")} ${scene.title}`),
    ...scene.beats.map((beat) => beatRow(scene, beat)))));
}

function beatRow(scene, beat) {
  const time = el("span", { class: "time", title: "play from here", onclick: () => seek(beat.start_ms) },
                  beat.start_ms == null ? "" : clock(beat.start_ms));
  const src = el("span", { class: "src" }, `:${beat.line}`);
  if (beat.kind === "cue") {
    return el("div", { class: "beat cue", dataset: { scene: scene.id, cue: beat.id } }, time,
              el("span", { class: "who" }, "cue"), el("span", { class: "body" }, `${beat.id}: ${beat.animation} `, src));
  }
  const body = el("span", { class: "body" }, el("span", { class: "text" }, beat.text));
  if (beat.say) body.append(el("div", { class: "say" }, `say: ${beat.say}`));
  body.append(" ", src);
  const row = el("div", { class: "beat line", dataset: { scene: scene.id, line: beat.id } }, time,
                 el("span", { class: "who", style: `color: ${scene.colors[beat.speaker] || "inherit"}` }, beat.speaker),
                 body);
  body.addEventListener("click", () => openEditor(row, scene, beat, body), { once: true });
  return row;
}

function seek(ms) {
  if (ms == null || !player.src) return;
  player.currentTime = ms / 1000;
  player.play().catch(() => {});
}

function openEditor(row, scene, beat, body) {
  const text = el("textarea", { class: "edit-text", rows: Math.max(1, beat.text.split("\n").length) });
  text.value = beat.text;
  const say = el("textarea", { class: "edit-say", rows: 1, placeholder: "say: the reading, where the text has symbols" });
  say.value = beat.say;
  const error = el("div", { class: "error" });
  const save = el("button", { class: "save", type: "button" }, "Save");
  const cancel = el("button", { class: "cancel", type: "button" }, "Cancel");
  const editor = el("span", { class: "body" }, text, say, save, " ", cancel, error);
  body.replaceWith(editor);
  text.focus();
  const close = () => showTranscript(state.scenes);
  cancel.addEventListener("click", close);
  const submit = async () => {
    save.disabled = true;
    error.textContent = "";
    const response = await fetch("/api/line", {
      method: "POST", headers: { "Content-Type": "application/json", "X-Studio-Token": token },
      body: JSON.stringify({ scene: scene.id, line: beat.id, was: beat.text, text: text.value, say: say.value }),
    });
    const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (response.ok) {
      close();
      row.classList.add("changed");
      return;
    }
    save.disabled = false;
    error.textContent = answer.error;
    if (answer.stale) setTimeout(close, 1500);
  };
  save.addEventListener("click", submit);
  for (const box of [text, say]) {
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
      if (event.key === "Escape") close();
    });
  }
}

function appendLog(line) {
  const log = document.getElementById("log");
  log.textContent = (log.textContent + line + "\n").split("\n").slice(-200).join("\n");
  log.scrollTop = log.scrollHeight;
}

showState(state);
const events = new EventSource("/events");
events.addEventListener("state", (event) => showState(JSON.parse(event.data)));
events.addEventListener("log", (event) => appendLog(JSON.parse(event.data).line));
