// Loads an extension bundle (dist/extension.js from a VSIX) in plain Node, to check what Node can
// check of it: it requires nothing but Node's built-in modules and `vscode` (everything else must
// be bundled; the VSIX carries no node_modules), and it exports activate and deactivate.
// `vscode` is replaced by a permissive stand-in: any property is a constructible function, enough
// for module initialisation (vscode-languageclient subclasses several VS Code classes at load time).
// Nothing is activated. Prints a JSON report; exits 1 when a check fails.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const bundle = path.resolve(process.argv[2]);

function standIn(name) {
    const target = function () {};
    return new Proxy(target, {
        get(object, property) {
            if (property === 'prototype') {
                return object.prototype;
            }

            if (property === Symbol.toPrimitive || property === 'then') {
                return undefined;
            }

            return standIn(`${name}.${String(property)}`);
        },
        construct: () => standIn(`new ${name}`),
        apply: () => standIn(`${name}()`),
    });
}

const builtins = new Set(Module.builtinModules);
const requests = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
    if (parent && parent.filename === bundle) {
        requests.add(request);
        if (request === 'vscode') {
            return standIn('vscode');
        }
    }

    return load.call(this, request, parent, isMain);
};

const problems = [];
let exported = [];
try {
    const extension = require(bundle);
    exported = Object.keys(extension);
    for (const name of ['activate', 'deactivate']) {
        if (typeof extension[name] !== 'function') {
            problems.push(`the bundle does not export ${name}`);
        }
    }
} catch (error) {
    problems.push(`the bundle does not load: ${error && error.stack ? error.stack : error}`);
}

for (const request of requests) {
    if (request !== 'vscode' && !builtins.has(request.replace(/^node:/, ''))) {
        problems.push(`the bundle requires ${request}, which is neither built into Node nor bundled`);
    }
}

console.log(JSON.stringify({ exports: exported, requires: [...requests].sort(), problems }, null, 2));
process.exit(problems.length === 0 ? 0 : 1);
