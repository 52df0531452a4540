import { describe, expect, it } from "vitest";
import { MAX_SIDE, STATIC_MAX_PIXELS, canvasRendering, fileName, pngDimensions, pngSize, staticScale } from "../../js/lib/snapshot.js";

/** The first 24 bytes of a PNG of `w` x `h` (signature, IHDR length, type, width, height). */
function pngHeader(w, h) {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, w);
  v.setUint32(20, h);
  return b;
}

describe("pngSize: CSS size x scale, in whole device pixels", () => {
  it("multiplies and rounds", () => {
    expect(pngSize(1000, 400, 2)).toEqual({ width: 2000, height: 800 });
    expect(pngSize(999.5, 400.25, 1)).toEqual({ width: 1000, height: 400 });
    expect(pngSize(301, 97, 1.5)).toEqual({ width: 452, height: 146 });
  });
  it("is at least one pixel, refuses bad scales and oversize pictures", () => {
    expect(pngSize(0.1, 0.1, 1)).toEqual({ width: 1, height: 1 });
    expect(() => pngSize(10, 10, 0)).toThrow(/scale/);
    expect(() => pngSize(10, 10, NaN)).toThrow(/scale/);
    expect(() => pngSize(MAX_SIDE, 10, 2)).toThrow(/limit/);
  });
});

describe("staticScale: the notebook's static image stays small", () => {
  it("is the device pixel ratio for a usual view, 1 when unknown, at most 2", () => {
    expect(staticScale(1000, 400, 1)).toBe(1);
    expect(staticScale(600, 300, 2)).toBe(2);
    expect(staticScale(600, 300, 3)).toBe(2);
    expect(staticScale(600, 300, undefined)).toBe(1);
    expect(staticScale(600, 300, 0)).toBe(1);
  });
  it("shrinks to the pixel budget", () => {
    const s = staticScale(2000, 1500, 2);
    expect(2000 * 1500 * s * s).toBeCloseTo(STATIC_MAX_PIXELS, 0);
    expect(s).toBeLessThan(1);
  });
});

describe("pngDimensions reads the IHDR chunk", () => {
  it("gives width and height", () => {
    expect(pngDimensions(pngHeader(2000, 801))).toEqual({ width: 2000, height: 801 });
    expect(pngDimensions(pngHeader(70000, 1))).toEqual({ width: 70000, height: 1 });
  });
  it("is null for what is not a PNG", () => {
    expect(pngDimensions(new Uint8Array(10))).toBeNull();
    const jpeg = pngHeader(1, 1);
    jpeg[0] = 0xff;
    expect(pngDimensions(jpeg)).toBeNull();
    const noIhdr = pngHeader(1, 1);
    noIhdr[12] = 0x41;
    expect(pngDimensions(noIhdr)).toBeNull();
  });
});

describe("fileName", () => {
  it("names the download after the view", () => {
    expect(fileName("depth-heatmap")).toBe("obi-depth-heatmap.png");
    expect(fileName("a/b c")).toBe("obi-a-b-c.png");
    expect(fileName("")).toBe("obi-view.png");
  });
});

describe("canvasRendering: canvases repeat whole pixels at a whole ratio", () => {
  it("pixelated at 2x, 3x of the pixel ratio, smooth otherwise", () => {
    expect(canvasRendering(2, 1)).toBe("pixelated");
    expect(canvasRendering(3, 1)).toBe("pixelated");
    expect(canvasRendering(4, 2)).toBe("pixelated");
    expect(canvasRendering(2, 2)).toBe("auto");
    expect(canvasRendering(1, 1)).toBe("auto");
    expect(canvasRendering(2, 1.25)).toBe("auto");
    expect(canvasRendering(1.5, 1)).toBe("auto");
  });
});
