import * as fs from 'node:fs';
import * as path from 'node:path';

/** The server targets net10.0; it is started with DOTNET_ROLL_FORWARD=Major, so a newer runtime serves too. */
export const RequiredRuntimeMajor = 10;

export interface DotnetCandidate {
    path: string;
    /** Why this path was tried ("PATH", "DOTNET_ROOT", ...), for messages. */
    origin: string;
}

export interface FoundDotnet extends DotnetCandidate {
    /** The Microsoft.NETCore.App versions it has. */
    runtimes: string[];
}

export interface DotnetSearchResult {
    found?: FoundDotnet;
    /** Every candidate that was tried and why it did not qualify (shown when nothing did). */
    rejected: Array<DotnetCandidate & { reason: string }>;
}

export interface DotnetEnvironment {
    env: Record<string, string | undefined>;
    platform: NodeJS.Platform;
    arch: string;
    homedir: string;
    /** Folder holding the global install location files (`install_location`); /etc/dotnet on Linux and macOS. */
    installLocationDirectory?: string;
    /** The installers' default folders; wellKnownDotnetDirectories() when not given. */
    defaultDirectories?: string[];
}

/**
 * The places `dotnet` is looked for, in order: DOTNET_ROOT (the user said which runtime to use),
 * PATH, the registered global install location, then the installers' default folders.
 */
export function dotnetCandidates(environment: DotnetEnvironment): DotnetCandidate[] {
    const { env, platform } = environment;
    // The platform is a parameter (tests check every platform's rules), so are its path rules.
    const paths = platform === 'win32' ? path.win32 : path.posix;
    const executable = platform === 'win32' ? 'dotnet.exe' : 'dotnet';
    const candidates: DotnetCandidate[] = [];
    const archRoot = readEnv(env, `DOTNET_ROOT_${environment.arch.toUpperCase()}`, platform);
    const root = readEnv(env, 'DOTNET_ROOT', platform);
    for (const [value, origin] of [[archRoot, `DOTNET_ROOT_${environment.arch.toUpperCase()}`], [root, 'DOTNET_ROOT']] as const) {
        if (value) {
            candidates.push({ path: paths.join(value, executable), origin });
        }
    }

    for (const directory of (readEnv(env, 'PATH', platform) ?? '').split(paths.delimiter)) {
        if (directory.trim()) {
            candidates.push({ path: paths.join(directory.trim().replace(/^"(.*)"$/, '$1'), executable), origin: 'PATH' });
        }
    }

    if (platform !== 'win32') {
        const installLocations = environment.installLocationDirectory ?? '/etc/dotnet';
        for (const file of [`install_location_${environment.arch}`, 'install_location']) {
            const location = readFirstLine(paths.join(installLocations, file));
            if (location) {
                candidates.push({ path: paths.join(location, executable), origin: paths.join(installLocations, file) });
            }
        }
    }

    for (const directory of environment.defaultDirectories ?? wellKnownDotnetDirectories(environment)) {
        candidates.push({ path: paths.join(directory, executable), origin: 'default install folder' });
    }

    const seen = new Set<string>();
    return candidates.filter(candidate => {
        const key = platform === 'win32' ? candidate.path.toLowerCase() : candidate.path;
        const isNew = !seen.has(key);
        seen.add(key);
        return isNew;
    });
}

/** Where the official installers, package managers and dotnet-install put .NET. */
export function wellKnownDotnetDirectories({ env, platform, homedir }: DotnetEnvironment): string[] {
    switch (platform) {
        case 'win32': {
            const programFiles = readEnv(env, 'ProgramFiles', platform) ?? 'C:\\Program Files';
            const localAppData = readEnv(env, 'LOCALAPPDATA', platform);
            return [
                path.win32.join(programFiles, 'dotnet'),
                ...(localAppData ? [path.win32.join(localAppData, 'Microsoft', 'dotnet')] : []),
                path.win32.join(homedir, '.dotnet'),
            ];
        }
        case 'darwin':
            return ['/usr/local/share/dotnet', '/opt/homebrew/opt/dotnet/libexec', path.posix.join(homedir, '.dotnet')];
        default:
            return ['/usr/share/dotnet', '/usr/lib/dotnet', '/usr/lib64/dotnet', '/opt/dotnet', path.posix.join(homedir, '.dotnet')];
    }
}

/**
 * The Microsoft.NETCore.App runtimes installed beside a `dotnet` executable (following symlinks
 * such as /usr/bin/dotnet → /usr/share/dotnet/dotnet). Empty when it is not a .NET install.
 */
export function installedRuntimes(dotnetPath: string): string[] {
    let root: string;
    try {
        root = path.dirname(fs.realpathSync(dotnetPath));
    } catch {
        return [];
    }

    try {
        return fs
            .readdirSync(path.join(root, 'shared', 'Microsoft.NETCore.App'), { withFileTypes: true })
            .filter(entry => entry.isDirectory() && /^\d+\.\d+\.\d+/.test(entry.name))
            .map(entry => entry.name)
            .sort(compareVersions);
    } catch {
        return [];
    }
}

/** The first candidate that exists and has a runtime the server can run on. */
export function findDotnet(environment: DotnetEnvironment): DotnetSearchResult {
    const rejected: DotnetSearchResult['rejected'] = [];
    for (const candidate of dotnetCandidates(environment)) {
        if (!fs.existsSync(candidate.path)) {
            continue;
        }

        const runtimes = installedRuntimes(candidate.path);
        if (runtimes.some(version => majorOf(version) >= RequiredRuntimeMajor)) {
            return { found: { ...candidate, runtimes }, rejected };
        }

        rejected.push({
            ...candidate,
            reason: runtimes.length === 0 ? 'no .NET runtime found beside it' : `it has .NET ${runtimes.join(', ')}, not ${RequiredRuntimeMajor} or later`,
        });
    }

    return { rejected };
}

function majorOf(version: string): number {
    return Number.parseInt(version.split('.')[0], 10);
}

function compareVersions(a: string, b: string): number {
    const left = a.split(/[.-]/).map(part => Number.parseInt(part, 10));
    const right = b.split(/[.-]/).map(part => Number.parseInt(part, 10));
    for (let i = 0; i < 3; i++) {
        if ((left[i] ?? 0) !== (right[i] ?? 0)) {
            return (left[i] ?? 0) - (right[i] ?? 0);
        }
    }

    return a.localeCompare(b);
}

/** Environment variable names are case-insensitive on Windows ("Path"). */
function readEnv(env: Record<string, string | undefined>, name: string, platform: NodeJS.Platform): string | undefined {
    if (platform !== 'win32') {
        return env[name] || undefined;
    }

    const key = Object.keys(env).find(k => k.toUpperCase() === name.toUpperCase());
    return key === undefined ? undefined : env[key] || undefined;
}

function readFirstLine(file: string): string | undefined {
    try {
        return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0].trim() || undefined;
    } catch {
        return undefined;
    }
}
