-- :checkhealth doxls — the binary, its version, the service keys it finds.
local M = {}

local uv = vim.uv or vim.loop

-- Neovim 0.10+ has vim.health.start/ok/…, 0.8–0.9 vim.health.report_*,
-- 0.7 only the Vimscript health#report_* functions.
local function reporter(name)
  local h = vim.health
  if h and h.start then
    return h[name]
  end
  if h and h["report_" .. name] then
    return h["report_" .. name]
  end
  return function(msg, advice)
    if advice ~= nil then
      vim.fn["health#report_" .. name](msg, advice)
    else
      vim.fn["health#report_" .. name](msg)
    end
  end
end

local start, ok, warn, err, info =
  reporter("start"), reporter("ok"), reporter("warn"), reporter("error"), reporter("info")

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function report_keys(keys, active, where)
  if #keys == 0 then
    warn("no service key found in " .. where, {
      "save the key JSON from the BTP cockpit (or `cf service-key … > key.json`) in the workspace",
      "or run :DoxKey path/to/key.json, or set settings.serviceKey",
    })
    return
  end
  for _, key in ipairs(keys) do
    local line = string.format(
      "key %s%s: client %s, API %s",
      key.id,
      key.id == active and " (active)" or "",
      key.clientId or "?",
      key.apiUrl or "none"
    )
    local cert = require("doxls.status").parse_time(key.certificateExpiresAt)
    if not cert then
      ok(line)
    else
      line = line .. os.date(", certificate valid until %Y-%m-%d %H:%M", cert)
      local days = (require("doxls.lsp").options.settings or {}).certificateWarningDays or 2
      if cert - os.time() <= days * 86400 then
        warn(line, {
          "create a new x509 key: cf create-service-key INSTANCE NEW-KEY -c '{\"credential-type\":\"x509\"}'",
          "or in the BTP cockpit (your DOX instance, Create service key, credential type x509)",
        })
      else
        ok(line)
      end
    end
  end
end

function M.check()
  local lsp = require("doxls.lsp")
  start("doxls")

  local cmd = lsp.options.cmd
  local exe = vim.fn.exepath(cmd[1])
  if exe == "" then
    err(cmd[1] .. " is not executable", {
      "install doxls (go install github.com/doxls/doxls@latest) and put it on PATH",
      "or pass its path: require('doxls').setup({ cmd = { '/path/to/doxls' } })",
    })
    return
  end
  ok("binary: " .. exe)

  local version = vim.fn.system({ exe, "version" })
  if vim.v.shell_error ~= 0 then
    err("`doxls version` failed: " .. trim(version))
    return
  end
  ok(trim(version))

  for id, e in pairs(lsp.exits) do
    if e.code ~= 0 or (e.signal ~= 0 and e.signal ~= 15) then
      warn(string.format("a doxls server (client %d) ended with exit code %d, signal %d; see :LspLog", id, e.code, e.signal))
    end
  end

  local clients = lsp.clients()
  if clients[1] then
    local client = clients[1]
    info(string.format("server running (client %d) for %s", client.id, client.config.root_dir or "?"))
    local res, msg = lsp.exec_sync(client, "doxls.loadServiceKey", nil, 5000)
    if not res then
      err("doxls.loadServiceKey failed: " .. msg)
      return
    end
    report_keys(res.keys or {}, res.active, client.config.root_dir or "the workspace")
    return
  end

  local dir = uv.cwd()
  info("no server running; asking `doxls keys " .. dir .. "`")
  local out = vim.fn.system({ exe, "keys", dir })
  if vim.v.shell_error ~= 0 then
    err("`doxls keys` failed: " .. trim(out))
    return
  end
  local keys = {}
  for line in out:gmatch("[^\n]+") do
    local problem = line:match("^problem: (.*)$")
    if problem then
      warn(problem)
    else
      local id, client, api = line:match("^([^\t]+)\tclient ([^\t]*)\t[^\t]*\tapi ([^\t]*)")
      if id then
        table.insert(keys, { id = id, clientId = client, apiUrl = api ~= "" and api or nil })
      end
    end
  end
  report_keys(keys, nil, dir)
end

return M
