/**
 * Whether an object's Entra values match its AD values after a rollback's takeover: the sync client writes AD's
 * values back, so `displayName` and `mail` must equal AD's (mail ignoring case; an AD value that was not read is not
 * compared). One comparison for the wizard's takeover step and the bulk follow-up (docs/reference/cloud-sync.md#skip-on-soa).
 */

/** What AD holds for the object (null: the attribute is empty in AD). */
export interface AdValues {
  displayName: string | null;
  mail: string | null;
}

/** What Entra ID read (`mail` undefined: not read, so not compared). */
export interface EntraValues {
  displayName: string | null;
  mail?: string | null;
}

/** One line per attribute that differs, naming both values (empty: they match). */
export function attributeMismatches(entra: EntraValues, ad: AdValues): string[] {
  const out: string[] = [];
  if (ad.displayName !== null && ad.displayName !== entra.displayName)
    out.push(`displayName: Entra "${entra.displayName ?? ''}", AD "${ad.displayName}"`);
  if (entra.mail !== undefined && ad.mail !== null && ad.mail.toLowerCase() !== (entra.mail ?? '').toLowerCase())
    out.push(`mail: Entra "${entra.mail ?? ''}", AD "${ad.mail}"`);
  return out;
}
