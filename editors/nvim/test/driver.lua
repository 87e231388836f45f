-- Drives Neovim through what a user does with doxls, after init.lua ran the
-- set-up block of docs/editors.md. e2e.sh passes the scenario in the environment:
--   DOX_E2E_MODE     "plugin" (the plugin's commands) or "plain" (vim.lsp only)
--   DOX_E2E_OUT      a file that gets the server's pid, then "ok"
--   DOX_E2E_CLIENTS  "first-client-id\nsecond-client-id"
--   DOX_E2E_KEY1, DOX_E2E_KEY2  the ids (relative paths) of the two key files
-- Every wait is vim.wait on a condition; any failure ends Neovim with
-- status 1 and one line on stderr. Tokens are never printed whole.
local mode = os.getenv("DOX_E2E_MODE") or "plugin"
local out_file = assert(os.getenv("DOX_E2E_OUT"), "DOX_E2E_OUT not set")
local client_ids = vim.split(os.getenv("DOX_E2E_CLIENTS") or "", "\n", { plain = true })
local key2 = os.getenv("DOX_E2E_KEY2") or ""

local notes = {} -- every vim.notify, for assertions and failure messages
vim.notify = function(msg, level)
  table.insert(notes, { msg = tostring(msg), level = level or vim.log.levels.INFO })
end

local function redact(token)
  if type(token) ~= "string" then
    return tostring(token)
  end
  return string.format("%s…(%d chars)", token:sub(1, 6), #token)
end

local function fail(msg)
  local seen = {}
  for _, n in ipairs(notes) do
    table.insert(seen, n.msg)
  end
  io.stderr:write(string.format("nvim e2e (%s): FAIL: %s\n", mode, msg))
  if #seen > 0 then
    io.stderr:write("  messages shown: " .. table.concat(seen, " | ") .. "\n")
  end
  vim.cmd("cquit 1")
end

local function wait_for(what, ms, cond)
  local ok = vim.wait(ms, function()
    local good, res = pcall(cond)
    return good and res
  end, 20)
  if not ok then
    fail("timed out after " .. ms .. " ms waiting for " .. what)
  end
end

local function lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr or 0, 0, -1, false)
end

-- The Bearer tokens in the buffer, by 1-based line number of the header.
local function bearers()
  local found = {}
  for i, l in ipairs(lines()) do
    local t = l:match("^Authorization: Bearer (%S+)$")
    if t then
      table.insert(found, { line = i, token = t })
    end
  end
  return found
end

local b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function b64url_decode(s)
  local bits, out = 0, {}
  local acc = 0
  for c in s:gmatch(".") do
    local v = b64:find(c, 1, true)
    if not v then
      break
    end
    acc = acc * 64 + (v - 1)
    bits = bits + 6
    if bits >= 8 then
      bits = bits - 8
      local byte = math.floor(acc / 2 ^ bits)
      table.insert(out, string.char(byte))
      acc = acc - byte * 2 ^ bits
    end
  end
  return table.concat(out)
end

local function token_client(token)
  local payload = token:match("^[^.]+%.([^.]+)%.")
  if not payload then
    return nil
  end
  local ok, claims = pcall(vim.json.decode, b64url_decode(payload))
  return ok and type(claims) == "table" and claims.client_id or nil
end

local function doxls_client(bufnr)
  local all = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  for _, c in ipairs(all) do
    if c.name == "doxls" and vim.lsp.buf_is_attached(bufnr or 0, c.id) then
      return c
    end
  end
end

local function noted(pattern)
  for _, n in ipairs(notes) do
    if n.msg:match(pattern) then
      return n
    end
  end
end

local function no_errors_shown()
  for _, n in ipairs(notes) do
    if n.level == vim.log.levels.ERROR then
      fail("an error was shown: " .. n.msg)
    end
  end
  if vim.v.errmsg ~= "" then
    fail("Neovim reported an error: " .. vim.v.errmsg)
  end
end

local function server_pid(client)
  local pid = client.rpc and client.rpc.pid
  if pid then
    return pid
  end
  -- Newer Neovim does not expose the pid: the server is our only doxls child.
  local found = vim.fn.systemlist({ "pgrep", "-P", tostring(vim.fn.getpid()), "doxls" })
  return tonumber(found[1])
end

local function expect_header_lines(want_count)
  local b = bearers()
  if #b ~= want_count then
    fail(string.format("want %d Bearer header lines, buffer has %d:\n%s", want_count, #b,
      table.concat(vim.tbl_map(function(l)
        return (l:gsub("Bearer (%S+)", function(t) return "Bearer " .. redact(t) end))
      end, lines()), "\n")))
  end
  return b
end

-- The request file as e2e.sh wrote it, with the header lines the server must
-- add: after the last header of each DOX request, none for example.com.
local function expect_text(token)
  local want = {
    "# DOX requests against the emulator",
    "@api = " .. os.getenv("DOX_E2E_API"),
    "",
    "GET {{api}}/document-information-extraction/v1/capabilities",
    "Accept: application/json",
    "Authorization: Bearer " .. token,
    "",
    "###",
    "GET https://example.com/status",
    "Accept: application/json",
    "",
    "###",
    "POST {{api}}/document-information-extraction/v1/document/jobs",
    "Content-Type: application/json",
    "Authorization: Bearer " .. token,
    "",
    '{"clientId": "default"}',
  }
  local got = lines()
  for i = 1, math.max(#want, #got) do
    if got[i] ~= want[i] then
      local function show(s)
        return s and (s:gsub("Bearer (%S+)", function(t) return "Bearer " .. redact(t) end)) or "<none>"
      end
      fail(string.format("buffer line %d is %q, want %q", i, show(got[i]), show(want[i])))
    end
  end
end

-- Writes the server's pid and "ok", then quits. On VimLeave, after Neovim
-- sent shutdown and exit and gave the server its 500 ms, adds how the server
-- ended: "exit CODE SIGNAL", or nothing when it was still running (Neovim
-- then kills it).
local function quit(client)
  local f = assert(io.open(out_file, "w"))
  f:write(tostring(server_pid(client)), "\n", "ok\n")
  f:close()
  vim.api.nvim_create_autocmd("VimLeave", {
    callback = function()
      local e = mode == "plugin" and require("doxls.lsp").exits[client.id] or nil
      if e then
        local g = assert(io.open(out_file, "a"))
        g:write(string.format("exit %d %d\n", e.code, e.signal))
        g:close()
      end
    end,
  })
  vim.cmd("qa!")
end

local function start_server()
  wait_for("the doxls server to start and attach to the .http buffer", 15000, function()
    local c = doxls_client(0)
    return c and c.initialized
  end)
  if vim.bo.filetype ~= "http" then
    fail("filetype of the .http buffer is " .. vim.inspect(vim.bo.filetype))
  end
  return doxls_client(0)
end

-- vim.ui.select answers with the item whose id is choose_key, as a user
-- would pick it; offered records what was on offer.
local choose_key, offered
vim.ui.select = function(items, opts, on_choice)
  offered = {}
  local pick
  for _, item in ipairs(items) do
    table.insert(offered, opts.format_item and opts.format_item(item) or tostring(item))
    if item.id == choose_key then
      pick = item
    end
  end
  on_choice(pick)
end

local function pick_key(id)
  choose_key, offered = id, nil
  local before = #notes
  vim.cmd("DoxKey")
  wait_for(":DoxKey to offer the keys", 5000, function()
    return offered ~= nil
  end)
  if #offered ~= 2 then
    fail(":DoxKey offered " .. vim.inspect(offered) .. ", want the two key files")
  end
  wait_for(":DoxKey to make " .. id .. " active", 5000, function()
    for i = before + 1, #notes do
      if notes[i].msg == "DOX: using service key " .. id then
        return true
      end
    end
  end)
end

local function plugin_scenario()
  local client = start_server()
  if require("doxls").statusline() ~= "" then
    fail("statusline before any token is " .. vim.inspect(require("doxls").statusline()) .. ", want \"\"")
  end

  -- Two keys in the workspace and none chosen: the server says so, in one
  -- line that names the plugin's command.
  vim.cmd("DoxInsertBearer!")
  wait_for("the error about two service keys", 10000, function()
    return noted("^DOX: 2 service keys found")
  end)
  local n = noted("^DOX: 2 service keys found")
  if n.level ~= vim.log.levels.ERROR or n.msg:find("\n") or not n.msg:find(":DoxKey", 1, true) then
    fail("the two-keys error should be one ERROR line naming :DoxKey, got " .. vim.inspect(n))
  end
  notes = {}
  pick_key(os.getenv("DOX_E2E_KEY1"))

  -- :DoxInsertBearer! writes the header into both DOX requests.
  vim.cmd("DoxInsertBearer!")
  wait_for(":DoxInsertBearer! to write two Bearer headers", 10000, function()
    return #bearers() == 2
  end)
  local b = expect_header_lines(2)
  local t1 = b[1].token
  if token_client(t1) ~= client_ids[1] then
    fail("the token written is for client " .. tostring(token_client(t1)) .. ", want the first key's client")
  end
  expect_text(t1)
  wait_for("the message about the skipped example.com request", 5000, function()
    return noted("^DOX: token written %(2 lines%); skipped line %d+: foreign host example%.com$")
  end)

  -- The statusline shows the time left from dox/tokenStatus.
  wait_for("statusline() to show the time left", 5000, function()
    return require("doxls").statusline():match("^DOX 11h 5%dm$")
  end)
  local line = vim.api.nvim_eval_statusline(vim.o.statusline, {}).str
  if not line:match("DOX 11h 5%dm") then
    fail("the statusline of docs/editors.md evaluates to " .. vim.inspect(line))
  end

  -- :DoxKey switches to the second key.
  pick_key(key2)

  -- :DoxInsertBearer on the first request writes the second key's token there only.
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  vim.cmd("DoxInsertBearer")
  wait_for(":DoxInsertBearer to replace the first request's token", 10000, function()
    return bearers()[1].token ~= t1
  end)
  b = expect_header_lines(2)
  local t2 = b[1].token
  if token_client(t2) ~= client_ids[2] then
    fail("after :DoxKey the token is for client " .. tostring(token_client(t2)) .. ", want the second key's client")
  end
  if b[2].token ~= t1 then
    fail(":DoxInsertBearer without ! changed the second request too")
  end

  -- :DoxRefresh brings the other request up to date.
  vim.cmd("DoxRefresh")
  wait_for(":DoxRefresh to replace the outdated token", 10000, function()
    return bearers()[2].token == t2
  end)
  expect_text(t2)
  wait_for("the :DoxRefresh message", 5000, function()
    return noted("^DOX: refreshed 1 token in 1 document$")
  end)

  -- :DoxToken names the active key and its time left.
  vim.cmd("DoxToken")
  wait_for("the :DoxToken message", 5000, function()
    return noted("^DOX: token for " .. vim.pesc(key2) .. ": 11h 5%dm left")
  end)

  -- A .rest file is an http buffer too, served by the same server.
  local http_buf = vim.api.nvim_get_current_buf()
  vim.cmd("edit other.rest")
  wait_for("the server to attach to other.rest", 5000, function()
    return doxls_client(0) ~= nil
  end)
  if vim.bo.filetype ~= "http" then
    fail("filetype of other.rest is " .. vim.inspect(vim.bo.filetype))
  end
  local all = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  if #all ~= 1 or doxls_client(0).id ~= client.id then
    fail(string.format("other.rest got its own server: %d clients running", #all))
  end
  vim.api.nvim_set_current_buf(http_buf)

  -- :DoxNew writes a request file for the active key next to dox.http
  -- (which it must not touch), opens it, saves it, and the server serves it.
  vim.cmd("DoxNew")
  wait_for(":DoxNew to open dox-2.http", 10000, function()
    return vim.api.nvim_buf_get_name(0):match("/dox%-2%.http$") ~= nil
  end)
  local new_buf = vim.api.nvim_get_current_buf()
  local text = table.concat(lines(), "\n")
  for _, want in ipairs({ "\n@host = " .. os.getenv("DOX_E2E_API") .. "\n", "\n# @name upload\n", "\n< ./sample.pdf\n" }) do
    if not text:find(want, 1, true) then
      fail("dox-2.http lacks " .. vim.inspect(want))
    end
  end
  local new_bearers = bearers()
  if #new_bearers ~= 4 then
    fail(string.format("dox-2.http has %d Bearer headers, want 4", #new_bearers))
  end
  for _, nb in ipairs(new_bearers) do
    if nb.token ~= t2 then
      fail("dox-2.http line " .. nb.line .. " holds " .. redact(nb.token) .. ", want the active key's token " .. redact(t2))
    end
  end
  local f = io.open("dox-2.http")
  local on_disk = f and f:read("*a")
  if f then
    f:close()
  end
  if vim.bo.modified or on_disk ~= text .. "\n" then
    fail("dox-2.http is not saved: modified=" .. tostring(vim.bo.modified) .. ", " .. #(on_disk or "") .. " bytes on disk")
  end
  if vim.fn.filereadable("sample.pdf") ~= 1 then
    fail(":DoxNew wrote no sample.pdf")
  end
  wait_for("the server to attach to dox-2.http", 5000, function()
    return vim.bo[new_buf].filetype == "http" and doxls_client(new_buf) ~= nil
  end)
  wait_for("the :DoxNew message", 5000, function()
    return noted("^DOX: created dox%-2%.http$")
  end)
  vim.api.nvim_set_current_buf(http_buf)
  expect_text(t2)

  -- :DoxSwagger opens the active key's Swagger UI: through vim.ui.open on
  -- Neovim 0.10+, else through xdg-open (e2e.sh puts a stand-in first on PATH).
  local swagger = os.getenv("DOX_E2E_API") .. "/document-information-extraction/v1/"
  local opened_ui
  if vim.ui.open then
    vim.ui.open = function(url)
      opened_ui = url
      return nil, nil
    end
  end
  vim.cmd("DoxSwagger")
  wait_for(":DoxSwagger to open " .. swagger, 5000, function()
    if opened_ui then
      return opened_ui == swagger
    end
    local g = io.open(os.getenv("DOX_E2E_OPENED"))
    local got = g and g:read("*a")
    if g then
      g:close()
    end
    return got == swagger .. "\n"
  end)

  -- :checkhealth doxls finds the binary, its version and both keys.
  vim.cmd("checkhealth doxls")
  local report = table.concat(lines(), "\n")
  for _, want in ipairs({ "binary: .*/doxls", "doxls %S+", vim.pesc(key2) .. " %(active%)" }) do
    if not report:match(want) then
      fail(":checkhealth doxls lacks " .. want .. ":\n" .. report)
    end
  end
  if report:match("ERROR") then
    fail(":checkhealth doxls reports an error:\n" .. report)
  end
  vim.api.nvim_set_current_buf(http_buf)

  no_errors_shown()
  quit(client)
end

local function plain_scenario()
  local client = start_server()
  -- The command block of docs/editors.md, verbatim (e2e.sh puts it in DOX_E2E_COMMAND).
  assert(loadstring(assert(os.getenv("DOX_E2E_COMMAND"), "DOX_E2E_COMMAND not set")))()
  wait_for("workspace/executeCommand doxls.insertBearer to write two Bearer headers", 10000, function()
    return #bearers() == 2
  end)
  local b = expect_header_lines(2)
  if token_client(b[1].token) ~= client_ids[1] then
    fail("the token written is for client " .. tostring(token_client(b[1].token)))
  end
  expect_text(b[1].token)
  no_errors_shown()
  quit(client)
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(mode == "plain" and plain_scenario or plugin_scenario)
      if not ok then
        fail(tostring(err))
      end
    end)
  end,
})
