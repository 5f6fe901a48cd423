// The review page's behaviour: the player's tracks, the transcript that follows the video, and
// everything that seeks (transcript lines, cue pictures, chapters).
//
// The tracks are made from WebVTT text embedded in the page, as blob: URLs: a page opened from
// file:// loads no <track src="x.vtt"> cues in Chromium, and blob: tracks work from a static host too.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const ui = data.labels;  // the page's words in the video's language
  const video = document.getElementById("video");

  function addTrack(kind, label, text, mode, srclang) {
    const track = document.createElement("track");
    track.kind = kind;
    track.label = label;
    track.srclang = srclang || data.language;
    track.src = URL.createObjectURL(new Blob([text], { type: "text/vtt" }));
    video.appendChild(track);
    track.track.mode = mode;  // "hidden" still loads the cues (for the chapter list and the description box)
    return track;
  }
  // The captions are burned into the picture already: the track is there to switch on, for
  // assistive technology and for a player that shows the picture without them.
  addTrack("captions", ui.captions, data.tracks.captions, "hidden");
  // The English captions (as the MP4's English subtitle track), to switch on in the player.
  if (data.tracks.english_captions) {
    addTrack("subtitles", "English", data.tracks.english_captions, "hidden", "en");
  }
  addTrack("chapters", ui.chapters, data.tracks.chapters, "hidden");
  const descriptions = addTrack("descriptions", ui.descriptions, data.tracks.descriptions, "hidden");

  // The audio description, for a screen reader: the current cue's text in a live region.
  const described = document.getElementById("description");
  descriptions.track.addEventListener("cuechange", function () {
    const active = descriptions.track.activeCues;
    described.textContent = active && active.length ? active[0].text : "";
  });

  function seek(seconds) {
    video.currentTime = seconds;
  }

  // The player's own controls, under the picture: the browser's draw over the bottom of the video
  // whenever it is paused, which is where the burned-in subtitles are that a reviewer stops to read.
  // (Without JavaScript the browser's controls stay.)
  const controls = document.getElementById("controls");
  const play = document.getElementById("play");
  const bar = document.getElementById("seek");
  const clock = document.getElementById("clock");
  const mute = document.getElementById("mute");
  video.controls = false;
  controls.hidden = false;
  function clockText(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function toggle() {
    if (video.paused || video.ended) video.play(); else video.pause();
  }
  function show() {
    play.textContent = video.paused ? ui.play : ui.pause;
    mute.textContent = video.muted ? ui.unmute : ui.mute;
    if (isFinite(video.duration)) bar.max = video.duration;
    bar.value = video.currentTime;
    clock.textContent = clockText(video.currentTime) + " / " + clockText(isFinite(video.duration) ? video.duration : bar.max);
  }
  ["play", "pause", "timeupdate", "seeked", "loadedmetadata", "volumechange", "ended"].forEach(function (name) {
    video.addEventListener(name, show);
  });
  play.addEventListener("click", toggle);
  video.addEventListener("click", toggle);
  bar.addEventListener("input", function () { seek(parseFloat(bar.value)); });
  mute.addEventListener("click", function () { video.muted = !video.muted; });
  document.getElementById("fullscreen").addEventListener("click", function () {
    const screen = document.getElementById("screen");
    if (document.fullscreenElement) document.exitFullscreen(); else if (screen.requestFullscreen) screen.requestFullscreen();
  });
  video.addEventListener("keydown", function (event) {
    const keys = { " ": 0, "k": 0, "ArrowLeft": -5, "ArrowRight": 5 };
    if (!(event.key in keys)) return;
    event.preventDefault();
    if (keys[event.key] === 0) toggle(); else seek(Math.min(Math.max(0, video.currentTime + keys[event.key]), video.duration || 0));
  });
  show();
  document.querySelectorAll("[data-start]").forEach(function (element) {
    element.addEventListener("click", function (event) {
      event.preventDefault();
      seek(parseFloat(element.dataset.start));
    });
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        seek(parseFloat(element.dataset.start));
      }
    });
  });

  // The line being spoken: the last line that has started (lines follow each other, so one search).
  const transcript = document.getElementById("transcript-lines");
  const lines = Array.from(document.querySelectorAll("#transcript-lines .line"));
  const starts = lines.map(function (line) { return parseFloat(line.dataset.start); });
  let current = null;
  function follow() {
    const t = video.currentTime;
    let index = -1;
    for (let i = 0; i < starts.length && starts[i] <= t + 1e-3; i++) index = i;
    const line = index >= 0 && t < parseFloat(lines[index].dataset.end) ? lines[index] : null;
    if (line === current) return;
    if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
    current = line;
    if (!line) return;
    line.classList.add("current");
    line.setAttribute("aria-current", "true");
    const top = line.offsetTop - transcript.offsetTop;  // keep it in view without scrolling the page
    if (top < transcript.scrollTop || top + line.offsetHeight > transcript.scrollTop + transcript.clientHeight) {
      transcript.scrollTop = Math.max(0, top - transcript.clientHeight / 3);
    }
  }
  ["timeupdate", "seeked", "seeking", "loadedmetadata"].forEach(function (name) {
    video.addEventListener(name, follow);
  });

  const copy = document.getElementById("copy-chapters");
  copy.addEventListener("click", function () {
    const text = document.getElementById("youtube-chapters");
    text.select();
    const done = function () { copy.textContent = ui.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
