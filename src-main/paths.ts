import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';

/**
 * The repository / app root: the folder holding package.json and resources/. In the packaged app
 * electron-builder places resources/powershell under process.resourcesPath (extraResources).
 */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'resources'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export const appRoot = findRoot();

export function resourcesDir(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(path.join(packaged, 'powershell'))) return packaged;
  return path.join(appRoot, 'resources');
}

export const powershellDir = (): string => path.join(resourcesDir(), 'powershell');
