// Colours that follow the host's theme: JupyterLab (--jp-* variables and body[data-jp-theme-light]),
// VS Code (--vscode-* variables and body.vscode-dark/light) and otherwise the OS (prefers-color-scheme).

/**
 * @typedef {{ dark: boolean, bg: string, fg: string, muted: string, grid: string, font: string,
 *   bid: string, ask: string, bidFill: string, askFill: string, accent: string }} Theme
 */

/**
 * The theme from a variable reader and the dark flag. Pure, so it can be tested without a DOM.
 * @param {(name: string) => string} cssVar returns "" when the variable is not set
 * @param {boolean} dark
 * @returns {Theme}
 */
export function themeFrom(cssVar, dark) {
  const pick = (...names) => {
    for (const n of names) {
      const v = cssVar(n);
      if (v) return v;
    }
    return "";
  };
  return {
    dark,
    bg: pick("--jp-layout-color0", "--vscode-editor-background") || (dark ? "#111418" : "#ffffff"),
    fg: pick("--jp-ui-font-color1", "--vscode-editor-foreground") || (dark ? "#e6e6e6" : "#1f2328"),
    muted: pick("--jp-ui-font-color2", "--vscode-descriptionForeground") || (dark ? "#9aa4ae" : "#5f6b76"),
    grid: pick("--jp-border-color2", "--vscode-editorWidget-border") || (dark ? "#2c333a" : "#e3e6ea"),
    font: pick("--jp-ui-font-family", "--vscode-font-family") || "system-ui, -apple-system, sans-serif",
    accent: pick("--jp-brand-color1", "--vscode-focusBorder") || (dark ? "#64b5f6" : "#1565c0"),
    bid: dark ? "#3fcf8e" : "#178a4c",
    ask: dark ? "#ff6b6b" : "#c62828",
    bidFill: dark ? "rgba(63, 207, 142, 0.28)" : "rgba(23, 138, 76, 0.22)",
    askFill: dark ? "rgba(255, 107, 107, 0.28)" : "rgba(198, 40, 40, 0.20)",
  };
}

/**
 * Whether the host is dark, from the document: JupyterLab first, then VS Code, then the OS.
 * @param {Document} doc
 */
export function isDark(doc = document) {
  const body = doc.body;
  const jp = body?.dataset?.jpThemeLight;
  if (jp === "true" || jp === "false") return jp === "false";
  if (body?.classList.contains("vscode-dark") || body?.classList.contains("vscode-high-contrast")) return true;
  if (body?.classList.contains("vscode-light")) return false;
  return doc.defaultView?.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

/**
 * The current theme as seen from element `el`.
 * @param {HTMLElement} el
 * @returns {Theme}
 */
export function readTheme(el) {
  const style = getComputedStyle(el);
  return themeFrom((name) => style.getPropertyValue(name).trim(), isDark(el.ownerDocument));
}

/**
 * Call `onChange` whenever the host theme may have changed. Returns the clean-up.
 * @param {() => void} onChange
 * @returns {() => void}
 */
export function watchTheme(onChange) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { attributes: true, attributeFilter: ["class", "data-jp-theme-light", "data-jp-theme-name"] });
  const media = window.matchMedia?.("(prefers-color-scheme: dark)");
  media?.addEventListener?.("change", onChange);
  return () => {
    observer.disconnect();
    media?.removeEventListener?.("change", onChange);
  };
}
