// The price axis on the right of a plot (heatmap, footprint): its strip, rule, ticks and labels.

/**
 * @typedef {{ top: number, bottom: number, right: number }} AxisBox
 * @typedef {{ bg: string, grid: string, muted: string, font: string }} AxisTheme
 */

/**
 * Draw the price axis right of `box.right`: the strip cleared to the background, the rule, a
 * tick and label at each `[y, text]` (CSS px), labels clear of the top (where `unit`, unless it is
 * the placeholder "price", is written) and of the bottom edge.
 * @param {CanvasRenderingContext2D} ctx
 * @param {AxisBox} box
 * @param {number} width canvas width (CSS px)
 * @param {[number, string][]} labels
 * @param {string} unit
 * @param {AxisTheme} theme
 */
export function drawRightAxis(ctx, box, width, labels, unit, theme) {
  const named = !!unit && unit !== "price";
  ctx.save();
  ctx.fillStyle = theme.bg;
  ctx.fillRect(box.right, 0, width - box.right, box.bottom + 1);
  ctx.font = `11px ${theme.font}`;
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.beginPath();
  ctx.moveTo(box.right + 0.5, box.top);
  ctx.lineTo(box.right + 0.5, box.bottom);
  const top = box.top + (named ? 18 : 6);
  for (const [yRaw, text] of labels) {
    const y = Math.round(yRaw) + 0.5;
    if (y < top || y > box.bottom - 2) continue;
    ctx.moveTo(box.right, y);
    ctx.lineTo(box.right + 4, y);
    ctx.fillText(text, box.right + 7, y);
  }
  ctx.stroke();
  if (named) {
    ctx.textBaseline = "top";
    ctx.fillText(unit, box.right + 7, box.top);
  }
  ctx.restore();
}
