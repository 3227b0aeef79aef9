// Drives the real `leanassist lsp` process over stdio with vscode-jsonrpc, the JSON-RPC library
// VS Code's own LSP client is built on. Run by StdioConformanceTests; prints a JSON report and
// exits 0 only when every check passed.
//
// usage: node stdio-conformance.mjs <server command> [args...]
// Environment: LEANASSIST_CONFORMANCE_SETTINGS (the `leanAssist` settings as JSON: the REPL stand-in as
// Lean, the local LLM server as LLM) and LEANASSIST_CONFORMANCE_PROJECT (a Lake project folder to put
// Lean files in) enable the editor part: code actions, hover, suggest with progress and cancellation.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node stdio-conformance.mjs <server command> [args...]');
  process.exit(2);
}

const checks = [];
const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail: detail ?? null });

const server = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', chunk => { stderr += chunk.toString(); });
const exited = new Promise(resolve => server.on('exit', code => resolve(code)));

// Every message the server sends is seen here first (including answers to frames we wrote by hand).
const seen = [];
const waiters = [];
const inner = new rpc.StreamMessageReader(server.stdout);
const readerErrors = [];
inner.onError(error => readerErrors.push(String(error)));
const reader = {
  onError: inner.onError,
  onClose: inner.onClose,
  onPartialMessage: inner.onPartialMessage,
  listen(callback) {
    return inner.listen(message => {
      seen.push(message);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
      callback(message);
    });
  },
  dispose: () => inner.dispose(),
};
const waitFor = (predicate, what, ms = 20000) => {
  const found = seen.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    waiters.push({ predicate, resolve: message => { clearTimeout(timer); resolve(message); } });
  });
};

const quietLogger = { error: () => {}, warn: () => {}, info: () => {}, log: () => {} };
const connection = rpc.createMessageConnection(reader, new rpc.StreamMessageWriter(server.stdin), quietLogger);
const settings = JSON.parse(process.env.LEANASSIST_CONFORMANCE_SETTINGS ?? '{}');
const project = process.env.LEANASSIST_CONFORMANCE_PROJECT;
connection.onRequest('workspace/configuration', params => params.items.map(() => settings));
connection.onRequest('client/registerCapability', () => null);
connection.onRequest('window/workDoneProgress/create', () => null);
connection.listen();

const frame = body => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
};
const writeRaw = bytes => new Promise((resolve, reject) => server.stdin.write(bytes, error => (error ? reject(error) : resolve())));
const errorFor = id => waitFor(m => m.id === id && m.error, `the error answering ${id}`);

async function expectError(name, promise, code) {
  try {
    await promise;
    check(name, false, 'expected an error, got a result');
  } catch (error) {
    check(name, error.code === code, `code ${error.code}: ${error.message}`);
  }
}

async function run() {
  const uri = 'file:///tmp/Conformance.lean';

  // Before initialize.
  await expectError('request before initialize gets ServerNotInitialized (-32002)',
    connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), -32002);

  await writeRaw(frame(JSON.stringify({ jsonrpc: '2.0', id: 'raw-bad-init', method: 'initialize', params: { processId: 'abc', capabilities: {} } })));
  const badInit = await errorFor('raw-bad-init');
  check('initialize with wrong parameter types gets InvalidParams (-32602)', badInit.error.code === -32602, badInit.error.message);

  // Initialize.
  const started = Date.now();
  const init = await connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'vscode-jsonrpc conformance' },
    rootUri: null,
    initializationOptions: { settings },
    capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
  });
  check('initialize answers with incremental sync', init.capabilities?.textDocumentSync?.change === 2, JSON.stringify(init.capabilities));
  check('initialize names the server', init.serverInfo?.name === 'leanassist', JSON.stringify(init.serverInfo));
  await connection.sendNotification('initialized', {});
  const pull = await waitFor(m => m.method === 'workspace/configuration', 'workspace/configuration');
  check('settings are pulled with workspace/configuration after initialized', pull.params.items[0].section === 'leanAssist', JSON.stringify(pull.params));

  // Documents: open, then incremental changes with unicode, CRLF and tabs.
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'lean4', version: 1, text: 'theorem t (x : ℕ) :\r\n\tx + 0 = x := by\r\n  sorry\n' },
  });
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: { start: { line: 0, character: 15 }, end: { line: 0, character: 16 } }, text: '𝔽' },
      { range: { start: { line: 2, character: 2 }, end: { line: 2, character: 7 } }, text: 'simp' },
    ],
  });

  if (project) {
    await editorFeatures();
  }

  // A burst of malformed frames, each with the spec's answer.
  const burst = [
    { name: 'non-numeric Content-Length', bytes: Buffer.from('Content-Length: nope\r\n\r\n', 'ascii'), id: null, code: -32700 },
    { name: 'body that is not JSON', bytes: frame('{"jsonrpc": "2.0", "id": '), id: null, code: -32700 },
    { name: 'JSON that is not JSON-RPC', bytes: frame('{"jsonrpc":"2.0","result":true}'), id: null, code: -32600 },
    { name: 'unsupported charset', bytes: Buffer.concat([Buffer.from('Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n{}', 'ascii')]), id: null, code: -32700 },
    { name: 'unknown method', bytes: frame('{"jsonrpc":"2.0","id":"raw-unknown","method":"no/such/method","params":{}}'), id: 'raw-unknown', code: -32601 },
    { name: 'second initialize', bytes: frame('{"jsonrpc":"2.0","id":"raw-init-twice","method":"initialize","params":{"capabilities":{}}}'), id: 'raw-init-twice', code: -32600 },
    { name: 'params that are not structured', bytes: frame('{"jsonrpc":"2.0","id":"raw-params","method":"shutdown","params":42}'), id: 'raw-params', code: -32600 },
  ];
  for (const item of burst) {
    const before = seen.filter(m => m.error && m.id === null).length;
    await writeRaw(item.bytes);
    const answer = item.id === null
      ? await waitFor(m => m.error && m.id === null && seen.filter(x => x.error && x.id === null).indexOf(m) >= before, `the answer to ${item.name}`)
      : await errorFor(item.id);
    check(`malformed: ${item.name} gets ${item.code}`, answer.error.code === item.code, `${answer.error.code}: ${answer.error.message}`);
  }

  // A 100 MB frame, streamed.
  const size = 100 * 1024 * 1024;
  const beforeHuge = seen.filter(m => m.error && m.id === null).length;
  await writeRaw(Buffer.from(`Content-Length: ${size}\r\n\r\n`, 'ascii'));
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let sent = 0; sent < size; sent += chunk.length) {
    await writeRaw(chunk);
  }
  const huge = await waitFor(m => m.error && m.id === null && seen.filter(x => x.error && x.id === null).indexOf(m) >= beforeHuge, 'the answer to a 100 MB frame', 60000);
  check('malformed: a 100 MB frame is refused with InvalidRequest (-32600)', huge.error.code === -32600 && /exceeds the limit/.test(huge.error.message), huge.error.message);

  // Still serving after all of that.
  await expectError('the server still serves after the burst', connection.sendRequest('leanAssist/stillThere', {}), -32601);

  // Shutdown and exit.
  const shutdown = await connection.sendRequest('shutdown');
  check('shutdown answers null', shutdown === null, JSON.stringify(shutdown));
  await expectError('requests after shutdown get InvalidRequest (-32600)', connection.sendRequest('leanAssist/afterShutdown', {}), -32600);
  await connection.sendNotification('exit');
  const code = await Promise.race([exited, new Promise(resolve => setTimeout(() => resolve('timeout'), 20000))]);
  check('exit after shutdown ends the process with code 0', code === 0, `exit code ${code}`);
  check('stdout carried only well-formed LSP frames', readerErrors.length === 0, readerErrors.join('; '));
  check('logs went to stderr, not stdout', stderr.length > 0, `${stderr.length} bytes on stderr`);
  return Date.now() - started;
}

async function editorFeatures() {
  const text = 'theorem plus_zero (n : Nat) : n + 0 = n := by\n  sorry\n\ntheorem swap (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry\n\ntheorem slow_goal : SlowGoal := by\n  sorry\n';
  const path = join(project, 'Conformance.lean');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).href;
  const statuses = [];
  connection.onNotification('leanAssist/status', params => statuses.push(params));
  const progress = [];
  connection.onNotification('$/progress', params => progress.push(params));
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lean4', version: 1, text } });

  const codeActions = (line, character) => connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line, character }, end: { line, character } },
    context: { diagnostics: [], triggerKind: 2 },
  });
  let actions = [];
  for (const deadline = Date.now() + 60000; Date.now() < deadline;) {
    actions = await codeActions(1, 3);
    if (actions.some(a => a.edit)) break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const verified = actions.find(a => a.edit);
  check('prefetch makes the lightbulb offer a verified edit', verified && /^LeanAssist: `omega` closes the goal \(\d+ ms\)$/.test(verified.title), actions.map(a => a.title).join(' | '));
  check('the edit is tied to the document version', verified?.edit?.documentChanges?.[0]?.textDocument?.version === 1, JSON.stringify(verified?.edit));
  check('status notifications arrive', statuses.length > 0 && statuses.at(-1).sessions.total >= 1, JSON.stringify(statuses.at(-1)));

  const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 3 } });
  check('hover on the sorry lists the candidates', /candidates verified by Lean/.test(hover?.contents?.value ?? '') && /`omega`/.test(hover.contents.value), hover?.contents?.value);

  // Explicit suggest asks the LLM (the local LLM server) and reports progress.
  const swap = await connection.sendRequest('workspace/executeCommand', {
    command: 'leanAssist.suggest', arguments: [{ uri, position: { line: 4, character: 3 } }], workDoneToken: 'conformance-swap',
  });
  check('explicit suggest returns LLM candidates verified by Lean', swap.suggestions[0]?.verdict === 'solved' && swap.suggestions[0]?.source === 'llm', JSON.stringify(swap.suggestions.slice(0, 3)));
  check('explicit suggest reports progress begin ... end', progress.some(p => p.token === 'conformance-swap' && p.value.kind === 'begin') && progress.some(p => p.token === 'conformance-swap' && p.value.kind === 'end'), JSON.stringify(progress.filter(p => p.token === 'conformance-swap').map(p => p.value.kind)));

  // A request that is cancelled while Lean works: it still gets an answer, RequestCancelled.
  const source = new rpc.CancellationTokenSource();
  const slow = connection.sendRequest('workspace/executeCommand', {
    command: 'leanAssist.suggest', arguments: [{ uri, position: { line: 7, character: 3 } }], workDoneToken: 'conformance-slow',
  }, source.token);
  for (const deadline = Date.now() + 30000; Date.now() < deadline && !progress.some(p => p.token === 'conformance-slow' && p.value.kind === 'report');) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  source.cancel();
  try {
    await slow;
    check('a cancelled request is answered with RequestCancelled (-32800)', false, 'answered with a result');
  } catch (error) {
    check('a cancelled request is answered with RequestCancelled (-32800)', error.code === -32800, `code ${error.code}: ${error.message}`);
  }

  await expectError('code actions with wrong parameter types get InvalidParams (-32602)',
    connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: 'not a range', context: {} }), -32602);

  const metrics = await connection.sendRequest('leanAssist/metrics');
  check('metrics list counters and histograms', metrics.counters.some(c => c.name === 'leanassist.candidates') && metrics.histograms.some(h => h.name === 'leanassist.lsp.code_action.duration'), JSON.stringify(metrics.counters.map(c => c.name)));
}

let failure = null;
try {
  await Promise.race([run(), new Promise((_, reject) => setTimeout(() => reject(new Error('the conformance run took over 120 s')), 120000))]);
} catch (error) {
  failure = String(error?.stack ?? error);
}
connection.dispose();
if (server.exitCode === null) server.kill();

const ok = failure === null && checks.every(c => c.ok);
process.stdout.write(JSON.stringify({ ok, failure, checks, stderrTail: stderr.slice(-2000) }, null, 2) + '\n');
process.exit(ok ? 0 : 1);
