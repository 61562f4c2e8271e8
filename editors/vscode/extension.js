// The VS Code client of `handoff lsp`: starts the server for `.playbook` files and runs the
// tests its code lenses name. Plain JavaScript, so the extension needs no build step.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The `handoff` binary the settings name (`handoff.path`), else the one on the PATH. */
function binary() {
  return vscode.workspace.getConfiguration("handoff").get("path") || "handoff";
}

function startClient() {
  const command = binary();
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "handoff",
    "Handoff",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "handoff" },
        { scheme: "untitled", language: "handoff" },
      ],
    },
  );
  return client.start();
}

/**
 * Runs one playbook test as a task, so its output lands in a terminal: the server's code
 * lens passes the document and a `--run` pattern matching only that test.
 */
function runTest(uri, pattern) {
  const file = vscode.Uri.parse(uri).fsPath;
  const task = new vscode.Task(
    { type: "handoff" },
    vscode.TaskScope.Workspace,
    "test",
    "handoff",
    new vscode.ProcessExecution(binary(), ["test", file, "--run", pattern]),
  );
  return vscode.tasks.executeTask(task);
}

async function restart() {
  if (client) {
    await client.stop();
  }
  await startClient();
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("handoff.runTest", runTest),
    vscode.commands.registerCommand("handoff.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("handoff.path")) {
        restart();
      }
    }),
  );
  return startClient();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
