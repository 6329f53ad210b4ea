import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labPowerShellConfig } from '../../../../src-main/powershell/lab-config';

const info = { controlUrl: 'https://localhost:4443/_lab', controlToken: 'lab-token' };

describe('labPowerShellConfig', () => {
  it('loads the lab stand-in module and hands the control API over as environment', () => {
    const c = labPowerShellConfig(info);
    expect(c.modulePaths).toHaveLength(1);
    const dir = c.modulePaths?.[0] ?? '';
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).some((f) => f.endsWith('.psd1'))).toBe(true);
    expect(c.env).toEqual({ SOA_LAB_CONTROL_URL: info.controlUrl, SOA_LAB_CONTROL_TOKEN: info.controlToken });
    expect(c).not.toHaveProperty('exe');
  });

  it('keeps the chosen executable', () => {
    expect(labPowerShellConfig(info, '/opt/pwsh').exe).toBe('/opt/pwsh');
  });
});
