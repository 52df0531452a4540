// DOM pieces of the Replay view: icon buttons, the speed menu and the scrubber drawing.

import { midColumns } from "../lib/overview.js";
import { linear } from "../lib/scales.js";
import { formatClock, timeTicks } from "../lib/timeaxis.js";
import { ROW_SPEEDS, TIME_SPEEDS, speedLabel } from "./replay_clock.js";

const SVG = "http://www.w3.org/2000/svg";
/** Material-style 24x24 icon paths. */
export const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zM14 5h4v14h-4z",
  back: "M6 6h2v12H6zm3.5 6 8.5 6V6z",
  forward: "M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z",
};

/**
 * A button with an SVG icon, an accessible label and a tooltip.
 * @param {HTMLElement} parent
 * @param {string} cls
 * @param {keyof typeof ICONS} icon
 * @param {string} label
 */
export function iconButton(parent, cls, icon, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `obi-replay-btn ${cls}`;
  b.setAttribute("aria-label", label);
  b.title = label;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[icon]);
  svg.appendChild(path);
  b.appendChild(svg);
  parent.appendChild(b);
  return b;
}

/**
 * Show `icon` on a button made by iconButton.
 * @param {HTMLButtonElement} b
 * @param {keyof typeof ICONS} icon
 * @param {string} label
 */
export function setIcon(b, icon, label) {
  const path = b.querySelector("path");
  if (path && path.getAttribute("d") !== ICONS[icon]) path.setAttribute("d", ICONS[icon]);
  b.setAttribute("aria-label", label);
  b.title = label;
}

/**
 * The speed menu: market-time multipliers and rows per second, values "time:1", "rows:100".
 * @param {HTMLElement} parent
 */
export function speedMenu(parent) {
  const select = document.createElement("select");
  select.className = "obi-replay-speed";
  select.setAttribute("aria-label", "playback speed");
  select.title = "playback speed: a multiple of market time, or book rows per second";
  for (const [mode, label, speeds] of /** @type {const} */ ([
    ["time", "market time", TIME_SPEEDS],
    ["rows", "rows per second", ROW_SPEEDS],
  ])) {
    const group = document.createElement("optgroup");
    group.label = label;
    for (const s of speeds) {
      const opt = document.createElement("option");
      opt.value = `${mode}:${s}`;
      opt.textContent = speedLabel(mode, s);
      group.appendChild(opt);
    }
    select.appendChild(group);
  }
  parent.appendChild(select);
  return select;
}

/**
 * Select `mode:speed` in the menu, adding an option when Python set a speed not in the presets.
 * @param {HTMLSelectElement} select
 * @param {"time" | "rows"} mode
 * @param {number} speed
 */
export function showSpeed(select, mode, speed) {
  const value = `${mode}:${speed}`;
  if (![...select.options].some((o) => o.value === value)) {
    const group = select.querySelectorAll("optgroup")[mode === "rows" ? 1 : 0];
    const opt = document.createElement("option");
    opt.value = value;
    opt.textContent = speedLabel(mode, speed);
    group.appendChild(opt);
  }
  select.value = value;
}

/**
 * The scrubber: the mid over the whole book (min/max per pixel column, the played part in the
 * accent colour) and clock-time labels under it.
 * @param {CanvasRenderingContext2D} ctx
 * @param {import("../lib/source.js").Source} source
 * @param {{ width: number, height: number, inset: number, now: number }} box
 * @param {import("../lib/theme.js").Theme} theme
 */
export function drawScrubber(ctx, source, box, theme) {
  const { width, height, inset, now } = box;
  const left = inset, right = Math.max(inset + 1, width - inset);
  const top = 3, bottom = Math.max(top + 4, height - 15);
  ctx.clearRect(0, 0, width, height);
  const m = midColumns(source, left, right);
  const { t0, t1, x, cols, lo, hi } = m;
  let { min, max } = m;
  ctx.save();
  ctx.fillStyle = theme.dark ? "rgba(255, 255, 255, 0.05)" : "rgba(0, 0, 0, 0.04)";
  ctx.fillRect(left, top, right - left, bottom - top);
  const cut = x(now);
  if (Number.isFinite(min)) {
    if (max === min) {
      max += 0.5;
      min -= 0.5;
    }
    const y = linear([min, max], [bottom - 2, top + 2]);
    for (const played of [true, false]) {
      ctx.strokeStyle = played ? theme.accent : theme.muted;
      ctx.globalAlpha = played ? 0.9 : 0.55;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i < cols; i++) {
        const px = left + i + 0.5;
        if (!Number.isFinite(lo[i]) || px <= cut !== played) continue;
        ctx.moveTo(px, y(lo[i]) + 0.5);
        ctx.lineTo(px, y(hi[i]) - 0.5);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }
  const { ticks, step } = timeTicks(t0, t1, Math.max(1, Math.floor((right - left) / 80)));
  ctx.font = `10px ${theme.font}`;
  ctx.fillStyle = theme.muted;
  ctx.strokeStyle = theme.grid;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.beginPath();
  for (const t of ticks) {
    const px = Math.round(x(t)) + 0.5;
    if (px < left - 0.5 || px > right + 0.5) continue;
    ctx.moveTo(px, bottom);
    ctx.lineTo(px, bottom + 3);
    const w = ctx.measureText(formatClock(t, step)).width;
    if (px - w / 2 >= 0 && px + w / 2 <= width) ctx.fillText(formatClock(t, step), px, bottom + 4);
  }
  ctx.stroke();
  ctx.restore();
}
