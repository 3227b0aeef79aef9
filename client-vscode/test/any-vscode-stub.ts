// A `vscode` module on which every member exists: enough for vscode-languageclient to build its
// features and compute the capabilities it would send, without VS Code and without hand-listing the
// hundreds of API members those features touch. Only for tests that need the library's own output;
// everything else uses vscode-double.ts. Import this module first.
import Module from 'node:module';
import * as path from 'node:path';

/** The VS Code version the stub claims (the languageclient checks it against its engines range). */
export const StubVsCodeVersion = '1.139.1';

function anything(name: string): unknown {
    const target = function () {
        return undefined;
    };
    return new Proxy(target, {
        get(_, property) {
            if (property === 'version') {
                return StubVsCodeVersion;
            }
            if (property === 'then') {
                return undefined; // not a promise
            }
            if (property === Symbol.toPrimitive) {
                return () => 0;
            }
            if (property === Symbol.iterator) {
                return function* () {};
            }
            return anything(`${name}.${String(property)}`);
        },
        apply: () => anything(`${name}()`),
        construct: () => anything(`new ${name}`) as object,
    });
}

const stubPath = path.join(__dirname, '__any-vscode-stub__.js');
const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
};
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? stubPath : resolveFilename.call(this, request, ...rest);
};
loader._cache[stubPath] = { id: stubPath, filename: stubPath, loaded: true, exports: anything('vscode') };
