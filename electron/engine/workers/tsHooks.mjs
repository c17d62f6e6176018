// Module hooks for running TypeScript sources in a worker thread during development:
// `./x.js` imported from a .ts file resolves to `./x.ts` when only that exists, and .ts files
// have their types erased (oxc via vite's rolldown when present, else the TypeScript compiler).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let strip;
try {
  const { transformSync } = await import('rolldown/utils');
  strip = (fileName, source) => {
    const r = transformSync(fileName, source, { lang: 'ts', sourcemap: false });
    if (r.errors.length > 0)
      throw new SyntaxError(`${fileName}: ${r.errors.map((e) => e.message).join('; ')}`);
    return r.code;
  };
} catch {
  const ts = (await import('typescript')).default;
  strip = (fileName, source) =>
    ts.transpileModule(source, {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
}

export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const url = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(url))) {
      return { url: url.href, format: 'module', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const fileName = fileURLToPath(url);
    return {
      format: 'module',
      source: strip(fileName, await readFile(fileName, 'utf8')),
      shortCircuit: true,
    };
  }
  return next(url, context);
}
