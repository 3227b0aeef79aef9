/** The configuration section of every LeanAssist setting; the server asks for it by this name. */
export const ConfigurationSection = 'leanAssist';

/**
 * Top-level keys under `leanAssist` that only the client reads: `server.path` (where to find the
 * server) and `trace.server` (vscode-languageclient's message trace). Everything else belongs to
 * the server, which validates it.
 */
export const ClientOnlySettingKeys: readonly string[] = ['server', 'trace'];

/** The LLM providers that take an API key (`leanAssist.provider` minus "none"). */
export const ApiKeyProviders = [
    { id: 'openai', label: 'OpenAI (or an OpenAI-compatible server)' },
    { id: 'anthropic', label: 'Anthropic' },
    { id: 'gemini', label: 'Google Gemini' },
    { id: 'kimina', label: 'Kimina Lean Server (remote verification)' },
] as const;

export type ApiKeyProvider = (typeof ApiKeyProviders)[number]['id'];

export function isApiKeyProvider(value: unknown): value is ApiKeyProvider {
    return ApiKeyProviders.some(provider => provider.id === value);
}

/**
 * Settings that spend money or decide where the API key goes (keys under `leanAssist`). A cloned project
 * must not be able to set them: with `leanAssist.baseUrl` and `leanAssist.apiKeyEnvironmentVariable` a
 * workspace could send `GITHUB_TOKEN` (or a stored key) as the bearer token to any host. The manifest
 * gives them `"scope": "machine"`, so VS Code ignores workspace and folder values; the client checks
 * again with `inspect()` (defence in depth, should a VS Code version or a fork apply them anyway). The
 * server cannot do this itself: `workspace/configuration` answers carry resolved values, not where they
 * came from. See docs/extension.md, "Settings a workspace cannot set".
 */
export const UserLevelOnlySettings: readonly string[] = [
    'provider',
    'model',
    'baseUrl',
    'apiKeyEnvironmentVariable',
    'budget.dailyUsd',
    'budget.requestsPerMinute',
    'prices',
    'prefetchWithLlm',
    // A workspace that could turn the REPL sandbox off would undo it for the very code it ships.
    'repl.sandbox',
    'verification.backend',
    'kimina.urls',
    'kimina.apiKeyEnvironmentVariable',
];

/** What `WorkspaceConfiguration.inspect()` says about one setting (the fields used here). */
export interface SettingInspection {
    defaultValue?: unknown;
    globalValue?: unknown;
    workspaceValue?: unknown;
    workspaceFolderValue?: unknown;
    workspaceLanguageValue?: unknown;
    workspaceFolderLanguageValue?: unknown;
}

/** `inspect()` of a key under `leanAssist` (e.g. "budget.dailyUsd"). */
export type InspectSetting = (key: string) => SettingInspection | undefined;

/** How the client applies UserLevelOnlySettings: where values come from, and whom to tell about ignored ones. */
export interface UserLevelGuard {
    inspect: InspectSetting;
    /** Called with the full setting name ("leanAssist.baseUrl") whenever a workspace value was ignored. */
    ignored?: (setting: string) => void;
}

/**
 * The `leanAssist` settings as the server receives them (in `initializationOptions.settings` and
 * in answers to `workspace/configuration`): the section as VS Code resolved it, defaults included,
 * without the client-only keys, and with UserLevelOnlySettings taken from user (or remote) settings only.
 */
export function toServerSettings(section: unknown, guard?: UserLevelGuard): Record<string, unknown> {
    if (!isPlainObject(section)) {
        return {};
    }

    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(section)) {
        if (!ClientOnlySettingKeys.includes(key)) {
            // A copy: the values VS Code hands out must not be changed, and some are changed below.
            settings[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
        }
    }

    return guard === undefined ? settings : (withUserLevelValues(settings, '', guard) as Record<string, unknown>);
}

/** What the server asked for in one `workspace/configuration` item. */
export interface ConfigurationItemLike {
    section?: string;
}

/**
 * Rewrites the answers to a `workspace/configuration` request: the `leanAssist` section goes
 * through toServerSettings, a request for a client-only subsection gets null, and other
 * `leanAssist` subsections get user-level values for UserLevelOnlySettings. Items for other
 * sections pass unchanged.
 */
export function filterConfigurationAnswers(items: readonly ConfigurationItemLike[], answers: readonly unknown[], guard?: UserLevelGuard): unknown[] {
    return answers.map((answer, index) => {
        const section = items[index]?.section;
        if (section === ConfigurationSection) {
            return toServerSettings(answer, guard);
        }

        const clientOnly = ClientOnlySettingKeys.some(key => section === `${ConfigurationSection}.${key}` || section?.startsWith(`${ConfigurationSection}.${key}.`));
        if (clientOnly) {
            return null;
        }

        if (guard !== undefined && section?.startsWith(`${ConfigurationSection}.`)) {
            const copy = answer === undefined ? undefined : JSON.parse(JSON.stringify(answer));
            return withUserLevelValues(copy, section.slice(ConfigurationSection.length + 1), guard);
        }

        return answer;
    });
}

/**
 * Replaces the UserLevelOnlySettings inside `value` (the setting or subsection at `path`, "" for the
 * whole section) by their user-level value wherever a workspace or folder value was in effect. Changes
 * `value` in place (callers pass a copy) and returns it, or the replacement when `path` is itself one
 * of the settings.
 */
function withUserLevelValues(value: unknown, path: string, guard: UserLevelGuard): unknown {
    for (const key of UserLevelOnlySettings) {
        const inside = path === '' ? key : key.startsWith(`${path}.`) ? key.slice(path.length + 1) : key === path ? '' : undefined;
        if (inside === undefined) {
            continue;
        }

        const inspection = guard.inspect(key);
        if (inspection === undefined || !setInWorkspace(inspection)) {
            continue;
        }

        guard.ignored?.(`${ConfigurationSection}.${key}`);
        const userLevel = inspection.globalValue !== undefined ? inspection.globalValue : inspection.defaultValue;
        if (inside === '') {
            return userLevel;
        }

        if (isPlainObject(value)) {
            setPath(value, inside.split('.'), userLevel);
        }
    }

    return value;
}

function setInWorkspace(inspection: SettingInspection): boolean {
    return [inspection.workspaceValue, inspection.workspaceFolderValue, inspection.workspaceLanguageValue, inspection.workspaceFolderLanguageValue].some(v => v !== undefined);
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
    const [first, ...rest] = parts;
    if (rest.length === 0) {
        if (value === undefined) {
            delete target[first];
        } else {
            target[first] = value;
        }

        return;
    }

    const next = target[first];
    if (isPlainObject(next)) {
        setPath(next, rest, value);
    } else if (value !== undefined) {
        const created: Record<string, unknown> = {};
        target[first] = created;
        setPath(created, rest, value);
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
