import { findDotnet, RequiredRuntimeMajor, type DotnetEnvironment } from './dotnetRuntime';
import { locateServer, OpenServerPathSetting, ServerStartError, type LocatedServer, type ServerLocationInputs } from './serverLocation';

/** The command line that starts the language server on stdio. */
export interface ServerLaunch {
    command: string;
    args: string[];
    /** The full environment of the server process. */
    env: Record<string, string | undefined>;
    server: LocatedServer;
    /** Where `dotnet` came from, for framework-dependent servers. */
    dotnetOrigin?: string;
}

export const DotnetInstallToolExtensionId = 'ms-dotnettools.vscode-dotnet-runtime';
export const DotnetDownloadUrl = `https://dotnet.microsoft.com/download/dotnet/${RequiredRuntimeMajor}.0`;

export interface ServerLaunchInputs extends ServerLocationInputs {
    env: Record<string, string | undefined>;
    arch: string;
    homedir: string;
    clientProcessId: number;
    installLocationDirectory?: string;
    defaultDirectories?: string[];
    /**
     * Asks the .NET Install Tool extension for a runtime (it downloads one if needed). Returns the
     * path of its `dotnet`, or undefined when the extension is not installed.
     */
    acquireDotnet: () => Promise<string | undefined>;
}

/**
 * Finds the server and decides how to run it. A framework-dependent server (the VSIX ships one
 * `leanassist.dll` for every platform) runs with a `dotnet` found on this machine, or, failing
 * that, one the .NET Install Tool provides; a native one (self-contained build) runs directly.
 * Throws ServerStartError with what to do when neither works.
 */
export async function prepareServerLaunch(inputs: ServerLaunchInputs): Promise<ServerLaunch> {
    const server = locateServer(inputs);
    const serverArgs = ['lsp', '--stdio', '--clientProcessId', String(inputs.clientProcessId)];
    if (server.kind === 'native') {
        return { command: server.path, args: serverArgs, env: { ...inputs.env }, server };
    }

    const environment: DotnetEnvironment = {
        env: inputs.env,
        platform: inputs.platform,
        arch: inputs.arch,
        homedir: inputs.homedir,
        installLocationDirectory: inputs.installLocationDirectory,
        defaultDirectories: inputs.defaultDirectories,
    };
    const search = findDotnet(environment);
    let dotnet = search.found?.path;
    let dotnetOrigin = search.found?.origin;
    if (dotnet === undefined) {
        dotnet = await inputs.acquireDotnet();
        dotnetOrigin = 'the .NET Install Tool';
    }

    if (dotnet === undefined) {
        const tried = search.rejected.map(r => `${r.path} (${r.reason})`);
        throw new ServerStartError(
            `LeanAssist needs the .NET ${RequiredRuntimeMajor} runtime to run its server, and none was found` +
                (tried.length > 0 ? `: ${tried.join('; ')}.` : ' (looked in DOTNET_ROOT, PATH and the default install folders).') +
                ` Install .NET ${RequiredRuntimeMajor} (runtime or SDK), or install the .NET Install Tool extension, which downloads it for LeanAssist; then reload the window.`,
            [
                { title: `Download .NET ${RequiredRuntimeMajor}`, kind: 'openUrl', url: DotnetDownloadUrl },
                { title: 'Install .NET Install Tool', kind: 'command', command: 'workbench.extensions.installExtension', args: [DotnetInstallToolExtensionId] },
                OpenServerPathSetting,
            ],
        );
    }

    return {
        command: dotnet,
        args: [server.path, ...serverArgs],
        // Major: run on the lowest installed runtime of major version 10 or later, so that a
        // machine with only a newer .NET still runs the server.
        env: { ...inputs.env, DOTNET_ROLL_FORWARD: 'Major' },
        server,
        dotnetOrigin,
    };
}

/** One line for the output channel: what runs, from where. */
export function describeLaunch(launch: ServerLaunch): string {
    const how = launch.server.kind === 'native' ? 'directly' : `with ${launch.command} (from ${launch.dotnetOrigin ?? 'unknown'})`;
    return `Starting the LeanAssist server ${launch.server.path} (${launch.server.source}) ${how}: ${[launch.command, ...launch.args].join(' ')}`;
}
