/**
 * The PowerShell configuration that points the bridge at the lab: the stand-in module folder and
 * the control API's address and token (passed as environment, never as script text).
 * Used by whoever builds the ServiceConfig in lab mode (`config.powershell`).
 */
import path from 'node:path';
import type { LabInfo } from '../lab/types';
import { powershellDir } from '../paths';

export function labPowerShellModuleDir(): string {
  return path.join(powershellDir(), 'lab');
}

export function labPowerShellConfig(
  info: Pick<LabInfo, 'controlUrl' | 'controlToken'>,
  exe?: string,
): { exe?: string; modulePaths: string[]; env: Record<string, string> } {
  return {
    ...(exe ? { exe } : {}),
    modulePaths: [labPowerShellModuleDir()],
    env: { SOA_LAB_CONTROL_URL: info.controlUrl, SOA_LAB_CONTROL_TOKEN: info.controlToken },
  };
}
