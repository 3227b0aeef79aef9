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
] as const;

export type ApiKeyProvider = (typeof ApiKeyProviders)[number]['id'];

export function isApiKeyProvider(value: unknown): value is ApiKeyProvider {
    return ApiKeyProviders.some(provider => provider.id === value);
}

/**
 * The `leanAssist` settings as the server receives them (in `initializationOptions.settings` and
 * in answers to `workspace/configuration`): the section as VS Code resolved it, defaults included,
 * without the client-only keys.
 */
export function toServerSettings(section: unknown): Record<string, unknown> {
    if (!isPlainObject(section)) {
        return {};
    }

    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(section)) {
        if (!ClientOnlySettingKeys.includes(key)) {
            settings[key] = value;
        }
    }

    return settings;
}

/** What the server asked for in one `workspace/configuration` item. */
export interface ConfigurationItemLike {
    section?: string;
}

/**
 * Rewrites the answers to a `workspace/configuration` request: the `leanAssist` section goes
 * through toServerSettings, and a request for a client-only subsection gets null. Items for
 * other sections pass unchanged.
 */
export function filterConfigurationAnswers(items: readonly ConfigurationItemLike[], answers: readonly unknown[]): unknown[] {
    return answers.map((answer, index) => {
        const section = items[index]?.section;
        if (section === ConfigurationSection) {
            return toServerSettings(answer);
        }

        const clientOnly = ClientOnlySettingKeys.some(key => section === `${ConfigurationSection}.${key}` || section?.startsWith(`${ConfigurationSection}.${key}.`));
        return clientOnly ? null : answer;
    });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
