/**
 * Which sign-in authority and Graph endpoint the settings may name. Without "custom cloud", only a
 * Microsoft national cloud's pair (docs/reference/national-clouds.md) or the endpoints the run was
 * configured with (the embedded lab) are accepted, so nothing the renderer sends can point sign-in,
 * tokens or the openExternal allow-list at another host. "Custom cloud" is an explicit admin choice
 * shown with a warning in the Settings view; it still requires https without credentials.
 */
import { nationalClouds, type CloudPair, type Settings } from '../ipc/contract';

/** The origin of a bare https root (`https://host[:port]`, optional trailing slash), else undefined. */
export function bareHttpsOrigin(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.search || u.hash) return undefined;
  if (u.pathname !== '/' && u.pathname !== '') return undefined;
  return u.origin;
}

/** True for any https URL without credentials (what "custom cloud" still requires). */
function plainHttps(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * Why these endpoints are not accepted, or undefined when they are. `configured` is the pair the
 * run was started with (the lab's endpoints in lab mode); it is trusted because it comes from the
 * process configuration, never from the renderer.
 */
export function cloudEndpointProblem(
  s: Pick<Settings, 'authorityHost' | 'graphEndpoint' | 'customCloud'>,
  configured?: Pick<CloudPair, 'authorityHost' | 'graphEndpoint'>,
): string | undefined {
  if (s.customCloud) {
    if (!plainHttps(s.authorityHost) || !plainHttps(s.graphEndpoint))
      return 'The authority host and the Graph endpoint must be https addresses without a user name or password.';
    return undefined;
  }
  const authority = bareHttpsOrigin(s.authorityHost);
  const graph = bareHttpsOrigin(s.graphEndpoint);
  const pairs = [...nationalClouds];
  if (configured) {
    const a = bareHttpsOrigin(configured.authorityHost);
    const g = bareHttpsOrigin(configured.graphEndpoint);
    if (a && g) pairs.push({ label: 'the configured endpoints', authorityHost: a, graphEndpoint: g });
  }
  if (authority && graph && pairs.some((p) => p.authorityHost === authority && p.graphEndpoint === graph))
    return undefined;
  const list = nationalClouds.map((c) => `${c.label}: ${c.authorityHost} with ${c.graphEndpoint}`).join('; ');
  return (
    `"${s.authorityHost}" with "${s.graphEndpoint}" is not a Microsoft national cloud. ` +
    `Use one of: ${list}. If your tenant really lives in another cloud, turn on "Custom cloud" in Settings first.`
  );
}

/** The national cloud (or undefined) whose endpoints these settings name. */
export function nationalCloudOf(s: Pick<Settings, 'authorityHost' | 'graphEndpoint'>): CloudPair | undefined {
  const a = bareHttpsOrigin(s.authorityHost);
  const g = bareHttpsOrigin(s.graphEndpoint);
  return nationalClouds.find((c) => c.authorityHost === a && c.graphEndpoint === g);
}

/**
 * Origins the system browser may be sent to beyond the fixed Microsoft pages: the authority of the
 * settings, which the store has validated (a national cloud, the configured lab, or a custom cloud
 * the admin turned on).
 */
export function externalUrlOrigins(s: Pick<Settings, 'authorityHost'>): string[] {
  try {
    return [new URL(s.authorityHost).origin];
  } catch {
    return [];
  }
}
