-- Neovim's built-in LSP client (0.7 API: vim.lsp.start_client / buf_attach_client) drives the LeanAssist
-- server, as a Neovim user would configure it (docs/editors.md). Run headless by NeovimTests:
--   nvim --headless -u NONE -i NONE -n -c 'luafile leanassist-client.lua'
-- Input (environment): LEANASSIST_EDITOR_SERVER_CMD (JSON array), LEANASSIST_EDITOR_ROOT (the Lake project),
-- LEANASSIST_EDITOR_FILE (a .lean file in it), LEANASSIST_EDITOR_SETTINGS (JSON: the leanAssist section),
-- LEANASSIST_EDITOR_TIMEOUT_MS (how long to wait for a verified code action), LEANASSIST_EDITOR_REPORT.
-- Output: one JSON object per line in the report file, saying what this client sent and saw; the test
-- asserts on it. The script always ends Neovim (exit code 0 when it ran to the end, 1 after an error).

local report_path = assert(os.getenv('LEANASSIST_EDITOR_REPORT'), 'LEANASSIST_EDITOR_REPORT is not set')

local encode = vim.json.encode

local function report(event)
  local file = assert(io.open(report_path, 'a'))
  file:write(encode(event), '\n')
  file:close()
end

-- The `initialize` request exactly as written to the server: vim.lsp.rpc encodes every message with
-- vim.json.encode just before writing it.
local initialize_json = nil
vim.json.encode = function(value)
  local encoded = encode(value)
  if initialize_json == nil and type(value) == 'table' and value.method == 'initialize' then
    initialize_json = encoded
    report({ event = 'initialize-message', message = encoded })
  end
  return encoded
end

-- The server's answer to it, as decoded from the wire (vim.lsp.rpc decodes each message with vim.json.decode).
local decode = vim.json.decode
local initialize_error = nil
vim.json.decode = function(text, options)
  local decoded
  if options == nil then decoded = decode(text) else decoded = decode(text, options) end
  if initialize_json ~= nil and type(decoded) == 'table' and decoded.method == nil
      and decoded.id == decode(initialize_json).id and (decoded.result ~= nil or decoded.error ~= nil) then
    vim.json.decode = decode
    initialize_error = decoded.error
    report({ event = 'initialize-answer', error = decoded.error, hasResult = decoded.result ~= nil })
  end
  return decoded
end

local function now_ms()
  return vim.loop.hrtime() / 1e6
end

local function run()
  local server_cmd = vim.json.decode(assert(os.getenv('LEANASSIST_EDITOR_SERVER_CMD')))
  local root = assert(os.getenv('LEANASSIST_EDITOR_ROOT'))
  local path = assert(os.getenv('LEANASSIST_EDITOR_FILE'))
  local settings = vim.json.decode(os.getenv('LEANASSIST_EDITOR_SETTINGS') or '{}')
  local timeout_ms = tonumber(os.getenv('LEANASSIST_EDITOR_TIMEOUT_MS') or '60000')
  report({ event = 'client', name = 'neovim', version = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch })

  local initialized = false
  local exit_status = nil
  local errors = {}

  -- What a user's config does: a `lean` filetype for .lean files (no Lean plugin here), and the client
  -- started and attached when a buffer gets that filetype.
  local client_id = nil
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, { pattern = '*.lean', command = 'setfiletype lean' })
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'lean',
    callback = function(args)
      if client_id == nil then
        client_id = vim.lsp.start_client({
          name = 'leanassist',
          cmd = server_cmd,
          root_dir = root,
          -- Handed over with initialize. Neovim 0.7 answers workspace/configuration from `settings` but does
          -- not announce it (capabilities.workspace.configuration is absent), so the server does not pull.
          init_options = { settings = settings },
          settings = { leanAssist = settings },
          on_init = function(client, result)
            initialized = true
            report({ event = 'initialize-result', serverInfo = result.serverInfo, capabilities = result.capabilities })
          end,
          on_error = function(code, err)
            table.insert(errors, tostring(err))
            report({ event = 'client-error', code = vim.lsp.client_errors[code] or code, message = tostring(err) })
          end,
          on_exit = function(code, signal)
            exit_status = { code = code, signal = signal }
          end,
          handlers = {
            ['window/showMessage'] = function(_, result)
              report({ event = 'show-message', type = result.type, message = result.message })
            end,
          },
        })
      end
      vim.lsp.buf_attach_client(args.buf, client_id)
    end,
  })

  local original = vim.fn.readfile(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  report({ event = 'opened', filetype = vim.bo[bufnr].filetype })
  if not vim.wait(30000, function() return initialized or initialize_error ~= nil or exit_status ~= nil or #errors > 0 end, 20) then
    error('the server did not answer initialize within 30 s')
  end
  if not initialized then
    error('initialize failed: ' .. vim.inspect(initialize_error) .. ' ' .. table.concat(errors, '; ') .. ' exit ' .. vim.inspect(exit_status))
  end
  local client = vim.lsp.get_client_by_id(client_id)

  -- The first `sorry` that is a proof (the doc comment mentions the word too).
  local line = vim.fn.search([[^\s*sorry\s*$]], 'w')
  assert(line > 0, 'no sorry line in ' .. path)
  local column = vim.fn.match(vim.fn.getline(line), 'sorry')
  vim.api.nvim_win_set_cursor(0, { line, column })

  -- Suggestions are computed in the background after didOpen: ask again until a verified action is
  -- offered, for at most timeout_ms.
  local started = now_ms()
  local deadline = started + timeout_ms
  local attempts = 0
  local verified = nil
  local titles = {}
  while verified == nil do
    attempts = attempts + 1
    local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
    params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr) }
    local response, err = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
    if response == nil then
      error('textDocument/codeAction failed: ' .. tostring(err))
    end
    if response.err then
      error('textDocument/codeAction answered an error: ' .. vim.inspect(response.err))
    end
    titles = {}
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
      if verified == nil and action.edit ~= nil and string.find(action.title, 'closes the goal', 1, true) then
        verified = action
      end
    end
    if verified == nil then
      if now_ms() > deadline then
        report({ event = 'code-actions', attempts = attempts, titles = titles, verified = false })
        error('no verified code action within ' .. timeout_ms .. ' ms; last titles: ' .. vim.inspect(titles))
      end
      -- Let the client's event loop run (diagnostics, progress) before asking again.
      vim.wait(250, function() return exit_status ~= nil end, 20)
      if exit_status ~= nil then
        error('the server exited while suggestions were computed: ' .. vim.inspect(exit_status))
      end
    end
  end
  report({ event = 'code-actions', attempts = attempts, titles = titles, verified = true,
           first = verified.title, elapsedMs = math.floor(now_ms() - started), line = line })

  local hover, hover_err = client.request_sync('textDocument/hover', vim.lsp.util.make_position_params(0, client.offset_encoding), 10000, bufnr)
  if hover == nil or hover.err then
    error('textDocument/hover failed: ' .. vim.inspect(hover_err or hover.err))
  end
  local contents = hover.result and hover.result.contents or vim.NIL
  report({ event = 'hover', contents = contents,
           markdown = hover.result and table.concat(vim.lsp.util.convert_input_to_markdown_lines(hover.result.contents), '\n') or vim.NIL })

  -- Apply the verified action the way the code-action menu does, and see what changed.
  vim.lsp.util.apply_workspace_edit(verified.edit, client.offset_encoding)
  local after = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local changed = {}
  for index = 1, math.max(#original, #after) do
    if original[index] ~= after[index] then
      table.insert(changed, { line = index, before = original[index] or vim.NIL, after = after[index] or vim.NIL })
    end
  end
  report({ event = 'applied', title = verified.title, changed = changed })

  -- shutdown, then exit (client.stop sends exit after shutdown's answer); wait for the process to end.
  client.stop()
  if not vim.wait(30000, function() return exit_status ~= nil end, 20) then
    error('the server did not exit within 30 s after shutdown and exit')
  end
  report({ event = 'server-exit', code = exit_status.code, signal = exit_status.signal })
end

local ok, err = pcall(run)
if ok then
  report({ event = 'done' })
  vim.cmd('qall!')
else
  report({ event = 'failed', message = tostring(err) })
  -- Stop the server (if any) so no process outlives the test.
  for _, client in ipairs(vim.lsp.get_active_clients()) do
    client.stop(true)
  end
  vim.cmd('cquit! 1')
end
