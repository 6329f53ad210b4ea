/** What the version/service probes see on the Connect Sync server. */
import type { ConfigState } from './state.js';

export const CONNECT_SYNC_PATH = 'C:\\Program Files\\Microsoft Azure AD Sync\\';
export const PROVISIONING_AGENT_DIR = 'C:\\Program Files\\Microsoft Azure AD Connect Provisioning Agent\\';
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
    list.push({
      Name: 'AADConnectProvisioningAgent',
      DisplayName: 'Microsoft Azure AD Connect Provisioning Agent',
      Status: 'Running',
      StartType: 'Automatic',
    });
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
      DisplayName: 'Microsoft Entra Provisioning Agent',
      DisplayVersion: agent,
      Publisher: 'Microsoft Corporation',
      InstallLocation: PROVISIONING_AGENT_DIR,
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
      agent === null ? null : { Version: agent, Path: `${PROVISIONING_AGENT_DIR}AADConnectProvisioningAgent.exe` },
    StagingModeEnabled: config.stagingMode,
  };
}
