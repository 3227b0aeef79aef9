import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where the server was found, in the order they are tried. */
export type ServerSource = 'environment' | 'setting' | 'bundled';

/**
 * What was found:
 * - `framework-dependent`: `leanassist.dll`, run with a `dotnet` that has the .NET 10 runtime
 *   (what the VSIX ships: one package for every platform);
 * - `native`: an executable run directly: a self-contained build (it carries its own runtime) or
 *   an apphost the user chose.
 */
export interface LocatedServer {
    source: ServerSource;
    kind: 'framework-dependent' | 'native';
    path: string;
}

export const ServerPathEnvironmentVariable = 'LEANASSIST_SERVER_PATH';
export const ServerPathSetting = 'leanAssist.server.path';
export const ServerAssemblyName = 'leanassist.dll';

/** Where `npm run package` publishes the server inside the extension. */
export const BundledServerDirectory = path.join('dist', 'server');

/** Something the user can do about a startup failure; the extension turns these into buttons. */
export type RemedyAction =
    | { title: string; kind: 'openUrl'; url: string }
    | { title: string; kind: 'command'; command: string; args?: unknown[] };

/** The server cannot be started; the message says why and what to do. */
export class ServerStartError extends Error {
    constructor(message: string, readonly remedies: RemedyAction[] = []) {
        super(message);
        this.name = 'ServerStartError';
    }
}

export const OpenServerPathSetting: RemedyAction = {
    title: 'Open Setting',
    kind: 'command',
    command: 'workbench.action.openSettings',
    args: [ServerPathSetting],
};

export interface ServerLocationInputs {
    /** The value of LEANASSIST_SERVER_PATH, if set. */
    environmentPath: string | undefined;
    /** The value of leanAssist.server.path, if set. */
    settingPath: string | undefined;
    /** The extension's own folder (the bundled server is under dist/server). */
    extensionPath: string;
    platform: NodeJS.Platform;
    homedir?: string;
}

/**
 * Finds the server in a fixed order: LEANASSIST_SERVER_PATH, then the leanAssist.server.path
 * setting, then the build bundled in the extension. A path that is set but wrong is an error,
 * not a reason to fall through: silently running a different server than the one configured
 * would hide the mistake.
 */
export function locateServer(inputs: ServerLocationInputs): LocatedServer {
    const homedir = inputs.homedir ?? os.homedir();
    const explicit: Array<{ source: ServerSource; value: string | undefined; origin: string; remedies: RemedyAction[] }> = [
        { source: 'environment', value: inputs.environmentPath, origin: `The environment variable ${ServerPathEnvironmentVariable}`, remedies: [] },
        { source: 'setting', value: inputs.settingPath, origin: `The setting ${ServerPathSetting}`, remedies: [OpenServerPathSetting] },
    ];
    for (const candidate of explicit) {
        const value = candidate.value?.trim();
        if (value) {
            return inspectServerPath(expandHome(value, homedir), candidate.source, candidate.origin, inputs.platform, candidate.remedies);
        }
    }

    const bundled = path.join(inputs.extensionPath, BundledServerDirectory);
    const found = serverInDirectory(bundled, 'bundled', inputs.platform);
    if (found === undefined) {
        throw new ServerStartError(
            `This copy of LeanAssist has no server: ${path.join(bundled, ServerAssemblyName)} is missing. ` +
                `Reinstall the extension, or build the server (dotnet publish server/LeanAssist.Server -o <folder>) ` +
                `and set ${ServerPathSetting} to that folder.`,
            [OpenServerPathSetting],
        );
    }

    return found;
}

function inspectServerPath(
    serverPath: string,
    source: ServerSource,
    origin: string,
    platform: NodeJS.Platform,
    remedies: RemedyAction[],
): LocatedServer {
    const stat = statOrUndefined(serverPath);
    if (stat === undefined) {
        throw new ServerStartError(`${origin} points to ${serverPath}, which does not exist. Correct it or remove it to use the bundled server.`, remedies);
    }

    if (stat.isDirectory()) {
        const found = serverInDirectory(serverPath, source, platform);
        if (found === undefined) {
            throw new ServerStartError(
                `${origin} points to the folder ${serverPath}, which holds neither ${ServerAssemblyName} nor a self-contained leanassist build.`,
                remedies,
            );
        }

        return found;
    }

    if (serverPath.toLowerCase().endsWith('.dll')) {
        return { source, kind: 'framework-dependent', path: serverPath };
    }

    if (!isExecutable(serverPath, platform)) {
        throw new ServerStartError(`${origin} points to ${serverPath}, which is not executable. Point it at leanassist.dll, the leanassist executable, or the folder holding them.`, remedies);
    }

    return { source, kind: 'native', path: serverPath };
}

/**
 * A folder from `dotnet publish`: self-contained when the .NET host library sits beside the
 * executable (then the executable runs on its own runtime), otherwise framework-dependent.
 */
function serverInDirectory(directory: string, source: ServerSource, platform: NodeJS.Platform): LocatedServer | undefined {
    const executable = path.join(directory, platform === 'win32' ? 'leanassist.exe' : 'leanassist');
    const hostLibrary = path.join(directory, hostFxrFileName(platform));
    if (fs.existsSync(hostLibrary) && fs.existsSync(executable)) {
        return { source, kind: 'native', path: executable };
    }

    const assembly = path.join(directory, ServerAssemblyName);
    return fs.existsSync(assembly) ? { source, kind: 'framework-dependent', path: assembly } : undefined;
}

function hostFxrFileName(platform: NodeJS.Platform): string {
    switch (platform) {
        case 'win32':
            return 'hostfxr.dll';
        case 'darwin':
            return 'libhostfxr.dylib';
        default:
            return 'libhostfxr.so';
    }
}

function expandHome(value: string, homedir: string): string {
    if (value === '~') {
        return homedir;
    }

    return value.startsWith('~/') || value.startsWith('~\\') ? path.join(homedir, value.slice(2)) : value;
}

function statOrUndefined(file: string): fs.Stats | undefined {
    try {
        return fs.statSync(file);
    } catch {
        return undefined;
    }
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
    if (platform === 'win32') {
        return true;
    }

    try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}
