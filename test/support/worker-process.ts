import { spawn, type ChildProcess } from 'node:child_process';
import type { TestSystem } from './system.js';

/** A real `npm run worker` process for the system (to be killed with SIGKILL by crash tests). */
export function startWorkerProcess(system: TestSystem, started: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...system.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker polling')) resolve(child);
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
