/**
 * Preflight: can this admin, in this tenant, with this app, do the transfer? Each line is a
 * `CheckResult` with what was seen and the exact fix. Pure TypeScript over injected ports.
 *
 * Never a false pass: a check that could not be evaluated is `notChecked` (with the reason), and the
 * server side is `notChecked` until the `server.environment` result is supplied.
 */
import { z } from 'zod';
import type { CheckResult, EnvironmentInfo, IpcResult } from '@contract';
import type { GraphResult } from '../graph/graph-result';
import type { MembershipRef, MyRoles } from '../graph/soa-graph';
import { STEP_SCOPES, missingScopes, type ScopeStep } from '../graph/scopes';
import {
  AUDIT_READER_ROLES,
  AUDIT_ROLE_NAMES,
  CONTACT_UPDATE_ROLES,
  CONTACT_UPDATE_ROLE_NAMES,
  PIM_ACTIVATION_HOW_TO,
  SOA_ROLES,
  SOA_ROLE_NAME,
} from '../graph/roles';

export interface PreflightAuthPort {
  status(): Promise<{ signedIn: boolean; account?: { username: string; localAccountId: string; tenantId: string } }>;
  /** main's `auth.getAccessToken`, as the bridge returns it. */
  getAccessToken(scopes: string[]): Promise<IpcResult<{ accessToken: string; expiresOn: string; scopes: string[] }>>;
  /** main's `settings.consentUrl`. */
  consentUrl(scopes: string[]): Promise<string>;
}

export interface PreflightGraphPort {
  myRoles(principalId: string): Promise<GraphResult<MyRoles>>;
  listMemberOf(objectId: string): Promise<GraphResult<MembershipRef[]>>;
}

export interface PreflightPorts {
  auth: PreflightAuthPort;
  graph: PreflightGraphPort;
}

export interface PreflightInput {
  /** Steps whose scopes must be available (default: contacts, roles, audit). */
  steps?: readonly ScopeStep[];
  /** The object chosen for the transfer (to check AU scoping). */
  object?: { id: string; displayName?: string };
  /** The `server.environment` result when the server was checked; absent → "not checked". */
  serverEnvironment?: IpcResult<EnvironmentInfo> | EnvironmentInfo | null;
}

/** What the signed-in admin's roles allow the later steps to prove. */
export interface PreflightCapabilities {
  /**
   * May update contacts (PATCH /contacts/{id}), so the read-only and writable proofs can run as a
   * write: `yes`, `no` (state evidence instead), or `unknown` (roles not read; the write is tried and a 403 means "not provable").
   */
  contactUpdate: 'yes' | 'no' | 'unknown';
}

export interface PreflightReport {
  checks: CheckResult[];
  /** True when any check failed (warnings and "not checked" do not block). */
  blocked: boolean;
  capabilities: PreflightCapabilities;
}

export const CHECK_ID = {
  signedIn: 'graph.signedIn',
  consent: 'graph.adminConsent',
  scopes: 'graph.tokenScopes',
  soaRole: 'graph.hybridAdministrator',
  auditRole: 'graph.auditReader',
  contactUpdateRole: 'graph.contactUpdateRole',
  server: 'server.environment',
} as const;

const tokenFailureDetail = z.object({
  errorCode: z.string().optional(),
  missingScopes: z.array(z.string()).optional(),
  grantedScopes: z.array(z.string()).optional(),
});

interface StepTokenOutcome {
  step: ScopeStep;
  scopes: string[];
  status: 'ok' | 'consentMissing' | 'scopesMissing' | 'notSignedIn' | 'error';
  missing: string[];
  message: string;
}

function isConsentError(code: string | undefined, message: string): boolean {
  return code === 'consent_required' || /AADSTS65001|consent/i.test(message);
}

async function tokenOutcome(auth: PreflightAuthPort, step: ScopeStep): Promise<StepTokenOutcome> {
  const scopes = [...STEP_SCOPES[step]];
  const r = await auth.getAccessToken(scopes);
  if (r.ok) {
    const missing = missingScopes(scopes, r.value.scopes);
    return missing.length === 0
      ? { step, scopes, status: 'ok', missing: [], message: '' }
      : { step, scopes, status: 'scopesMissing', missing, message: `Token carries ${r.value.scopes.join(', ')}` };
  }
  const detail = tokenFailureDetail.safeParse(r.error.detail ?? {});
  const d = detail.success ? detail.data : {};
  if (r.error.code === 'notSignedIn')
    return { step, scopes, status: 'notSignedIn', missing: scopes, message: r.error.message };
  if (d.missingScopes && d.missingScopes.length > 0) {
    return { step, scopes, status: 'scopesMissing', missing: d.missingScopes, message: r.error.message };
  }
  if (r.error.code === 'interactionRequired' && isConsentError(d.errorCode, r.error.message)) {
    return { step, scopes, status: 'consentMissing', missing: scopes, message: r.error.message };
  }
  return { step, scopes, status: 'error', missing: scopes, message: r.error.message };
}

function serverChecks(env: PreflightInput['serverEnvironment']): CheckResult[] {
  const notChecked: CheckResult = {
    id: CHECK_ID.server,
    title: 'Connect Sync server',
    status: 'notChecked',
    message:
      'The Connect Sync server has not been checked yet (no server.environment result), so nothing is known about it.',
    fix: 'Run the server check on the Connect Sync server.',
  };
  if (!env) return [notChecked];
  if ('ok' in env) {
    if (!env.ok) {
      return [
        { ...notChecked, message: `The server check could not run: ${env.error.message}`, observed: env.error.code },
      ];
    }
    return serverChecks(env.value);
  }
  if (env.checks.length === 0) {
    return [
      {
        ...notChecked,
        message: 'The server check returned no individual checks.',
        observed: `PowerShell ${env.psVersion}`,
      },
    ];
  }
  return env.checks.map((c) => ({ ...c, id: c.id.startsWith('server.') ? c.id : `server.${c.id}` }));
}

export async function runPreflight(ports: PreflightPorts, input: PreflightInput = {}): Promise<PreflightReport> {
  const checks: CheckResult[] = [];
  const steps = input.steps ?? (['contacts', 'roles', 'audit'] as const);
  const allStepScopes = [...new Set(steps.flatMap((s) => [...STEP_SCOPES[s]]))];

  // 1. Signed in
  const status = await ports.auth.status();
  const account = status.account;
  if (!status.signedIn || !account) {
    checks.push({
      id: CHECK_ID.signedIn,
      title: 'Signed in',
      status: 'fail',
      message: 'No admin is signed in.',
      fix: 'Sign in with the browser (or with a device code on a server without a browser).',
    });
    const why = 'Not checked: sign in first.';
    for (const [id, title] of [
      [CHECK_ID.consent, 'Admin consent'],
      [CHECK_ID.scopes, 'Token scopes'],
      [CHECK_ID.soaRole, `${SOA_ROLE_NAME} role`],
      [CHECK_ID.auditRole, 'Audit log reader role'],
      [CHECK_ID.contactUpdateRole, CONTACT_UPDATE_TITLE],
    ] as const) {
      checks.push({ id, title, status: 'notChecked', message: why });
    }
    checks.push(...serverChecks(input.serverEnvironment));
    return { checks, blocked: true, capabilities: { contactUpdate: 'unknown' } };
  }
  checks.push({
    id: CHECK_ID.signedIn,
    title: 'Signed in',
    status: 'pass',
    observed: account.username,
    message: `Signed in as ${account.username}.`,
  });

  // 2. Admin consent and token scopes, per step
  const outcomes: StepTokenOutcome[] = [];
  for (const step of steps) outcomes.push(await tokenOutcome(ports.auth, step));
  const consentMissing = outcomes.filter((o) => o.status === 'consentMissing');
  const scopesMissing = outcomes.filter((o) => o.status === 'scopesMissing');
  const errors = outcomes.filter((o) => o.status === 'error' || o.status === 'notSignedIn');
  const consentUrl = await ports.auth.consentUrl(allStepScopes).catch(() => undefined);
  const consentFix = (scopes: string[]): string =>
    `An Application Administrator or Cloud Application Administrator must grant admin consent for ${scopes.join(', ')}` +
    (consentUrl ? `: open ${consentUrl}` : ' (consent link in Settings)') +
    ', then sign in again.';

  if (consentMissing.length > 0) {
    const missing = [...new Set(consentMissing.flatMap((o) => o.missing))];
    checks.push({
      id: CHECK_ID.consent,
      title: 'Admin consent',
      status: 'fail',
      expected: allStepScopes.join(', '),
      observed: 'consent_required',
      message: `The app registration has no consent for ${missing.join(', ')} (sign-in for these permissions was refused with consent_required).`,
      fix: consentFix(missing),
    });
  } else if (errors.length > 0 && outcomes.every((o) => o.status !== 'ok')) {
    checks.push({
      id: CHECK_ID.consent,
      title: 'Admin consent',
      status: 'notChecked',
      message: `Could not be checked: ${errors[0]?.message ?? 'no token'}`,
    });
  } else {
    checks.push({
      id: CHECK_ID.consent,
      title: 'Admin consent',
      status: 'pass',
      message: 'Consent covers the requested permissions.',
    });
  }

  if (scopesMissing.length > 0 || consentMissing.length > 0) {
    const missing = [...new Set([...scopesMissing, ...consentMissing].flatMap((o) => o.missing))];
    checks.push({
      id: CHECK_ID.scopes,
      title: 'Token scopes',
      status: 'fail',
      expected: allStepScopes.join(', '),
      observed: scopesMissing[0]?.message,
      message: `No token carries ${missing.join(', ')}; soa-pilot will not reuse a token issued for other permissions.`,
      fix: consentFix(missing),
    });
  } else if (errors.length > 0) {
    checks.push({
      id: CHECK_ID.scopes,
      title: 'Token scopes',
      status: 'notChecked',
      message: `A token for ${errors.map((e) => e.step).join(', ')} could not be obtained: ${errors[0]?.message ?? ''}`,
      fix: 'Sign in again.',
    });
  } else {
    checks.push({
      id: CHECK_ID.scopes,
      title: 'Token scopes',
      status: 'pass',
      observed: allStepScopes.join(', '),
      message: 'Tokens carry every permission the steps need.',
    });
  }

  // 3. Roles
  let capabilities: PreflightCapabilities = { contactUpdate: 'unknown' };
  const rolesOutcome = outcomes.find((o) => o.step === 'roles');
  if (rolesOutcome && rolesOutcome.status !== 'ok') {
    const why = `Role assignments could not be read (no token for ${STEP_SCOPES.roles.join(', ')}).`;
    checks.push({
      id: CHECK_ID.soaRole,
      title: `${SOA_ROLE_NAME} role`,
      status: 'notChecked',
      message: why,
      fix: consentFix([...STEP_SCOPES.roles]),
    });
    checks.push({
      id: CHECK_ID.auditRole,
      title: 'Audit log reader role',
      status: 'notChecked',
      message: why,
      fix: consentFix([...STEP_SCOPES.roles]),
    });
    checks.push(contactUpdateNotChecked(why));
  } else {
    const roles = await ports.graph.myRoles(account.localAccountId);
    if (!roles.ok) {
      const why = `Role assignments could not be read: ${roles.error.message}${roles.requestId ? ` (request-id ${roles.requestId})` : ''}.`;
      const fix = 'fix' in roles.error ? roles.error.fix : undefined;
      checks.push({
        id: CHECK_ID.soaRole,
        title: `${SOA_ROLE_NAME} role`,
        status: 'notChecked',
        message: why,
        ...(fix ? { fix } : {}),
      });
      checks.push({
        id: CHECK_ID.auditRole,
        title: 'Audit log reader role',
        status: 'notChecked',
        message: why,
        ...(fix ? { fix } : {}),
      });
      checks.push(contactUpdateNotChecked(why));
    } else {
      checks.push(await soaRoleCheck(ports, roles.value, input.object));
      checks.push(auditRoleCheck(roles.value));
      const cu = contactUpdateCheck(roles.value, input.object);
      checks.push(cu.check);
      capabilities = { contactUpdate: cu.capability };
    }
  }

  checks.push(...serverChecks(input.serverEnvironment));
  return { checks, blocked: checks.some((c) => c.status === 'fail'), capabilities };
}

const CONTACT_UPDATE_TITLE = 'Contact-update role (write proofs)';

function contactUpdateNotChecked(why: string): CheckResult {
  return {
    id: CHECK_ID.contactUpdateRole,
    title: CONTACT_UPDATE_TITLE,
    status: 'notChecked',
    message: `${why} The read-only and writable proofs will try a write; a 403 there means "cannot be proven by a write", and the steps use the state evidence instead.`,
  };
}

function eligibleNames(roles: MyRoles, templates: readonly string[]): string[] {
  return [
    ...new Set((roles.eligible ?? []).filter((a) => templates.includes(a.roleTemplateId)).map((a) => a.roleName)),
  ];
}

function viaGroupNote(roles: MyRoles, templates: readonly string[]): string {
  const via = roles.assignments.filter((a) => templates.includes(a.roleTemplateId) && a.viaGroupId);
  return via.length > 0 ? ' (held through a role-assignable group)' : '';
}

/** Whether the write proofs can run as writes (User Administrator or another role with contacts/basic/update). */
function contactUpdateCheck(
  roles: MyRoles,
  object: PreflightInput['object'],
): { check: CheckResult; capability: PreflightCapabilities['contactUpdate'] } {
  const title = CONTACT_UPDATE_TITLE;
  const cu = roles.contactUpdate;
  if (cu.tenantWide) {
    return {
      capability: 'yes',
      check: {
        id: CHECK_ID.contactUpdateRole,
        title,
        status: 'pass',
        observed: cu.roles.join(', '),
        message: `${cu.roles.join(', ')} may update contacts${viaGroupNote(roles, CONTACT_UPDATE_ROLES)}: the read-only and writable proofs run as writes (PATCH /contacts/{id}).`,
      },
    };
  }
  const eligible = eligibleNames(roles, CONTACT_UPDATE_ROLES);
  const scoped =
    cu.administrativeUnits.length > 0 ? ` (${cu.roles.join(', ')} is scoped to administrative units only)` : '';
  return {
    capability: cu.administrativeUnits.length > 0 && object ? 'unknown' : 'no',
    check: {
      id: CHECK_ID.contactUpdateRole,
      title,
      status: 'warn',
      expected: CONTACT_UPDATE_ROLE_NAMES,
      observed:
        (roles.assignments.length
          ? [...new Set(roles.assignments.map((a) => a.roleName))].join(', ')
          : 'no active role') + (eligible.length ? `; eligible (not active): ${eligible.join(', ')}` : ''),
      message: `No active role may update contacts${scoped}, so the read-only and writable proofs cannot be proven by a write with your roles. They use the state evidence instead (before: onPremisesSyncEnabled true and isCloudManaged false; after: isCloudManaged true, onPremisesSyncEnabled not true, and the audit entry), and the report marks them as state evidence. You can also prove them with another admin.`,
      fix: eligible.length
        ? `${eligible.join(', ')} is PIM-eligible for you. ${PIM_ACTIVATION_HOW_TO}`
        : `Optional: an admin with ${CONTACT_UPDATE_ROLE_NAMES} can prove these steps by a write.`,
    },
  };
}

async function soaRoleCheck(
  ports: PreflightPorts,
  roles: MyRoles,
  object: PreflightInput['object'],
): Promise<CheckResult> {
  const title = `${SOA_ROLE_NAME} role`;
  const assignFix = `Ask a Privileged Role Administrator to assign ${SOA_ROLE_NAME} (tenant-wide, or scoped to an administrative unit that contains the objects), directly or through a role-assignable group.`;
  const via = viaGroupNote(roles, SOA_ROLES);
  if (roles.soaTenantWide) {
    return {
      id: CHECK_ID.soaRole,
      title,
      status: 'pass',
      observed: `tenant-wide${via}`,
      message: `${SOA_ROLE_NAME} is held tenant-wide${via}.`,
    };
  }
  if (roles.soaAdministrativeUnits.length === 0) {
    const eligible = eligibleNames(roles, SOA_ROLES);
    const held = roles.assignments.length
      ? [...new Set(roles.assignments.map((a) => a.roleName))].join(', ')
      : 'no active directory role';
    if (eligible.length > 0) {
      return {
        id: CHECK_ID.soaRole,
        title,
        status: 'fail',
        expected: `${SOA_ROLE_NAME} (active)`,
        observed: `${held}; PIM-eligible, not active: ${eligible.join(', ')}`,
        message: `${eligible.join(', ')} is PIM-eligible for you but not active, so reading or changing the Source of Authority will be refused (403) until you activate it.`,
        fix: PIM_ACTIVATION_HOW_TO,
      };
    }
    return {
      id: CHECK_ID.soaRole,
      title,
      status: 'fail',
      expected: `${SOA_ROLE_NAME} (tenant-wide or AU-scoped)`,
      observed:
        held +
        (roles.eligible === null ? ` (PIM-eligible roles could not be read: ${roles.eligibleError ?? 'error'})` : ''),
      message: `The signed-in admin does not hold ${SOA_ROLE_NAME}; reading or changing the Source of Authority will be refused (403).`,
      fix:
        assignFix +
        (roles.eligible === null ? ' If the role is PIM-eligible, activate it first, then sign in again.' : ''),
    };
  }
  const aus = roles.soaAdministrativeUnits;
  const scoped = `${SOA_ROLE_NAME} is scoped to administrative unit${aus.length > 1 ? 's' : ''} ${aus.join(', ')}`;
  if (!object) {
    return {
      id: CHECK_ID.soaRole,
      title,
      status: 'warn',
      observed: `AU-scoped: ${aus.join(', ')}`,
      message: `${scoped}: only objects in ${aus.length > 1 ? 'those units' : 'that unit'} can be transferred. Choose an object to check it.`,
      fix: `Add the objects to the administrative unit, or assign ${SOA_ROLE_NAME} tenant-wide.`,
    };
  }
  const member = await ports.graph.listMemberOf(object.id);
  const name = object.displayName ?? object.id;
  if (!member.ok) {
    return {
      id: CHECK_ID.soaRole,
      title,
      status: 'notChecked',
      observed: `AU-scoped: ${aus.join(', ')}`,
      message: `${scoped}; whether ${name} is in it could not be checked: ${member.error.message}.`,
      fix:
        'fix' in member.error ? member.error.fix : `Check the administrative unit's members in the Entra admin center.`,
    };
  }
  const inAu = member.value.filter((m) => m.type === 'administrativeUnit' && aus.includes(m.id));
  if (inAu.length > 0) {
    return {
      id: CHECK_ID.soaRole,
      title,
      status: 'warn',
      observed: `AU-scoped: ${inAu.map((m) => m.displayName ?? m.id).join(', ')}`,
      message: `${scoped}, and ${name} is a member, so this object can be transferred. Objects outside the unit cannot.`,
    };
  }
  return {
    id: CHECK_ID.soaRole,
    title,
    status: 'fail',
    observed: `AU-scoped: ${aus.join(', ')}; ${name} is not a member`,
    message: `${scoped}, but ${name} is not a member of ${aus.length > 1 ? 'any of them' : 'it'}; the transfer would be refused (403).`,
    fix: `Add ${name} to the administrative unit (Privileged Role Administrator), or assign ${SOA_ROLE_NAME} tenant-wide. Note: contacts as AU members are not documented for every tenant.`,
  };
}

function auditRoleCheck(roles: MyRoles): CheckResult {
  const title = 'Audit log reader role';
  const eligible = eligibleNames(roles, AUDIT_READER_ROLES);
  if (roles.auditReaderRoles.length > 0) {
    return {
      id: CHECK_ID.auditRole,
      title,
      status: 'pass',
      observed: roles.auditReaderRoles.join(', '),
      message: `Audit logs readable (${roles.auditReaderRoles.join(', ')}).`,
    };
  }
  return {
    id: CHECK_ID.auditRole,
    title,
    status: 'warn',
    expected: AUDIT_ROLE_NAMES,
    observed:
      (roles.assignments.length
        ? [...new Set(roles.assignments.map((a) => a.roleName))].join(', ')
        : 'no active role') + (eligible.length ? `; eligible (not active): ${eligible.join(', ')}` : ''),
    message:
      'No tenant-wide role that reads the audit log is active (an administrative-unit scope does not cover it), so the transfer can run but its audit entry cannot be shown as evidence.',
    fix: eligible.length
      ? `${eligible.join(', ')} is PIM-eligible for you. ${PIM_ACTIVATION_HOW_TO}`
      : 'Assign Reports Reader (least privileged; or Security Reader, Security Administrator, Global Reader, Hybrid Administrator) tenant-wide to read audit logs.',
  };
}

/**
 * The preflight step's one-line "observed": how many checks ended in each status. The checks
 * themselves are listed once, in the step's table (and as notes in the evidence report, which has no
 * table); this line does not list them again.
 */
export function preflightObserved(checks: readonly CheckResult[]): string {
  const order: readonly [CheckResult['status'], string][] = [
    ['fail', 'failed'],
    ['warn', 'with a warning'],
    ['notChecked', 'not checked'],
    ['pass', 'passed'],
  ];
  const parts = order
    .map(([status, label]) => [checks.filter((c) => c.status === status).length, label] as const)
    .filter(([n]) => n > 0)
    .map(([n, label]) => `${n} ${label}`);
  const noun = checks.length === 1 ? 'check' : 'checks';
  return parts.length === 0 ? 'No checks ran.' : `${checks.length} ${noun}: ${parts.join(', ')}.`;
}
