// Replay view: a media control bar that plays the book through the shared cursor. Play / pause,
// step one row, a speed menu (multiples of market time, or rows per second), a scrubber over the
// whole book labelled with clock times, and the current time and row. It runs in the browser (an
// animation-frame loop), so linked views replay without a kernel; the cursor is set on the shared
// model every frame (which moves the other views) and saved to the kernel at most SAVES_PER_S times
// a second. Python side: obi_widgets/views/replay.py.

import { fitCanvas, observeWidth, perFrame } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { reportWidth, saveChanges } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { sourceOf } from "../lib/source.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import { formatClock, formatDateTime } from "../lib/timeaxis.js";
import { EchoFilter, PlayClock, Throttle, speedLabel } from "./replay_clock.js";
import { drawScrubber, iconButton, setIcon, showSpeed, speedMenu } from "./replay_dom.js";

const SAVES_PER_S = 20;
const THUMB = 7; // half the slider thumb's width: the scrubber's drawing inset

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const source = await sourceOf(model);
  const shared = source.model;
  const d = new Disposer();
  const root = createRoot(el, "replay", model);
  root.setAttribute("aria-label", "replay controls: space plays or pauses, arrow keys step one row");
  const bar = child(root, "div", "obi-replay-bar");
  const buttons = child(bar, "div", "obi-replay-buttons");
  const back = iconButton(buttons, "obi-replay-back", "back", "step back one row (←)");
  const play = iconButton(buttons, "obi-replay-play", "play", "play (space)");
  const forward = iconButton(buttons, "obi-replay-forward", "forward", "step forward one row (→)");
  const speedSelect = speedMenu(bar);
  const scrub = child(bar, "div", "obi-replay-scrub");
  const canvas = child(scrub, "canvas", "obi-replay-track");
  const slider = child(scrub, "input", "obi-replay-slider");
  slider.type = "range";
  slider.min = "0";
  slider.step = "any";
  slider.setAttribute("aria-label", "time in the book");
  // a live source: follow the newest row (pressed) or hold the views still
  const liveBtn = child(bar, "button", "obi-replay-live", "● LIVE");
  liveBtn.type = "button";
  liveBtn.hidden = true;
  liveBtn.title = "live: the views follow the newest row; press to hold them still (or to follow again)";
  const readout = child(bar, "div", "obi-replay-readout");
  const timeEl = child(readout, "div", "obi-replay-time");
  const rowEl = child(readout, "div", "obi-replay-row");

  const clock = new PlayClock(source);
  const throttle = new Throttle(1000 / SAVES_PER_S);
  const echoes = new EchoFilter();
  let theme = readTheme(root);
  let width = Math.floor(scrub.clientWidth) || 300;
  let playing = false;
  let raf = 0;
  let lastTs = 0;
  let dirty = false; // cursor set locally but not yet saved to the kernel
  let shown = source.cursor; // the row this view last put on the shared model

  const modeOf = () => (model.get("mode") === "rows" ? "rows" : "time");
  const speedOf = () => {
    const s = Number(model.get("speed"));
    return s > 0 && Number.isFinite(s) ? s : 1;
  };

  function save() {
    if (!dirty) return;
    dirty = false;
    echoes.saved(source.cursor, performance.now());
    saveChanges(shared);
  }

  /** Put `row` on the shared model (the other views follow at once); save when `now`. */
  function moveTo(row, now) {
    const v = Math.max(0, Math.min(source.rows - 1, Math.round(row)));
    shown = v;
    if (v !== source.cursor) {
      shared.set("cursor", v);
      dirty = true;
    }
    if (now) save();
  }

  function tick(/** @type {number} */ ts) {
    raf = 0;
    if (!playing) return;
    const dt = lastTs ? ts - lastTs : 0;
    lastTs = ts;
    clock.mode = modeOf();
    clock.speed = speedOf();
    moveTo(clock.advance(dt), throttle.due(ts));
    if (clock.atEnd) {
      setPlaying(false);
      return;
    }
    raf = requestAnimationFrame(tick);
  }

  /** Start or stop the loop; `sync`: tell the kernel (not when the change came from it). */
  function setPlaying(on, sync = true) {
    if (on && source.rows < 2) on = false;
    if (on === playing) {
      if (sync && model.get("playing") !== on) {
        model.set("playing", on);
        saveChanges(model, shared);
      }
      return;
    }
    playing = on;
    if (on) {
      if (source.cursor >= source.rows - 1) moveTo(0, true); // at the end: play from the start
      clock.anchor(source.cursor);
      lastTs = 0;
      throttle.reset();
      raf = requestAnimationFrame(tick);
    } else {
      if (raf) cancelAnimationFrame(raf);
      raf = 0;
      save(); // the kernel gets the row we stopped on
    }
    if (sync && model.get("playing") !== on) {
      model.set("playing", on);
      saveChanges(model, shared);
    }
    draw();
  }

  function step(/** @type {number} */ n) {
    setPlaying(false);
    source.setCursor(source.cursor + n);
    shown = source.cursor;
  }

  const draw = perFrame(() => {
    theme = readTheme(root);
    const [t0, t1] = source.extent;
    const now = source.cursorTime;
    const exact = (shared.get("_cursor_at") || [])[0] === source.cursor;
    const h = Math.max(28, Math.min(80, Number(model.get("height")) - 12));
    const ctx = fitCanvas(canvas, width, h);
    drawScrubber(ctx, source, { width, height: h, inset: THUMB, now }, theme);
    slider.style.height = `${Math.max(8, h - 15)}px`;
    slider.max = String(Math.max(0, t1 - t0));
    if (document.activeElement !== slider || playing) slider.value = String(Math.max(0, now - t0));
    slider.style.setProperty("--obi-progress", `${t1 > t0 ? (100 * (now - t0)) / (t1 - t0) : 0}%`);
    setIcon(play, playing ? "pause" : "play", playing ? "pause (space)" : "play (space)");
    play.classList.toggle("obi-playing", playing);
    root.classList.toggle("obi-playing", playing);
    timeEl.textContent = `${exact ? "" : "≈ "}${formatClock(now)}`;
    timeEl.title = formatDateTime(now);
    rowEl.textContent = `row ${source.cursor} / ${Math.max(0, source.rows - 1)}  ·  ${speedLabel(modeOf(), speedOf())}`;
    back.disabled = source.cursor <= 0;
    forward.disabled = source.cursor >= source.rows - 1;
    markPainted(root, source.cursor);
  }, "replay");
  d.add(() => draw.cancel());
  d.add(() => {
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
    playing = false;
  });

  d.on(shared, "change:cursor", () => {
    const cur = source.cursor;
    if (playing && cur !== shown) {
      if (echoes.isEcho(cur, performance.now())) {
        // the kernel's echo of one of our earlier saves: keep the row we are playing
        shared.set("cursor", shown);
        dirty = true;
        return;
      }
      clock.anchor(cur); // moved elsewhere (a click in another view): play on from there
    }
    shown = cur;
    draw();
  });
  d.on(shared, "change:_cursor_at", () => draw());
  const showLive = () => {
    const live = !!source.meta.live;
    const following = live && !!shared.get("follow");
    if (liveBtn.hidden !== !live) liveBtn.hidden = !live;
    liveBtn.setAttribute("aria-pressed", String(following));
    liveBtn.textContent = following ? "● LIVE" : "❚❚ held";
  };
  d.listen(liveBtn, "click", () => {
    shared.set("follow", !shared.get("follow"));
    saveChanges(shared);
    showLive();
  });
  d.on(shared, "change:follow change:_meta", () => showLive());
  showLive();
  d.on(shared, "change:_axis change:_track change:_meta", () => {
    source.refresh();
    draw();
  });
  d.on(model, "change:playing", () => setPlaying(Boolean(model.get("playing")), false));
  d.on(model, "change:speed change:mode", () => {
    showSpeed(speedSelect, modeOf(), speedOf());
    if (playing) clock.anchor(source.cursor);
    draw();
  });
  d.on(model, "change:height", () => draw());

  d.listen(play, "click", () => setPlaying(!playing));
  d.listen(back, "click", () => step(-1));
  d.listen(forward, "click", () => step(1));
  d.listen(speedSelect, "change", () => {
    const [mode, speed] = speedSelect.value.split(":");
    model.set("mode", mode);
    model.set("speed", Number(speed));
    saveChanges(model, shared);
  });
  d.listen(slider, "input", () => {
    clock.seek(source.extent[0] + Number(slider.value));
    moveTo(clock.row, throttle.due(performance.now()));
    if (playing) clock.anchor(clock.row);
    draw();
  });
  d.listen(slider, "change", () => save());
  d.listen(root, "keydown", (e) => {
    if (e.target === speedSelect) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -source.rows, End: source.rows };
    if (e.key === " " || e.key === "k") {
      e.preventDefault();
      setPlaying(!playing);
    } else if (e.key in moves) {
      e.preventDefault();
      step(moves[e.key]);
    }
  });
  // a focused button would also "click" on the space key's release
  d.listen(root, "keyup", (e) => e.key === " " && e.preventDefault());

  d.add(observeWidth(scrub, (w) => {
    width = w;
    draw();
  }));
  d.add(reportWidth(root, model, shared, () => {}));
  d.add(watchTheme(() => draw()));
  showSpeed(speedSelect, modeOf(), speedOf());
  if (model.get("playing")) setPlaying(true, false);
  draw();

  return () => {
    const wasPlaying = playing;
    d.dispose();
    if (wasPlaying) save();
    root.remove();
  };
}

export default { render: viewRender(render) };
