/**
 * Error bodies shaped like PowerShell error records, so the stand-in module can rethrow them with
 * the same exception type, message, FullyQualifiedErrorId and category as the real cmdlets.
 */
export interface PsErrorBody {
  error: { type: string; message: string; fqid: string; category: string };
}

export class PsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly fqid: string,
    readonly category: string,
  ) {
    super(message);
    this.name = 'PsError';
  }

  toBody(): PsErrorBody {
    return { error: { type: this.type, message: this.message, fqid: this.fqid, category: this.category } };
  }
}

export function badRequest(message: string): PsError {
  return new PsError(400, 'System.ArgumentException', message, 'LabBadRequest', 'InvalidArgument');
}

export function adIdentityNotFound(
  identity: string,
  baseDn: string,
  cmdlet: 'GetADObject' | 'SetADObject' | 'GetADDomain',
): PsError {
  return new PsError(
    404,
    'Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException',
    `Cannot find an object with identity: '${identity}' under: '${baseDn}'.`,
    `ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException,Microsoft.ActiveDirectory.Management.Commands.${cmdlet}`,
    'ObjectNotFound',
  );
}

export function adException(
  message: string,
  serverCode: number,
  cmdlet: 'GetADObject' | 'SetADObject' | 'GetADDomain',
): PsError {
  return new PsError(
    400,
    'Microsoft.ActiveDirectory.Management.ADException',
    message,
    `ActiveDirectoryServer:${serverCode},Microsoft.ActiveDirectory.Management.Commands.${cmdlet}`,
    'InvalidArgument',
  );
}

const START_SYNC_FRAME =
  '\r\n   at Microsoft.MetadirectoryServices.Scheduler.Scheduler.StartSyncCycle(String overridePolicy, Boolean interactiveMode)';

export function syncBusy(aadConnectorName: string): PsError {
  return new PsError(
    409,
    'System.InvalidOperationException',
    `System.InvalidOperationException: Connector: ${aadConnectorName} is busy.${START_SYNC_FRAME}`,
    'System.InvalidOperationException,Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycleCmdlet',
    'WriteError',
  );
}

export function schedulerSuspended(): PsError {
  return new PsError(
    409,
    'System.InvalidOperationException',
    `System.InvalidOperationException: Sync is already running or the scheduler is suspended.${START_SYNC_FRAME}`,
    'System.InvalidOperationException,Microsoft.IdentityManagement.PowerShell.Cmdlet.StartADSyncSyncCycleCmdlet',
    'WriteError',
  );
}

export function connectorNotFound(
  cmdlet: 'GetADSyncConnectorCmdlet' | 'GetADSyncCSObjectCmdlet' | 'GetADSyncConnectorStatisticsCmdlet',
): PsError {
  return new PsError(
    404,
    'System.ArgumentException',
    'Connector not found.',
    `System.ArgumentException,Microsoft.IdentityManagement.PowerShell.Cmdlet.${cmdlet}`,
    'InvalidArgument',
  );
}

const WINEVENT = 'Microsoft.PowerShell.Commands.GetWinEventCommand';

/** A Get-WinEvent "nothing found" error: a System.Exception in category ObjectNotFound with its error id. */
function winEventNotFound(message: string, errorId: string): PsError {
  return new PsError(404, 'System.Exception', message, `${errorId},${WINEVENT}`, 'ObjectNotFound');
}

export function noMatchingEvents(): PsError {
  return winEventNotFound('No events were found that match the specified selection criteria.', 'NoMatchingEventsFound');
}

export function noMatchingProvider(name: string): PsError {
  return winEventNotFound(
    `There is not an event provider on the localhost computer that matches "${name}".`,
    'NoMatchingProvidersFound',
  );
}

export function noMatchingLog(name: string): PsError {
  return winEventNotFound(
    `There is not an event log on the localhost computer that matches "${name}".`,
    'NoMatchingLogsFound',
  );
}

export function serviceNotFound(name: string): PsError {
  return new PsError(
    404,
    'Microsoft.PowerShell.Commands.ServiceCommandException',
    `Cannot find any service with service name '${name}'.`,
    'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand',
    'ObjectNotFound',
  );
}
