// Order-book sandbox view: a clickable price ladder (each queue drawn as its orders in time
// priority, the user's highlighted), market-order and step/run controls, read-outs, the last
// change in words, the last market order's fills, and a sparkline of imbalance and mid. Every
// action is a message to Python, where the book lives (obi_widgets/views/order_book_sandbox.py);
// this file only draws what Python sends. Pure helpers: order_book_sandbox_layout.js.

import { decode } from "../lib/buffers.js";
import { fitCanvas } from "../lib/canvas.js";
import { child, createRoot, markPainted, viewRender } from "../lib/dom.js";
import { reportWidth, saveChanges } from "../lib/live_save.js";
import { Disposer } from "../lib/model.js";
import { readTheme, watchTheme } from "../lib/theme.js";
import {
  extent, formatPrice, formatQty, imbalancePercent, ladderRows, maxSize, rowOfPrice, signed, ticksFromMid,
} from "./order_book_sandbox_layout.js";

/** Milliseconds without an answer after which the view says the kernel is not answering. */
const NO_KERNEL_MS = 4000;
/** Pause between two auto-run step messages, in ms (the next waits for the previous answer too). */
const RUN_INTERVAL_MS = 250;
const SPARK_H = 64;

/** @typedef {import("./order_book_sandbox_layout.js").LadderRow} LadderRow */

/**
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {string} className
 * @param {string} [title]
 */
function button(parent, text, className, title) {
  const b = child(parent, "button", `obi-btn ${className}`, text);
  b.type = "button";
  if (title) b.title = title;
  return b;
}

/**
 * @param {HTMLElement} parent
 * @param {string} label
 * @param {string} className
 * @param {number} value
 */
function numberBox(parent, label, className, value) {
  const wrap = child(parent, "label", `obi-field ${className}`);
  child(wrap, "span", "obi-field-label", label);
  const input = child(wrap, "input", "obi-input");
  input.type = "number";
  input.min = "0";
  input.step = "any";
  input.value = String(value);
  return input;
}

/** @param {{ model: import("@anywidget/types").AnyModel, el: HTMLElement }} props */
async function render({ model, el }) {
  const m = /** @type {any} */ (model);
  const d = new Disposer();
  const root = createRoot(el, "order-book-sandbox", model);
  const header = child(root, "div", "obi-header");
  child(header, "span", "obi-title", "Order-book sandbox");
  const scenarioSel = child(header, "select", "obi-scenario");
  scenarioSel.title = "Load a scenario (starts over)";
  const eventsEl = child(header, "span", "obi-stat obi-events");
  const description = child(root, "div", "obi-description");

  const controls = child(root, "div", "obi-controls");
  const sizeIn = numberBox(controls, "size", "obi-size", m.get("order_size"));
  const venueSel = child(controls, "select", "obi-venue");
  venueSel.title = "Venue of the orders placed by clicking";
  const buyBtn = button(controls, "Market buy", "obi-market-buy", "Buy this size at market: sweeps the asks");
  const sellBtn = button(controls, "Market sell", "obi-market-sell", "Sell this size at market: sweeps the bids");
  const stepIn = numberBox(controls, "steps", "obi-steps", 10);
  const stepBtn = button(controls, "Step", "obi-step", "Let the simulated order flow act on the book");
  const runBtn = button(controls, "Run", "obi-run", "Step the market continuously (click again to pause)");
  const resetBtn = button(controls, "Reset", "obi-reset", "Start over");

  const change = child(root, "div", "obi-change");
  change.setAttribute("aria-live", "polite");
  const errorEl = child(root, "div", "obi-error");
  errorEl.setAttribute("role", "alert");
  const body = child(root, "div", "obi-body");
  const ladderBox = child(body, "div", "obi-ladder-box");
  const table = child(ladderBox, "table", "obi-sandbox-ladder");
  d.on(m, "change:venues", () => table.classList.toggle("obi-with-venues", (m.get("venues") || []).length > 0));
  table.classList.toggle("obi-with-venues", (m.get("venues") || []).length > 0);
  const head = child(child(table, "thead", ""), "tr", "");
  for (const [text, cls] of [["your bids", "obi-own-bid"], ["bid size", "obi-bid"], ["price", "obi-price"], ["ask size", "obi-ask"], ["your asks", "obi-own-ask"]]) {
    child(head, "th", cls, text);
  }
  const tbody = child(table, "tbody", "");
  const hint = child(ladderBox, "div", "obi-hint", "Click the bid side of a row to place a bid, the ask side to place an ask; click one of your orders (✕) to cancel it.");
  const side = child(body, "div", "obi-side");
  const readout = child(side, "div", "obi-readouts");
  const fillsBox = child(side, "div", "obi-fills");
  const sparkBox = child(side, "div", "obi-spark");
  child(sparkBox, "div", "obi-spark-title", "since the start: level-1 imbalance (bars) and mid (line)");
  const spark = child(sparkBox, "canvas", "obi-spark-canvas");
  const note = child(root, "div", "obi-note");
  note.hidden = true;

  let theme = readTheme(root);
  let seq = 0;
  /** @type {Map<number, ReturnType<typeof setTimeout>>} */
  const waiting = new Map();
  let running = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let runTimer = null;
  let stepInFlight = false;

  /**
   * Send an action to Python; `onAck` runs on its answer.
   * @param {Record<string, any>} msg
   * @param {(ok: boolean) => void} [onAck]
   */
  const act = (msg, onAck) => {
    seq += 1;
    const id = seq;
    waiting.set(id, setTimeout(() => {
      waiting.delete(id);
      note.hidden = false;
      note.textContent = "No answer from the kernel: the sandbox's controls need the notebook's running kernel (this page shows the last state).";
      if (running) stopRun();
      stepInFlight = false;
    }, NO_KERNEL_MS));
    if (onAck) acks.set(id, onAck);
    m.send({ ...msg, seq: id });
  };
  /** @type {Map<number, (ok: boolean) => void>} */
  const acks = new Map();
  /** @param {any} content */
  const onMessage = (content) => {
    if (!content || content.ack == null) return;
    const timer = waiting.get(content.ack);
    if (timer) clearTimeout(timer);
    waiting.delete(content.ack);
    note.hidden = true;
    const cb = acks.get(content.ack);
    acks.delete(content.ack);
    if (cb) cb(Boolean(content.ok));
  };
  m.on("msg:custom", onMessage);
  d.add(() => m.off("msg:custom", onMessage));
  d.add(() => {
    for (const t of waiting.values()) clearTimeout(t);
    waiting.clear();
    if (runTimer) clearTimeout(runTimer);
  });

  const size = () => Number(sizeIn.value);
  const venue = () => venueSel.value || null;

  const stopRun = () => {
    running = false;
    runBtn.textContent = "Run";
    runBtn.classList.remove("obi-active");
    if (runTimer) clearTimeout(runTimer);
    runTimer = null;
  };
  const runOnce = () => {
    if (!running || stepInFlight) return;
    stepInFlight = true;
    act({ action: "step", n: Math.max(1, Math.min(1000, Math.round(Number(stepIn.value) || 1))) }, (ok) => {
      stepInFlight = false;
      if (!ok) stopRun();
      if (running) runTimer = setTimeout(runOnce, RUN_INTERVAL_MS);
    });
  };

  d.listen(sizeIn, "change", () => {
    const v = size();
    if (v > 0) {
      m.set("order_size", v);
      saveChanges(m);
    }
  });
  d.listen(buyBtn, "click", () => act({ action: "market", side: "buy", size: size(), venue: venue() }));
  d.listen(sellBtn, "click", () => act({ action: "market", side: "sell", size: size(), venue: venue() }));
  d.listen(stepBtn, "click", () => act({ action: "step", n: Math.max(1, Math.min(1000, Math.round(Number(stepIn.value) || 1))) }));
  d.listen(runBtn, "click", () => {
    if (running) {
      stopRun();
      return;
    }
    running = true;
    runBtn.textContent = "Pause";
    runBtn.classList.add("obi-active");
    runOnce();
  });
  d.listen(resetBtn, "click", () => {
    stopRun();
    act({ action: "reset" });
  });
  d.listen(scenarioSel, "change", () => {
    stopRun();
    if (scenarioSel.value) act({ action: "load", name: scenarioSel.value });
  });
  d.listen(tbody, "click", (/** @type {MouseEvent} */ e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    const chip = target.closest("[data-order-id]");
    if (chip instanceof HTMLElement) {
      act({ action: "cancel", order_id: Number(chip.dataset.orderId) });
      return;
    }
    const cell = target.closest("td[data-side]");
    const row = target.closest("tr[data-price]");
    if (cell instanceof HTMLElement && row instanceof HTMLElement) {
      act({ action: "place", side: cell.dataset.side, price: Number(row.dataset.price), size: size(), venue: venue() });
    }
  });

  /** @type {LadderRow[]} */
  let rows = [];
  let meta = /** @type {any} */ ({});

  const drawScenarios = () => {
    const list = /** @type {{name: string, title: string, description: string, suggestion: string}[]} */ (m.get("scenarios") || []);
    const current = m.get("scenario") || "";
    scenarioSel.replaceChildren();
    const none = child(scenarioSel, "option", "", current ? "scenario…" : "(no scenario)");
    none.value = "";
    for (const s of list) {
      const o = child(scenarioSel, "option", "", s.title);
      o.value = s.name;
    }
    scenarioSel.value = current;
    const s = list.find((x) => x.name === current);
    description.textContent = s ? `${s.description} Try: ${s.suggestion}` : m.get("origin") || "";
  };

  const drawVenues = () => {
    const venues = /** @type {string[]} */ (m.get("venues") || []);
    venueSel.hidden = venues.length === 0;
    if (venueSel.options.length !== venues.length || [...venueSel.options].some((o, i) => o.value !== venues[i])) {
      venueSel.replaceChildren();
      for (const v of venues) {
        const o = child(venueSel, "option", "", `venue ${v}`);
        o.value = v;
      }
    }
  };

  /**
   * One side's bar: the queue's orders as segments in time priority (the user's highlighted).
   * @param {HTMLElement} cell
   * @param {import("./order_book_sandbox_layout.js").QueueOrder[]} queue
   * @param {number} total
   * @param {number} scale
   * @param {"bid" | "ask"} s
   * @param {number[]} venueSizes
   */
  const bar = (cell, queue, total, scale, s, venueSizes) => {
    const track = child(cell, "div", `obi-bar obi-bar-${s}`);
    const widthPct = Math.min(100, (100 * total) / scale);
    track.style.width = `${widthPct}%`;
    for (const o of queue) {
      const seg = child(track, "span", o.owner === "you" ? "obi-seg obi-seg-own" : "obi-seg");
      seg.style.flexGrow = String(o.size);
      seg.title = `order #${o.id} (${o.owner}): ${formatQty(o.size)}${o.owner === "you" ? " — yours" : ""}`;
    }
    const label = child(cell, "span", "obi-size-label", total > 0 ? formatQty(total) : "");
    if (venueSizes.length && total > 0) {
      label.title = venueSizes.map((v, j) => `${(meta.venues || [])[j]}: ${formatQty(v)}`).join(", ");
      label.textContent = `${formatQty(total)} (${venueSizes.map((v) => formatQty(v)).join(" + ")})`;
    }
  };

  /**
   * @param {HTMLElement} cell
   * @param {import("./order_book_sandbox_layout.js").QueueOrder[]} queue
   */
  const chips = (cell, queue) => {
    for (const o of queue) {
      if (o.owner !== "you") continue;
      const c = child(cell, "span", "obi-chip", `${formatQty(o.size)} ✕`);
      c.dataset.orderId = String(o.id);
      c.title = `your order #${o.id}: click to cancel`;
      c.setAttribute("role", "button");
    }
  };

  const drawLadder = () => {
    const frame = decode(m.get("_frame"));
    meta = frame.meta;
    rows = ladderRows(frame);
    const scale = maxSize(rows);
    const dec = meta.decimals ?? 2;
    // the mid is tagged only where it sits on a tick (an even spread); with an odd spread it lies
    // on the dashed line between the best ask's and the best bid's rows
    const midOnTick = meta.mid != null && Math.abs(meta.mid / meta.tick - Math.round(meta.mid / meta.tick)) < 1e-6;
    const midRow = midOnTick ? rowOfPrice(rows, meta.mid, meta.tick) : -1;
    const microRow = rowOfPrice(rows, meta.microprice, meta.tick);
    tbody.replaceChildren();
    rows.forEach((r, i) => {
      const tr = child(tbody, "tr", "obi-row");
      tr.dataset.price = String(r.price);
      if (r.isBestBid) tr.classList.add("obi-best-bid");
      if (r.isBestAsk) tr.classList.add("obi-best-ask");
      if (r.inSpread) tr.classList.add("obi-in-spread");
      const ownBid = child(tr, "td", "obi-own-bid");
      ownBid.dataset.side = "bid";
      chips(ownBid, r.bidQueue);
      const bid = child(tr, "td", "obi-bid");
      bid.dataset.side = "bid";
      bid.title = `place a bid of the size above at ${formatPrice(r.price, dec)}`;
      bar(bid, r.bidQueue, r.bid, scale, "bid", r.venueBid);
      const px = child(tr, "td", "obi-price", formatPrice(r.price, dec));
      if (i === midRow) child(px, "span", "obi-tag obi-tag-mid", "mid");
      if (i === microRow) {
        const tag = child(px, "span", "obi-tag obi-tag-micro", "μ");
        tag.title = `microprice ${formatPrice(meta.microprice, dec + 4)} (this is its nearest tick)`;
      }
      const ask = child(tr, "td", "obi-ask");
      ask.dataset.side = "ask";
      ask.title = `place an ask of the size above at ${formatPrice(r.price, dec)}`;
      bar(ask, r.askQueue, r.ask, scale, "ask", r.venueAsk);
      const ownAsk = child(tr, "td", "obi-own-ask");
      ownAsk.dataset.side = "ask";
      chips(ownAsk, r.askQueue);
    });
  };

  /**
   * @param {string} label
   * @param {string} value
   * @param {string} cls
   * @param {string} [title]
   */
  const line = (label, value, cls, title) => {
    const row = child(readout, "div", `obi-ro ${cls}`);
    child(row, "span", "obi-ro-key", label);
    const v = child(row, "span", "obi-ro-value", value);
    if (title) row.title = title;
    return v;
  };

  const drawReadouts = () => {
    const ro = /** @type {Record<string, any>} */ (m.get("readouts") || {});
    const dec = meta.decimals ?? 2;
    const tick = meta.tick || 0.01;
    readout.replaceChildren();
    for (const [label, key, cls, title] of [
      ["level-1 imbalance", "level1_imbalance", "obi-ro-l1", "(Qb − Qa) / (Qb + Qa) at the best quotes"],
      [`depth imbalance (${ro.depth_levels ?? 5} levels)`, "depth_imbalance", "obi-ro-depth", "(ΣQb − ΣQa) / (ΣQb + ΣQa) over the levels"],
    ]) {
      const v = line(label, signed(ro[key], 3), cls, title);
      const meter = child(v, "span", "obi-meter");
      const dot = child(meter, "span", "obi-meter-dot");
      dot.style.left = `${imbalancePercent(ro[key])}%`;
    }
    line("OFI last event", signed(ro.ofi_last, 0), "obi-ro-ofi", "Cont–Kukanov–Stoikov e_n of the last event");
    line("OFI cumulative", signed(ro.ofi_cumulative, 0), "obi-ro-ofi-cum", "Σ e_n since the start");
    line("best bid / ask", `${formatPrice(ro.best_bid, dec)} / ${formatPrice(ro.best_ask, dec)}`, "obi-ro-quote");
    line("spread", ro.spread == null ? "–" : `${formatPrice(ro.spread, dec)} (${Math.round(ro.spread / tick)} tick${Math.round(ro.spread / tick) === 1 ? "" : "s"})`, "obi-ro-spread");
    line("mid", formatPrice(ro.mid, dec + 1), "obi-ro-mid");
    line("weighted mid", `${formatPrice(ro.weighted_mid, dec + 2)} (${ticksFromMid(ro.weighted_mid, ro.mid, tick)})`, "obi-ro-wmid", "(Pb·Qa + Pa·Qb) / (Qb + Qa)");
    line("microprice", ro.microprice == null ? "– (outside the fitted model: spread or empty side)" : `${formatPrice(ro.microprice, dec + 2)} (${ticksFromMid(ro.microprice, ro.mid, tick)})`, "obi-ro-micro", "Stoikov (2018): mid + g(imbalance, spread), g fitted on a simulated market with this tick");
    const ref = formatQty(ro.reference_size);
    line(`sweep cost, buy ${ref}`, ro.sweep_cost_buy == null ? "–" : `${ro.sweep_cost_buy.toFixed(1)} bps`, "obi-ro-sweep-buy", "average price of a market buy of this size, beyond the mid, in basis points");
    line(`sweep cost, sell ${ref}`, ro.sweep_cost_sell == null ? "–" : `${ro.sweep_cost_sell.toFixed(1)} bps`, "obi-ro-sweep-sell");
  };

  const drawFills = () => {
    const ex = /** @type {Record<string, any>} */ (m.get("execution") || {});
    fillsBox.replaceChildren();
    if (!ex.side) {
      fillsBox.hidden = true;
      return;
    }
    fillsBox.hidden = false;
    const dec = meta.decimals ?? 2;
    child(fillsBox, "div", "obi-fills-title", `Last market ${ex.side}: ${formatQty(ex.filled)} of ${formatQty(ex.requested)} filled${ex.unfilled > 0 ? `, ${formatQty(ex.unfilled)} found no liquidity` : ""}`);
    const list = child(fillsBox, "table", "obi-fills-table");
    for (const [price, sz, owner, venue] of ex.fills || []) {
      const tr = child(list, "tr", "obi-fill");
      child(tr, "td", "", formatQty(sz));
      child(tr, "td", "", `@ ${formatPrice(price, dec)}`);
      child(tr, "td", "obi-fill-owner", `${owner === "you" ? "your order" : owner}${venue ? ` (${venue})` : ""}`);
    }
    child(fillsBox, "div", "obi-fills-summary",
      `average ${formatPrice(ex.avg_price, dec + 2)}, slippage ${signed(ex.slippage, dec + 2)} (${signed(ex.slippage_bps, 1)} bps) vs the touch ${formatPrice(ex.touch_before, dec)}, impact on the mid ${signed(ex.impact, dec + 1)}`);
  };

  let sparkWidth = 0;
  const drawSpark = () => {
    const w = Math.max(60, sparkWidth || side.clientWidth || 260);
    const ctx = fitCanvas(spark, w, SPARK_H);
    ctx.clearRect(0, 0, w, SPARK_H);
    const tl = decode(m.get("_timeline"));
    const l1 = tl.arrays.l1;
    const mid = tl.arrays.mid;
    if (!l1 || !l1.length) return;
    const n = l1.length;
    const x = (/** @type {number} */ i) => (n === 1 ? w / 2 : (i * (w - 2)) / (n - 1) + 1);
    const zero = SPARK_H / 2;
    ctx.strokeStyle = theme.grid;
    ctx.beginPath();
    ctx.moveTo(0, zero + 0.5);
    ctx.lineTo(w, zero + 0.5);
    ctx.stroke();
    const bw = Math.max(1, (w - 2) / n);
    for (let i = 0; i < n; i++) {
      const v = l1[i];
      if (!Number.isFinite(v)) continue;
      ctx.fillStyle = v >= 0 ? theme.bidFill : theme.askFill;
      const h = (v * (SPARK_H - 4)) / 2;
      ctx.fillRect(x(i) - bw / 2, h >= 0 ? zero - h : zero, bw, Math.abs(h));
    }
    const span = extent(mid);
    if (!span) return;
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < n; i++) {
      const v = mid[i];
      if (!Number.isFinite(v)) {
        started = false;
        continue;
      }
      const y = SPARK_H - 3 - ((v - span[0]) / (span[1] - span[0])) * (SPARK_H - 6);
      if (started) ctx.lineTo(x(i), y);
      else ctx.moveTo(x(i), y);
      started = true;
    }
    ctx.stroke();
  };

  const drawAll = () => {
    drawScenarios();
    drawVenues();
    drawLadder();
    drawReadouts();
    drawFills();
    drawSpark();
    change.textContent = m.get("last_change") || "";
    errorEl.textContent = m.get("error") || "";
    errorEl.hidden = !m.get("error");
    eventsEl.textContent = `${formatQty(m.get("events"))} events`;
    root.style.minHeight = `${m.get("height")}px`;
    markPainted(root, m.get("events"));
  };

  d.on(m, "change:_frame change:readouts", () => {
    drawLadder();
    drawReadouts();
    markPainted(root, m.get("events"));
  });
  d.on(m, "change:_timeline", drawSpark);
  d.on(m, "change:execution", drawFills);
  d.on(m, "change:last_change", () => (change.textContent = m.get("last_change") || ""));
  d.on(m, "change:error", () => {
    errorEl.textContent = m.get("error") || "";
    errorEl.hidden = !m.get("error");
  });
  d.on(m, "change:scenario change:scenarios", drawScenarios);
  d.on(m, "change:venues", drawVenues);
  d.on(m, "change:events", () => (eventsEl.textContent = `${formatQty(m.get("events"))} events`));
  d.on(m, "change:order_size", () => {
    if (Number(sizeIn.value) !== m.get("order_size")) sizeIn.value = String(m.get("order_size"));
  });
  d.add(watchTheme(() => {
    theme = readTheme(root);
    drawSpark();
  }));
  d.add(reportWidth(sparkBox, m, m, (w) => {
    sparkWidth = w;
    drawSpark();
  }));
  drawAll();
  void hint;
  return () => {
    stopRun();
    d.dispose();
    root.remove();
  };
}

export default { render: viewRender(render) };
