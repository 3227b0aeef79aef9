// Builds a VSIX. Run from anywhere; paths are relative to the repository root.
//   node client-vscode/scripts/package.mjs [--target <vscode-target>] [vsce options...]
// Without --target: the universal VSIX, with the framework-dependent server (leanassist.dll, run with a
// .NET 10 runtime found on the machine or acquired by the .NET Install Tool). For platforms without
// their own VSIX.
// With --target (linux-x64, darwin-arm64, win32-x64, ...): a platform-specific VSIX whose server is
// self-contained (it carries the .NET runtime), so a Lean user needs no .NET at all. The Marketplace
// serves it in preference to the universal one on that platform.
// Other arguments go to `vsce package` (e.g. --out <folder>/).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** VS Code's platform targets and the .NET runtime identifiers of the same platforms. */
export const RuntimeIdentifiers = {
    'win32-x64': 'win-x64',
    'win32-arm64': 'win-arm64',
    'linux-x64': 'linux-x64',
    'linux-arm64': 'linux-arm64',
    'linux-armhf': 'linux-arm',
    'alpine-x64': 'linux-musl-x64',
    'alpine-arm64': 'linux-musl-arm64',
    'darwin-x64': 'osx-x64',
    'darwin-arm64': 'osx-arm64',
};

const args = process.argv.slice(2);
const targetIndex = args.indexOf('--target');
const target = targetIndex >= 0 ? args[targetIndex + 1] : undefined;
const vsceArgs = targetIndex >= 0 ? args.filter((_, i) => i !== targetIndex && i !== targetIndex + 1) : args;
if (target !== undefined && !(target in RuntimeIdentifiers)) {
    console.error(`Unknown --target ${target}; one of: ${Object.keys(RuntimeIdentifiers).join(', ')}.`);
    process.exit(2);
}

function run(command, commandArgs) {
    const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, shell: process.platform === 'win32' });
    if (result.status !== 0) {
        console.error(`${command} ${commandArgs.join(' ')} failed (exit code ${result.status ?? result.signal}).`);
        process.exit(result.status ?? 1);
    }
}

run(process.execPath, [path.join(root, 'client-vscode', 'scripts', 'build.mjs'), 'extension', '--production']);

const publish = [
    'publish', 'server/LeanAssist.Server', '-c', 'Release', '-o', 'dist/server',
    '-p:DebugType=embedded', '-p:UseSharedCompilation=false', '-nodeReuse:false', '--nologo',
];
if (target === undefined) {
    publish.push('-p:UseAppHost=false');
} else {
    // ReadyToRun: our assemblies precompiled, so start-up does not wait for the JIT (the runtime's own
    // assemblies already are). Only possible per platform, so the universal package goes without.
    publish.push('-r', RuntimeIdentifiers[target], '--self-contained', '-p:UseAppHost=true', '-p:PublishReadyToRun=true');
}
run('dotnet', publish);

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', ...(target ? ['--target', target] : []), ...vsceArgs]);
