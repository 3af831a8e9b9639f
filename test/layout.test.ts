// The layout's rules, checked on the source itself: what the function may import, which way the seams
// point, one quoting helper for SQL, small files that say what they are for.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'src';

function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports, statically or with import(): relative ones as src paths, packages by name. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map(
    (m) => (m[1] ?? m[2]) as string,
  );
  return specs.map((spec) => (spec.startsWith('.') ? normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts') : spec));
}

/** Every src module reachable from `entry`. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of importsOf(file)) if (dep.startsWith(`${SRC}/`)) queue.push(dep);
  }
  return seen;
}

const files = sourceFiles();
const relativeImports = (file: string) => importsOf(file).filter((d) => d.startsWith(`${SRC}/`));
const packageImports = (file: string) => importsOf(file).filter((d) => !d.startsWith(`${SRC}/`) && !d.startsWith('node:'));

describe('layout', () => {
  it('finds the source and its imports (the checks below have something to check)', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(relativeImports('src/handler.ts')).toContain('src/steps/index.ts');
    expect(reachable('src/handler.ts')).toContain('src/backends/mysql/grants/tokenizer.ts');
    // Loaded on first use, with import(): still part of the function.
    expect(reachable('src/handler.ts')).toContain('src/backends/rds/client.ts');
  });

  it('the function never reaches src/local/ or src/cli/', () => {
    const leaks = [...reachable('src/handler.ts')].filter((f) => f.startsWith('src/local/') || f.startsWith('src/cli/'));
    expect(leaks).toEqual([]);
  });

  it('steps know no SDK, no driver and no backend but the interface', () => {
    for (const file of files.filter((f) => f.startsWith('src/steps/'))) {
      expect(
        packageImports(file).filter((p) => p !== 'zod'),
        file,
      ).toEqual([]);
      const wrong = relativeImports(file).filter(
        (d) =>
          (d.startsWith('src/backends/') && d !== 'src/backends/backend.ts') ||
          d === 'src/secrets/kms-store.ts' ||
          d.startsWith('src/alibaba/'),
      );
      expect(wrong, file).toEqual([]);
    }
  });

  it('backends know nothing of KMS or of the steps, and each backend folder only its own files and the shared ones', () => {
    for (const file of files.filter((f) => f.startsWith('src/backends/'))) {
      expect(
        packageImports(file).filter((p) => p.includes('kms')),
        file,
      ).toEqual([]);
      const deps = relativeImports(file);
      expect(
        deps.filter((d) => d.startsWith('src/steps/') || d.startsWith('src/secrets/kms') || d.startsWith('src/secrets/store')),
        file,
      ).toEqual([]);
      const own = file.split('/')[2];
      const otherBackend = deps.filter((d) => {
        const folder = d.split('/')[2];
        return (
          d.startsWith('src/backends/') &&
          d !== 'src/backends/backend.ts' &&
          folder !== own &&
          !(own === 'rds' && d === 'src/backends/mysql/connection.ts')
        );
      });
      // The one crossing: the RDS backend logs in over the MySQL protocol for its test step.
      expect(otherBackend, file).toEqual([]);
    }
  });

  it('only sql.ts escapes or quotes SQL text for the function', () => {
    for (const file of files.filter((f) => !f.startsWith('src/local/') && f !== 'src/backends/mysql/sql.ts')) {
      const text = readFileSync(file, 'utf8');
      expect(/import\s*\{[^}]*\bescape\b[^}]*\}\s*from\s*'mysql2'/.test(text), file).toBe(false);
      expect(/replaceAll\('`', '``'\)/.test(text), file).toBe(false);
    }
  });

  it('no source file is over 400 lines', () => {
    const long = files.map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('every source file opens with a comment saying what it is for', () => {
    const bare = files.filter((f) => !/^(\/\*\*|\/\/)/.test(readFileSync(f, 'utf8')));
    expect(bare.map((f) => relative('.', f))).toEqual([]);
  });
});
