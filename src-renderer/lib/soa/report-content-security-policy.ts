/**
 * The Content-Security-Policy every saved HTML report carries as a meta tag: the reports are
 * self-contained (inline CSS, no script, no images, no network), so a directory value that slipped
 * past HTML escaping still could not run script or send data anywhere when the file is opened.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";

export const REPORT_CSP_META = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
