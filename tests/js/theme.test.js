import { describe, expect, it } from "vitest";
import { themeFrom } from "../../js/lib/theme.js";

describe("themeFrom", () => {
  it("uses JupyterLab variables first", () => {
    const vars = { "--jp-layout-color0": "#101010", "--vscode-editor-background": "#222", "--jp-ui-font-color1": "#eee" };
    const t = themeFrom((n) => vars[n] ?? "", true);
    expect(t.bg).toBe("#101010");
    expect(t.fg).toBe("#eee");
    expect(t.dark).toBe(true);
  });
  it("falls back to VS Code variables", () => {
    const vars = { "--vscode-editor-background": "#1e1e1e", "--vscode-editor-foreground": "#d4d4d4" };
    const t = themeFrom((n) => vars[n] ?? "", true);
    expect(t.bg).toBe("#1e1e1e");
    expect(t.fg).toBe("#d4d4d4");
  });
  it("has light and dark defaults with distinct side colours", () => {
    const light = themeFrom(() => "", false);
    const dark = themeFrom(() => "", true);
    expect(light.bg).toBe("#ffffff");
    expect(dark.bg).not.toBe(light.bg);
    expect(light.bid).not.toBe(light.ask);
    expect(dark.bid).not.toBe(light.bid);
  });
});
