-- Starting, finding and talking to the doxls server, on Neovim 0.7
-- (vim.lsp.start_client + buf_attach_client) and later (vim.lsp.start).
local status = require("doxls.status")

local M = {}

local uv = vim.uv or vim.loop

local levels = vim.log.levels

local function has(version)
  return vim.fn.has("nvim-" .. version) == 1
end

-- Options from setup(); lsp.lua owns them because starting a client needs them.
M.options = {
  cmd = { "doxls" },
  settings = {},
  filetypes = { "http" },
  root_markers = { ".git" },
  root_dir = nil, -- string or function(bufnr) -> string
  on_attach = nil,
}

-- How each server process ended, by client id, for :checkhealth doxls.
M.exits = {}

local last_message, last_message_at = nil, 0

-- Server messages name its command ids; a Neovim user runs these instead.
local user_commands = {
  ["doxls.getToken"] = ":DoxToken",
  ["doxls.insertBearer"] = ":DoxInsertBearer",
  ["doxls.refreshBearers"] = ":DoxRefresh",
  ["doxls.loadServiceKey"] = ":DoxKey",
  ["doxls.newRequestFile"] = ":DoxNew",
  ["doxls.waitForJob"] = ":DoxJob",
}

--- Shows a message from doxls as one line. A failed command and the
--- dox/tokenStatus error it causes say the same thing: say it once.
function M.notify(msg, level)
  msg = tostring(msg):gsub("^%s+", ""):gsub("%s+$", ""):gsub("%s*\r?\n%s*", "; ")
  msg = msg:gsub("doxls%.%a+", user_commands)
  local now = uv.now()
  if msg == last_message and now - last_message_at < 2000 then
    return
  end
  last_message, last_message_at = msg, now
  local function show()
    vim.notify("DOX: " .. msg, level or levels.INFO)
  end
  if vim.in_fast_event() then
    vim.schedule(show)
  else
    show()
  end
end

local message_levels = { levels.ERROR, levels.WARN, levels.INFO, levels.DEBUG }

local handlers = {
  ["dox/tokenStatus"] = function(_, params, ctx)
    if type(params) ~= "table" then
      return
    end
    status.update(params, ctx.client_id)
    if params.state == "error" and type(params.message) == "string" then
      M.notify(params.message, levels.WARN)
    end
    vim.cmd("redrawstatus!")
  end,
  -- Neovim 0.7 writes these with nvim_err_writeln; route them through
  -- vim.notify on every version, so notification plugins see them.
  ["window/showMessage"] = function(_, params)
    if type(params) == "table" and params.message then
      M.notify(params.message, message_levels[params.type] or levels.INFO)
    end
    return vim.NIL
  end,
}

--- Every running doxls client.
function M.clients()
  local all = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  local out = {}
  for _, client in ipairs(all) do
    if client.name == "doxls" then
      table.insert(out, client)
    end
  end
  return out
end

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

--- The workspace folder for a buffer: root_dir from setup, else the nearest
--- folder with a root marker, else the current directory when the file is
--- inside it, else the file's folder. Key discovery looks in this folder.
function M.root_dir(bufnr)
  local opt = M.options.root_dir
  if type(opt) == "function" then
    opt = opt(bufnr)
  end
  if type(opt) == "string" and opt ~= "" then
    return (vim.fn.fnamemodify(opt, ":p"):gsub("/$", ""))
  end
  local cwd = uv.cwd()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return cwd
  end
  local dir = vim.fn.fnamemodify(name, ":p:h")
  local d = dir
  while true do
    for _, marker in ipairs(M.options.root_markers) do
      if uv.fs_stat(d .. "/" .. marker) then
        return d
      end
    end
    local parent = vim.fn.fnamemodify(d, ":h")
    if parent == d then
      break
    end
    d = parent
  end
  if dir == cwd or dir:sub(1, #cwd + 1) == cwd .. "/" then
    return cwd
  end
  return is_dir(dir) and dir or cwd
end

local function client_config(root)
  local settings = M.options.settings or {}
  return {
    name = "doxls",
    cmd = M.options.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    -- DESIGN §5: the flat settings object; an empty Lua table would be sent as [].
    init_options = next(settings) and settings or vim.empty_dict(),
    -- Answers workspace/configuration for section "dox".
    settings = { dox = settings },
    handlers = handlers,
    on_attach = M.options.on_attach,
    on_exit = function(code, signal, client_id)
      M.exits[client_id] = { code = code, signal = signal }
      status.forget(client_id)
    end,
  }
end

local warned_missing = false

local function binary_found()
  local exe = M.options.cmd[1]
  if vim.fn.executable(exe) == 1 then
    return true
  end
  if not warned_missing then
    warned_missing = true
    M.notify(
      string.format("%s is not executable; install doxls or set cmd in require('doxls').setup()", exe),
      levels.ERROR
    )
  end
  return false
end

-- Neovim 0.7 has no vim.lsp.start: one client per workspace folder, by hand.
local started = {}

--- Starts (or reuses) the server for a buffer and attaches it.
function M.attach(bufnr)
  if not binary_found() then
    return nil
  end
  local root = M.root_dir(bufnr)
  if has("0.8") then
    return vim.lsp.start(client_config(root), { bufnr = bufnr })
  end
  local id = started[root]
  if not (id and vim.lsp.get_client_by_id(id)) then
    id = vim.lsp.start_client(client_config(root))
    started[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- A server without a buffer, for :DoxToken or :DoxKey before any .http
-- file is open.
local function start_detached(root)
  if not binary_found() then
    return nil
  end
  if has("0.11") then
    return vim.lsp.start(client_config(root), { attach = false })
  end
  local id = vim.lsp.start_client(client_config(root))
  started[root] = started[root] or id
  return id
end

--- The client for a buffer: the one attached to it, else the one for its
--- workspace folder, else any doxls client, else a new one.
function M.client_for(bufnr)
  local clients = M.clients()
  for _, client in ipairs(clients) do
    if vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  local root = M.root_dir(bufnr)
  for _, client in ipairs(clients) do
    if client.config.root_dir == root then
      return client
    end
  end
  if clients[1] then
    return clients[1]
  end
  local id = start_detached(root)
  return id and vim.lsp.get_client_by_id(id)
end

-- Runs fn(client) once the client has answered initialize: Neovim 0.7
-- sends requests on an uninitialized client straight away.
local function when_ready(client, fn, waited)
  waited = waited or 0
  if client.initialized then
    return fn(client)
  end
  if not vim.lsp.get_client_by_id(client.id) then
    return M.notify("the doxls server exited; see :checkhealth doxls and :LspLog", levels.ERROR)
  end
  if waited >= 15000 then
    return M.notify("the doxls server did not start within 15 s; see :LspLog", levels.ERROR)
  end
  vim.defer_fn(function()
    when_ready(client, fn, waited + 50)
  end, 50)
end

local function request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Runs a doxls.* command (workspace/executeCommand) and calls
--- on_result(result, client) on success; a failure is shown as one line.
function M.exec(command, args, on_result, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = M.client_for(bufnr)
  if not client then
    return
  end
  when_ready(client, function(c)
    local params = { command = command, arguments = args and { args } or {} }
    request(c, "workspace/executeCommand", params, function(err, result)
      if err then
        M.notify(err.message or vim.inspect(err), levels.ERROR)
      elseif on_result then
        on_result(result, c)
      end
    end, bufnr)
  end)
end

--- Like exec, but waits (for health checks); returns result, error message.
function M.exec_sync(client, command, args, timeout_ms)
  local params = { command = command, arguments = args and { args } or {} }
  local resp, err
  if has("0.11") then
    resp, err = client:request_sync("workspace/executeCommand", params, timeout_ms)
  else
    resp, err = client.request_sync("workspace/executeCommand", params, timeout_ms)
  end
  if not resp then
    return nil, tostring(err)
  end
  if resp.err then
    return nil, resp.err.message or vim.inspect(resp.err)
  end
  return resp.result
end

return M
