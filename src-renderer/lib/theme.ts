/** Fluent 2 design tokens (the web light theme) as CSS custom properties on :root. */
import { webLightTheme } from '@fluentui/tokens';

export function applyFluentTheme(target: HTMLElement = document.documentElement): void {
  for (const [name, value] of Object.entries(webLightTheme)) {
    target.style.setProperty(`--${name}`, String(value));
  }
}
