-- :DoxToken, :DoxInsertBearer, :DoxRefresh, :DoxKey, :DoxNew, :DoxSwagger, :DoxJob:
-- thin wrappers around the server's doxls.* workspace commands (DESIGN §5).
local lsp = require("doxls.lsp")
local status = require("doxls.status")

local M = {}

local levels = vim.log.levels

local function plural(n, word)
  return string.format("%d %s%s", n, word, n == 1 and "" or "s")
end

local function skipped_text(skipped)
  local parts = {}
  for _, s in ipairs(skipped or {}) do
    table.insert(parts, string.format("line %d: %s", (s.line or 0) + 1, s.reason or "skipped"))
  end
  return table.concat(parts, ", ")
end

--- :DoxToken[!] [register] — time left of the active key's token; ! fetches
--- a new one; a register name also copies the token there.
function M.token(opts)
  local register = opts.args ~= "" and opts.args or nil
  local args = opts.bang and { forceRefresh = true } or nil
  lsp.exec("doxls.getToken", args, function(res)
    local left = status.format_left(tonumber(res.expiresIn) or 0)
    local until_at = status.parse_time(res.expiresAt)
    local msg = string.format(
      "token for %s: %s left%s%s",
      res.key or "?",
      left,
      until_at and os.date(" (until %H:%M)", until_at) or "",
      res.fromCache and "" or ", new"
    )
    if register then
      vim.fn.setreg(register, res.accessToken)
      msg = msg .. string.format(", copied to register %s", register)
    end
    -- An x509 key's certificate outlives many tokens, but not by much
    -- (7 days by default): say when it ends.
    lsp.exec("doxls.loadServiceKey", { key = res.key }, function(keys)
      for _, key in ipairs(keys.keys or {}) do
        local cert = key.id == res.key and status.parse_time(key.certificateExpiresAt)
        if cert then
          msg = msg .. os.date("; certificate valid until %Y-%m-%d %H:%M", cert)
        end
      end
      lsp.notify(msg, levels.INFO)
    end)
  end)
end

--- :DoxInsertBearer[!] — the Bearer header for the request under the cursor,
--- or with ! for every request of the buffer.
function M.insert_bearer(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local args = { uri = vim.uri_from_bufnr(bufnr) }
  if not opts.bang then
    args.line = vim.api.nvim_win_get_cursor(0)[1] - 1
  end
  lsp.exec("doxls.insertBearer", args, function(res)
    local skipped = skipped_text(res.skipped)
    local msg
    if (res.edited or 0) > 0 then
      msg = "token written (" .. plural(res.edited, "line") .. ")"
    elseif skipped == "" then
      msg = "the Bearer token is already current"
    else
      msg = "nothing written"
    end
    if skipped ~= "" then
      msg = msg .. "; skipped " .. skipped
    end
    lsp.notify(msg, skipped ~= "" and levels.WARN or levels.INFO)
  end, bufnr)
end

--- :DoxRefresh — replace outdated Bearer tokens in every open document.
function M.refresh()
  lsp.exec("doxls.refreshBearers", nil, function(res)
    if (res.edited or 0) == 0 then
      lsp.notify("every Bearer token is current", levels.INFO)
    else
      lsp.notify(
        string.format("refreshed %s in %s", plural(res.edited, "token"), plural(res.documents or 0, "document")),
        levels.INFO
      )
    end
  end)
end

local function describe(key, active)
  local parts = { (key.id == active and "* " or "  ") .. key.id }
  if key.clientId then
    table.insert(parts, key.clientId)
  end
  if key.apiUrl then
    table.insert(parts, key.apiUrl)
  end
  local cert = status.parse_time(key.certificateExpiresAt)
  if cert then
    table.insert(parts, os.date("certificate until %Y-%m-%d %H:%M", cert))
  end
  return table.concat(parts, "  ")
end

local function load(path)
  lsp.exec("doxls.loadServiceKey", { path = path }, function(res)
    if type(res.active) == "string" then
      lsp.notify("using service key " .. res.active, levels.INFO)
    end
  end)
end

local function has_path(key)
  return type(key.path) == "string" and key.path ~= ""
end

--- :DoxKey [file | cf:INSTANCE/KEY] — load a service key file, or a key
--- read with the cf CLI (kept in memory only), or choose among the keys the
--- server knows.
function M.key(opts)
  if opts.args:match("^cf:") then
    return load(opts.args)
  elseif opts.args ~= "" then
    return load(vim.fn.fnamemodify(vim.fn.expand(opts.args), ":p"))
  end
  lsp.exec("doxls.loadServiceKey", nil, function(res)
    local keys = res.keys or {}
    if type(res.problems) == "table" and #res.problems > 0 then
      lsp.notify(table.concat(res.problems, "; "), levels.WARN)
    end
    if #keys == 0 then
      return lsp.notify("no service key found; run :DoxKey path/to/key.json", levels.WARN)
    end
    vim.ui.select(keys, {
      prompt = "DOX service key",
      format_item = function(key)
        return describe(key, res.active)
      end,
    }, function(choice)
      if choice and has_path(choice) then
        load(choice.path)
      elseif choice and choice.id:match("^cf:") then
        load(choice.id)
      elseif choice then
        -- doxls.loadServiceKey switches to key files only.
        lsp.notify(choice.id .. " comes from the environment; :DoxKey can only switch to key files", levels.WARN)
      end
    end)
  end)
end

--- :DoxNew [name] — a ready-to-run request file for the active key in the
--- current directory (dox.http, else dox-2.http, …), opened and saved.
function M.new_file(opts)
  local args = { folder = (vim.uv or vim.loop).cwd() }
  if opts.args ~= "" then
    args.name = opts.args
  end
  lsp.exec("doxls.newRequestFile", args, function(res)
    local path = vim.uri_to_fname(res.uri)
    local ok, err = pcall(vim.cmd, "edit " .. vim.fn.fnameescape(path))
    if not ok then
      return lsp.notify("created " .. path .. " but cannot open it: " .. tostring(err), levels.WARN)
    end
    -- A client that creates files in workspace edits (this one) makes the
    -- file empty and fills the buffer: write it, the user asked for a file.
    if vim.bo.modified then
      vim.cmd("silent write")
    end
    if vim.bo.filetype == "" then
      vim.cmd("setfiletype http")
    end
    lsp.notify("created " .. vim.fn.fnamemodify(path, ":~:."), levels.INFO)
  end)
end

-- opener is the command that hands url to the system's browser where
-- vim.ui.open (Neovim 0.10+) is missing; has and executable are vim.fn's.
-- On Windows rundll32 takes the URL as one argument, as vim.ui.open does:
-- `cmd /c start` would parse it again, and a URL from a key file with `&`
-- in it would run what follows as a command.
function M.opener(url, has, executable)
  if has("mac") == 1 then
    return { "open", url }
  elseif has("win32") == 1 then
    return { "rundll32", "url.dll,FileProtocolHandler", url }
  elseif executable("xdg-open") == 1 then
    return { "xdg-open", url }
  end
  return nil
end

-- open_url hands an http(s) URL to the system's opener; any other scheme
-- in a key file could name a program or a file to run.
local function open_url(url)
  if not url:match("^[Hh][Tt][Tt][Pp][Ss]?://") then
    return lsp.notify("not opening " .. url .. ": only http and https URLs are opened", levels.WARN)
  end
  if vim.ui.open then -- Neovim 0.10 and later
    local _, err = vim.ui.open(url)
    if err then
      lsp.notify("cannot open " .. url .. ": " .. err, levels.ERROR)
    end
    return
  end
  local cmd = M.opener(url, vim.fn.has, vim.fn.executable)
  if not cmd then
    return lsp.notify("no xdg-open to open " .. url, levels.WARN)
  end
  if vim.fn.jobstart(cmd, { detach = true }) <= 0 then
    lsp.notify("cannot run " .. cmd[1] .. " to open " .. url, levels.ERROR)
  end
end

--- :DoxSwagger — the active key's Swagger UI (swaggerUrl) in the browser.
function M.swagger()
  lsp.exec("doxls.loadServiceKey", nil, function(res)
    local keys = res.keys or {}
    local active = type(res.active) == "string" and res.active or nil
    local key
    for _, k in ipairs(keys) do
      if k.id == active then
        key = k
      end
    end
    if not key then
      return lsp.notify(#keys == 0 and "no service key found; run :DoxKey path/to/key.json"
        or "no active service key; choose one with :DoxKey", levels.WARN)
    end
    if type(key.swaggerUrl) ~= "string" or key.swaggerUrl == "" then
      return lsp.notify(key.id .. " names no Swagger UI (its tenantuiurl and swagger fields)", levels.WARN)
    end
    open_url(key.swaggerUrl)
  end)
end

--- Lines of the scratch buffer for a doxls.waitForJob answer: the status
--- and the extracted header fields (name, value, confidence, page).
function M.job_lines(res)
  local lines = { "DOX job " .. tostring(res.id or "?") }
  local head = "status: " .. tostring(res.status or "?")
  if type(res.documentType) == "string" and res.documentType ~= "" then
    head = head .. ", document type: " .. res.documentType
  end
  table.insert(lines, head)
  table.insert(lines, "")
  local fields = type(res.fields) == "table" and res.fields or {}
  if #fields == 0 then
    table.insert(lines, "no header fields were extracted")
    return lines
  end
  local width = 5
  for _, f in ipairs(fields) do
    width = math.max(width, #tostring(f.name or ""))
  end
  local row = "%-" .. width .. "s  %-10s  %4s  %s"
  table.insert(lines, string.format(row, "field", "confidence", "page", "value"))
  for _, f in ipairs(fields) do
    local value = type(f.value) == "string" and f.value or vim.fn.json_encode(f.value)
    local confidence = type(f.confidence) == "number" and string.format("%d%%", math.floor(f.confidence * 100 + 0.5)) or ""
    value = value:gsub("\r?\n", " ")
    table.insert(lines, string.format(row, tostring(f.name or ""), confidence, tostring(f.page or ""), value))
  end
  return lines
end

--- Shows a doxls.waitForJob answer in a read-only scratch buffer.
function M.show_job(res)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, M.job_lines(res))
  for option, value in pairs({ buftype = "nofile", bufhidden = "wipe", swapfile = false, modifiable = false }) do
    vim.bo[buf][option] = value
  end
  pcall(vim.api.nvim_buf_set_name, buf, "DOX job " .. tostring(res.id or ""))
end

--- :DoxJob [id] — wait for the DOX job of the GET …/document/jobs/<id>
--- request under the cursor (or the job [id]) until it is DONE or FAILED,
--- then show its extracted header fields in a scratch buffer.
function M.job(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local args
  if opts.args ~= "" then
    args = { id = opts.args }
  else
    args = { uri = vim.uri_from_bufnr(bufnr), line = vim.api.nvim_win_get_cursor(0)[1] - 1 }
  end
  lsp.notify("waiting for the DOX job…", levels.INFO)
  lsp.exec("doxls.waitForJob", args, function(res)
    M.show_job(res)
  end, bufnr)
end

function M.register()
  local create = vim.api.nvim_create_user_command
  create("DoxToken", M.token, {
    bang = true,
    nargs = "?",
    desc = "DOX: show the token's time left (! = fetch a new one; arg = register to copy it to)",
  })
  create("DoxInsertBearer", M.insert_bearer, {
    bang = true,
    desc = "DOX: write the Bearer header for the request under the cursor (! = every request)",
  })
  create("DoxRefresh", M.refresh, { desc = "DOX: refresh outdated Bearer tokens in open buffers" })
  create("DoxKey", M.key, { nargs = "?", complete = "file", desc = "DOX: choose or load a service key" })
  create("DoxNew", M.new_file, { nargs = "?", desc = "DOX: a ready-to-run request file here (arg = file name)" })
  create("DoxSwagger", M.swagger, { desc = "DOX: open the active key's Swagger UI" })
  create("DoxJob", M.job, { nargs = "?", desc = "DOX: wait for the job under the cursor (arg = job id) and show its fields" })
  -- The job code lens runs the server's command; its answer opens the
  -- same scratch buffer as :DoxJob.
  vim.lsp.commands["doxls.waitForJob"] = function(command, ctx)
    local args = command.arguments and command.arguments[1] or nil
    lsp.exec("doxls.waitForJob", args, M.show_job, ctx and ctx.bufnr or nil)
  end
end

return M
