-- The options of require("doxls").setup(): their defaults, their types and
-- how the user's table is merged over them. The server's settings and their
-- defaults are the server's (commands/settings.go, SettingsTable);
-- TestSettingsDefaultsMatchClients there holds the table below to it.

---The server's settings (docs/protocol.md, "Settings"), sent as
---initializationOptions and as workspace/configuration section "dox".
---@class doxls.Settings
---@field serviceKey? string key file (or cf:INSTANCE/KEY); nil: discover
---@field refreshMarginSeconds? number a cached token is used while more than this is left
---@field autoRefresh? boolean refresh tokens in open buffers when they enter the margin
---@field insertMode? "header"|"variable"|"envFile" where the token goes
---@field variableName? string the variable of variable and envFile mode
---@field envName? string envFile mode (json): the environment that gets the token
---@field envFileFormat? "json"|"dotenv" envFile mode: http-client.private.env.json or .env
---@field extraHosts? string[] more host[:port] values allowed to receive the token
---@field timeoutSeconds? number per attempt of a token request (read at start)
---@field certificateWarningDays? number warn when an x509 key's certificate expires within this

---@class doxls.Options
---@field cmd? string[]|string the server command
---@field settings? doxls.Settings
---@field root_dir? string|fun(bufnr: integer): string the folder searched for service keys
---@field root_markers? string[] default root: the nearest folder with one of these
---@field filetypes? string[]
---@field on_attach? fun(client: table, bufnr: integer)

local M = {}

-- The server's defaults, one per line as `name = value,`: the Go test reads
-- them from this file.
-- settings:begin
M.settings = {
  refreshMarginSeconds = 300,
  autoRefresh = true,
  insertMode = "header",
  variableName = "doxToken",
  envName = "dev",
  envFileFormat = "json",
  extraHosts = {},
  timeoutSeconds = 10,
  certificateWarningDays = 2,
}
-- settings:end

---@type doxls.Options
M.defaults = {
  cmd = { "doxls" },
  settings = M.settings,
  filetypes = { "http" },
  root_markers = { ".git" },
  root_dir = nil,
  on_attach = nil,
}

local function list_of_strings(v)
  if type(v) ~= "table" then
    return false
  end
  local n = 0
  for k, s in pairs(v) do
    if type(k) ~= "number" or type(s) ~= "string" then
      return false
    end
    n = n + 1
  end
  return n == #v
end

local function one_of(...)
  local allowed = { ... }
  return function(v)
    return v == nil or vim.tbl_contains(allowed, v)
  end, "one of " .. table.concat(allowed, ", ")
end

local function non_negative(v)
  return v == nil or (type(v) == "number" and v >= 0)
end

-- Each setting: a vim.validate spec of its value (nil allowed: the default).
local checks = {
  serviceKey = { "string" },
  refreshMarginSeconds = { non_negative, "a number >= 0" },
  autoRefresh = { "boolean" },
  insertMode = { one_of("header", "variable", "envFile") },
  variableName = { "string" },
  envName = { "string" },
  envFileFormat = { one_of("json", "dotenv") },
  extraHosts = {
    function(v)
      return v == nil or list_of_strings(v)
    end,
    "a list of host[:port] strings",
  },
  timeoutSeconds = { non_negative, "a number >= 0" },
  certificateWarningDays = { non_negative, "a number >= 0" },
}

local function validate_settings(settings)
  local spec = {}
  for name, value in pairs(settings) do
    local check = checks[name]
    if not check then
      error(string.format("settings.%s: not a doxls setting (see :help doxls-settings)", name), 0)
    end
    local validator, message = check[1], check[2]
    spec["settings." .. name] = { value, validator, message or true }
  end
  vim.validate(spec)
end

-- Lists are values of their own: a user's list replaces the default
-- rather than being merged into it index by index.
local lists = { "cmd", "filetypes", "root_markers" }

---Merges the user's options over the defaults and checks them; raises an
---error naming the option when one is wrong.
---@param opts? doxls.Options
---@return doxls.Options
function M.resolve(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("setup() takes a table of options", 0)
  end
  if type(opts.cmd) == "string" then
    opts = vim.tbl_extend("force", opts, { cmd = { opts.cmd } })
  end
  vim.validate({
    cmd = {
      opts.cmd,
      function(v)
        return v == nil or (list_of_strings(v) and #v > 0)
      end,
      "a command: a string or a list of strings",
    },
    settings = { opts.settings, "table", true },
    root_dir = { opts.root_dir, { "string", "function" }, true },
    root_markers = {
      opts.root_markers,
      function(v)
        return v == nil or list_of_strings(v)
      end,
      "a list of file names",
    },
    filetypes = {
      opts.filetypes,
      function(v)
        return v == nil or list_of_strings(v)
      end,
      "a list of filetypes",
    },
    on_attach = { opts.on_attach, "function", true },
  })
  validate_settings(opts.settings or {})
  local merged = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  for _, name in ipairs(lists) do
    if opts[name] ~= nil then
      merged[name] = vim.deepcopy(opts[name])
    end
  end
  if opts.settings and opts.settings.extraHosts ~= nil then
    merged.settings.extraHosts = vim.deepcopy(opts.settings.extraHosts)
  end
  return merged
end

---The settings as the server gets them. An empty Lua table has no JSON
---type of its own (Neovim 0.7 sends []), so extraHosts = {} is left to the
---server's default and an empty object is sent as a dict.
---@param settings doxls.Settings
---@return table
function M.wire(settings)
  local out = vim.deepcopy(settings)
  if type(out.extraHosts) == "table" and next(out.extraHosts) == nil then
    out.extraHosts = nil
  end
  return next(out) and out or vim.empty_dict()
end

return M
