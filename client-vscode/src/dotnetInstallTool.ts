import * as vscode from 'vscode';
import { RequiredRuntimeMajor } from './dotnetRuntime';
import { DotnetInstallToolExtensionId, DotnetDownloadUrl } from './serverLaunch';
import { ServerStartError } from './serverLocation';

/** The .NET Install Tool's `dotnet.acquire` answer. */
interface DotnetAcquireResult {
    dotnetPath: string;
}

/**
 * Asks the .NET Install Tool extension (when installed) for a .NET runtime private to VS Code; it
 * downloads one the first time. LeanAssist does not depend on that extension: most machines that
 * build Lean projects do not need it, and a dependency would install it for everyone.
 */
export async function acquireDotnetWithInstallTool(requestingExtensionId: string): Promise<string | undefined> {
    if (vscode.extensions.getExtension(DotnetInstallToolExtensionId) === undefined) {
        return undefined;
    }

    try {
        const result = await vscode.commands.executeCommand<DotnetAcquireResult | undefined>('dotnet.acquire', {
            version: `${RequiredRuntimeMajor}.0`,
            requestingExtensionId,
            mode: 'runtime',
        });
        return result?.dotnetPath || undefined;
    } catch (error) {
        throw new ServerStartError(
            `The .NET Install Tool could not provide the .NET ${RequiredRuntimeMajor} runtime LeanAssist's server needs: ` +
                `${error instanceof Error ? error.message : String(error)}. Install .NET ${RequiredRuntimeMajor} yourself and reload the window.`,
            [{ title: `Download .NET ${RequiredRuntimeMajor}`, kind: 'openUrl', url: DotnetDownloadUrl }],
        );
    }
}
