import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createControlClient, type RunningEmulator } from '../emulator/index.js';
import type { EmulatorSeed, SeededEmulator } from './emulator-seeds.js';

/** Where a saved emulator (`npm start`) keeps its state and what seeding it returned. */
export function savedEmulatorFiles(dataDir: string): { state: string; seeded: string } {
  const folder = path.join(dataDir, 'emulator');
  return { state: path.join(folder, 'state.json'), seeded: path.join(folder, 'seeded.json') };
}

/**
 * Seeds a fresh emulator and remembers the result beside its state; a restored one is not seeded
 * again (its orgs, tokens and records are back), only pointed at today's callback URL.
 */
export async function seedOrReuse(running: RunningEmulator, seed: EmulatorSeed, callbackUrl: string, dataDir: string | undefined): Promise<SeededEmulator> {
  const control = createControlClient(running.productionUrl);
  const file = dataDir ? savedEmulatorFiles(dataDir).seeded : undefined;
  if (!running.restored || !file) {
    const seeded = await seed(control, callbackUrl);
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // 0600: it holds the Connected App's secret.
      writeFileSync(file, JSON.stringify(seeded), { mode: 0o600 });
    }
    return seeded;
  }
  let seeded: SeededEmulator;
  try {
    seeded = JSON.parse(readFileSync(file, 'utf8')) as SeededEmulator;
  } catch (error) {
    throw new Error(`The saved Salesforce emulator in ${path.dirname(file)} lacks a readable seeded.json (${(error as Error).message}); delete that folder to start the emulator afresh`);
  }
  // Once more on a network error: a keep-alive socket to the previous emulator on this port (a restart
  // inside one process, as in tests) can be handed out once before the client notices it closed.
  await control.updateConnectedApp(seeded.clientId, { callbackUrl }).catch(() => control.updateConnectedApp(seeded.clientId, { callbackUrl }));
  return seeded;
}
