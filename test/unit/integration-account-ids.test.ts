import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Integration files share one Temporal server, and a connection's workflow id is made from its account id.
// Two files using the same account id meet the other file's still-running workflow (on a task queue no
// worker polls any more), and the second file hangs waiting for it — only in whole-suite runs.
describe('integration test account ids', () => {
  it('are never shared between two integration test files', () => {
    const folder = fileURLToPath(new URL('../integration/', import.meta.url));
    const owners = new Map<string, string[]>();
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.test.ts'))) {
      const ids = new Set(readFileSync(path.join(folder, file), 'utf8').match(/'acct-[A-Za-z0-9_.@-]+'/g) ?? []);
      for (const id of ids) owners.set(id, [...(owners.get(id) ?? []), file]);
    }
    expect(owners.size).toBeGreaterThan(20);
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
  });
});
