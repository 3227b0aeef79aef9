// Builds the client with esbuild. Run from anywhere; paths are relative to the repository root.
//   node client-vscode/scripts/build.mjs extension [--production]  → dist/extension.js (the bundle VS Code loads)
//   node client-vscode/scripts/build.mjs tests                      → out/ (src and test transpiled to CommonJS for node --test)
//   node client-vscode/scripts/build.mjs check-package              → fails unless dist/ holds the bundle and the published server
// --production minifies, writes no source map, and empties dist/ first (npm run package then publishes the server into dist/server).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const client = path.join(root, 'client-vscode');
const [mode, ...flags] = process.argv.slice(2);
const production = flags.includes('--production');

function typeScriptFiles(directory) {
    return fs
        .readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
        .map(entry => path.join(entry.parentPath ?? entry.path, entry.name));
}

switch (mode) {
    case 'extension': {
        if (production) {
            fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
        }

        await esbuild.build({
            entryPoints: [path.join(client, 'src', 'extension.ts')],
            outfile: path.join(root, 'dist', 'extension.js'),
            bundle: true,
            platform: 'node',
            format: 'cjs',
            // VS Code 1.91 (engines.vscode) runs extensions on Node 20.
            target: 'node20',
            external: ['vscode'],
            minify: production,
            sourcemap: production ? false : 'linked',
            logLevel: 'warning',
        });
        break;
    }
    case 'tests': {
        // Only the folders this build writes: out/ also holds other tests' tools and artifacts.
        const out = path.join(root, 'out');
        for (const folder of ['src', 'test']) {
            fs.rmSync(path.join(out, folder), { recursive: true, force: true });
        }
        await esbuild.build({
            entryPoints: [...typeScriptFiles(path.join(client, 'src')), ...typeScriptFiles(path.join(client, 'test'))],
            outdir: out,
            outbase: client,
            bundle: false,
            platform: 'node',
            format: 'cjs',
            target: 'node20',
            sourcemap: 'inline',
            logLevel: 'warning',
        });
        break;
    }
    case 'check-package': {
        const required = [path.join('dist', 'extension.js'), path.join('dist', 'server', 'leanassist.dll')];
        const missing = required.filter(file => !fs.existsSync(path.join(root, file)));
        if (missing.length > 0) {
            console.error(`Missing ${missing.join(' and ')}: build the package with "npm run package", not "vsce package" alone.`);
            process.exit(1);
        }

        break;
    }
    default:
        console.error('usage: build.mjs extension [--production] | tests | check-package');
        process.exit(2);
}
