// Time ticks and labels shared by the time views. Times are ms since the epoch, shown in UTC
// (the kit's timestamps are UTC, or the exchange's naive local time for LOBSTER). Pure, no DOM.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Round tick steps in ms, from a microsecond to a week. */
export const TIME_STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
];

/**
 * The smallest round step giving at most `count` ticks over [t0, t1] (ms).
 * @param {number} t0
 * @param {number} t1
 * @param {number} count
 */
export function timeStep(t0, t1, count) {
  const span = Math.abs(t1 - t0);
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  const want = span / Math.max(1, count);
  for (const s of TIME_STEPS) if (s >= want) return s;
  return Math.ceil(want / DAY) * DAY;
}

/**
 * Tick times (ms) on multiples of a round step inside [t0, t1].
 * @param {number} t0
 * @param {number} t1
 * @param {number} count wanted number of ticks (at most)
 * @returns {{ ticks: number[], step: number }}
 */
export function timeTicks(t0, t1, count = 6) {
  if (t0 > t1) [t0, t1] = [t1, t0];
  const step = timeStep(t0, t1, count);
  if (step === 0) return { ticks: Number.isFinite(t0) ? [t0] : [], step: 0 };
  const out = [];
  const first = Math.ceil(t0 / step - 1e-9);
  const last = Math.floor(t1 / step + 1e-9);
  for (let i = first; i <= last && out.length < 1000; i++) out.push(i * step);
  return { ticks: out, step };
}

const pad = (n, w = 2) => String(Math.floor(n)).padStart(w, "0");

/**
 * Clock text of `t` (ms since the epoch, UTC) to the precision a tick step needs:
 * "14:30", "14:30:05", "14:30:05.250", "14:30:05.250125".
 * @param {number} t
 * @param {number} step ms (0: full precision, to the ms)
 */
export function formatClock(t, step = 0) {
  if (!Number.isFinite(t)) return "–";
  const d = new Date(Math.floor(t));
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (step >= MINUTE) return hm;
  const hms = `${hm}:${pad(d.getUTCSeconds())}`;
  if (step >= SECOND) return hms;
  const millis = `${hms}.${pad(d.getUTCMilliseconds(), 3)}`;
  if (step >= 1 || step === 0) return millis;
  const micros = Math.round((t - Math.floor(t)) * 1000) % 1000;
  return `${millis}${pad(micros, 3)}`;
}

/**
 * Date and time for read-outs: "2012-06-21 10:30:05.250".
 * @param {number} t ms since the epoch
 */
export function formatDateTime(t) {
  if (!Number.isFinite(t)) return "–";
  const d = new Date(Math.floor(t));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${formatClock(t, 0)}`;
}

/**
 * A duration in words for labels: 0.25 ms -> "250 µs", 1500 -> "1.5 s", 90000 -> "1.5 min".
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "–";
  const a = Math.abs(ms);
  const fmt = (v) => String(Number(v.toPrecision(3)));
  if (a < 1) return `${fmt(ms * 1000)} µs`;
  if (a < SECOND) return `${fmt(ms)} ms`;
  if (a < MINUTE) return `${fmt(ms / SECOND)} s`;
  if (a < HOUR) return `${fmt(ms / MINUTE)} min`;
  if (a < DAY) return `${fmt(ms / HOUR)} h`;
  return `${fmt(ms / DAY)} d`;
}

/**
 * Draw a time axis: tick marks and labels under a plot spanning x in [left, right] at `y`.
 * @param {CanvasRenderingContext2D} ctx
 * @param {(t: number) => number} x time (ms) -> pixel
 * @param {number} t0
 * @param {number} t1
 * @param {number} left
 * @param {number} right
 * @param {number} y
 * @param {{ grid: string, muted: string, font: string }} theme
 * @param {number} [gridTop] draw vertical grid lines up to this y
 */
export function drawTimeAxis(ctx, x, t0, t1, left, right, y, theme, gridTop) {
  const { ticks, step } = timeTicks(t0, t1, Math.max(2, Math.floor((right - left) / 90)));
  ctx.save();
  ctx.font = `11px ${theme.font}`;
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.lineWidth = 1;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.beginPath();
  ctx.moveTo(left, y + 0.5);
  ctx.lineTo(right, y + 0.5);
  for (const t of ticks) {
    const px = Math.round(x(t)) + 0.5;
    if (px < left - 0.5 || px > right + 0.5) continue;
    ctx.moveTo(px, gridTop ?? y);
    ctx.lineTo(px, y + 4);
    // keep the label inside the canvas (a tick at the very edge would cut it in half)
    const label = formatClock(t, step);
    const half = ctx.measureText(label).width / 2;
    const canvasW = ctx.canvas ? ctx.canvas.width / (ctx.getTransform?.().a || 1) : Infinity;
    ctx.fillText(label, Math.max(half, Math.min(px, canvasW - half)), y + 6);
  }
  ctx.stroke();
  ctx.restore();
}
