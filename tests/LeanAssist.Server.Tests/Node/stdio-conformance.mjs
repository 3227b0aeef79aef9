// Drives the real `leanassist lsp` process over stdio with vscode-jsonrpc, the JSON-RPC library
// VS Code's own LSP client is built on. Run by StdioConformanceTests; prints a JSON report and
// exits 0 only when every check passed.
//
// usage: node stdio-conformance.mjs <server command> [args...]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

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
connection.onRequest('workspace/configuration', params => params.items.map(() => ({})));
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

  // A request that is cancelled: it must still be answered (result or RequestCancelled), and the server keeps serving.
  const source = new rpc.CancellationTokenSource();
  const cancelled = connection.sendRequest('leanAssist/noSuchRequest', {}, source.token);
  source.cancel();
  try {
    await cancelled;
    check('a cancelled request is answered', true, 'answered with a result');
  } catch (error) {
    check('a cancelled request is answered', [-32800, -32601].includes(error.code), `code ${error.code}`);
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
