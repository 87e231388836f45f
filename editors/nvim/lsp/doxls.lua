-- doxls for Neovim 0.11's own LSP configuration, in nvim-lspconfig's form:
-- with editors/nvim on 'runtimepath' (or this file copied to
-- ~/.config/nvim/lsp/doxls.lua), `vim.lsp.enable("doxls")` starts the
-- server for .http files without the plugin (docs/install.md).
---@type vim.lsp.Config
return {
  cmd = { "doxls" },
  filetypes = { "http" },
  root_markers = { "http-client.env.json", ".git" },
}
