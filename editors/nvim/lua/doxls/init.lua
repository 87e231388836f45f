-- doxls for Neovim: starts the doxls language server for .http files and
-- adds :DoxToken, :DoxInsertBearer, :DoxRefresh, :DoxKey, :DoxNew,
-- :DoxSwagger and a statusline component. Works on Neovim 0.7 and later.
local config = require("doxls.config")
local lsp = require("doxls.lsp")
local status = require("doxls.status")

local M = {}

local group

-- Neovim 0.7 detects neither *.http nor *.rest; later versions know *.http
-- and may know *.rest. setfiletype never overrides a detected filetype.
local function register_filetypes()
  if vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { http = "http", rest = "http" } })
  end
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = { "*.http", "*.rest" },
    command = "setfiletype http",
  })
end

local function wants(bufnr)
  return vim.tbl_contains(lsp.options.filetypes, vim.bo[bufnr].filetype) and vim.bo[bufnr].buftype == ""
end

--- Starts doxls for the buffers of opts.filetypes. The options are merged
--- deeply over the defaults (config.lua) and checked: a wrong one is
--- reported in one line and nothing starts (:checkhealth doxls names it too).
---@param opts? doxls.Options
function M.setup(opts)
  local ok, resolved = pcall(config.resolve, opts)
  if not ok then
    -- vim.validate's message starts with the place in config.lua; the
    -- user needs only what is wrong.
    config.problem = "setup(): " .. tostring(resolved):gsub("^[^\n]-%.lua:%d+: ", "")
    lsp.notify(config.problem, vim.log.levels.ERROR)
    return
  end
  config.problem = nil
  lsp.options = resolved
  group = vim.api.nvim_create_augroup("doxls", { clear = true })
  register_filetypes()
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = lsp.options.filetypes,
    callback = function(args)
      if wants(args.buf) then
        lsp.attach(args.buf)
      end
    end,
  })
  require("doxls.commands").register()
  -- setup() may run after buffers were opened (lazy loading).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      local name = vim.api.nvim_buf_get_name(bufnr)
      if vim.bo[bufnr].filetype == "" and (name:match("%.http$") or name:match("%.rest$")) then
        vim.api.nvim_buf_call(bufnr, function()
          vim.cmd("setfiletype http")
        end)
      elseif wants(bufnr) then
        lsp.attach(bufnr)
      end
    end
  end
end

--- "DOX 11h 58m", "DOX expired", "DOX !" (error), or "" when nothing is known.
---@return string
function M.statusline()
  return status.text()
end

---@class doxls.TokenStatus
---@field key string
---@field state "valid"|"expiring"|"expired"|"missing"|"error"
---@field expires_at? integer epoch seconds
---@field message? string

--- The latest dox/tokenStatus: { key, state, expires_at, message } or nil.
---@return doxls.TokenStatus?
function M.status()
  return status.get()
end

--- Runs a doxls.* server command: on_result(result, client) on success,
--- failures are shown with vim.notify.
---@param command string a doxls.* command id (docs/protocol.md)
---@param args? table its one argument object
---@param on_result? fun(result: any, client: table)
---@param bufnr? integer
function M.exec(command, args, on_result, bufnr)
  lsp.exec(command, args, on_result, bufnr)
end

return M
