/**
 * The one place that points PowerShell at the lab: the stand-in module folder and the control
 * API's address and token (passed as environment, never as script text). Browser mode and the
 * integration tests both take their lab `config.powershell` from here.
 */
import path from 'node:path';
import type { LabInfo } from '../lab/types';
import { powershellDir } from '../paths';
import type { PowerShellTarget } from './session';

export function labPowerShellConfig(
  info: Pick<LabInfo, 'controlUrl' | 'controlToken'>,
  exe?: string,
): PowerShellTarget {
  return {
    ...(exe ? { exe } : {}),
    modulePaths: [path.join(powershellDir(), 'lab')],
    env: { SOA_LAB_CONTROL_URL: info.controlUrl, SOA_LAB_CONTROL_TOKEN: info.controlToken },
  };
}
