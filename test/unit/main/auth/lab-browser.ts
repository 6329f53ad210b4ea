/**
 * A scripted "system browser" for the lab: follows MSAL's authorize URL, picks an admin on the lab's
 * sign-in page, and posts the form_post response to MSAL's loopback redirect, as a browser would.
 * Every URL it touches is recorded so tests can prove that nothing left 127.0.0.1/localhost.
 */
import { createHttpsFetch, type FetchFn } from '../../../../src-main/auth/https-fetch';

export interface LabBrowser {
  /** The `openExternal` double: completes the sign-in for `upn`. */
  openExternal(url: string): Promise<void>;
  /** Approve a device code on the lab's verification page. */
  approveDeviceCode(verificationUri: string, userCode: string): Promise<void>;
  /** Admin consent through the lab's consent page. */
  seen: string[];
  fetch: FetchFn;
}

function hiddenInputs(html: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out.append(decodeEntities(m[1] ?? ''), decodeEntities(m[2] ?? ''));
  }
  return out;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function labBrowser(ca: string, pickUpn: () => string): LabBrowser {
  const seen: string[] = [];
  const fetch = createHttpsFetch({ extraCa: [ca], allowLoopbackHttp: true, onRequest: (url) => seen.push(url) });
  const form = (body: URLSearchParams) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return {
    seen,
    fetch,
    async openExternal(url: string) {
      const page = await fetch(url);
      const html = await page.text();
      if (page.status !== 200) throw new Error(`lab sign-in page answered ${page.status}: ${html.slice(0, 300)}`);
      const pick = hiddenInputs(html);
      pick.set('upn', pickUpn());
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? 'authorize';
      const submitted = await fetch(new URL(decodeEntities(action), url).toString(), form(pick));
      const answer = await submitted.text();
      const redirect = /<form method="POST" name="hiddenform" action="([^"]+)"/.exec(answer)?.[1];
      if (!redirect)
        throw new Error(`lab did not answer with a form_post page (${submitted.status}): ${answer.slice(0, 300)}`);
      const posted = await fetch(decodeEntities(redirect), form(hiddenInputs(answer)));
      await posted.text();
    },
    async approveDeviceCode(verificationUri: string, userCode: string) {
      const page = await fetch(verificationUri);
      await page.text();
      const r = await fetch(verificationUri, form(new URLSearchParams({ user_code: userCode, upn: pickUpn() })));
      const html = await r.text();
      if (!/signed in/i.test(html)) throw new Error(`device login not approved: ${html.slice(0, 300)}`);
    },
  };
}
