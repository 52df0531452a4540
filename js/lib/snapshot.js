// PNG snapshots of a view: the picture the browser drew, for `view.to_png()` in Python
// (obi_widgets/views/_snapshot.py), for the "Download PNG" button in the view's corner, and for
// the static image added to the view's notebook output after its first paint (what nbconvert,
// GitHub or nbviewer show where widgets cannot render).
//
// How: the view's root is cloned with every element's computed style inlined and every
// <canvas> replaced by an <img> of its pixels, wrapped in an SVG <foreignObject>, loaded as an
// image and drawn into a canvas `scale` times the root's CSS size. Nothing is fetched: it works
// in a kernel-less exported page too. Canvases are drawn at the page's devicePixelRatio
// (fitCanvas): at a larger `scale` their pixels are upscaled (each pixel repeated at a whole
// ratio, see canvasRendering), while HTML text, borders and the layout are drawn at `scale`.

import { kernelReachable } from "./live_save.js";

/** Class of the download button (excluded from the pictures). */
export const BUTTON_CLASS = "obi-snapshot";
/** Largest static image (device pixels) added to a notebook output: it is saved in the notebook. */
export const STATIC_MAX_PIXELS = 1_200_000;
/** Milliseconds without DOM changes after the first paint before the static image is taken. */
export const SETTLE_MS = 500;
/** ... but at most this long after the first paint (a live view keeps changing). */
export const SETTLE_MAX_MS = 4000;
/** Largest side of a PNG (device pixels): browsers refuse bigger canvases. */
export const MAX_SIDE = 16384;

const SVG_NS = "http://www.w3.org/2000/svg";
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Device-pixel size of a picture of `width` x `height` CSS pixels at `scale`.
 * @param {number} width
 * @param {number} height
 * @param {number} scale
 * @returns {{ width: number, height: number }}
 */
export function pngSize(width, height, scale) {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a positive number, got ${scale}`);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (w > MAX_SIDE || h > MAX_SIDE) {
    throw new RangeError(`a ${width}x${height} px view at scale ${scale} is ${w}x${h} px, over the browser's ${MAX_SIDE} px limit`);
  }
  return { width: w, height: h };
}

/**
 * Scale of the static image of a `width` x `height` CSS px view: the device pixel ratio (1 when
 * unknown, at most 2), lowered so that the image has at most `maxPixels` pixels.
 * @param {number} width
 * @param {number} height
 * @param {number} [dpr]
 * @param {number} [maxPixels]
 */
export function staticScale(width, height, dpr = 1, maxPixels = STATIC_MAX_PIXELS) {
  let s = Math.min(2, Number.isFinite(dpr) && dpr > 0 ? dpr : 1);
  const area = Math.max(1, width) * Math.max(1, height);
  if (area * s * s > maxPixels) s = Math.sqrt(maxPixels / area);
  return s;
}

/**
 * Width and height from a PNG's IHDR chunk, or null when `bytes` is not a PNG.
 * @param {Uint8Array} bytes
 * @returns {{ width: number, height: number } | null}
 */
export function pngDimensions(bytes) {
  if (bytes.length < 24 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const type = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (type !== "IHDR") return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * File name of a view's download: "obi-<kebab>.png".
 * @param {string} kebab
 */
export function fileName(kebab) {
  return `obi-${String(kebab || "view").replace(/[^a-z0-9-]+/gi, "-")}.png`;
}

/**
 * Every computed property of an element as inline CSS text.
 * @param {CSSStyleDeclaration} style
 */
function cssText(style) {
  let text = "";
  for (let i = 0; i < style.length; i++) {
    const p = style[i];
    text += `${p}:${style.getPropertyValue(p)};`;
  }
  return text;
}

/**
 * How a canvas's pixels are resampled to `scale` device pixels per CSS pixel: repeated whole when
 * `scale` is a whole multiple of the canvas's pixel ratio (the picture downsampled back is the
 * screen's, pixel for pixel), smoothly otherwise.
 * @param {number} scale
 * @param {number} dpr
 */
export function canvasRendering(scale, dpr) {
  const ratio = scale / (dpr > 0 ? dpr : 1);
  return ratio >= 2 && Math.abs(ratio - Math.round(ratio)) < 1e-6 ? "pixelated" : "auto";
}

/**
 * A copy of `node` for the picture: computed styles inlined, canvases as images of their pixels,
 * without the download button nor what is not displayed.
 * @param {Node} node
 * @param {string} rendering image-rendering of the canvases' images
 * @returns {Node | null}
 */
function cloneForPicture(node, rendering) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.nodeValue || "");
  if (!(node instanceof Element)) return null;
  if (node.classList.contains(BUTTON_CLASS)) return null;
  const style = getComputedStyle(node);
  if (style.display === "none") return null;
  /** @type {Element} */
  let copy;
  if (node instanceof HTMLCanvasElement) {
    copy = document.createElement("img");
    try {
      copy.setAttribute("src", node.toDataURL("image/png"));
    } catch {
      // a canvas we may not read (never the kit's own): left empty
    }
  } else if (node instanceof SVGElement) {
    copy = /** @type {Element} */ (node.cloneNode(true));
  } else {
    copy = /** @type {Element} */ (node.cloneNode(false));
    if (node instanceof HTMLInputElement) {
      copy.setAttribute("value", node.value);
      if (node.checked) copy.setAttribute("checked", "");
    } else if (node instanceof HTMLOptionElement && node.selected) {
      copy.setAttribute("selected", "");
    }
  }
  copy.removeAttribute("id");
  copy.setAttribute("style", cssText(style) + (node instanceof HTMLCanvasElement ? `image-rendering:${rendering};` : ""));
  if (!(node instanceof SVGElement) && !(node instanceof HTMLCanvasElement)) {
    for (const kid of node.childNodes) {
      const c = cloneForPicture(kid, rendering);
      if (c) copy.appendChild(c);
    }
  }
  return copy;
}

/**
 * Load an image from a URL.
 * @param {string} url
 * @returns {Promise<HTMLImageElement>}
 */
function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("obi_widgets: the browser could not draw the view's picture"));
    img.src = url;
  });
}

/**
 * The picture of `root` as a PNG, `scale` device pixels per CSS pixel.
 * @param {HTMLElement} root
 * @param {number} scale
 * @returns {Promise<{ blob: Blob, width: number, height: number, cssWidth: number, cssHeight: number }>}
 */
export async function composePng(root, scale) {
  const rect = root.getBoundingClientRect();
  const cssWidth = rect.width, cssHeight = rect.height;
  if (!(cssWidth > 0 && cssHeight > 0)) throw new Error("obi_widgets: the view is not laid out (zero size): is it visible?");
  const size = pngSize(cssWidth, cssHeight, scale);
  const copy = /** @type {HTMLElement} */ (cloneForPicture(root, canvasRendering(scale, window.devicePixelRatio || 1)));
  copy.style.margin = "0";
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", String(size.width));
  svg.setAttribute("height", String(size.height));
  svg.setAttribute("viewBox", `0 0 ${cssWidth} ${cssHeight}`);
  const fo = document.createElementNS(SVG_NS, "foreignObject");
  fo.setAttribute("x", "0");
  fo.setAttribute("y", "0");
  fo.setAttribute("width", String(cssWidth));
  fo.setAttribute("height", String(cssHeight));
  fo.appendChild(copy);
  svg.appendChild(fo);
  const text = new XMLSerializer().serializeToString(svg);
  const img = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(img, 0, 0, size.width, size.height);
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("obi_widgets: the browser could not encode the PNG"))), "image/png"));
  return { blob, width: size.width, height: size.height, cssWidth, cssHeight };
}

/**
 * Save the picture of `root` (scale 2) as a file, through an <a download> of a blob URL.
 * @param {HTMLElement} root
 * @param {string} kebab
 */
export async function downloadPng(root, kebab) {
  const { blob } = await composePng(root, 2);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName(kebab);
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

const ICON = "M8 1.5v8M4.5 6.5 8 10l3.5-3.5M2.5 11.5v2h11v-2";

/**
 * The download button in the root's corner (shown on hover / focus, see view.css).
 * @param {HTMLElement} root
 * @param {string} kebab
 */
function addButton(root, kebab) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = BUTTON_CLASS;
  button.setAttribute("aria-label", "Download PNG");
  button.title = "Download PNG";
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICON);
  svg.appendChild(path);
  button.appendChild(svg);
  // the view's own pointer and key handlers (cursor moves, drags) must not see these
  for (const type of ["pointerdown", "mousedown", "keydown", "wheel", "dblclick"]) {
    button.addEventListener(type, (e) => e.stopPropagation());
  }
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    e.preventDefault();
    button.disabled = true;
    downloadPng(root, kebab)
      .catch((err) => console.warn("obi_widgets: could not make the PNG", err))
      .finally(() => { button.disabled = false; });
  });
  root.appendChild(button);
  return button;
}

/**
 * Resolves when the view has painted (data-obi-ready), rejects after `ms`.
 * @param {HTMLElement} root
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function whenPainted(root, ms) {
  if (root.dataset.obiReady === "true") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      observer.disconnect();
      clearTimeout(timer);
    };
    const observer = new MutationObserver(() => {
      if (root.dataset.obiReady === "true") {
        done();
        resolve();
      }
    });
    observer.observe(root, { attributes: true, attributeFilter: ["data-obi-ready"] });
    const timer = setTimeout(() => {
      done();
      reject(new Error(`obi_widgets: the view did not paint within ${ms / 1000} s`));
    }, ms);
  });
}

/**
 * Resolves once the subtree has not changed for `quiet` ms, or after `max` ms.
 * @param {HTMLElement} root
 * @param {number} quiet
 * @param {number} max
 * @returns {Promise<void>}
 */
function settled(root, quiet, max) {
  return new Promise((resolve) => {
    /** @type {ReturnType<typeof setTimeout>} */
    let timer;
    const finish = () => {
      observer.disconnect();
      clearTimeout(timer);
      clearTimeout(cap);
      resolve();
    };
    const observer = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(finish, quiet);
    });
    observer.observe(root, { attributes: true, childList: true, subtree: true, characterData: true });
    timer = setTimeout(finish, quiet);
    const cap = setTimeout(finish, max);
  });
}

/**
 * The model of the shared source a view references, to tell whether its kernel can be reached
 * (anywidget hands render() a model whose comm is not visible).
 * @param {any} model
 */
async function probeOf(model) {
  try {
    const ref = String(model.get("source") ?? "");
    if (ref.startsWith("IPY_MODEL_") && model.widget_manager) return await model.widget_manager.get_model(ref.slice(10));
  } catch {
    // no source: probe the model itself
  }
  return model;
}

/**
 * Send a PNG to Python as a custom message with one buffer.
 * @param {any} model
 * @param {Record<string, unknown>} content
 * @param {Blob} blob
 */
async function sendPng(model, content, blob) {
  const buffer = await blob.arrayBuffer();
  model.send(content, undefined, [buffer]);
}

/**
 * Snapshots for a view: the download button (top-level views only: not a Dashboard's panels,
 * whose dashboard has one), answers to Python's `to_png` requests ("obi-png" messages), and after
 * the first paint a "obi-painted" message (Python then knows a front end drew the view) and, for
 * a top-level view, one small static PNG ("obi-static") for the notebook output. Listens until
 * the root is removed from `el`.
 * @param {HTMLElement} root
 * @param {HTMLElement} el
 * @param {string} kebab
 * @param {any} [model] the view's model (anywidget's, or a Dashboard panel's raw model)
 */
export function attachSnapshot(root, el, kebab, model) {
  const topLevel = !el.closest(".obi-view");
  if (topLevel) addButton(root, kebab);
  if (!model || typeof model.on !== "function" || typeof model.send !== "function") return;
  const probe = probeOf(model);
  let live = true;

  /** @param {any} msg */
  const onMessage = (msg) => {
    if (!msg || msg.type !== "obi-png" || typeof msg.id !== "string") return;
    if (!root.isConnected) return; // another display of the model answers
    const scale = Number(msg.scale) || 2;
    const wait = Math.max(0, Number(msg.timeout) || 30) * 1000;
    whenPainted(root, wait)
      .then(() => composePng(root, scale))
      .then(async (png) => {
        if (!(await probe) || !kernelReachable(await probe)) return;
        await sendPng(model, { type: "obi-png", id: msg.id, width: png.width, height: png.height,
          css_width: png.cssWidth, css_height: png.cssHeight, scale }, png.blob);
      })
      .catch(async (err) => {
        if (kernelReachable(await probe)) model.send({ type: "obi-png", id: msg.id, error: String(err?.message ?? err) });
      });
  };
  model.on("msg:custom", onMessage);
  const removal = new MutationObserver(() => {
    if (root.parentNode === el) return;
    live = false;
    model.off("msg:custom", onMessage);
    removal.disconnect();
  });
  removal.observe(el, { childList: true });

  whenPainted(root, 600_000)
    .then(async () => {
      if (!live || !kernelReachable(await probe)) return;
      model.send({ type: "obi-painted", top_level: topLevel });
      if (!topLevel) return;
      await settled(root, SETTLE_MS, SETTLE_MAX_MS);
      if (!live || !root.isConnected) return;
      const rect = root.getBoundingClientRect();
      if (!(rect.width > 0 && rect.height > 0)) return;
      const png = await composePng(root, staticScale(rect.width, rect.height, window.devicePixelRatio));
      if (live && kernelReachable(await probe)) {
        await sendPng(model, { type: "obi-static", width: png.width, height: png.height }, png.blob);
      }
    })
    .catch((err) => {
      if (live) console.warn("obi_widgets: no static image of the view", err);
    });
}
