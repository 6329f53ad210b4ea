/** The one HTML escaper of the renderer's reports (the wizard's evidence report and the bulk run report). */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content or a quoted attribute; a non-string value is shown as indented JSON. */
export function escapeHtml(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2);
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
