/** What the version/service probes see on the Connect Sync server. */
import type { ConfigState } from './state.js';

export const CONNECT_SYNC_PATH = 'C:\\Program Files\\Microsoft Azure AD Sync\\';
export const PROVISIONING_AGENT_DIR = 'C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\';
/** The other folder name Microsoft's pages give (docs/reference/cloud-sync.md#agent-on-the-server). */
export const PROVISIONING_AGENT_DIR_SHORT = 'C:\\Program Files\\Azure AD Connect Provisioning Agent\\';

function agentDir(config: ConfigState): string {
  return config.cloudSyncAgentFolder === 'azureAdConnect' ? PROVISIONING_AGENT_DIR_SHORT : PROVISIONING_AGENT_DIR;
}

/** The agent's and its updater's display names, Azure AD or Entra era (the updater's service name is unconfirmed). */
function agentNames(config: ConfigState): { agent: string; updater: string; uninstall: string } {
  return config.cloudSyncAgentNames === 'entra'
    ? {
        agent: 'Microsoft Entra Provisioning Agent',
        updater: 'Microsoft Entra Connect Agent Updater',
        uninstall: 'Microsoft Entra Provisioning Agent',
      }
    : {
        agent: 'Microsoft Azure AD Connect Provisioning Agent',
        updater: 'Microsoft Azure AD Connect Agent Updater',
        uninstall: 'Microsoft Azure AD Connect Provisioning Agent',
      };
}
export const COMPUTER_NAME = 'AADCONNECT01';

export interface ServiceInfo {
  Name: string;
  DisplayName: string;
  Status: 'Running' | 'Stopped';
  StartType: 'Automatic' | 'Manual' | 'Disabled';
}

export function services(config: ConfigState): ServiceInfo[] {
  const list: ServiceInfo[] = [
    { Name: 'ADSync', DisplayName: 'Microsoft Azure AD Sync', Status: 'Running', StartType: 'Automatic' },
  ];
  if (config.cloudSyncAgentVersion !== null) {
    const names = agentNames(config);
    list.push(
      { Name: 'AADConnectProvisioningAgent', DisplayName: names.agent, Status: 'Running', StartType: 'Automatic' },
      { Name: 'AADConnectAgentUpdater', DisplayName: names.updater, Status: 'Running', StartType: 'Automatic' },
    );
  }
  return list;
}

export function hostProbe(config: ConfigState): Record<string, unknown> {
  const agent = config.cloudSyncAgentVersion;
  const uninstall = [
    {
      DisplayName: 'Microsoft Entra Connect Sync',
      DisplayVersion: config.connectSyncVersion,
      Publisher: 'Microsoft Corporation',
      InstallLocation: 'C:\\Program Files\\Microsoft Azure AD Connect\\',
    },
  ];
  if (agent !== null) {
    uninstall.push({
      DisplayName: agentNames(config).uninstall,
      DisplayVersion: agent,
      Publisher: 'Microsoft Corporation',
      InstallLocation: agentDir(config),
    });
  }
  return {
    ComputerName: COMPUTER_NAME,
    Services: services(config),
    ADSyncParametersPath: CONNECT_SYNC_PATH,
    ConnectSync: {
      InstallPath: CONNECT_SYNC_PATH,
      MiiServerPath: `${CONNECT_SYNC_PATH}Bin\\miiserver.exe`,
      FileVersion: config.connectSyncVersion,
    },
    UninstallEntries: uninstall,
    CloudSyncAgent:
      agent === null ? null : { Version: agent, Path: `${agentDir(config)}AADConnectProvisioningAgent.exe` },
    StagingModeEnabled: config.stagingMode,
  };
}
