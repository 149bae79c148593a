// The VS Code client: starts `healthc lsp` for .health files and leaves everything else to it.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function start() {
  const config = vscode.workspace.getConfiguration("healthc");
  const command = config.get("path", "healthc");
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "healthc",
    "healthc language server",
    { run: server, debug: server },
    {
      documentSelector: [{ language: "healthc" }],
      initializationOptions: { debounceMs: config.get("debounceMs", 150) },
    },
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `healthc: cannot start \`${command} lsp\` (${err.message}); set healthc.path to the healthc program.`,
    );
  }
}

async function activate(context) {
  await start();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("healthc")) return;
      if (client) await client.stop();
      await start();
    }),
  );
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
