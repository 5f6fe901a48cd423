// The review page's behaviour: the player's tracks, the transcript that follows the video, and
// everything that seeks (transcript lines, cue pictures, chapters).
//
// The tracks are made from WebVTT text embedded in the page, as blob: URLs: a page opened from
// file:// loads no <track src="x.vtt"> cues in Chromium, and blob: tracks work from a static host too.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const video = document.getElementById("video");

  function addTrack(kind, label, text, mode) {
    const track = document.createElement("track");
    track.kind = kind;
    track.label = label;
    track.srclang = "ja";
    track.src = URL.createObjectURL(new Blob([text], { type: "text/vtt" }));
    video.appendChild(track);
    track.track.mode = mode;  // "hidden" still loads the cues (for the chapter list and the description box)
    return track;
  }
  // The captions are burned into the picture already: the track is there to switch on, for
  // assistive technology and for a player that shows the picture without them.
  addTrack("captions", "日本語", data.tracks.captions, "hidden");
  addTrack("chapters", "チャプター", data.tracks.chapters, "hidden");
  const descriptions = addTrack("descriptions", "アニメーションの説明", data.tracks.descriptions, "hidden");

  // The audio description, for a screen reader: the current cue's text in a live region.
  const described = document.getElementById("description");
  descriptions.track.addEventListener("cuechange", function () {
    const active = descriptions.track.activeCues;
    described.textContent = active && active.length ? active[0].text : "";
  });

  function seek(seconds) {
    video.currentTime = seconds;
  }
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
    const done = function () { copy.textContent = "コピーしました"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
