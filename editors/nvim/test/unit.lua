-- Unit tests of the plugin's pure Lua parts, run by e2e.sh with
--   nvim --headless -u NONE --cmd "set rtp^=editors/nvim" -c "luafile editors/nvim/test/unit.lua"
local status = require("doxls.status")
local failures = 0

local function eq(what, got, want)
  if got ~= want then
    failures = failures + 1
    io.stderr:write(string.format("unit: %s: got %s, want %s\n", what, vim.inspect(got), vim.inspect(want)))
  end
end

-- RFC 3339 → epoch seconds, independent of the local time zone.
eq("epoch", status.parse_time("1970-01-01T00:00:00Z"), 0)
eq("2025 Z", status.parse_time("2025-03-01T12:00:00Z"), 1740830400)
eq("leap day", status.parse_time("2024-02-29T23:59:59Z"), 1709251199)
eq("fraction", status.parse_time("2025-03-01T12:00:00.123456789Z"), 1740830400)
eq("positive offset", status.parse_time("2025-03-01T13:30:00+01:30"), 1740830400)
eq("negative offset", status.parse_time("2025-03-01T07:00:00-05:00"), 1740830400)
eq("not a time", status.parse_time("tomorrow"), nil)
eq("null", status.parse_time(vim.NIL), nil)

-- :DoxJob's scratch buffer.
local commands = require("doxls.commands")
local job = commands.job_lines({
  id = "j1",
  status = "DONE",
  documentType = "invoice",
  fields = {
    { name = "documentNumber", value = "INV-2024-0042", confidence = 0.98, page = 1 },
    { name = "grossAmount", value = 1190, confidence = 0.955, page = 1 },
    { name = "senderAddress", value = "Street 1\nBerlin", confidence = 0.5, page = 2 },
  },
})
eq("job title", job[1], "DOX job j1")
eq("job status", job[2], "status: DONE, document type: invoice")
eq("job header", job[4], "field           confidence  page  value")
eq("job string field", job[5], "documentNumber  98%            1  INV-2024-0042")
eq("job number field", job[6], "grossAmount     96%            1  1190")
eq("job line break", job[7], "senderAddress   50%            2  Street 1 Berlin")
eq("no fields", commands.job_lines({ id = "j2", status = "FAILED", fields = {} })[4], "no header fields were extracted")

-- Time left as the statusline shows it.
eq("12h", status.format_left(43199), "11h 59m")
eq("hours", status.format_left(11 * 3600 + 58 * 60 + 30), "11h 58m")
eq("minutes", status.format_left(42 * 60 + 5), "42m")
eq("seconds", status.format_left(30), "<1m")
eq("zero", status.format_left(0), "expired")
eq("past", status.format_left(-5), "expired")

-- statusline text from dox/tokenStatus notifications.
local now = status.parse_time("2025-03-01T12:00:00Z")
eq("nothing known", status.text(now), "")
status.update({ key = "k", state = "valid", expiresAt = "2025-03-01T23:58:00Z" }, 1)
eq("valid", status.text(now), "DOX 11h 58m")
eq("valid but past expiry", status.text(now + 12 * 3600), "DOX expired")
status.update({ key = "k", state = "expiring", expiresAt = "2025-03-01T12:04:00Z" }, 1)
eq("expiring", status.text(now), "DOX 4m")
status.update({ key = "k", state = "expired", expiresAt = "2025-03-01T11:00:00Z" }, 1)
eq("expired", status.text(now), "DOX expired")
status.update({ key = "k", state = "error", expiresAt = vim.NIL, message = "the client id or secret is wrong" }, 1)
eq("error", status.text(now), "DOX !")
status.update({ key = "k", state = "missing", expiresAt = vim.NIL }, 1)
eq("missing", status.text(now), "")
status.update({ key = "k", state = "valid", expiresAt = "2025-03-01T23:58:00Z" }, 1)
status.forget(2)
eq("other client's exit", status.text(now), "DOX 11h 58m")
status.forget(1)
eq("after the client exited", status.text(now), "")

-- The opener for Neovim before 0.10, on each system.
local commands = require("doxls.commands")
local function system(name, tools)
  return function(feature)
    return feature == name and 1 or 0
  end, function(tool)
    return tools[tool] and 1 or 0
  end
end
local url = "https://x.example/ui/swagger?a=1&b=2"
eq("mac", vim.inspect(commands.opener(url, system("mac", {}))), vim.inspect({ "open", url }))
eq("windows", vim.inspect(commands.opener(url, system("win32", {}))), vim.inspect({ "rundll32", "url.dll,FileProtocolHandler", url }))
eq("linux", vim.inspect(commands.opener(url, system("linux", { ["xdg-open"] = true }))), vim.inspect({ "xdg-open", url }))
eq("no opener", commands.opener(url, system("linux", {})), nil)

-- lsp/doxls.lua, found on 'runtimepath' as Neovim 0.11's vim.lsp.enable finds it.
local file = vim.api.nvim_get_runtime_file("lsp/doxls.lua", false)[1]
local config = file and dofile(file) or {}
eq("lsp/doxls.lua cmd", vim.inspect(config.cmd), vim.inspect({ "doxls" }))
eq("lsp/doxls.lua filetypes", vim.inspect(config.filetypes), vim.inspect({ "http" }))
eq("lsp/doxls.lua root_markers", type(config.root_markers), "table")

if failures > 0 then
  vim.cmd("cquit 1")
end
vim.cmd("qa!")
